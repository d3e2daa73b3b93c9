package org.edgefront.space.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.SlidingWindow;

/**
 * The config.json keys of a Gemma 3 text model ({@code Gemma3ForCausalLM}, model_type {@code gemma3_text}) or a Gemma 2
 * ({@code Gemma2ForCausalLM}, {@code gemma2}) beyond the Llama-style ones, read by {@link HuggingFaceModel} and written by
 * {@link HuggingFaceWriter}: the sliding window ({@code sliding_window}, Gemma 3's {@code sliding_window_pattern} or
 * {@code layer_types}, {@code rope_local_base_freq}; Gemma 2's fixed period of 2 at the global RoPE base), the attention
 * scale ({@code query_pre_attn_scalar}), Gemma 2's soft-caps ({@code attn_logit_softcapping}, {@code final_logit_softcapping})
 * and the settings the forward pass does not implement otherwise (activation, Gemma 3 soft-capping, bidirectional
 * attention), which are refused by name. Defaults are {@code Gemma3TextConfig}'s and {@code Gemma2Config}'s. Stateless.
 */
final class Gemma3Config {
    /** Gemma3TextConfig defaults. */
    private static final int DEFAULT_WINDOW = 4096;
    private static final int DEFAULT_PATTERN = 6;
    private static final double DEFAULT_LOCAL_THETA = 10000.0;
    private static final double DEFAULT_QUERY_PRE_ATTN_SCALAR = 256;
    /** Gemma2Config defaults: every other layer local (layer_types' sliding_attention on the even layers), caps 50 and 30. */
    private static final int GEMMA2_PATTERN = 2;
    private static final double GEMMA2_ATTENTION_CAP = 50.0;
    private static final double GEMMA2_FINAL_CAP = 30.0;

    private Gemma3Config() { }

