package org.edgefront.space.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Reader for llama2.c checkpoints, version 0 ("legacy") format: seven little-endian int32
 * ({@code dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len}) followed by float32
 * tensors {@code token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final,
 * freq_cis_real, freq_cis_imag} and, when {@code vocab_size} is negative, a separate classifier.
 *
 * <p>Every matrix is stored per layer as {@code [out][in]} row-major, which is {@link TensorSpec}'s
 * {@code rows x cols}. Names map to the canonical GGUF-style names ({@code w1} is
 * {@code ffn_gate}, {@code w3} is {@code ffn_up}, {@code w2} is {@code ffn_down}).
 *
 * <p>The header is validated and the file length must equal exactly what it implies before any
 * tensor is read; tensors are then read lazily by byte range. Stateless; the returned weights own
 * the open file and must be closed by the caller.
 */
public final class Llama2cCheckpoint {
    /** Bytes in the version-0 header. */
    public static final int HEADER_BYTES = 28;

    // Generous upper bounds: larger values are a corrupt header, not a model (checked before any arithmetic).
    private static final int MAX_DIM = 1 << 16;
    private static final int MAX_HIDDEN = 1 << 20;
    private static final int MAX_LAYERS = 1 << 10;
    private static final int MAX_VOCAB = 1 << 22;
    private static final int MAX_SEQ = 1 << 22;
    /** "ak42": magic of llama2.c's version 1 and 2 exports, which this reader does not take. */
    private static final int AK42_MAGIC = 0x616b3432;

    private Llama2cCheckpoint() { }

    /**
     * The version-0 header.
     *
     * @param dim       hidden size
     * @param hiddenDim FFN intermediate size
     * @param layers    transformer blocks
     * @param heads     query heads
     * @param kvHeads   key/value heads
     * @param vocabSize vocabulary size (always positive here)
     * @param seqLen    maximum sequence length in tokens
     * @param tied      true when the classifier is the embedding (vocab_size was positive in the file)
     */
    public record Header(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
                         boolean tied) {
        /** Size of one attention head. */
        public int headSize() { return dim / heads; }

        /** Width of the k and v projections. */
        public int kvDim() { return headSize() * kvHeads; }

        /** Number of float32 values after the header. */
        public long floatCount() {
            long l = layers;
            long d = dim;
            long n = (long) vocabSize * d;            // token_embedding
            n += l * d;                               // rms_att
            n += l * d * d;                           // wq
            n += 2 * l * d * kvDim();                 // wk, wv
            n += l * d * d;                           // wo
            n += l * d;                               // rms_ffn
            n += 3 * l * d * hiddenDim;               // w1, w2, w3
            n += d;                                   // rms_final
            n += (long) seqLen * headSize();          // freq_cis_real + freq_cis_imag (seqLen x headSize/2 each)
            if (!tied) n += (long) vocabSize * d;     // wcls
            return n;
        }

        /** Exact file length this header implies, in bytes. */
        public long fileBytes() { return HEADER_BYTES + 4 * floatCount(); }

        /** Writes the header (negative vocab_size when untied). */
        void writeTo(ByteBuffer b) {
            b.putInt(dim).putInt(hiddenDim).putInt(layers).putInt(heads).putInt(kvHeads)
                    .putInt(tied ? vocabSize : -vocabSize).putInt(seqLen);
        }
    }

    /** Opens a checkpoint by URI or local path with a default Hadoop configuration. */
    public static ModelWeights open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens a checkpoint. The architecture is named after the file (without extension), with RMSNorm
     * epsilon 1e-5 and RoPE base 10000 as llama2.c uses.
     *
     * @throws InvalidInputException for a missing, empty, truncated or oversized file or an impossible header
     */
    public static ModelWeights open(String uri, Configuration conf) throws IOException {
        return HadoopFiles.openWith(uri, conf, r -> {
            Header h = readHeader(r);
            ModelArchitecture arch = ModelArchitecture.llama(modelName(uri), h.dim(), h.hiddenDim(), h.layers(),
                    h.heads(), h.kvHeads(), h.vocabSize(), h.seqLen(), h.tied(), 1e-5, 10000.0, false);
            return new StoredWeights(arch, uri, List.of(r), layout(h));
        });
    }

