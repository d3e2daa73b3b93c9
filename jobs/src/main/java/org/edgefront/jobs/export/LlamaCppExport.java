package org.edgefront.jobs.export;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.input.InvalidInputException;

/**
 * Per-tensor choices as llama.cpp types for {@code llama-quantize --tensor-type-file}.
 *
 * <p>What llama-quantize accepts (tools/quantize/quantize.cpp and src/llama-quant.cpp): the file is read
 * as whitespace-separated tokens, each {@code PATTERN=TYPE}, with no comment syntax. The pattern is a
 * {@code std::regex} (ECMAScript), lower-cased, and applied with {@code regex_search} to the full GGUF
 * tensor name including {@code .weight}, so a bare {@code output.weight} would also match
 * {@code blk.N.attn_output.weight}. Every line here is therefore anchored and escaped:
 * {@code ^blk\.0\.attn_q\.weight$=q8_0}, which matches that one tensor whatever the order of lines
 * (llama.cpp versions differ on whether the first or the last matching pattern wins). The type is a
 * ggml type name, matched case-insensitively; the canonical spelling is used ({@code q4_0}, {@code q4_K},
 * {@code f16}). Overrides only take effect when the base type (the positional ftype) is a quantized type,
 * so the base is the most common quantized type of the point. K-quants need rows that are a multiple of
 * 256 weights; llama-quantize falls back on its own otherwise (Q4_K to Q5_0 and so on), which is also how
 * EdgeFront's memory model counted such tensors.
 *
 * <p>Generic {@code int{b}g{G}[a]} formats map to the llama.cpp type with identical blocks
 * (int8g32 = Q8_0, int4g32 = Q4_0, int4g32a = Q4_1, int5g32 = Q5_0, int5g32a = Q5_1: same bits, 32-weight
 * groups, one fp16 scale, plus an fp16 minimum when asymmetric). Anything else, and sparsity or low rank,
 * has no llama.cpp equivalent: an {@link InvalidInputException}, or with {@code nearest} the nearest type
 * by stored bits per weight and a warning. Stateless.
 */
public final class LlamaCppExport implements PointExporter {
    LlamaCppExport() {}

    @Override
    public String description() { return "a llama-quantize --tensor-type-file"; }

    @Override
    public Output export(Request r) {
        Plan plan = plan(r.file(), r.point().choices(), r.nearest());
        return new Output(plan.fileText(), command(plan, r.shownOut(), r.pointId()), plan.warnings());
    }

    /**
     * The export of one point.
     *
     * @param tensorTypes tensor name to ggml type name, in the point's tensor order
     * @param baseType    the positional ftype argument for llama-quantize (e.g. {@code Q4_0})
     * @param fileText    the {@code --tensor-type-file} contents
     * @param warnings    one line per approximated tensor (empty unless {@code nearest})
     */
    public record Plan(Map<String, String> tensorTypes, String baseType, String fileText, List<String> warnings) {}

    /** A llama.cpp type with the EdgeFront format it stores exactly. */
    private record LlamaType(String ggmlName, String ftypeName, WeightFormat format, boolean quantized) {
        double bitsPerWeight() { return format.bitsPerWeight(); }

        boolean block32() { return format.blockWeights() == 32; }

        /** True when a generic group format with the same bits and bytes stores exactly this type's values. */
        boolean integerGrid() { return quantized && format.named().grid() != null && format.named().grid().exact(); }
    }

    /** Every registry format that llama.cpp stores, in registry order. */
    private static final List<LlamaType> TYPES = Arrays.stream(NamedFormat.values())
            .filter(f -> f.runtimes().contains(NamedFormat.Runtime.LLAMA_CPP))
            .map(f -> new LlamaType(f.ggmlName(), f.name(), WeightFormat.of(f), !f.isFloat())).toList();

