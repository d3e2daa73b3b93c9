package org.edgefront.space.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.RopeScaling;

/**
 * The config.json keys of a Phi-3 model ({@code Phi3ForCausalLM}, model_type {@code phi3}) beyond the Llama-style ones,
 * read by {@link HuggingFaceModel} and written by {@link HuggingFaceWriter}. RoPE is plain or LongRoPE ({@code longrope},
 * {@code su} in early configs: Phi-3-mini-128k, Phi-3-medium-128k, Phi-3.5-mini), whose factors {@link HuggingFaceModel}
 * reads with the other RoPE rules; what the forward pass does not implement is refused by name rather than run as
 * something else: any other RoPE rule, partial rotary ({@code partial_rotary_factor} below 1: Phi-4-mini), an activation
 * other than SiLU, q/k/v biases. {@code sliding_window} (2047 for Phi-3-mini-4k) is accepted and not applied, as
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
        JsonNode partial = c.get("partial_rotary_factor");
        if (partial != null && !partial.isNull() && (!partial.isNumber() || partial.asDouble() != 1.0)) {
            throw new InvalidInputException(f, "partial_rotary_factor", "RoPE on a fraction " + partial + " of each head (partial rotary)"
                    + " is not supported for Phi-3 (1.0 is)");
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

    /**
     * Writes Phi-3's fixed settings: SiLU, no biases, and {@code sliding_window} null, since EdgeFront attends over the
     * whole causal past (see the class comment), so that transformers reading the directory computes the same; and the
     * top-level {@code original_max_position_embeddings}, which transformers prefers to the RoPE rule's: LongRoPE's
     * original context, else the whole context.
     */
    static void write(ObjectNode c, ModelArchitecture a) {
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        c.putNull("sliding_window");
        RopeScaling r = a.ropeScaling();
        c.put("original_max_position_embeddings", r.type() == RopeScaling.Type.LONGROPE ? r.originalContext() : a.maxSeqLen());
    }
}
