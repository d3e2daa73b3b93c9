package org.edgefront.jobs.export;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.GgufWriter;
import org.edgefront.space.io.RopeLayout;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.GgufTokenizerMetadata;

/**
 * Writes the final mixed-precision GGUF of a point itself, from the source checkpoint's float weights, with
 * EdgeFront's quantizers: the bytes llama.cpp's reference quantizer writes for its block formats (so the tensors equal
 * llama-quantize's), and for int4g32, int5g32, int8g32, int4g32a and int5g32a EdgeFront's own codes in the llama.cpp
 * blocks that hold them exactly (Q4_0, Q5_0, Q8_0, Q4_1, Q5_1). Row lengths that a block format does not divide are
 * stored per {@link WeightFormat#effectiveFor(int)}, as llama.cpp does. Norms are F32.
 *
 * <p>Metadata: the architecture's keys, and the tokenizer's keys from whichever tokenizer the model has
 * ({@link GgufTokenizerMetadata}: a GGUF's copied, a Hugging Face tokenizer.json as {@code llama} or {@code gpt2}, a
 * llama2.c tokenizer file, a synthetic model's generated vocabulary). The llama family (also Mistral-style) is written
 * as {@code llama}, whose graph rotates interleaved pairs as EdgeFront does; Qwen2 as {@code qwen2}, Qwen3 as
 * {@code qwen3}, Gemma 3 as {@code gemma3} and Gemma 2 as {@code gemma2} (with the sliding window as
 * {@code attention.sliding_window}, {@code attention.sliding_window_pattern}, {@code rope.freq_base_swa}; Gemma 2's caps as
 * {@code attn_logit_softcapping} and {@code final_logit_softcapping}; norms as 1 + w, as llama.cpp's converter writes them), whose graphs rotate halves ({@link ArchitectureFamily#ggufRotatesHalf()}), so their q/k rows, biases
 * and q/k norms are put back in Hugging Face's order; Phi-3 as {@code phi3} (also NeoX RoPE), with q | k | v stacked in
 * {@code blk.N.attn_qkv.weight} (apart, as attn_q / attn_k / attn_v, when their types differ: llama.cpp loads both) and
 * gate | up in {@code blk.N.ffn_up.weight} of 2 x ffn rows, which must share a type ({@link ModelArchitecture#stackedTensors()}),
 * and LongRoPE as llama.cpp's converter writes it: F32 {@code rope_factors_long.weight} / {@code rope_factors_short.weight},
 * {@code rope.scaling.original_context_length} and {@code rope.scaling.attn_factor} ({@link GgufFile#LONG_ROPE_FACTORS_TENSOR}).
 * SmolLM3 is written as {@code smollm3}, whose graph leaves RoPE out of every fourth layer as EdgeFront's does, with q/k
 * rows in interleaved pairs as llama's.
 * {@code rope.dimension_count} is the architecture's {@link ModelArchitecture#rotaryDims()}: below the head size for a
 * partial-rotary Phi-3 (Phi-4-mini), whose q/k rows are then in rotate-half order over those dimensions only.
 * The result's stored types and weight bytes are per canonical tensor either way. Every vector ({@link ModelArchitecture#vectorTensors()}: norms,
 * Qwen2's attention biases, Qwen3's {@code blk.N.attn_q_norm.weight} / {@code blk.N.attn_k_norm.weight}) is an F32
 * tensor, as llama.cpp's converter writes them. The head size is written as {@code attention.key_length} /
 * {@code value_length}, which llama.cpp reads when heads x head size differs from the width (Qwen3-0.6B).
 * Other families are refused by name. A choice no GGUF type holds exactly (sparsity, low rank, GPTQ, other int groups)
 * is refused. Stateless.
 */
public final class GgufExport {
    private GgufExport() {}

    /**
     * What was written.
     *
     * @param storedTypes tensor name to the ggml type name stored, for every 2-D tensor
     * @param weightBytes bytes of the 2-D tensors' data (what {@code weight_bytes} counts)
     */
    public record Result(Map<String, String> storedTypes, long weightBytes) {}

    /**
     * Writes {@code out} atomically.
     *
     * @param file      the file the choices came from (named in errors)
     * @param weights   the source checkpoint (not closed)
     * @param choices   tensor name to choice, for every linear tensor of the architecture
     * @param tokenizer a tokenizer (llama2.c file, tokenizer.json, Hugging Face directory or GGUF), or null for the model's own
     *                  ({@link GgufTokenizerMetadata}: a GGUF's or Hugging Face directory's; a synthetic model's generated one)
     */
    public static Result write(String file, ModelWeights weights, Map<String, TensorChoice> choices, String tokenizer, String out) {
        return write(file, weights, choices, tokenizer, out, Map.of());
    }