    /**
     * The config with transformers 5's per-layer-type {@code rope_parameters} ({@code full_attention},
     * {@code sliding_attention}) put back in transformers 4's form: the global rule as {@code rope_parameters}, the local
     * base as {@code rope_local_base_freq} (local layers are never scaled). Unchanged when there is no such split.
     */
    static JsonNode flattenRope(String f, JsonNode c) {
        JsonNode rp = c.get("rope_parameters");
        if (rp == null || !rp.isObject() || !rp.has("full_attention")) return c;
        ObjectNode copy = ((ObjectNode) c).deepCopy();
        copy.set("rope_parameters", rp.get("full_attention"));
        JsonNode local = rp.get("sliding_attention");
        if (local != null && local.isObject()) {
            JsonNode type = local.has("rope_type") ? local.get("rope_type") : local.get("type");
            if (type != null && !type.isNull() && !type.asText().equals("default")) {
                throw new InvalidInputException(f, "rope_parameters.sliding_attention.rope_type", "RoPE type " + type
                        + " on the sliding-window layers is not supported (default is)");
            }
            JsonNode theta = local.get("rope_theta");
            JsonNode top = c.get("rope_local_base_freq");
            if (theta != null && top != null && !top.isNull() && top.asDouble() != theta.asDouble()) {
                throw new InvalidInputException(f, "rope_parameters.sliding_attention.rope_theta", "value " + theta
                        + " disagrees with rope_local_base_freq " + top);
            }
            if (theta != null) copy.set("rope_local_base_freq", theta);
        }
        for (java.util.Iterator<String> it = rp.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("full_attention") && !k.equals("sliding_attention")) {
                throw new InvalidInputException(f, "rope_parameters." + k, "layer type is not understood (full_attention, sliding_attention are)");
            }
        }
        return copy;
    }

    /**
     * The sliding window, after refusing what the forward pass does not implement: an activation other than
     * {@code gelu_pytorch_tanh}, attention or final-logit soft-capping, bidirectional attention, and {@code layer_types}
     * that do not follow the period {@code sliding_window_pattern} (five local layers, then one global, for Gemma 3).
     */
    static SlidingWindow slidingWindow(String f, JsonNode c, int layers, ArchitectureFamily family, double globalTheta) {
        boolean gemma2 = family == ArchitectureFamily.GEMMA2;
        String expectedType = gemma2 ? "gemma2" : "gemma3_text";
        JsonNode type = c.get("model_type");
        if (type != null && !type.isNull() && !type.asText().equals(expectedType)) {
            throw new InvalidInputException(f, "model_type", (gemma2 ? "Gemma2ForCausalLM" : "Gemma3ForCausalLM") + " with model_type " + type
                    + " (" + expectedType + " expected)");
        }
        for (String key : new String[] {"hidden_activation", "hidden_act"}) {
            JsonNode act = c.get(key);
            if (act != null && !act.isNull() && !act.asText().equals("gelu_pytorch_tanh")) {
                throw new InvalidInputException(f, key, "activation " + act + " is not supported (gelu_pytorch_tanh is)");
            }
        }
        if (!gemma2) {
            for (String key : new String[] {"final_logit_softcapping", "attn_logit_softcapping"}) {
                JsonNode cap = c.get(key);
                if (cap != null && !cap.isNull()) throw new InvalidInputException(f, key, "soft-capping (" + cap + ") is not supported (Gemma 3 has none)");
            }
        }
        JsonNode bidi = c.get("use_bidirectional_attention");
        if (bidi != null && bidi.asBoolean(false)) throw new InvalidInputException(f, "use_bidirectional_attention", "bidirectional attention is not supported");
        int window = positiveInt(f, c, "sliding_window", DEFAULT_WINDOW);
        // Gemma 2 has no pattern or local-base keys: every other layer is local (transformers' Gemma2Attention), at the global base
        String patternKey = gemma2 ? "layer_types" : c.has("sliding_window_pattern") ? "sliding_window_pattern" : "_sliding_window_pattern";
        int pattern = gemma2 ? GEMMA2_PATTERN : positiveInt(f, c, patternKey, DEFAULT_PATTERN);
        JsonNode theta = gemma2 ? null : c.get("rope_local_base_freq");
        double localTheta = gemma2 ? globalTheta : theta == null || theta.isNull() ? DEFAULT_LOCAL_THETA : theta.asDouble();
        if (theta != null && !theta.isNull() && (!theta.isNumber() || !(localTheta > 0))) {
            throw new InvalidInputException(f, "rope_local_base_freq", "value " + theta + " is not a positive number");
        }
        SlidingWindow w = new SlidingWindow(window, pattern, localTheta);
        JsonNode types = c.get("layer_types");
        if (types != null && !types.isNull()) {
            if (!types.isArray() || types.size() != layers) throw new InvalidInputException(f, "layer_types", "not an array of " + layers + " layer types");
            for (int l = 0; l < layers; l++) {
                String want = w.isLocal(l) ? "sliding_attention" : "full_attention";
                if (!types.get(l).asText().equals(want)) {
                    throw new InvalidInputException(f, "layer_types[" + l + "]", types.get(l) + " breaks the period of " + pattern
                            + " (" + patternKey + "): only layers l with l % " + pattern + " == " + (pattern - 1) + " are full_attention");
                }
            }
        }
        return w;
    }

    /**
     * Gemma 2's soft-caps ({@code attn_logit_softcapping}, default 50; {@code final_logit_softcapping}, default 30; null
     * for none, as transformers allows); {@link LogitSoftcaps#NONE} for Gemma 3, whose caps {@link #slidingWindow} refuses.
     */
    static LogitSoftcaps softcaps(String f, JsonNode c, ArchitectureFamily family) {
        if (family != ArchitectureFamily.GEMMA2) return LogitSoftcaps.NONE;
        return new LogitSoftcaps(cap(f, c, "attn_logit_softcapping", GEMMA2_ATTENTION_CAP), cap(f, c, "final_logit_softcapping", GEMMA2_FINAL_CAP));
    }

    private static double cap(String f, JsonNode c, String key, double dflt) {
        if (!c.has(key)) return dflt;
        JsonNode v = c.get(key);
        if (v.isNull()) return 0;
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new InvalidInputException(f, key, "value " + v + " is not a positive number (or null for none)");
        }
        return v.asDouble();
    }

    /** 1/sqrt({@code query_pre_attn_scalar}): Gemma 3 scales q by it before q.k (256, the head size, for 270M to 12B; 168 for 27B). */
    static double attentionScale(String f, JsonNode c) {
        JsonNode v = c.get("query_pre_attn_scalar");
        if (v == null || v.isNull()) return 1.0 / Math.sqrt(DEFAULT_QUERY_PRE_ATTN_SCALAR);
        if (!v.isNumber() || !(v.asDouble() > 0)) throw new InvalidInputException(f, "query_pre_attn_scalar", "value " + v + " is not a positive number");
        return 1.0 / Math.sqrt(v.asDouble());
    }

    /**
     * Writes the keys {@link #slidingWindow}, {@link #attentionScale} and {@link #softcaps} read back, and the family's fixed
     * settings.
     *
     * @throws IllegalArgumentException for a Gemma 2 whose window is not on every other layer at the global RoPE base,
     *                                  which its config cannot say
     */
    static void write(ObjectNode c, ModelArchitecture a) {
        SlidingWindow w = a.slidingWindow();
        boolean gemma2 = a.family() == ArchitectureFamily.GEMMA2;
        if (gemma2 && (w.tokens() == 0 || w.pattern() != GEMMA2_PATTERN || w.ropeTheta() != a.ropeTheta())) {
            throw new IllegalArgumentException("a Gemma 2 config holds a window on every other layer at the global RoPE base, not " + w);
        }
        c.put("query_pre_attn_scalar", 1.0 / (a.attentionScale() * a.attentionScale()));
        c.put("sliding_window", w.tokens() > 0 ? w.tokens() : a.maxSeqLen());
        if (!gemma2) {
            c.put("sliding_window_pattern", w.tokens() > 0 ? w.pattern() : 1);
            c.put("rope_local_base_freq", w.ropeTheta());
        }
        ArrayNode types = c.putArray("layer_types");
        for (int l = 0; l < a.layers(); l++) types.add(w.isLocal(l) ? "sliding_attention" : "full_attention");
        c.put("hidden_activation", "gelu_pytorch_tanh");
        LogitSoftcaps caps = a.softcaps();
        if (caps.finalLogits() > 0) c.put("final_logit_softcapping", caps.finalLogits());
        else c.putNull("final_logit_softcapping");
        if (caps.attention() > 0) c.put("attn_logit_softcapping", caps.attention());
        else c.putNull("attn_logit_softcapping");
    }

    private static int positiveInt(String f, JsonNode c, String key, int dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) throw new InvalidInputException(f, key, "value " + v + " is not a positive integer");
        return v.asInt();
    }
}
