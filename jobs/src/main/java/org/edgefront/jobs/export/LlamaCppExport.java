package org.edgefront.jobs.export;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ImatrixFile;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Per-tensor choices as llama.cpp types for {@code llama-quantize --tensor-type-file}, such that the printed
 * command, run unchanged but for its two file names, stores exactly the types the front reports.
 *
 * <p>How llama-quantize picks a tensor's type (src/llama-quant.cpp, {@code llama_tensor_get_type}): a 1-D tensor
 * (norms) keeps its type. {@code --token-embedding-type} and {@code --output-tensor-type} are returned as given,
 * <em>before</em> any shape check, so a 256-block type on a row that is not a multiple of 256 crashes the
 * quantizer; they are therefore never used here. Otherwise, when the positional base type is a quantized type,
 * the first {@code --tensor-type} pattern that {@code regex_search}es the tensor name gives the type (else the
 * ftype's own mix rules), and then {@code tensor_type_fallback} applies: a row length that is not a multiple of
 * the type's block demotes Q2_K/Q3_K to Q4_0, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, a 32-block type to
 * itself, and F16 when the demoted type still does not fit. That is exactly {@link WeightFormat#effectiveFor(int)},
 * which memory accounting, the simulator and the quality pass already use; this export writes the type after
 * that rule (the type actually stored), so llama-quantize never needs to fall back. Every tensor has its own
 * anchored, escaped pattern ({@code ^blk\.0\.attn_q\.weight$=q8_0}: a bare {@code output.weight} would also match
 * {@code blk.N.attn_output.weight}); the file is whitespace-separated {@code PATTERN=TYPE} tokens, no comments.
 *
 * <p>What llama-quantize cannot produce is refused ({@link InvalidInputException}), or with {@code nearest}
 * mapped with a warning per tensor and the new weight bytes: sparsity, low rank, {@code +gptq} (llama-quantize
 * rounds to nearest), and every generic {@code int{b}g{G}} format. Even where a generic format has a llama.cpp
 * type with identical blocks (int8g32/Q8_0, int4g32/Q4_0, int4g32a/Q4_1, int5g32/Q5_0, int5g32a/Q5_1), the
 * quantizers differ (int4g32's scale is max|w|/7, Q4_0's the signed maximum over -8), so llama-quantize would
 * store other weights than were measured; {@code export --to gguf} writes EdgeFront's own codes into those blocks
 * instead. A model whose GGUF stacks tensors (Phi-3's attn_qkv and gate | up ffn_up) is named by its stacks, each of
 * one type. Stateless.
 */
public final class LlamaCppExport implements PointExporter.Text {
    LlamaCppExport() {}

    @Override
    public String description() { return "a llama-quantize --tensor-type-file"; }

    @Override
    public Output export(Request r) {
        List<String> warnings = new ArrayList<>();
        Plan plan = planFor(r, warnings);
        return new Output(plan.fileText(), command(plan, r.shownOut(), imatrixFile(r.shownOut()), r.pointId()), warnings);
    }

    /**
     * Writes the tensor-type file and, for a point with {@code +imatrix} choices, the importance matrix llama-quantize
     * needs beside it ({@link #imatrixFile}), recomputed from the run's spec as the search computed it
     * ({@link Exporter#importance}), with entries for those choices' tensors only, so the others are rounded to nearest.
     */
    @Override
    public Written write(Request r, Path out) {
        List<String> warnings = new ArrayList<>();
        Plan plan = planFor(r, warnings);
        if (plan.needsImatrix()) {
            Map<String, float[]> sources = Exporter.importance(r, new java.util.LinkedHashSet<>(plan.importanceSources().values()));
            Map<String, float[]> entries = new LinkedHashMap<>();
            plan.importanceSources().forEach((stored, source) -> entries.put(stored, sources.get(source)));
            Path imatrix = new Path(out.getParent(), out.getName() + IMATRIX_SUFFIX);
            AtomicFiles.write(imatrix, os -> ImatrixFile.write(os, entries, 1, 1, r.searchDir()));
        }
        AtomicFiles.writeString(out, plan.fileText());
        return new Written(command(plan, r.shownOut(), imatrixFile(r.shownOut()), r.pointId()), warnings);
    }

    /** The plan of a request's point, its warnings (and the architecture's) added to {@code warnings}. */
    private static Plan planFor(Request r, List<String> warnings) {
        Plan plan = plan(r.file(), r.point().choices(), Exporter.architecture(r.searchDir(), warnings), r.nearest());
        warnings.addAll(plan.warnings());
        return plan;
    }

    /** What the importance matrix file of a tensor-type file is called: the type file's name plus this. */
    public static final String IMATRIX_SUFFIX = ".imatrix.gguf";

    /** The importance matrix file beside the tensor-type file {@code typesFile}. */
    public static String imatrixFile(String typesFile) { return typesFile + IMATRIX_SUFFIX; }

    /**
     * The export of one point.
     *
     * @param tensorTypes       tensor name (a stack's, for stacked parts: Phi-3's attn_qkv, ffn_up) to the ggml type name
     *                          stored (after llama.cpp's shape fallback when the architecture is known), in the point's tensor order
     * @param baseType          the positional ftype argument for llama-quantize (e.g. {@code Q4_0})
     * @param fileText          the {@code --tensor-type-file} contents
     * @param warnings          one line per approximated tensor (empty unless {@code nearest}) and per fallback
     * @param weightBytes       bytes of the stored 2-D tensors, or -1 when the architecture is unknown
     * @param chosenWeightBytes bytes of the point's own choices (what the front reports as weight_bytes), or -1
     */
    public record Plan(Map<String, String> tensorTypes, String baseType, String fileText, List<String> warnings,
                       long weightBytes, long chosenWeightBytes, Map<String, String> importanceSources) {
        /** A plan without {@code +imatrix} choices. */
        public Plan(Map<String, String> tensorTypes, String baseType, String fileText, List<String> warnings, long weightBytes, long chosenWeightBytes) {
            this(tensorTypes, baseType, fileText, warnings, weightBytes, chosenWeightBytes, Map.of());
        }

        /** Whether llama-quantize needs an importance matrix file for this plan ({@code +imatrix} choices). */
        public boolean needsImatrix() { return !importanceSources.isEmpty(); }
    }

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
     * Why llama-quantize cannot store a choice exactly, or empty when it can (a llama.cpp block or float format,
     * dense, full rank, rounded to nearest). The one rule behind exports and a spec's {@code space.runtime: llama.cpp}.
     */
    public static Optional<String> whyNotStored(TensorChoice c) {
        if (c.sparsity().kind() != Sparsity.Kind.NONE) return Optional.of("llama.cpp has no sparse weight type (" + c.sparsity().label() + ")");
        if (c.isLowRank()) return Optional.of("llama.cpp has no low-rank weight type");
        if (c.errorCompensated()) return Optional.of("llama-quantize rounds to nearest; GPTQ's error-compensated codes are not what it writes");
        if (exact(c.format()) == null) {
            LlamaType same = sameBlocks(c.format());
            return Optional.of(same != null
                    ? c.format().name() + " has " + same.ggmlName() + "'s blocks but another quantizer (llama-quantize would store other weights)"
                    : c.format().name() + " is no llama.cpp type");
        }
        return Optional.empty();
    }

    /**
     * Maps a point's choices.
     *
     * @param file    the file the choices came from (named in errors)
     * @param choices tensor name to choice label
     * @param arch    the searched model's architecture (shapes for the fallback and bytes), or null when unknown
     * @param nearest approximate what llama-quantize cannot produce, with a warning per tensor
     */
    public static Plan plan(String file, Map<String, String> choices, ModelArchitecture arch, boolean nearest) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, LlamaType> stored = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        long bytes = arch == null ? -1 : 0;
        long chosenBytes = arch == null ? -1 : 0;
        Map<String, String> importance = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : choices.entrySet()) {
            String tensor = e.getKey();
            String field = "choices." + tensor;
            TensorChoice c = Exporter.parseChoice(file, field, e.getValue());
            if (!tensor.matches("[A-Za-z0-9_.\\-]+")) {
                throw new InvalidInputException(file, field, "tensor name has characters a GGUF tensor name cannot have");
            }
            TensorSpec spec = arch == null ? null : arch.tensor(tensor);
            if (arch != null && spec == null) throw new InvalidInputException(file, field, "no tensor of that name in " + arch.name());
            LlamaType t = mapped(file, field, tensor, c, nearest, warnings);
            if (spec != null) {
                WeightFormat f = t.format().effectiveFor(spec.cols());
                if (!f.equals(t.format())) {
                    warnings.add(String.format(Locale.ROOT, "%s: %s on rows of %d weights is stored as %s (llama.cpp's fallback; weight_bytes counts it)",
                            tensor, t.format().name(), spec.cols(), f.name()));
                    t = exact(f);
                }
                bytes += t.format().bytes(spec.rows(), spec.cols());
                chosenBytes += c.bytes(spec);
            }
            types.put(tensor, t.ggmlName());
            stored.put(tensor, t);
            if (c.importanceWeighted()) importance.put(tensor, tensor);
        }
        if (arch != null && !arch.stackedTensors().isEmpty()) {
            // a stack is one tensor to llama-quantize: its parts share their input, so the first part's entry is the stack's
            for (ModelArchitecture.StackedTensor st : arch.stackedTensors()) {
                long weighted = st.parts().stream().filter(part -> importance.containsKey(part.name())).count();
                if (weighted == 0) continue;
                if (weighted != st.parts().size()) {
                    throw new InvalidInputException(file, "choices." + st.parts().get(0).name(), "llama-quantize quantizes " + st.name()
                            + " as one tensor, with or without an importance matrix: its parts must all be +imatrix or none");
                }
                for (TensorSpec part : st.parts()) importance.remove(part.name());
                importance.put(st.name(), st.parts().get(0).name());
            }
            types = stacked(file, arch, types);
        }
        if (arch != null && arch.tiedEmbeddings() && !types.containsKey("output.weight") && types.containsKey("token_embd.weight")) {
            // a tied model converted to GGUF by llama.cpp's llama2.c converter gets its own output.weight copy; give it the
            // embedding's type (what EdgeFront measured for the shared matrix) instead of llama.cpp's output mix rule.
            // A GGUF without output.weight (convert_hf_to_gguf of a tied model) matches no tensor with this line.
            types.put("output.weight", types.get("token_embd.weight"));
            if (importance.containsKey("token_embd.weight")) importance.put("output.weight", "token_embd.weight");
        }
        if (nearest && arch != null && bytes != chosenBytes) {
            warnings.add(String.format(Locale.ROOT, "weight_bytes: %d as searched -> %d as exported (%+.2f%%)", chosenBytes, bytes,
                    100.0 * (bytes - chosenBytes) / chosenBytes));
        }
        String base = baseType(stored);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : types.entrySet()) text.append(pattern(e.getKey())).append('=').append(e.getValue()).append('\n');
        return new Plan(types, base, text.toString(), warnings, bytes, chosenBytes, importance);
    }

    /**
     * {@code types} with each stack of {@link ModelArchitecture#stackedTensors()} as the one tensor llama.cpp's converter
     * writes (Phi-3's {@code blk.N.attn_qkv.weight} and {@code blk.N.ffn_up.weight} of gate | up), where its first part
     * was: llama-quantize sees only the stack, which takes one type, so parts of different types are refused naming the
     * first that differs ({@code export --to gguf} can still write q, k and v apart).
     */
    private static Map<String, String> stacked(String file, ModelArchitecture arch, Map<String, String> types) {
        Map<String, ModelArchitecture.StackedTensor> stackOf = arch.stacksByPart();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : types.entrySet()) {
            ModelArchitecture.StackedTensor st = stackOf.get(e.getKey());
            if (st == null) {
                out.put(e.getKey(), e.getValue());
                continue;
            }
            if (!st.parts().get(0).name().equals(e.getKey())) continue;
            for (TensorSpec p : st.parts()) {
                String t = types.get(p.name());
                if (t == null) throw new InvalidInputException(file, "choices." + p.name(), "missing: " + st.name() + " needs every part it stacks");
                if (!t.equals(e.getValue())) {
                    throw new InvalidInputException(file, "choices." + p.name(), "stored as " + t + " but " + e.getKey() + " as " + e.getValue()
                            + ": llama-quantize quantizes " + st.name() + ", which stacks them, as one tensor of one type"
                            + (st.separable() ? " (export --to gguf writes them apart)" : ""));
                }
            }
            out.put(st.name(), e.getValue());
        }
        return out;
    }

    /** The llama.cpp type for a choice, or the nearest with a warning when allowed; refuses otherwise. */
    private static LlamaType mapped(String file, String field, String tensor, TensorChoice c, boolean nearest, List<String> warnings) {
        if (c.sparsity().kind() != Sparsity.Kind.NONE || c.isLowRank()) {
            String what = c.isLowRank() ? "low rank (" + c.label() + ")" : "sparsity " + c.sparsity().label();
            if (!nearest) {
                throw new InvalidInputException(file, field, "'" + c.label() + "': llama.cpp has no " + (c.isLowRank() ? "low-rank" : "sparse")
                        + " weight type; pass --nearest to drop the " + what + " and keep " + c.format().name());
            }
            warnings.add(tensor + ": " + c.label() + " -> dropped " + what + " (llama.cpp stores dense, full-rank weights)");
        }
        if (c.errorCompensated()) {
            if (!nearest) {
                throw new InvalidInputException(file, field, "'" + c.label() + "': llama-quantize rounds to nearest and cannot write GPTQ's codes; "
                        + "pass --nearest to export plain " + c.format().name());
            }
            warnings.add(tensor + ": " + c.label() + " -> plain " + c.format().name() + " (llama-quantize rounds to nearest)");
        }
        LlamaType t = exact(c.format());
        if (t != null) return t;
        LlamaType same = sameBlocks(c.format());
        LlamaType n = same != null ? same : nearestType(c.format());
        if (!nearest) {
            String why = same != null
                    ? "'" + c.format().name() + "' stores " + same.ggmlName() + "'s blocks but is another quantizer (round to nearest on max|w|, "
                    + "not llama.cpp's), so llama-quantize would write other weights than were measured; export --to gguf writes it exactly, or "
                    + "pass --nearest to let llama-quantize use " + same.ggmlName()
                    : "'" + c.format().name() + "' is no llama.cpp type; pass --nearest to use " + n.ggmlName() + " instead";
            throw new InvalidInputException(file, field, why);
        }
        warnings.add(String.format(Locale.ROOT, "%s: %s -> %s (%s: %.3g vs %.3g bits/weight)", tensor, c.format().name(), n.ggmlName(),
                same != null ? "same blocks, llama.cpp's quantizer" : "nearest llama.cpp type", n.bitsPerWeight(), bitsPerWeight(c.format())));
        return n;
    }

    /** The anchored, escaped regex that matches exactly this GGUF tensor name. */
    static String pattern(String tensor) {
        return "^" + tensor.replace(".", "\\.") + "$";
    }

    /**
     * The full llama-quantize command line for a plan. Every 2-D tensor is named by the file, so the base type
     * only has to be a quantized type (llama-quantize applies the file only then).
     */
    public static String command(Plan p, String tensorTypeFile, String pointId) {
        return command(p, tensorTypeFile, imatrixFile(tensorTypeFile), pointId);
    }

    /** As {@link #command(Plan, String, String)}, naming the importance matrix file when the plan needs one. */
    public static String command(Plan p, String tensorTypeFile, String imatrixFile, String pointId) {
        return "llama-quantize " + (p.needsImatrix() ? "--imatrix " + Exporter.shellQuote(imatrixFile) + " " : "") + "--tensor-type-file " + Exporter.shellQuote(tensorTypeFile) + " MODEL-F16.gguf MODEL-" + pointId + ".gguf "
                + p.baseType();
    }

    /** The ggml type name (as llama-quantize and GGUF spell it) of a llama.cpp or float format, or null. */
    public static String ggmlName(WeightFormat f) {
        LlamaType t = exact(f);
        return t == null ? null : t.ggmlName();
    }

    private static LlamaType exact(WeightFormat f) {
        for (LlamaType t : TYPES) if (t.format().equals(f)) return t;
        return null;
    }

    /** The llama.cpp format whose 32-weight blocks hold exactly a generic group format's values (int4g32: Q4_0 ...), or null. */
    public static WeightFormat sameBlocksFormat(WeightFormat f) {
        LlamaType t = sameBlocks(f);
        return t == null ? null : t.format();
    }

    /** The llama.cpp 32-block type whose blocks hold exactly a generic group format's values, or null. */
    static LlamaType sameBlocks(WeightFormat f) {
        if (f.kind() != WeightFormat.Kind.INT_GROUP || f.blockWeights() != 32) return null;
        for (LlamaType t : TYPES) {
            if (t.quantized() && t.block32() && t.format().bits() == f.bits() && t.format().asymmetric() == f.asymmetric()
                    && t.format().blockBytes() == f.blockBytes()) {
                return t;
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
            // lattice i-quants and ternary types have no EdgeFront quantizer and most need an importance matrix
            if (!t.format().quantizable()) continue;
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

    /** The most common quantized stored type, else Q8_0 (any quantized base works: the file names every tensor). */
    private static String baseType(Map<String, LlamaType> stored) {
        Map<LlamaType, Integer> counts = new LinkedHashMap<>();
        for (LlamaType t : stored.values()) if (t.quantized()) counts.merge(t, 1, Integer::sum);
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
