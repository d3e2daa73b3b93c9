package org.edgefront.nativert.tools;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Per-tensor choices for the format names deployments use: llama.cpp file types (pure Q4_0/Q8_0/Q6_K/F16
 * and the K-quant mixes Q2_K, Q3_K_M, Q4_K_M, Q5_K_M), and the 4-bit/2-bit schemes of other engines by
 * name. The llama.cpp mixes follow the shape of llama.cpp's per-tensor type rules (output/LM head in Q6_K,
 * attn_v and ffn_down one step up, "more bits" on the first and last eighth of layers and every third
 * layer between), a documented approximation, not a copy. Stateless.
 */
public final class FormatMixes {
    private FormatMixes() {}

    private static final java.util.Set<String> KNOWN = java.util.Set.of("F16", "BF16", "F32", "Q8_0", "Q4_0", "Q4_1", "Q5_0",
            "Q5_1", "Q6_K", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M");
    private static final java.util.regex.Pattern LLAMA_TYPE = java.util.regex.Pattern.compile(
            "(?<![A-Z0-9_])(Q8_0|Q4_0|Q4_1|Q5_0|Q5_1|Q6_K|Q2_K|Q3_K_M|Q4_K_M|Q5_K_M|BF16|F16|F32)(?![A-Z0-9_])");

    /**
     * Resolves a format label (case-insensitive) to one choice per linear tensor.
     *
     * @throws IllegalArgumentException naming the label when it is not understood
     */
    public static Map<String, TensorChoice> resolve(ModelArchitecture a, String label) {
        String l = label.trim().toUpperCase(Locale.ROOT);
        String head = l.split("[\\s(]")[0];
        if (l.contains("T-MAC")) {
            if (l.contains("TERNARY") || l.contains("LUT KERNEL")) return uniform(a, "int2gC", "int2gC", "int2gC");
            if (l.contains("INT2")) return uniform(a, "int2g128", "int2g128", "int2g128");
            if (l.contains("INT4")) return uniform(a, "int4g128", "int4g128", "int4g128");
        }
        if (l.startsWith("W2")) return uniform(a, "int2g128", "int2g128", "int2g128");
        if (l.startsWith("8DA4W")) {
            // ExecuTorch XNNPACK: the group size is stated ("g32", "g128", "g256"; 128 when not); embedding 4-bit g32 per
            // the Llama 3 8B README recipe unless the label says 8-bit (the Llama 3.2 SpinQuant / QAT+LoRA exports:
            // embedding 8-bit per channel, output layer 8da8w per channel)
            java.util.regex.Matcher gm = java.util.regex.Pattern.compile("\\bG(32|64|128|256)\\b").matcher(l);
            String g = "int4g" + (gm.find() ? gm.group(1) : "128");
            String emb = l.contains("EMBEDDING 8-BIT") ? "int8gC" : "int4g32";
            String out = l.contains("8DA8W") ? "int8gC" : g;
            return uniform(a, g, emb, out);
        }
        if (l.startsWith("W4A16") || l.startsWith("W4 ")) return uniform(a, "int4gC", "int8gC", "int8gC"); // rest of the model w8
        if (l.equals("INT4") || l.startsWith("INT4 (")) return uniform(a, "int4g32", "int4g32", "int4g32"); // MLC q4f16_1: 4-bit, group 32, fp16 scale
        // MLC q4f16_0 / q4f16_1 / q4f16_2: 4-bit, group 32, one fp16 scale (they differ only in weight layout: q4f16_0 is
        // the transposed one, per the MLC maintainers in mlc-ai/mlc-llm#3379)
        if (l.matches(".*\\bQ4F16_[012]\\b.*")) return uniform(a, "int4g32", "int4g32", "int4g32");
        if (!KNOWN.contains(head)) {
            // a llama.cpp type named inside a longer label: "GGUF Q4_K_M (636 MiB)", "Ollama default (Q4_0 assumed)"
            java.util.regex.Matcher m = LLAMA_TYPE.matcher(l);
            if (m.find()) head = m.group(1);
        }
        switch (head) {
            case "F16": case "BF16": case "F32": return uniform(a, head, head, head);
            case "Q8_0": return uniform(a, "Q8_0", "Q8_0", "Q8_0");
            case "Q4_0": case "Q4_1": case "Q5_0": case "Q5_1": return uniform(a, head, head, "Q6_K");
            case "Q6_K": return uniform(a, "Q6_K", "Q6_K", "Q6_K");
            case "Q2_K": return kMix(a, "Q2_K", "Q4_K", "Q3_K", "Q3_K", false);
            case "Q3_K_M": return kMix(a, "Q3_K", "Q5_K", "Q4_K", "Q4_K", false);
            case "Q4_K_M": return kMix(a, "Q4_K", "Q6_K", "Q6_K", "Q4_K", true);
            case "Q5_K_M": return kMix(a, "Q5_K", "Q6_K", "Q6_K", "Q5_K", true);
            default:
                try {
                    TensorChoice c = TensorChoice.parse(label.trim());
                    Map<String, TensorChoice> m = new LinkedHashMap<>();
                    for (TensorSpec t : a.linearTensors()) m.put(t.name(), c);
                    return m;
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unsupported weight format '" + label + "'");
                }
        }
    }

    private static Map<String, TensorChoice> uniform(ModelArchitecture a, String linear, String embedding, String head) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            String f = switch (t.role()) {
                case EMBEDDING -> a.tiedEmbeddings() ? head : embedding;
                case LM_HEAD -> head;
                default -> linear;
            };
            m.put(t.name(), TensorChoice.of(WeightFormat.parse(f)));
        }
        return m;
    }

    /** llama.cpp-style K mix: base everywhere, v and down raised (only on "more bits" layers when selective). */
    private static Map<String, TensorChoice> kMix(ModelArchitecture a, String base, String v, String down, String out, boolean selective) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        int n = a.layers();
        for (TensorSpec t : a.linearTensors()) {
            String f = base;
            boolean more = !selective || moreBits(t.layer(), n);
            if (t.role() == TensorRole.V && more) f = v;
            else if (t.role() == TensorRole.DOWN && more) f = down;
            else if (t.role() == TensorRole.O && !selective) f = out;
            else if (t.role() == TensorRole.LM_HEAD || (t.role() == TensorRole.EMBEDDING && a.tiedEmbeddings())) f = "Q6_K";
            m.put(t.name(), TensorChoice.of(WeightFormat.parse(f)));
        }
        return m;
    }

    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