    /**
     * As {@link #write(String, ModelWeights, Map, String, String)}, quantizing the {@code +imatrix} choices with their
     * tensors' importance matrix entries, as {@code llama-quantize --imatrix} does.
     *
     * @param importance tensor name to per-column importances, for every tensor whose choice is {@code +imatrix}
     */
    public static Result write(String file, ModelWeights weights, Map<String, TensorChoice> choices, String tokenizer, String out,
                               Map<String, float[]> importance) {
        ModelArchitecture a = weights.architecture();
        String arch = switch (a.family()) {
            case LLAMA -> "llama";
            case QWEN2 -> "qwen2";
            case QWEN3 -> "qwen3";
            case GEMMA3 -> "gemma3";
            case GEMMA2 -> "gemma2";
            case PHI3 -> "phi3";
            case SMOLLM3 -> "smollm3";
            default -> throw new InvalidInputException(weights.source(), "architecture", "GGUF export writes the llama, qwen2, qwen3,"
                    + " gemma2, gemma3, phi3 and smollm3 families, not " + a.family());
        };
        if (a.family() == ArchitectureFamily.GEMMA3) requireGemma3Expressible(weights.source(), a);
        if (a.family() == ArchitectureFamily.GEMMA2) requireGemma2Expressible(weights.source(), a);
        if (a.family() == ArchitectureFamily.PHI3) requirePhi3Expressible(weights.source(), a);
        if (a.rotaryDims() != a.headDim() && a.family() != ArchitectureFamily.PHI3) {
            // llama.cpp's llama loader refuses n_rot != head size; the others' partial rotary is unchecked against llama.cpp
            throw new InvalidInputException(weights.source(), GgufFile.ROPE_DIMENSION_COUNT_KEY, "RoPE on " + a.rotaryDims() + " of " + a.headDim()
                    + " head dimensions is written for phi3 only, not " + a.family());
        }
        // llama.cpp's qwen2/qwen3/gemma3 graphs rotate halves (NeoX RoPE); EdgeFront holds q/k rows (biases, norms) in interleaved pairs
        boolean rotateHalf = a.family().ggufRotatesHalf();
        Map<String, WeightFormat> stored = new LinkedHashMap<>();
        long weightBytes = 0;
        for (TensorSpec t : a.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (c == null) throw new InvalidInputException(file, "choices." + t.name(), "missing: every linear tensor needs a choice");
            WeightFormat f = storedFormat(file, t, c);
            if (c.importanceWeighted() && (importance.get(t.name()) == null || importance.get(t.name()).length != t.cols())) {
                throw new InvalidInputException(file, "choices." + t.name(), "'" + c.label() + "' needs the tensor's importance matrix entry ("
                        + t.cols() + " values) from the search's calibration text");
            }
            stored.put(t.name(), f);
            weightBytes += f.bytes(t.rows(), t.cols());
        }
        GgufWriter w = new GgufWriter();
        String p = arch + ".";
        w.string("general.architecture", arch).string("general.name", a.name()).u32("general.quantization_version", 2);
        // no general.file_type: llama.cpp's loader guesses it from the tensors when absent, and a per-tensor mix has none
        w.u32(p + "context_length", a.maxSeqLen()).u32(p + "embedding_length", a.dim()).u32(p + "feed_forward_length", a.hiddenDim())
                .u32(p + "block_count", a.layers()).u32(p + "attention.head_count", a.heads()).u32(p + "attention.head_count_kv", a.kvHeads())
                .u32(p + GgufFile.ROPE_DIMENSION_COUNT_KEY, a.rotaryDims()).u32(p + "attention.key_length", a.headDim())
                .u32(p + "attention.value_length", a.headDim()).u32(p + "vocab_size", a.vocabSize())
                .f32(p + "attention.layer_norm_rms_epsilon", (float) a.normEps()).f32(p + "rope.freq_base", (float) a.ropeTheta());
        SlidingWindow sw = a.slidingWindow();
        if (sw.tokens() > 0) {
            // what llama_model_gemma3/gemma2::load_arch_hparams read; the pattern and local base are written though they are their defaults
            w.u32(p + "attention.sliding_window", sw.tokens()).u32(p + "attention.sliding_window_pattern", sw.pattern())
                    .f32(p + "rope.freq_base_swa", (float) sw.ropeTheta());
        }
        if (a.family() == ArchitectureFamily.GEMMA2) {
            w.f32(p + "attn_logit_softcapping", (float) a.softcaps().attention()).f32(p + "final_logit_softcapping", (float) a.softcaps().finalLogits());
        }
        if (a.ropeScaling().type() == RopeScaling.Type.LINEAR) {
            // Gemma-3-4B and larger: linear factor 8 on the global layers (llama.cpp applies rope.scaling to them only)
            w.string(p + "rope.scaling.type", "linear").f32(p + "rope.scaling.factor", (float) a.ropeScaling().factor());
        }
        // LongRoPE (Phi-3): no rope.scaling.type, so llama.cpp neither stretches nor YaRN-ramps the factored frequencies
        Map<String, float[]> ropeFactors = new LinkedHashMap<>();
        if (a.family() != ArchitectureFamily.PHI3 && a.ropeScaling().perFrequencyDivisors()) {
            // Llama 3.1+: one divisor per frequency pair as rope_freqs.weight, which llama.cpp's llama-family graphs apply
            ropeFactors.put(GgufFile.ROPE_FREQS_TENSOR, floats(a.ropeScaling().frequencyDivisors(a.ropeTheta(), a.rotaryDims())));
        } else if (a.family() != ArchitectureFamily.PHI3 && a.ropeScaling().type() != RopeScaling.Type.DEFAULT
                && a.ropeScaling().type() != RopeScaling.Type.LINEAR) {
            throw new InvalidInputException(weights.source(), "rope_scaling", "RoPE scaling " + a.ropeScaling().type().configName() + " is not written to a "
                    + arch + " GGUF (default, linear and llama3 are); llama.cpp would run the model without it");
        } else if (a.ropeScaling().type() == RopeScaling.Type.LONGROPE) {
            RopeScaling r = a.ropeScaling();
            w.u32(p + GgufFile.ROPE_ORIGINAL_CONTEXT_KEY, r.originalContext()).f32(p + GgufFile.ROPE_ATTENTION_FACTOR_KEY, (float) r.attentionFactor());
            ropeFactors.put(GgufFile.LONG_ROPE_FACTORS_TENSOR, floats(r.longFactors()));
            ropeFactors.put(GgufFile.SHORT_ROPE_FACTORS_TENSOR, floats(r.shortFactors()));
        }
        try {
            GgufTokenizerMetadata.write(w, a, tokenizer, weights.source(), new Configuration());
        } catch (IOException e) {
            throw new InvalidInputException(tokenizer != null ? tokenizer : weights.source(), "(file)", "cannot read the tokenizer: " + e.getMessage(), e);
        }

        Map<String, ModelArchitecture.StackedTensor> stacks = stacksToWrite(file, a, stored);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            ModelArchitecture.StackedTensor st = stacks.get(t.name());
            if (st != null) {
                // Phi-3: one tensor of the parts' rows where its first part would be (its parts share a stored format)
                if (!st.parts().get(0).name().equals(t.name())) continue;
                WeightFormat f = stored.get(t.name());
                w.tensor(st.name(), new long[] {st.cols(), st.rows()}, ggmlType(f), f.bytes(st.rows(), st.cols()));
                continue;
            }
            shapes.put(t.name(), new long[] {t.cols(), t.rows()});
            WeightFormat f = stored.get(t.name());
            w.tensor(t.name(), new long[] {t.cols(), t.rows()}, ggmlType(f), f.bytes(t.rows(), t.cols()));
        }
        Map<String, ModelArchitecture.StackedTensor> stackByName = new LinkedHashMap<>();
        for (ModelArchitecture.StackedTensor st : stacks.values()) stackByName.put(st.name(), st);
        // F32 vectors: norms, Qwen2's attention biases, Qwen3's and Gemma 3's q/k norms, Gemma 3's post norms (llama.cpp keeps 1-D tensors in F32)
        for (ModelArchitecture.VectorTensor v : a.vectorTensors()) {
            w.tensor(v.name(), new long[] {v.length()}, NamedFormat.F32.ggmlType(), 4L * v.length());
        }
        ropeFactors.forEach((name, v) -> w.tensor(name, new long[] {v.length}, NamedFormat.F32.ggmlType(), 4L * v.length));
        Map<String, Integer> ropeHeads = new LinkedHashMap<>();
        if (rotateHalf) {
            for (int l = 0; l < a.layers(); l++) {
                ropeHeads.put(TensorSpec.canonicalName(TensorRole.Q, l), a.heads());
                ropeHeads.put(TensorSpec.canonicalName(TensorRole.K, l), a.kvHeads());
            }
            for (ModelArchitecture.VectorTensor v : a.vectorTensors()) if (v.ropeHeads() > 0) ropeHeads.put(v.name(), v.ropeHeads());
        }

