package org.edgefront.space.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.SlidingWindow;

/**
 * The config.json keys of a Gemma 3 text model ({@code Gemma3ForCausalLM}, model_type {@code gemma3_text}) beyond the
 * Llama-style ones, read by {@link HuggingFaceModel} and written by {@link HuggingFaceWriter}: the sliding window
 * ({@code sliding_window}, {@code sliding_window_pattern} or {@code layer_types}, {@code rope_local_base_freq}), the
 * attention scale ({@code query_pre_attn_scalar}) and the settings the forward pass does not implement otherwise
 * (activation, logit soft-capping, bidirectional attention), which are refused by name. Defaults are
 * {@code Gemma3TextConfig}'s. Stateless.
 */
final class Gemma3Config {
    /** Gemma3TextConfig defaults. */
    private static final int DEFAULT_WINDOW = 4096;
    private static final int DEFAULT_PATTERN = 6;
    private static final double DEFAULT_LOCAL_THETA = 10000.0;
    private static final double DEFAULT_QUERY_PRE_ATTN_SCALAR = 256;

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
    static SlidingWindow slidingWindow(String f, JsonNode c, int layers) {
        JsonNode type = c.get("model_type");
        if (type != null && !type.isNull() && !type.asText().equals("gemma3_text")) {
            throw new InvalidInputException(f, "model_type", "Gemma3ForCausalLM with model_type " + type + " (gemma3_text expected)");
        }
        for (String key : new String[] {"hidden_activation", "hidden_act"}) {
            JsonNode act = c.get(key);
            if (act != null && !act.isNull() && !act.asText().equals("gelu_pytorch_tanh")) {
                throw new InvalidInputException(f, key, "activation " + act + " is not supported (gelu_pytorch_tanh is)");
            }
        }
        for (String key : new String[] {"final_logit_softcapping", "attn_logit_softcapping"}) {
            JsonNode cap = c.get(key);
            if (cap != null && !cap.isNull()) throw new InvalidInputException(f, key, "soft-capping (" + cap + ") is not supported (Gemma 3 has none)");
        }
        JsonNode bidi = c.get("use_bidirectional_attention");
        if (bidi != null && bidi.asBoolean(false)) throw new InvalidInputException(f, "use_bidirectional_attention", "bidirectional attention is not supported");
        int window = positiveInt(f, c, "sliding_window", DEFAULT_WINDOW);
        String patternKey = c.has("sliding_window_pattern") ? "sliding_window_pattern" : "_sliding_window_pattern";
        int pattern = positiveInt(f, c, patternKey, DEFAULT_PATTERN);
        JsonNode theta = c.get("rope_local_base_freq");
        double localTheta = theta == null || theta.isNull() ? DEFAULT_LOCAL_THETA : theta.asDouble();
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

    /** 1/sqrt({@code query_pre_attn_scalar}): Gemma 3 scales q by it before q.k (256, the head size, for 270M to 12B; 168 for 27B). */
    static double attentionScale(String f, JsonNode c) {
        JsonNode v = c.get("query_pre_attn_scalar");
        if (v == null || v.isNull()) return 1.0 / Math.sqrt(DEFAULT_QUERY_PRE_ATTN_SCALAR);
        if (!v.isNumber() || !(v.asDouble() > 0)) throw new InvalidInputException(f, "query_pre_attn_scalar", "value " + v + " is not a positive number");
        return 1.0 / Math.sqrt(v.asDouble());
    }

    /** Writes the keys {@link #slidingWindow} and {@link #attentionScale} read back, and Gemma 3's fixed settings. */
    static void write(ObjectNode c, ModelArchitecture a) {
        SlidingWindow w = a.slidingWindow();
        c.put("query_pre_attn_scalar", 1.0 / (a.attentionScale() * a.attentionScale()));
        c.put("sliding_window", w.tokens() > 0 ? w.tokens() : a.maxSeqLen());
        c.put("sliding_window_pattern", w.tokens() > 0 ? w.pattern() : 1);
        c.put("rope_local_base_freq", w.ropeTheta());
        ArrayNode types = c.putArray("layer_types");
        for (int l = 0; l < a.layers(); l++) types.add(w.isLocal(l) ? "sliding_attention" : "full_attention");
        c.put("hidden_activation", "gelu_pytorch_tanh");
        c.putNull("final_logit_softcapping");
        c.putNull("attn_logit_softcapping");
    }

    private static int positiveInt(String f, JsonNode c, String key, int dflt) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) throw new InvalidInputException(f, key, "value " + v + " is not a positive integer");
        return v.asInt();
    }
}