    /**
     * Maps a point's choices.
     *
     * @param file    the file the choices came from (named in errors)
     * @param choices tensor name to choice label
     * @param nearest approximate what llama.cpp cannot store, with a warning per tensor
     */
    public static Plan plan(String file, Map<String, String> choices, boolean nearest) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, LlamaType> chosen = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> e : choices.entrySet()) {
            String tensor = e.getKey();
            String field = "choices." + tensor;
            TensorChoice c = Exporter.parseChoice(file, field, e.getValue());
            if (!tensor.matches("[A-Za-z0-9_.\\-]+")) {
                throw new InvalidInputException(file, field, "tensor name has characters a GGUF tensor name cannot have");
            }
            if (c.sparsity().kind() != Sparsity.Kind.NONE || c.isLowRank()) {
                String what = c.isLowRank() ? "low rank (" + c.label() + ")" : "sparsity " + c.sparsity().label();
                if (!nearest) {
                    throw new InvalidInputException(file, field, "'" + c.label() + "': llama.cpp has no " + (c.isLowRank() ? "low-rank" : "sparse")
                            + " weight type; pass --nearest to drop the " + what + " and keep " + c.format().name());
                }
                warnings.add(tensor + ": " + c.label() + " -> dropped " + what + " (llama.cpp stores dense, full-rank weights)");
            }
            LlamaType t = exact(c.format());
            if (t == null) {
                LlamaType n = nearestType(c.format());
                if (!nearest) {
                    throw new InvalidInputException(file, field, "'" + c.label() + "' has no exact llama.cpp type (exact: int8g32=q8_0, int4g32=q4_0, "
                            + "int4g32a=q4_1, int5g32=q5_0, int5g32a=q5_1); pass --nearest to use " + n.ggmlName() + " instead");
                }
                warnings.add(String.format(Locale.ROOT, "%s: %s -> %s (nearest llama.cpp type: %.3g vs %.3g bits/weight%s)", tensor, c.format().name(),
                        n.ggmlName(), n.bitsPerWeight(), bitsPerWeight(c.format()), n.block32() ? ""
                                : "; K-quants need rows of a multiple of 256 weights, otherwise llama-quantize falls back to "
                                + n.format().effectiveFor(32).name().toLowerCase(Locale.ROOT)));
                t = n;
            }
            types.put(tensor, t.ggmlName());
            chosen.put(tensor, t);
        }
        String base = baseType(chosen);
        if (chosen.values().stream().noneMatch(LlamaType::quantized) && chosen.values().stream().map(LlamaType::ggmlName).distinct().count() > 1) {
            warnings.add("no tensor is quantized: llama-quantize applies --tensor-type only over a quantized base type, so every tensor becomes " + base);
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : types.entrySet()) text.append(pattern(e.getKey())).append('=').append(e.getValue()).append('\n');
        return new Plan(types, base, text.toString(), warnings);
    }

    /** The anchored, escaped regex that matches exactly this GGUF tensor name. */
    static String pattern(String tensor) {
        return "^" + tensor.replace(".", "\\.") + "$";
    }

    /** The full llama-quantize command line for a plan. */
    public static String command(Plan p, String tensorTypeFile, String pointId) {
        StringBuilder b = new StringBuilder("llama-quantize --tensor-type-file ").append(Exporter.shellQuote(tensorTypeFile));
        // the embedding and output types also go through their dedicated flags, which every llama.cpp
        // since 2024 honours before any heuristic
        String embd = p.tensorTypes().get("token_embd.weight");
        if (embd != null) b.append(" --token-embedding-type ").append(embd);
        String out = p.tensorTypes().get("output.weight");
        if (out != null) b.append(" --output-tensor-type ").append(out);
        return b.append(" MODEL-F16.gguf MODEL-").append(pointId).append(".gguf ").append(p.baseType()).toString();
    }

    private static LlamaType exact(WeightFormat f) {
        for (LlamaType t : TYPES) if (t.format().equals(f)) return t;
        if (f.kind() == WeightFormat.Kind.INT_GROUP && f.blockWeights() == 32) {
            // a generic group format stores exactly what a 32-block legacy type stores when bits and asymmetry agree
            for (LlamaType t : TYPES) {
                if (t.integerGrid() && t.block32() && t.format().bits() == f.bits() && t.format().asymmetric() == f.asymmetric()
                        && t.format().blockBytes() == f.blockBytes()) {
                    return t;
                }
            }
        }
        return null;
    }

    static double bitsPerWeight(WeightFormat f) { return f.bitsPerWeight(); }

    /** Nearest by stored bits per weight; ties prefer a 32-block type (applies to more row lengths), then more bits. */
    private static LlamaType nearestType(WeightFormat f) {
        double bpw = bitsPerWeight(f);
        LlamaType best = null;
        double bestD = Double.POSITIVE_INFINITY;
        for (LlamaType t : TYPES) {
            if (t.ggmlName().equals("f32") || t.ggmlName().equals("bf16")) continue;
            double d = Math.abs(t.bitsPerWeight() - bpw);
            boolean better = d < bestD - 1e-9
                    || (Math.abs(d - bestD) <= 1e-9 && best != null && (t.block32() && !best.block32()
                    || t.block32() == best.block32() && t.bitsPerWeight() > best.bitsPerWeight()));
            if (better) {
                best = t;
                bestD = d;
            }
        }
        return best;
    }

    private static String baseType(Map<String, LlamaType> chosen) {
        Map<LlamaType, Integer> counts = new LinkedHashMap<>();
        for (LlamaType t : chosen.values()) if (t.quantized()) counts.merge(t, 1, Integer::sum);
        if (counts.isEmpty()) for (LlamaType t : chosen.values()) counts.merge(t, 1, Integer::sum);
        LlamaType best = null;
        int n = -1;
        for (Map.Entry<LlamaType, Integer> e : counts.entrySet()) {
            if (e.getValue() > n) {
                best = e.getKey();
                n = e.getValue();
            }
        }
        return best == null ? "Q8_0" : best.ftypeName();
    }
}