        AtomicFiles.write(AtomicFiles.path(out), os -> w.writeTo(os, (name, s) -> {
            ModelArchitecture.StackedTensor st = stackByName.get(name);
            if (st != null) {
                // a stack's rows are its parts' rows in order, each part encoded by its own choice into the shared type
                for (TensorSpec part : st.parts()) {
                    float[] x = weights.read(part.name());
                    Integer heads = ropeHeads.get(part.name());
                    if (heads != null) x = RopeLayout.interleavedToRotateHalf(x, part.rows(), heads, a.rotaryDims());
                    TensorChoice c = choices.get(part.name());
                    for (int r = 0; r < part.rows(); r++) s.write(encodeRow(c, stored.get(part.name()), x, r * part.cols(), part.cols(), importance.get(part.name())));
                }
                return;
            }
            float[] x = ropeFactors.containsKey(name) ? ropeFactors.get(name) : weights.read(name);
            long[] dims = shapes.get(name);
            Integer heads = ropeHeads.get(name);
            // a row permutation: per-row quantization gives the same rows, in llama.cpp's order
            if (heads != null) x = RopeLayout.interleavedToRotateHalf(x, dims == null ? x.length : (int) dims[1], heads, a.rotaryDims());
            if (dims == null) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float v : x) b.putFloat(v);
                s.write(b.array());
                return;
            }
            TensorChoice c = choices.get(name);
            int cols = (int) dims[0];
            for (int r = 0; r < dims[1]; r++) s.write(encodeRow(c, stored.get(name), x, r * cols, cols, importance.get(name)));
        }));
        Map<String, String> types = new LinkedHashMap<>();
        stored.forEach((k, v) -> types.put(k, v.named().ggmlName()));
        return new Result(types, weightBytes);
    }

    /**
     * The stacks of {@link ModelArchitecture#stackedTensors()} to write as one tensor each, keyed by each part's name: every
     * stack whose parts are stored in one format. A separable stack (q | k | v) whose parts differ is written as its parts
     * (llama.cpp's loader takes attn_q, attn_k, attn_v when attn_qkv is absent); an inseparable one (Phi-3's gate | up,
     * which llama.cpp loads only as one ffn_up of 2 x ffn rows) is refused naming the second part's choice.
     */
    private static Map<String, ModelArchitecture.StackedTensor> stacksToWrite(String file, ModelArchitecture a, Map<String, WeightFormat> stored) {
        Map<String, ModelArchitecture.StackedTensor> out = new LinkedHashMap<>();
        for (ModelArchitecture.StackedTensor st : a.stackedTensors()) {
            WeightFormat first = stored.get(st.parts().get(0).name());
            TensorSpec odd = null;
            for (TensorSpec p : st.parts()) if (odd == null && !stored.get(p.name()).equals(first)) odd = p;
            if (odd == null) {
                for (TensorSpec p : st.parts()) out.put(p.name(), st);
            } else if (!st.separable()) {
                throw new InvalidInputException(file, "choices." + odd.name(), "stored as " + stored.get(odd.name()).named().ggmlName() + " but "
                        + st.parts().get(0).name() + " as " + first.named().ggmlName() + ": a " + a.family().name().toLowerCase(java.util.Locale.ROOT)
                        + " GGUF holds them in one tensor, " + st.name() + " (llama.cpp loads no other layout), so they need one type");
            }
        }
        return out;
    }

    /**
     * Refuses a Phi-3 that llama.cpp's phi3 loader would not load or would run differently: heads x head size other than the
     * width (it sizes q and attn_output by the width), and RoPE scaling with no phi3 key (linear has the generic one, LongRoPE
     * its factor tensors).
     */
    private static void requirePhi3Expressible(String source, ModelArchitecture a) {
        if (a.qDim() != a.dim()) {
            throw new InvalidInputException(source, "head_dim", "heads x head size " + a.qDim() + " differs from the width " + a.dim()
                    + "; llama.cpp's phi3 loader sizes q and attn_output by the width");
        }
        RopeScaling.Type rope = a.ropeScaling().type();
        if (rope != RopeScaling.Type.DEFAULT && rope != RopeScaling.Type.LINEAR && rope != RopeScaling.Type.LONGROPE) {
            throw new InvalidInputException(source, "rope_scaling", "RoPE scaling " + rope.configName()
                    + " has no phi3 GGUF key (linear and longrope have)");
        }
    }

    /**
     * Refuses a Gemma 3 that llama.cpp would run differently: llama.cpp reads no attention-scale key for gemma3 but derives
     * 1/sqrt(head size), or 1/sqrt(width / heads) for 62 layers (the 27B), so another {@code query_pre_attn_scalar}
     * cannot be written; and RoPE scaling other than linear has no gemma3 key.
     */
    private static void requireGemma3Expressible(String source, ModelArchitecture a) {
        double derived = GgufFile.gemma3AttentionScale(a);
        if (Math.abs(a.attentionScale() - derived) > 1e-6 * derived) {
            throw new InvalidInputException(source, "query_pre_attn_scalar", "attention scale " + a.attentionScale() + " differs from the "
                    + derived + " llama.cpp derives for a gemma3 GGUF of " + a.layers() + " layers; it would run another model");
        }
        if (a.ropeScaling().type() != RopeScaling.Type.DEFAULT && a.ropeScaling().type() != RopeScaling.Type.LINEAR) {
            throw new InvalidInputException(source, "rope_scaling", "RoPE scaling " + a.ropeScaling().type().configName()
                    + " has no gemma3 GGUF key (linear has)");
        }
    }

    /**
     * Refuses a Gemma 2 that llama.cpp would run differently: its gemma2 graph always soft-caps (a missing key means 50 and
     * 30), so both caps must be set; it derives the attention scale (1/sqrt(head size), or 1/sqrt(width / heads) for 46
     * layers); and a gemma2 GGUF has no RoPE scaling.
     */
    private static void requireGemma2Expressible(String source, ModelArchitecture a) {
        if (!(a.softcaps().attention() > 0) || !(a.softcaps().finalLogits() > 0)) {
            throw new InvalidInputException(source, "attn_logit_softcapping", "a gemma2 GGUF soft-caps the attention scores and the logits;"
                    + " this model has caps " + a.softcaps().attention() + " and " + a.softcaps().finalLogits() + " (0 = none)");
        }
        double derived = GgufFile.gemma2AttentionScale(a);
        if (Math.abs(a.attentionScale() - derived) > 1e-6 * derived) {
            throw new InvalidInputException(source, "query_pre_attn_scalar", "attention scale " + a.attentionScale() + " differs from the "
                    + derived + " llama.cpp derives for a gemma2 GGUF of " + a.layers() + " layers; it would run another model");
        }
        if (a.ropeScaling().type() != RopeScaling.Type.DEFAULT) {
            throw new InvalidInputException(source, "rope_scaling", "RoPE scaling " + a.ropeScaling().type().configName() + " has no gemma2 GGUF key");
        }
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i).floatValue();
        return out;
    }

    private static byte[] encodeRow(TensorChoice c, WeightFormat stored, float[] x, int off, int n, float[] importance) {
        return c.importanceWeighted() ? TensorCompressor.encodeRow(c.format(), stored, x, off, n, importance)
                : TensorCompressor.encodeRow(c.format(), stored, x, off, n);
    }

    /** The GGUF format a choice is stored in, or an error naming the tensor when no GGUF type holds it exactly. */
    static WeightFormat storedFormat(String file, TensorSpec t, TensorChoice c) {
        String field = "choices." + t.name();
        if (c.sparsity().kind() != Sparsity.Kind.NONE || c.isLowRank() || c.errorCompensated()) {
            throw new InvalidInputException(file, field, "'" + c.label() + "': a GGUF stores dense, full-rank weights rounded as llama.cpp "
                    + "rounds them (to nearest, or with an importance matrix: +imatrix) (export --to llama-cpp --nearest approximates it)");
        }
        WeightFormat f = c.format();
        if (f.kind() == WeightFormat.Kind.INT_GROUP) {
            WeightFormat same = LlamaCppExport.sameBlocksFormat(f);
            if (same == null || t.cols() % 32 != 0) {
                throw new InvalidInputException(file, field, "'" + f.name() + "' on rows of " + t.cols() + " weights has no GGUF type that holds it "
                        + "exactly (int4g32, int5g32, int8g32, int4g32a, int5g32a on rows of a multiple of 32 have)");
            }
            return same;
        }
        return f.effectiveFor(t.cols());
    }

    /** The ggml type id the registry row of a stored format names (every stored format is a row: storedFormat). */
    private static int ggmlType(WeightFormat f) {
        return f.named().ggmlType();
    }
}
