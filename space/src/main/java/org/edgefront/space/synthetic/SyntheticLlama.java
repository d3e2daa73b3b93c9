package org.edgefront.space.synthetic;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.HuggingFaceWriter;
import org.edgefront.space.io.Llama2cWriter;
import org.edgefront.space.io.StorageType;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * A Llama-family model (Llama, Qwen2 with attention biases, Qwen3 with q/k norms, Gemma 3, Phi-3; or Phi-2) whose weights are generated deterministically from a {@link Shape} and a seed,
 * tensor by tensor when read (nothing is kept in memory, so even 1B-parameter shapes are cheap to hold).
 * The same shape and seed give bit-identical weights on every JVM, in any read order.
 *
 * <p>The weights are shaped so that quantization sensitivity differs across tensors, as in trained
 * models: matrices are normal with standard deviation 1/sqrt(cols), scaled per layer (first and last
 * layers larger) and per row (log-normal), with q/k and the residual branches (o, down) scaled down;
 * a few residual-stream input channels carry 3-8x larger weights in every q/k/v/gate/up matrix, and a
 * few random input columns are outliers in o and down; norm weights are near 1; the embedding has
 * standard deviation 3.6/sqrt(dim). On {@link Shape#tiny()} this gives a next-token entropy near 1 nat
 * and single-tensor int4 KLs spread over about three orders of magnitude, like stories260K. The architecture says {@code synthetic=true}, with normEps 1e-5 and RoPE base 10000.
 *
 * <p>Immutable and thread-safe; {@link #close()} does nothing.
 */
public final class SyntheticLlama implements ModelWeights {

    /**
     * Shape of a generated model.
     *
     * @param dim            hidden size
     * @param hiddenDim      FFN intermediate size
     * @param layers         transformer blocks
     * @param heads          query heads
     * @param kvHeads        key/value heads
     * @param vocabSize      vocabulary size
     * @param seqLen         maximum context in tokens
     * @param tiedEmbeddings LM head shares the embedding
     */
    public record Shape(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
                        boolean tiedEmbeddings) implements java.io.Serializable {
        public Shape {
            if (dim < 2 || hiddenDim < 1 || layers < 1 || heads < 1 || kvHeads < 1 || vocabSize < 4 || seqLen < 1) {
                throw new IllegalArgumentException("synthetic shape has a size out of range: " + this);
            }
            if (dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("synthetic shape heads do not fit: " + this);
            }
        }

        /** About stories260K's size: dim 64, hidden 176, 4 layers, 8 heads, 4 KV heads, vocab 256, 256 context, tied. */
        public static Shape tiny() { return new Shape(64, 176, 4, 8, 4, 256, 256, true); }

        /** SmolLM-135M's shape (576 x 30 layers, 9 heads, 3 KV heads, 49152 vocab, tied). */
        public static Shape smolLm135m() { return new Shape(576, 1536, 30, 9, 3, 49152, 2048, true); }

        /** TinyLlama-1.1B's shape (2048 x 22 layers, 32 heads, 4 KV heads, 32000 vocab, untied). */
        public static Shape tinyLlama1b() { return new Shape(2048, 5632, 22, 32, 4, 32000, 2048, false); }

        /** Phi-2's shape (2560 x 32 layers, 32 heads of 80, fc1 10240, 51200 vocab, untied); use with {@link ArchitectureFamily#PHI2}. */
        public static Shape phi2() { return new Shape(2560, 10240, 32, 32, 32, 51200, 2048, false); }

        /** Phi-3-mini-4k's shape (3072 x 32 layers, 32 heads, no GQA, FFN 8192, 32064 vocab, 4096 context, untied); use with {@link ArchitectureFamily#PHI3}. */
        public static Shape phi3Mini() { return new Shape(3072, 8192, 32, 32, 32, 32064, 4096, false); }
    }

    /** Gemma 2 synthetic models' cap on the scaled attention scores (Gemma 2's own is 50, on larger scores). */
    public static final double GEMMA2_SYNTHETIC_ATTENTION_CAP = 1.0;
    /** Gemma 2 synthetic models' cap on the logits (Gemma 2's own is 30). */
    public static final double GEMMA2_SYNTHETIC_FINAL_CAP = 6.0;

    private final Shape shape;
    private final long seed;
    private final ArchitectureFamily family;
    private final ModelArchitecture architecture;
    private final double[] layerScale;
    /** Gain of each residual-stream channel (1 for most, 3..8 for the outlier channels). */
    private final float[] residualGain;

    private SyntheticLlama(Shape shape, long seed, ArchitectureFamily family, int headDim) {
        if (family != ArchitectureFamily.LLAMA && family != ArchitectureFamily.QWEN2 && family != ArchitectureFamily.QWEN3
                && family != ArchitectureFamily.GEMMA3 && family != ArchitectureFamily.GEMMA2 && family != ArchitectureFamily.PHI3
                && family != ArchitectureFamily.PHI2 && family != ArchitectureFamily.SMOLLM3) {
            throw new IllegalArgumentException("synthetic models are Llama, Qwen2, Qwen3, Gemma 3, Gemma 2, Phi-3, SmolLM3 or Phi-2, not " + family);
        }
        boolean fullWidthHeads = family == ArchitectureFamily.PHI2 || family == ArchitectureFamily.PHI3;
        if (headDim < 2 || headDim % 2 != 0 || fullWidthHeads && headDim * shape.heads() != shape.dim()) {
            throw new IllegalArgumentException("synthetic head size " + headDim + " does not fit " + family + " " + shape);
        }
        if (family == ArchitectureFamily.PHI2 && shape.tiedEmbeddings()) {
            throw new IllegalArgumentException("Phi-2 models have an untied LM head: " + shape);
        }
        this.shape = shape;
        this.seed = seed;
        this.family = family;
        String stem = switch (family) {
            case QWEN2 -> "synthetic-qwen2-";
            case QWEN3 -> "synthetic-qwen3-";
            case GEMMA3 -> "synthetic-gemma3-";
            case GEMMA2 -> "synthetic-gemma2-";
            case SMOLLM3 -> "synthetic-smollm3-";
            case PHI3 -> "synthetic-phi3-";
            case PHI2 -> "synthetic-phi2-";
            default -> "synthetic-llama-";
        };
        boolean gemma3 = family == ArchitectureFamily.GEMMA3;
        ModelArchitecture a = ModelArchitecture.of(stem + shape.dim() + "x" + shape.layers(), family, shape.dim(),
                shape.hiddenDim(), shape.layers(), shape.heads(), shape.kvHeads(), headDim, shape.vocabSize(), shape.seqLen(),
                shape.tiedEmbeddings(), 1e-5, gemma3 ? 1_000_000.0 : 10000.0, true);
        // Gemma 3's layout: five local layers then one global, local RoPE base 10000 and global 1e6; its 512-token
        // window, or a quarter of the context when that is shorter, so that short evaluations exercise the window too
        // Gemma 2's: every other layer local at the global base, with the attention scores and logits soft-capped
        // (its caps of 50 and 30 scaled down to this model's smaller scores and logits, so that both caps act)
        this.architecture = gemma3 ? a.withSlidingWindow(new SlidingWindow(Math.min(512, Math.max(2, shape.seqLen() / 4)), 6, 10000.0))
                : family == ArchitectureFamily.GEMMA2
                ? a.withSlidingWindow(new SlidingWindow(Math.min(4096, Math.max(2, shape.seqLen() / 4)), 2, 10000.0))
                        .withSoftcaps(new LogitSoftcaps(GEMMA2_SYNTHETIC_ATTENTION_CAP, GEMMA2_SYNTHETIC_FINAL_CAP))
                : a;
        SplittableRandom r = new SplittableRandom(mix(seed, 0x5eedL));
        this.layerScale = new double[shape.layers()];
        for (int l = 0; l < shape.layers(); l++) {
            double edge = l == 0 || l == shape.layers() - 1 ? 0.5 : 0.0;
            layerScale[l] = 0.7 + 0.6 * r.nextDouble() + edge;
        }
        this.residualGain = new float[shape.dim()];
        Arrays.fill(residualGain, 1f);
        int outliers = Math.max(1, shape.dim() / 48);
        for (int i = 0; i < outliers; i++) residualGain[r.nextInt(shape.dim())] = (float) (3 + 5 * r.nextDouble());
    }

    /** A generated Llama model of the given shape. */
    public static SyntheticLlama create(Shape shape, long seed) {
        return new SyntheticLlama(shape, seed, ArchitectureFamily.LLAMA, shape.dim() / shape.heads());
    }

    /**
     * A generated model of the given shape and family: {@link ArchitectureFamily#LLAMA}, or
     * {@link ArchitectureFamily#QWEN2} (the same plus q/k/v biases, readable under
     * {@link ModelArchitecture#attentionBiasName}), or {@link ArchitectureFamily#QWEN3} (Llama plus q/k norms near 1,
     * readable under {@link ModelArchitecture#qkNormName}), or {@link ArchitectureFamily#GEMMA3} (q/k norms and the
     * post-attention / post-FFN norms near 1, as llama.cpp holds them; a {@link SlidingWindow} of min(512, seqLen / 4) tokens on
     * five of every six layers), or {@link ArchitectureFamily#GEMMA2} (Gemma 3's norms without the q/k norms; a window of
     * min(4096, seqLen / 4) tokens on the even layers, soft-caps {@link #GEMMA2_SYNTHETIC_ATTENTION_CAP} and
     * {@link #GEMMA2_SYNTHETIC_FINAL_CAP}), or {@link ArchitectureFamily#SMOLLM3} (Llama's tensors; no RoPE on every fourth
     * layer), or {@link ArchitectureFamily#PHI3} (Llama's tensors, which its checkpoints store stacked:
     * {@link ModelArchitecture#stackedTensors()}), or {@link ArchitectureFamily#PHI2} (no gate; LayerNorm biases
     * {@code blk.N.attn_norm.bias} and {@code output_norm.bias}; biases on q/k/v/output/fc1/fc2 as
     * {@code blk.N.<stem>.bias}; LM-head bias {@code output.bias}; untied shapes only). Phi-2 rotates its family's
     * 0.4 of each head ({@link ModelArchitecture#defaultRotaryDims}), so head sizes should be multiples of 5 (Phi-2's is 80).
     */
    public static SyntheticLlama create(Shape shape, long seed, ArchitectureFamily family) {
        return new SyntheticLlama(shape, seed, family, shape.dim() / shape.heads());
    }

    /**
     * As {@link #create(Shape, long, ArchitectureFamily)} with an explicit head size, for shapes like Qwen3-0.6B's
     * (1024 wide, 16 heads of 128): q has heads x headDim rows and o as many columns. Not for Phi-2 or Phi-3.
     */
    public static SyntheticLlama create(Shape shape, long seed, ArchitectureFamily family, int headDim) {
        return new SyntheticLlama(shape, seed, family, headDim);
    }

    /** The quickstart model, {@link Shape#tiny()}. */
    public static SyntheticLlama tiny(long seed) {
        return create(Shape.tiny(), seed);
    }

    /** The shape this model was generated from. */
    public Shape shape() { return shape; }

    /** The seed this model was generated from. */
    public long seed() { return seed; }

    @Override
    public ModelArchitecture architecture() { return architecture; }

    @Override
    public String source() {
        return "synthetic:" + family.name().toLowerCase(Locale.ROOT) + "?dim=" + shape.dim() + "&hidden=" + shape.hiddenDim() + "&layers=" + shape.layers()
                + "&heads=" + shape.heads() + "&kv_heads=" + shape.kvHeads() + "&vocab=" + shape.vocabSize()
                + "&seq=" + shape.seqLen() + "&tied=" + shape.tiedEmbeddings()
                + (architecture.qDim() != shape.dim() ? "&head_dim=" + architecture.headDim() : "") + "&seed=" + seed;
    }

    @Override
    public Set<String> tensorNames() {
        if (family != ArchitectureFamily.PHI2) return ModelWeights.super.tensorNames();
        Set<String> names = new java.util.LinkedHashSet<>(architecture.tensorsByName().keySet());
        for (int l = 0; l < shape.layers(); l++) {
            names.add(ModelArchitecture.attentionNormName(l));
            names.add("blk." + l + ".attn_norm.bias");
            for (TensorRole role : new TensorRole[] {TensorRole.Q, TensorRole.K, TensorRole.V, TensorRole.O, TensorRole.UP, TensorRole.DOWN}) {
                names.add("blk." + l + "." + role.ggufStem() + ".bias");
            }
        }
        names.add(ModelArchitecture.outputNormName());
        names.add("output_norm.bias");
        names.add("output.bias");
        return java.util.Collections.unmodifiableSet(names);
    }

    @Override
    public float[] read(String tensorName) {
        Set<String> names = tensorNames();
        if (!names.contains(tensorName)) throw new IllegalArgumentException("no tensor named " + tensorName + " in " + architecture.name());
        SplittableRandom r = new SplittableRandom(mix(seed, tensorName.hashCode()));
        Gaussian g = new Gaussian(r);
        int dim = shape.dim();
        if (family == ArchitectureFamily.PHI2 && tensorName.endsWith(".bias")) {
            // Phi-2-like: small biases everywhere, slightly larger on q/k
            int rows = tensorName.equals("output.bias") ? shape.vocabSize()
                    : tensorName.contains(".ffn_up.") ? shape.hiddenDim()
                    : tensorName.contains(".attn_k.") || tensorName.contains(".attn_v.") ? architecture.kvDim() : dim;
            double std = tensorName.contains(".attn_q.") || tensorName.contains(".attn_k.") ? 0.1 : 0.05;
            float[] v = new float[rows];
            for (int i = 0; i < rows; i++) v[i] = (float) (std * g.next());
            return v;
        }
        if (tensorName.endsWith(".bias")) {
            // Qwen2-like: q/k biases are sizeable, v biases small
            int rows = tensorName.contains(".attn_q.") ? architecture.qDim() : architecture.kvDim();
            double std = tensorName.contains(".attn_v.") ? 0.1 : 0.5;
            float[] v = new float[rows];
            for (int i = 0; i < rows; i++) v[i] = (float) (std * g.next());
            return v;
        }
        if (tensorName.endsWith("attn_q_norm.weight") || tensorName.endsWith("attn_k_norm.weight")) {
            // Qwen3-like: per-head norms with more spread than the residual ones
            float[] v = new float[architecture.headDim()];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.max(0.2, 1 + 0.3 * g.next());
            return v;
        }
        if (tensorName.endsWith("_norm.weight")) {
            double spread = tensorName.equals(ModelArchitecture.outputNormName()) ? 0.05 : 0.1;
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) v[i] = (float) Math.max(0.2, 1 + spread * g.next());
            return v;
        }
        TensorSpec spec = architecture.tensor(tensorName);
        int rows = spec.rows();
        int cols = spec.cols();
        float[] w = new float[Math.toIntExact(spec.parameterCount())];
        if (spec.role() == TensorRole.EMBEDDING) {
            double std = 3.6 / Math.sqrt(dim);
            for (int i = 0; i < w.length; i++) w[i] = (float) (std * g.next());
            return w;
        }
        double base = 1.0 / Math.sqrt(cols);
        if (spec.role() == TensorRole.LM_HEAD) {
            base *= 3.0;
        } else {
            base *= layerScale[spec.layer()];
        }
        // softer attention and residual branches than plain 1/sqrt(cols): tuned so that entropy and per-tensor
        // int4 KL land near stories260K's (measured with a NumPy forward pass, see the module report)
        if (spec.role() == TensorRole.Q || spec.role() == TensorRole.K) base *= 0.4;
        if (spec.role() == TensorRole.O || spec.role() == TensorRole.DOWN) base *= 0.4 / Math.sqrt(2.0 * shape.layers());
        float[] colGain = new float[cols];
        Arrays.fill(colGain, 1f);
        switch (spec.role()) {
            case Q, K, V, GATE, UP, LM_HEAD -> System.arraycopy(residualGain, 0, colGain, 0, cols);
            default -> {
                int outliers = Math.max(1, cols / 64);
                for (int i = 0; i < outliers; i++) colGain[r.nextInt(cols)] = (float) (2 + 4 * r.nextDouble());
            }
        }
        for (int row = 0; row < rows; row++) {
            double rowScale = base * StrictMath.exp(0.25 * g.next());
            int o = row * cols;
            for (int c = 0; c < cols; c++) w[o + c] = (float) (rowScale * colGain[c] * g.next());
        }
        return w;
    }

    @Override
    public void close() { }

    /**
     * Token sequences for measuring quality on a synthetic model: {@code count} sequences of
     * {@code length} tokens, BOS (id 1) first, the rest drawn from a Zipf-like distribution (weight
     * 1/(rank + 10)) over ids 3..vocab-1 in a seeded random rank order, like word frequencies in text.
     */
    public static int[][] tokenSequences(long seed, int count, int length, int vocab) {
        if (count < 0 || length < 1 || vocab < 4) {
            throw new IllegalArgumentException("need count >= 0, length >= 1, vocab >= 4; got " + count + ", " + length + ", " + vocab);
        }
        SplittableRandom r = new SplittableRandom(mix(seed, 0x70cL));
        int n = vocab - 3;
        int[] byRank = new int[n];
        for (int i = 0; i < n; i++) byRank[i] = i + 3;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = byRank[i];
            byRank[i] = byRank[j];
            byRank[j] = t;
        }
        double[] cdf = new double[n];
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += 1.0 / (i + 10);
            cdf[i] = acc;
        }
        int[][] out = new int[count][length];
        for (int s = 0; s < count; s++) {
            out[s][0] = 1;
            for (int t = 1; t < length; t++) {
                int idx = Arrays.binarySearch(cdf, r.nextDouble() * acc);
                if (idx < 0) idx = -idx - 1;
                out[s][t] = byRank[Math.min(idx, n - 1)];
            }
        }
        return out;
    }

    /** Writes any Llama-family weights as a llama2.c checkpoint; see {@link Llama2cWriter}. */
    public static void writeLlama2c(ModelWeights weights, String uri) throws IOException {
        Llama2cWriter.write(weights, uri);
    }

    /**
     * Writes weights as a Hugging Face directory; see {@link HuggingFaceWriter}.
     *
     * @param dtype  {@code F32}, {@code F16} or {@code BF16}
     * @param shards number of safetensors files (1: a single {@code model.safetensors})
     */
    public static void writeHuggingFace(ModelWeights weights, String dirUri, String dtype, int shards) throws IOException {
        StorageType type = switch (dtype.toUpperCase(Locale.ROOT)) {
            case "F32" -> StorageType.F32;
            case "F16" -> StorageType.F16;
            case "BF16" -> StorageType.BF16;
            default -> throw new InvalidInputException("-", "dtype", "'" + dtype + "' is not F32, F16 or BF16");
        };
        HuggingFaceWriter.write(weights, dirUri, type, shards);
    }

    /**
     * Standard normals by Marsaglia's polar method, both values of each pair used; depends only on
     * SplittableRandom's specified stream and StrictMath, so values are the same on every JVM.
     * Not thread-safe: one per read.
     */
    private static final class Gaussian {
        private final SplittableRandom r;
        private double spare;
        private boolean hasSpare;

        Gaussian(SplittableRandom r) { this.r = r; }

        double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u;
            double v;
            double s;
            do {
                u = 2 * r.nextDouble() - 1;
                v = 2 * r.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
            spare = v * f;
            hasSpare = true;
            return u * f;
        }
    }

    /** SplitMix64 finalizer of seed and a salt. */
    private static long mix(long seed, long salt) {
        long z = seed + 0x9E3779B97F4A7C15L * (salt + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
