package org.edgefront.jobs.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.input.InvalidInputException;

/**
 * Per-tensor choices as a GPTQModel {@code QuantizeConfig} with a {@code dynamic} per-module override
 * map, which vLLM's GPTQ loaders read from the same {@code quantize_config.json} fields.
 *
 * <p>The {@code dynamic} format (GPTQModel {@code quantization/config.py} {@code dynamic_get}, vLLM
 * {@code gptq_utils.get_dynamic_override}): keys are Python regexes applied with {@code re.match} (anchored
 * at the start only) to Hugging Face module names such as {@code model.layers.3.self_attn.q_proj}. A key
 * prefixed {@code -:} excludes matching modules from quantization (value {@code {}}); {@code +:} or no
 * prefix overrides the base fields ({@code bits}, {@code group_size}, {@code sym}, {@code desc_act}) for the
 * first match. Every key written here is anchored at both ends and escaped, one per module, so order does
 * not matter. GPTQ stores 2, 3, 4 or 8 bits ({@code QuantizeConfig.bits} choices); group_size -1 means one
 * group per output channel.
 *
 * <p>Mapping: {@code int{b}g{G}[a]} to bits b, group G (gC: -1), sym unless {@code a}; F16/BF16/F32 to a
 * {@code -:} rule; llama.cpp types to their bits and (sub-)block: Q8_0/Q4_0 group 32 symmetric, Q4_1 group
 * 32 asymmetric, Q2_K group 16 asymmetric (scale and min per 16), Q3_K group 16 symmetric, Q4_K group 32
 * asymmetric, Q5_K group 32 asymmetric, Q6_K group 16 symmetric. 5- and 6-bit formats, quantized token
 * embeddings (GPTQ never quantizes embeddings), sparsity and low rank have no GPTQ equivalent: an
 * {@link InvalidInputException}, or with {@code nearest} the nearest representable setting and a warning.
 * Stateless.
 */
