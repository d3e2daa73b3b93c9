package org.edgefront.space.model;

/**
 * Local (sliding-window) attention on some layers of a model (Gemma 3): on a local layer, the query at position p sees
 * only the keys at positions u with {@code p - u < tokens} (llama.cpp's {@code is_masked_swa} for
 * {@code LLAMA_SWA_TYPE_STANDARD} masks {@code p - u >= n_swa}; transformers' sliding-window mask is the same), and
 * RoPE rotates with the base {@code ropeTheta}, without the global layers' RoPE scaling (llama.cpp's
 * {@code rope_freq_base_train_swa} / {@code rope_freq_scale_train_swa = 1}). The other layers are global: full causal
 * attention, the architecture's own RoPE base and scaling. Immutable.
 *
 * @param tokens    window in tokens (the query's own position included); 0 for {@link #NONE}
 * @param pattern   period of local and global layers: layer l is global when {@code l % pattern == pattern - 1}, local
 *                  otherwise (Gemma 3: 6, five local then one global; llama.cpp's {@code set_swa_pattern}, transformers'
 *                  default {@code layer_types}); 1 makes every layer global
 * @param ropeTheta RoPE base of the local layers (Gemma 3: 10000, config.json's {@code rope_local_base_freq})
 */
public record SlidingWindow(int tokens, int pattern, double ropeTheta) implements java.io.Serializable {
    /** No local layers: every layer attends to the whole causal past. */
    public static final SlidingWindow NONE = new SlidingWindow(0, 1, 10000.0);

    public SlidingWindow {
        if (tokens < 0) throw new IllegalArgumentException("sliding window of " + tokens + " tokens");
        if (pattern < 1) throw new IllegalArgumentException("sliding-window layer pattern " + pattern + " is not positive");
        if (!(ropeTheta > 0)) throw new IllegalArgumentException("local RoPE base " + ropeTheta + " is not positive");
    }

    /** Whether {@code layer} (0-based) attends within the window; false for every layer of {@link #NONE}. */
    public boolean isLocal(int layer) { return tokens > 0 && layer % pattern != pattern - 1; }
}