    /** Reads and validates only the header (checks the file length too). */
    public static Header readHeader(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            return readHeader(r);
        }
    }

    static Header readHeader(RangeReader r) throws IOException {
        String f = r.source();
        long len = r.length();
        if (len == 0) throw new InvalidInputException(f, "header", "file is empty");
        if (len < HEADER_BYTES) {
            throw new InvalidInputException(f, "header", "file has " + len + " bytes, fewer than the " + HEADER_BYTES + "-byte llama2.c header (truncated?)");
        }
        ByteBuffer b = r.readLittleEndian(0, HEADER_BYTES);
        if (b.getInt(0) == AK42_MAGIC) {
            throw new InvalidInputException(f, "magic (offset 0)", "llama2.c version " + b.getInt(4)
                    + " export; only the version-0 (legacy) format is supported");
        }
        if (b.getInt(0) == 0x46554747) {
            throw new InvalidInputException(f, "magic (offset 0)", "this is a GGUF file, not a llama2.c checkpoint");
        }
        int dim = positive(f, b, 0, "dim", MAX_DIM);
        int hidden = positive(f, b, 4, "hidden_dim", MAX_HIDDEN);
        int layers = positive(f, b, 8, "n_layers", MAX_LAYERS);
        int heads = positive(f, b, 12, "n_heads", dim);
        int kvHeads = positive(f, b, 16, "n_kv_heads", heads);
        int rawVocab = b.getInt(20);
        if (rawVocab == 0 || rawVocab == Integer.MIN_VALUE || Math.abs(rawVocab) > MAX_VOCAB) {
            throw new InvalidInputException(f, field("vocab_size", 20), "value " + rawVocab
                    + " is not a vocabulary size (expected 1.." + MAX_VOCAB + ", negative for an untied classifier)");
        }
        int seqLen = positive(f, b, 24, "seq_len", MAX_SEQ);
        if (dim % heads != 0) {
            throw new InvalidInputException(f, field("n_heads", 12), "n_heads " + heads + " does not divide dim " + dim);
        }
        if (heads % kvHeads != 0) {
            throw new InvalidInputException(f, field("n_kv_heads", 16), "n_kv_heads " + kvHeads + " does not divide n_heads " + heads);
        }
        if ((dim / heads) % 2 != 0) {
            throw new InvalidInputException(f, field("n_heads", 12), "head size " + dim / heads + " is odd; RoPE needs pairs");
        }
        Header h = new Header(dim, hidden, layers, heads, kvHeads, Math.abs(rawVocab), seqLen, rawVocab > 0);
        long expected = h.fileBytes();
        if (len != expected) {
            String what = len < expected ? "truncated: " + (expected - len) + " bytes missing" : (len - expected) + " unexpected extra bytes";
            throw new InvalidInputException(f, "length", "file has " + len + " bytes but the header (dim=" + dim
                    + " hidden_dim=" + hidden + " n_layers=" + layers + " n_heads=" + heads + " n_kv_heads=" + kvHeads
                    + " vocab_size=" + rawVocab + " seq_len=" + seqLen + ") implies " + expected + " bytes; " + what);
        }
        long maxTensor = Math.max((long) h.vocabSize() * dim, (long) hidden * dim);
        if (maxTensor > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(f, "header", "a tensor of " + maxTensor + " values is too large to read into one array");
        }
        return h;
    }

    private static int positive(String f, ByteBuffer b, int offset, String name, int max) {
        int v = b.getInt(offset);
        if (v < 1 || v > max) {
            throw new InvalidInputException(f, field(name, offset), "value " + v + " is out of range 1.." + max);
        }
        return v;
    }

    private static String field(String name, int offset) { return name + " (offset " + offset + ")"; }

    /** Byte layout of every tensor, by canonical name. */
    static Map<String, StoredWeights.Location> layout(Header h) {
        Map<String, StoredWeights.Location> m = new LinkedHashMap<>();
        long d = h.dim();
        long kv = h.kvDim();
        long hid = h.hiddenDim();
        int layers = h.layers();
        long off = HEADER_BYTES;
        put(m, TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), off, h.vocabSize() * d, h.vocabSize());
        off += 4 * h.vocabSize() * d;
        off = perLayer(m, off, layers, d, 1, l -> ModelArchitecture.attentionNormName(l));
        off = perLayer(m, off, layers, d * d, (int) d, l -> TensorSpec.canonicalName(TensorRole.Q, l));
        off = perLayer(m, off, layers, kv * d, (int) kv, l -> TensorSpec.canonicalName(TensorRole.K, l));
        off = perLayer(m, off, layers, kv * d, (int) kv, l -> TensorSpec.canonicalName(TensorRole.V, l));
        off = perLayer(m, off, layers, d * d, (int) d, l -> TensorSpec.canonicalName(TensorRole.O, l));
        off = perLayer(m, off, layers, d, 1, l -> ModelArchitecture.ffnNormName(l));
        off = perLayer(m, off, layers, hid * d, (int) hid, l -> TensorSpec.canonicalName(TensorRole.GATE, l));
        off = perLayer(m, off, layers, d * hid, (int) d, l -> TensorSpec.canonicalName(TensorRole.DOWN, l));
        off = perLayer(m, off, layers, hid * d, (int) hid, l -> TensorSpec.canonicalName(TensorRole.UP, l));
        put(m, ModelArchitecture.outputNormName(), off, d, 1);
        off += 4 * d;
        off += 4L * h.seqLen() * h.headSize(); // freq_cis_real and freq_cis_imag: recomputed by the forward pass
        if (!h.tied()) {
            put(m, TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), off, h.vocabSize() * d, h.vocabSize());
            off += 4 * h.vocabSize() * d;
        }
        if (off != h.fileBytes()) throw new IllegalStateException("layout " + off + " != " + h.fileBytes() + " (bug)");
        return m;
    }

    private static long perLayer(Map<String, StoredWeights.Location> m, long off, int layers, long perLayer, int rows,
                                 java.util.function.IntFunction<String> name) {
        for (int l = 0; l < layers; l++) {
            put(m, name.apply(l), off + 4 * perLayer * l, perLayer, rows);
        }
        return off + 4 * perLayer * layers;
    }

    private static void put(Map<String, StoredWeights.Location> m, String name, long off, long count, int rows) {
        m.put(name, new StoredWeights.Location(0, off, count, org.edgefront.space.ggml.GgmlType.F32, rows, 0));
    }

    /** The file name without directories and extension, e.g. {@code stories260K}. */
    static String modelName(String uri) {
        String s = uri;
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        int slash = s.lastIndexOf('/');
        if (slash >= 0) s = s.substring(slash + 1);
        int dot = s.lastIndexOf('.');
        if (dot > 0) s = s.substring(0, dot);
        return s.isEmpty() ? "model" : s;
    }
}