public final class GptqModelExport implements PointExporter.Text {
    /** Bit widths GPTQModel accepts. */
    static final List<Integer> GPTQ_BITS = List.of(2, 3, 4, 8);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,6})\\.([a-z_]+)\\.weight");
    private static final Map<String, String> HF_MODULE = Map.of(
            "attn_q", "self_attn.q_proj", "attn_k", "self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj",
            "ffn_gate", "mlp.gate_proj", "ffn_up", "mlp.up_proj", "ffn_down", "mlp.down_proj");

    GptqModelExport() {}

    @Override
    public String description() { return "a GPTQModel/vLLM dynamic quantize config"; }

    @Override
    public Output export(Request r) {
        Plan plan = plan(r.file(), r.point().choices(), r.nearest());
        return new Output(plan.json(), command(r.shownOut(), r.pointId()), plan.warnings());
    }

    /** GPTQ settings of one module; {@code bits == 0} means not quantized. */
    record Setting(int bits, int groupSize, boolean sym) {
        static final Setting SKIP = new Setting(0, 0, true);

        boolean quantized() { return bits > 0; }
    }

    /**
     * The export of one point.
     *
     * @param modules  HF module name to its setting (bits 0 = left in 16-bit), in the point's tensor order
     * @param json     the QuantizeConfig JSON text
     * @param warnings approximations made (with {@code nearest}) and runtime caveats
     */
    public record Plan(Map<String, Setting> modules, String json, List<String> warnings) {}

    /** The Hugging Face Llama module name of a GGUF tensor name. */
    static String hfModule(String file, String tensor) {
        if (tensor.equals("token_embd.weight")) return "model.embed_tokens";
        if (tensor.equals("output.weight")) return "lm_head";
        Matcher m = BLOCK.matcher(tensor);
        if (m.matches() && HF_MODULE.containsKey(m.group(2))) return "model.layers." + Integer.parseInt(m.group(1)) + "." + HF_MODULE.get(m.group(2));
        throw new InvalidInputException(file, "choices." + tensor, "no Hugging Face Llama module corresponds to this tensor");
    }

    /**
     * Maps a point's choices.
     *
     * @param file    the file the choices came from (named in errors)
     * @param choices GGUF tensor name to choice label
     * @param nearest approximate what GPTQ cannot store, with a warning per tensor
     */
    public static Plan plan(String file, Map<String, String> choices, boolean nearest) {
        Map<String, Setting> modules = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> e : choices.entrySet()) {
            String tensor = e.getKey();
            String field = "choices." + tensor;
            TensorChoice c = Exporter.parseChoice(file, field, e.getValue());
            String module = hfModule(file, tensor);
            if (c.sparsity().kind() != Sparsity.Kind.NONE || c.isLowRank()) {
                String what = c.isLowRank() ? "low rank" : "sparsity " + c.sparsity().label();
                if (!nearest) {
                    throw new InvalidInputException(file, field, "'" + c.label() + "': GPTQ has no " + (c.isLowRank() ? "low-rank" : "sparse")
                            + " weights; pass --nearest to drop the " + what + " and keep " + c.format().name());
                }
                warnings.add(tensor + ": " + c.label() + " -> dropped " + what + " (GPTQ stores dense, full-rank weights)");
            }
            Setting s = setting(c.format());
            if (module.equals("model.embed_tokens") && s.quantized()) {
                if (!nearest) {
                    throw new InvalidInputException(file, field, "'" + c.label() + "': GPTQModel does not quantize token embeddings; "
                            + "pass --nearest to keep them in 16-bit");
                }
                warnings.add(tensor + ": " + c.format().name() + " -> 16-bit (GPTQModel does not quantize token embeddings)");
                s = Setting.SKIP;
            }
            if (s.quantized() && !GPTQ_BITS.contains(s.bits())) {
                int n = nearestBits(s.bits());
                if (!nearest) {
                    throw new InvalidInputException(file, field, "'" + c.format().name() + "' has " + s.bits() + "-bit weights; GPTQ stores "
                            + GPTQ_BITS + " bits; pass --nearest to use " + n + " bits");
                }
                warnings.add(tensor + ": " + c.format().name() + " -> " + n + " bits, group " + s.groupSize() + " (GPTQ has no " + s.bits() + "-bit weights)");
                s = new Setting(n, s.groupSize(), s.sym());
            }
            modules.put(module, s);
        }
        fusedCaveats(modules, warnings);
        return new Plan(modules, json(modules), warnings);
    }

    private static Setting setting(WeightFormat f) {
        if (f.isFloat()) return Setting.SKIP;
        if (f.kind() == WeightFormat.Kind.INT_GROUP) return new Setting(f.bits(), f.blockWeights() == 0 ? -1 : f.blockWeights(), !f.asymmetric());
        // llama.cpp types: their sub-block grid's bits, sub-block and symmetry (the block when no integer grid fits)
        NamedFormat.Grid g = f.named().grid();
        return new Setting(f.bits(), g == null ? f.blockWeights() : g.subBlockWeights(), !f.asymmetric());
    }

    /** Nearest GPTQ bit width; ties go to the wider one (quality over size). */
    static int nearestBits(int bits) {
        int best = GPTQ_BITS.get(0);
        for (int b : GPTQ_BITS) {
            if (Math.abs(b - bits) < Math.abs(best - bits) || Math.abs(b - bits) == Math.abs(best - bits) && b > best) best = b;
        }
        return best;
    }

    /** vLLM fuses q/k/v and gate/up into one layer each, which takes one setting; GPTQModel itself does not. */
    private static void fusedCaveats(Map<String, Setting> modules, List<String> warnings) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String m : modules.keySet()) {
            String fused = m.replaceAll("\\.self_attn\\.[qkv]_proj$", ".self_attn.qkv_proj").replaceAll("\\.mlp\\.(gate|up)_proj$", ".mlp.gate_up_proj");
            if (!fused.equals(m)) groups.computeIfAbsent(fused, k -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            long distinct = g.getValue().stream().map(modules::get).distinct().count();
            if (distinct > 1) {
                warnings.add(g.getKey() + ": " + String.join(", ", g.getValue()) + " differ; GPTQModel quantizes them separately, "
                        + "but vLLM fuses them into one layer and needs one setting for all of them");
            }
        }
    }

    private static String json(Map<String, Setting> modules) {
        Map<Setting, Integer> counts = new LinkedHashMap<>();
        for (Setting s : modules.values()) if (s.quantized()) counts.merge(s, 1, Integer::sum);
        Setting base = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(new Setting(4, 128, true));
        ObjectNode root = JSON.createObjectNode();
        root.put("bits", base.bits());
        root.put("group_size", base.groupSize());
        root.put("sym", base.sym());
        root.put("desc_act", false);
        Setting head = modules.get("lm_head");
        root.put("lm_head", head != null && head.quantized());
        ObjectNode dyn = root.putObject("dynamic");
        // exclusions first, as GPTQModel orders them itself
        for (Map.Entry<String, Setting> e : modules.entrySet()) {
            if (!e.getValue().quantized() && !e.getKey().equals("model.embed_tokens")) dyn.putObject("-:" + regex(e.getKey()));
        }
        for (Map.Entry<String, Setting> e : modules.entrySet()) {
            Setting s = e.getValue();
            if (!s.quantized()) continue;
            ObjectNode o = dyn.putObject("+:" + regex(e.getKey()));
            o.put("bits", s.bits());
            o.put("group_size", s.groupSize());
            o.put("sym", s.sym());
            o.put("desc_act", false);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Python regex that matches exactly this module name under {@code re.match}. */
    static String regex(String module) {
        return "^" + Objects.requireNonNull(module).replace(".", "\\.") + "$";
    }

    /** A Python snippet that quantizes a Hugging Face checkpoint with this config. */
    public static String command(String configFile, String pointId) {
        return "python -c \"import json; from gptqmodel import GPTQModel, QuantizeConfig; "
                + "cfg = QuantizeConfig(**json.load(open(" + pyString(configFile) + "))); "
                + "m = GPTQModel.load('HF_MODEL_DIR', cfg); m.quantize(CALIBRATION_DATASET); m.save('HF_MODEL-" + pointId + "-gptq')\"";
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"") + "'";
    }
}
