package org.edgefront.space.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.RopeScaling;

/**
 * The config.json keys of a Phi-3 model ({@code Phi3ForCausalLM}, model_type {@code phi3}) beyond the Llama-style ones,
 * read by {@link HuggingFaceModel} and written by {@link HuggingFaceWriter}. RoPE is plain or LongRoPE ({@code longrope},
 * {@code su} in early configs: Phi-3-mini-128k, Phi-3-medium-128k, Phi-3.5-mini, Phi-4-mini), whose factors
 * {@link HuggingFaceModel} reads with the other RoPE rules, on the whole head or on its first
 * {@code int(head_dim x partial_rotary_factor)} dimensions ({@link #rotaryDims}; Phi-4-mini: 0.75 of 128, 96); what the
 * forward pass does not implement is refused by name rather than run as something else: any other RoPE rule, an
 * activation other than SiLU, q/k/v biases. {@code sliding_window} (2047 for Phi-3-mini-4k) is accepted and not applied, as
 * llama.cpp's phi3 loader does not apply it: up to the window, transformers computes the same; beyond it, EdgeFront agrees
 * with llama.cpp, the runtime its GGUF export targets. Stateless.
 */
final class Phi3Config {
    private Phi3Config() { }

    /** Refuses the settings the class comment lists, naming the key at fault. */
    static void check(String f, JsonNode c) {
        JsonNode type = c.get("model_type");
        if (type != null && !type.isNull() && !type.asText().equals("phi3")) {
            throw new InvalidInputException(f, "model_type", "Phi3ForCausalLM with model_type " + type + " (phi3 expected)");
        }
        JsonNode act = c.get("hidden_act");
        if (act != null && !act.isNull() && !act.asText().equals("silu")) {
            throw new InvalidInputException(f, "hidden_act", "activation " + act + " is not supported (silu is)");
        }
        for (String key : new String[] {"rope_scaling", "rope_parameters"}) {
            JsonNode r = c.get(key);
            if (r == null || r.isNull() || !r.isObject()) continue;
            String typeKey = r.has("rope_type") ? "rope_type" : "type";
            JsonNode t = r.get(typeKey);
            String rule = t == null || t.isNull() ? "default" : t.asText();
            if (!rule.equals("default") && !rule.equals("longrope") && !rule.equals("su")) {
                throw new InvalidInputException(f, key + "." + typeKey, "RoPE type '" + rule + "' is not supported for Phi-3 (default, longrope are)");
            }
        }
        JsonNode window = c.get("sliding_window");
        if (window != null && !window.isNull() && (!window.isIntegralNumber() || !window.canConvertToInt() || window.asInt() < 1)) {
            throw new InvalidInputException(f, "sliding_window", "value " + window + " is not a positive integer or null");
        }
    }

    /** Where a config may hold {@code partial_rotary_factor}: transformers 4 at the top level, transformers 5 in its RoPE object. */
    private static final String[][] PARTIAL_ROTARY_KEYS = {{null, "partial_rotary_factor"}, {"rope_parameters", "partial_rotary_factor"},
        {"rope_scaling", "partial_rotary_factor"}};

    /**
     * Rotated dimensions per head: {@code int(head_dim x partial_rotary_factor)}, as transformers' Phi3Config computes them
     * and llama.cpp's converter writes them ({@code rope.dimension_count}); the whole head without the key. transformers 4
     * reads the top-level key; transformers 5 copies it into {@code rope_parameters}, where one of its own wins; so every
     * copy present must agree. Refused by field: a value outside (0, 1], copies that disagree, and a factor that leaves an
     * odd number of dimensions or none (RoPE turns pairs).
     */
    static int rotaryDims(String f, JsonNode c, int headDim) {
        String field = null;
        double factor = 1.0;
        for (String[] k : PARTIAL_ROTARY_KEYS) {
            JsonNode parent = k[0] == null ? c : c.get(k[0]);
            if (parent == null || !parent.isObject()) continue;
            JsonNode v = parent.get(k[1]);
            if (v == null || v.isNull()) continue;
            String at = k[0] == null ? k[1] : k[0] + "." + k[1];
            if (!v.isNumber() || !(v.asDouble() > 0) || v.asDouble() > 1) {
                throw new InvalidInputException(f, at, "value " + v + " is not a fraction of the head in (0, 1]");
            }
            if (field != null && v.asDouble() != factor) {
                throw new InvalidInputException(f, at, "value " + v + " disagrees with " + field + " " + factor);
            }
            field = at;
            factor = v.asDouble();
        }
        if (field == null) return headDim;
        int dims = ModelArchitecture.rotaryDimsFor(headDim, factor);
        if (dims == 0 || dims % 2 != 0) {
            throw new InvalidInputException(f, field, "value " + factor + " rotates int(" + headDim + " x " + factor + ") = " + dims
                    + " dimensions of each head; RoPE turns pairs, so a positive even number is needed");
        }
        return dims;
    }

    /**
     * Writes Phi-3's fixed settings: SiLU, no biases, and {@code sliding_window} null, since EdgeFront attends over the
     * whole causal past (see the class comment), so that transformers reading the directory computes the same; and the
     * top-level {@code original_max_position_embeddings}, which transformers prefers to the RoPE rule's: LongRoPE's
     * original context, else the whole context; and {@code partial_rotary_factor} when RoPE turns part of each head.
     */
    static void write(ObjectNode c, ModelArchitecture a) {
        c.put("hidden_act", "silu");
        if (a.rotaryDims() != a.headDim()) c.put("partial_rotary_factor", partialRotaryFactor(a.rotaryDims(), a.headDim()));
        c.put("attention_bias", false);
        c.putNull("sliding_window");
        RopeScaling r = a.ropeScaling();
        c.put("original_max_position_embeddings", r.type() == RopeScaling.Type.LONGROPE ? r.originalContext() : a.maxSeqLen());
    }

    /** The factor whose {@link #rotaryDims} is {@code dims}: dims / headDim, nudged up where truncation would lose one. */
    private static double partialRotaryFactor(int dims, int headDim) {
        double factor = (double) dims / headDim;
        return ModelArchitecture.rotaryDimsFor(headDim, factor) == dims ? factor : Math.nextUp(factor);
    }
}
