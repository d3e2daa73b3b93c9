package org.edgefront.space.model;

/**
 * Tanh soft-capping (Gemma 2): a value v becomes {@code cap * tanh(v / cap)}, bounded by +-cap and nearly unchanged well
 * below it. On the attention scores after their scale and before the softmax (transformers' {@code attn_logit_softcapping},
 * llama.cpp's {@code attn_logit_softcapping}), and on the LM head's logits ({@code final_logit_softcapping}). Immutable.
 *
 * @param attention   cap on the scaled q.k scores; 0 for none
 * @param finalLogits cap on the logits; 0 for none
 */
public record LogitSoftcaps(double attention, double finalLogits) implements java.io.Serializable {
    /** No soft-capping. */
    public static final LogitSoftcaps NONE = new LogitSoftcaps(0, 0);

    public LogitSoftcaps {
        if (!(attention >= 0) || Double.isInfinite(attention)) throw new IllegalArgumentException("attention soft-cap " + attention + " is not a finite cap >= 0");
        if (!(finalLogits >= 0) || Double.isInfinite(finalLogits)) throw new IllegalArgumentException("final-logit soft-cap " + finalLogits + " is not a finite cap >= 0");
    }

    /** Whether either cap applies. */
    public boolean any() { return attention > 0 || finalLogits > 0; }

    /**
     * {@code cap * tanh(v / cap)} on {@code x[from, to)} in place, in float as ggml computes it (scale by 1/cap, tanh, scale
     * by cap); nothing when {@code cap} is 0.
     */
    public static void apply(float[] x, int from, int to, double cap) {
        if (cap == 0) return;
        float inv = (float) (1.0 / cap);
        float c = (float) cap;
        for (int i = from; i < to; i++) x[i] = c * (float) Math.tanh(x[i] * inv);
    }
}
