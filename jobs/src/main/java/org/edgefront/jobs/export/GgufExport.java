package org.edgefront.jobs.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufWriter;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.Llama2cTokenizer;

/**
 * Writes the final mixed-precision GGUF of a point itself, from the source checkpoint's float weights, with
 * EdgeFront's quantizers: the bytes llama.cpp's reference quantizer writes for its block formats (so the tensors equal
 * llama-quantize's), and for int4g32, int5g32, int8g32, int4g32a and int5g32a EdgeFront's own codes in the llama.cpp
 * blocks that hold them exactly (Q4_0, Q5_0, Q8_0, Q4_1, Q5_1). Row lengths that a block format does not divide are
 * stored per {@link WeightFormat#effectiveFor(int)}, as llama.cpp does. Norms are F32.
 *
 * <p>Metadata: llama architecture keys, and a SentencePiece-style vocabulary ({@code tokenizer.ggml.model = llama})
 * from a llama2.c tokenizer file as llama.cpp's llama2.c converter writes it (ids 0/1/2 are {@code <unk> <s> </s>},
 * {@code <0xXX>} pieces are byte tokens, spaces become U+2581); a synthetic model gets a generated vocabulary of
 * byte tokens and placeholders so llama.cpp can load and time it. Only the llama family (also Mistral-style) is
 * written: llama.cpp's llama graph uses interleaved RoPE pairs, EdgeFront's canonical order. A choice no GGUF type
 * holds exactly (sparsity, low rank, GPTQ, other int groups) is refused. Stateless.
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
     * @param tokenizer a llama2.c tokenizer file, or null for a synthetic model's generated vocabulary
     */
    public static Result write(String file, ModelWeights weights, Map<String, TensorChoice> choices, String tokenizer, String out) {
        ModelArchitecture a = weights.architecture();
        if (a.family() != ArchitectureFamily.LLAMA) {
            throw new InvalidInputException(weights.source(), "architecture", "GGUF export writes the llama family only, not " + a.family());
        }
        Map<String, WeightFormat> stored = new LinkedHashMap<>();
        long weightBytes = 0;
        for (TensorSpec t : a.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (c == null) throw new InvalidInputException(file, "choices." + t.name(), "missing: every linear tensor needs a choice");
            WeightFormat f = storedFormat(file, t, c);
            stored.put(t.name(), f);
            weightBytes += f.bytes(t.rows(), t.cols());
        }
        GgufWriter w = new GgufWriter();
        String p = "llama.";
        w.string("general.architecture", "llama").string("general.name", a.name()).u32("general.quantization_version", 2)
                .u32("general.file_type", fileType(stored));
        w.u32(p + "context_length", a.maxSeqLen()).u32(p + "embedding_length", a.dim()).u32(p + "feed_forward_length", a.hiddenDim())
                .u32(p + "block_count", a.layers()).u32(p + "attention.head_count", a.heads()).u32(p + "attention.head_count_kv", a.kvHeads())
                .u32(p + "rope.dimension_count", a.headDim()).u32(p + "attention.key_length", a.headDim())
                .u32(p + "attention.value_length", a.headDim()).u32(p + "vocab_size", a.vocabSize())
                .f32(p + "attention.layer_norm_rms_epsilon", (float) a.normEps()).f32(p + "rope.freq_base", (float) a.ropeTheta());
        vocabulary(w, a, tokenizer);

        List<String> order = new ArrayList<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) {
            order.add(t.name());
            shapes.put(t.name(), new long[] {t.cols(), t.rows()});
            WeightFormat f = stored.get(t.name());
            w.tensor(t.name(), new long[] {t.cols(), t.rows()}, ggmlType(f), f.bytes(t.rows(), t.cols()));
        }
        List<String> norms = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            norms.add(ModelArchitecture.attentionNormName(l));
            norms.add(ModelArchitecture.ffnNormName(l));
        }
        norms.add(ModelArchitecture.outputNormName());
        for (String n : norms) w.tensor(n, new long[] {a.dim()}, GgufWriter.F32, 4L * a.dim());

        AtomicFiles.write(AtomicFiles.path(out), os -> w.writeTo(os, (name, s) -> {
            float[] x = weights.read(name);
            long[] dims = shapes.get(name);
            if (dims == null) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float v : x) b.putFloat(v);
                s.write(b.array());
                return;
            }
            TensorChoice c = choices.get(name);
            int cols = (int) dims[0];
            for (int r = 0; r < dims[1]; r++) s.write(TensorCompressor.encodeRow(c.format(), stored.get(name), x, r * cols, cols));
        }));
        Map<String, String> types = new LinkedHashMap<>();
        stored.forEach((k, v) -> types.put(k, LlamaCppExport.ggmlName(v)));
        return new Result(types, weightBytes);
    }

    /** The GGUF format a choice is stored in, or an error naming the tensor when no GGUF type holds it exactly. */
    static WeightFormat storedFormat(String file, TensorSpec t, TensorChoice c) {
        String field = "choices." + t.name();
        if (c.sparsity().kind() != Sparsity.Kind.NONE || c.isLowRank() || c.errorCompensated()) {
            throw new InvalidInputException(file, field, "'" + c.label() + "': a GGUF stores dense, full-rank, round-to-nearest weights "
                    + "(export --to llama-cpp --nearest approximates it)");
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

    private static int ggmlType(WeightFormat f) {
        return switch (f.name()) {
            case "F32" -> GgufWriter.F32;
            case "F16" -> GgufWriter.F16;
            case "BF16" -> GgufWriter.BF16;
            case "Q8_0" -> GgufWriter.Q8_0;
            case "Q4_0" -> GgufWriter.Q4_0;
            case "Q4_1" -> GgufWriter.Q4_1;
            case "Q5_0" -> GgufWriter.Q5_0;
            case "Q5_1" -> GgufWriter.Q5_1;
            case "Q2_K" -> GgufWriter.Q2_K;
            case "Q3_K" -> GgufWriter.Q3_K;
            case "Q4_K" -> GgufWriter.Q4_K;
            case "Q5_K" -> GgufWriter.Q5_K;
            case "Q6_K" -> GgufWriter.Q6_K;
            default -> throw new IllegalArgumentException("no ggml type for " + f.name());
        };
    }

    /** llama.cpp's {@code llama_ftype} of the most common stored type (the K-quants as their _S mixes); informational. */
    private static int fileType(Map<String, WeightFormat> stored) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (WeightFormat f : stored.values()) counts.merge(f.name(), 1, Integer::sum);
        String top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("F32");
        return switch (top) {
            case "F16" -> 1;
            case "Q4_0" -> 2;
            case "Q4_1" -> 3;
            case "Q8_0" -> 7;
            case "Q5_0" -> 8;
            case "Q5_1" -> 9;
            case "Q2_K" -> 10;
            case "Q3_K" -> 11;
            case "Q4_K" -> 14;
            case "Q5_K" -> 16;
            case "Q6_K" -> 18;
            case "BF16" -> 32;
            default -> 0;
        };
    }

    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;

    private static void vocabulary(GgufWriter w, ModelArchitecture a, String tokenizer) {
        int n = a.vocabSize();
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        if (tokenizer == null) {
            if (!a.synthetic()) throw new InvalidInputException(a.name(), "--tokenizer", "a real model's GGUF needs its tokenizer (a llama2.c tokenizer file)");
            for (int i = 0; i < n; i++) {
                String t;
                if (i < 3) {
                    t = i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>";
                    types[i] = i == 0 ? UNKNOWN : CONTROL;
                } else if (i < 3 + 256) {
                    t = String.format(Locale.ROOT, "<0x%02X>", i - 3);
                    types[i] = BYTE;
                } else {
                    t = "\u2581t" + i;
                    types[i] = NORMAL;
                }
                tokens.add(t);
                scores[i] = -i;
            }
        } else {
            Llama2cTokenizer tok;
            try {
                tok = Llama2cTokenizer.load(tokenizer, n);
            } catch (IOException e) {
                throw new InvalidInputException(tokenizer, "(file)", "cannot read: " + e.getMessage(), e);
            }
            for (int i = 0; i < n; i++) {
                String t = new String(tok.piece(i), StandardCharsets.UTF_8);
                int type = NORMAL;
                if (i == 0) {
                    t = "<unk>";
                    type = UNKNOWN;
                } else if (i == 1 || i == 2) {
                    t = i == 1 ? "<s>" : "</s>";
                    type = CONTROL;
                } else if (t.isEmpty()) {
                    type = CONTROL;
                } else if (t.matches("<0x[0-9A-Fa-f]{2}>")) {
                    type = BYTE;
                }
                tokens.add(t.replace(" ", "\u2581"));
                scores[i] = tok.score(i);
                types[i] = type;
            }
        }
        w.string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens).f32s("tokenizer.ggml.scores", scores)
                .i32s("tokenizer.ggml.token_type", types).u32("tokenizer.ggml.unknown_token_id", 0).u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2);
    }
}
