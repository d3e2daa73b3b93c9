package org.edgefront.space.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * Reader for GGUF checkpoints (llama.cpp), versions 2 and 3, little-endian. Tensors of type F32, F16,
 * BF16, Q8_0 and Q4_0 are dequantized to float when read, by byte range; other types are reported
 * by name. Architectures {@code llama} (also used for Mistral) and {@code qwen2} are supported.
 *
 * <p>GGUF already uses EdgeFront's canonical tensor names ({@code blk.N.attn_q.weight} ...). A 2-D
 * tensor's dims are {@code [ne0 = cols, ne1 = rows]}. llama.cpp's converter stores Llama q/k rows in
 * interleaved-pair order (as Meta and llama2.c do), so they are read as is; Qwen2 keeps Hugging Face's
 * rotate-half order (llama.cpp runs it with NEOX RoPE), so its q/k rows and biases are put back in
 * interleaved order, as {@link HuggingFaceModel} does.
 *
 * <p>Every count and length in the header is checked against the bytes left in the file (and a sane
 * limit) before anything is allocated from it. Stateless; the returned weights own the open file.
 */
public final class GgufFile {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;

    private static final long MAX_COUNT = 1L << 24;
    private static final long MAX_STRING = 1L << 24;
    private static final int MAX_ARRAY_DEPTH = 4;

    // GGUF metadata value types
    private static final int U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8,
            ARRAY = 9, U64 = 10, I64 = 11, F64 = 12;
    private static final int[] SCALAR_BYTES = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};

    private GgufFile() { }

    /** True when the file starts with the GGUF magic. */
    public static boolean hasMagic(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            return r.length() >= 4 && r.readLittleEndian(0, 4).getInt(0) == MAGIC;
        }
    }

    /** Opens a GGUF checkpoint with a default Hadoop configuration. */
    public static ModelWeights open(String uri) throws IOException {
        return open(uri, new Configuration());
    }

    /**
     * Opens a GGUF checkpoint.
     *
     * @throws InvalidInputException naming the file and the key, tensor or byte offset at fault
     */
    public static ModelWeights open(String uri, Configuration conf) throws IOException {
        return HadoopFiles.openWith(uri, conf, GgufFile::parse);
    }

    /**
     * A GGUF file's header without its tensors' data: what a simulator needs to describe a model of any architecture
     * (MoE and others that {@link #open} cannot run). Immutable.
     *
     * @param file          where it was read from
     * @param numbers       integer, float and boolean metadata by key
     * @param strings       string metadata by key
     * @param arrayLengths  array metadata by key: element count only
     * @param tensorDims    tensor name to ggml dims (innermost first: {@code [cols, rows]} for matrices)
     * @param tensorBytes   tensor name to stored bytes, for the types EdgeFront knows (absent otherwise)
     */
    public record Header(String file, Map<String, Double> numbers, Map<String, String> strings, Map<String, Long> arrayLengths,
                         Map<String, List<Long>> tensorDims, Map<String, Long> tensorBytes) {
        public Header {
            numbers = Map.copyOf(numbers);
            strings = Map.copyOf(strings);
            arrayLengths = Map.copyOf(arrayLengths);
            tensorDims = Map.copyOf(tensorDims);
            tensorBytes = Map.copyOf(tensorBytes);
        }
    }

    /**
     * Reads only the header (metadata and tensor table) of a GGUF file; every count and length checked as in
     * {@link #open}. The file is closed before returning.
     *
     * @throws InvalidInputException naming the file and the key or offset at fault
     */
    public static Header header(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            String f = r.source();
            Cursor c = new Cursor(r);
            if (r.length() < 24) throw new InvalidInputException(f, "header", "file has " + r.length() + " bytes, fewer than a GGUF header (truncated?)");
            if (c.u32() != MAGIC) throw new InvalidInputException(f, "magic (offset 0)", "not a GGUF file");
            long version = c.u32();
            if (version != 2 && version != 3) throw new InvalidInputException(f, "version (offset 4)", "GGUF version " + version + " is not supported (2 and 3 are)");
            long tensorCount = c.count("tensor_count (offset 8)", 24);
            long kvCount = c.count("metadata_kv_count (offset 16)", 13);
            Map<String, Double> numbers = new HashMap<>();
            Map<String, String> strings = new HashMap<>();
            Map<String, Long> arrays = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = c.pos;
                String key = c.string("metadata key " + i);
                int type = (int) c.u32();
                Meta m = c.value(key, type, at, 0);
                if (m.type() == STRING) strings.put(key, m.text());
                else if (m.type() == ARRAY) arrays.put(key, m.arrayLength());
                else numbers.put(key, m.number());
            }
            Map<String, List<Long>> dims = new LinkedHashMap<>();
            Map<String, Long> bytes = new HashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = c.string("tensor " + i + " name");
                long nDims = c.u32();
                if (nDims < 1 || nDims > 4) throw new InvalidInputException(f, name + " n_dims (offset " + (c.pos - 4) + ")", "value " + nDims + " is not 1..4");
                List<Long> d = new ArrayList<>();
                long count = 1;
                for (int k = 0; k < nDims; k++) {
                    long v = c.u64();
                    if (v < 1 || v > (1L << 40)) throw new InvalidInputException(f, name + " dims (offset " + (c.pos - 8) + ")", "dimension " + v + " is out of range");
                    d.add(v);
                    count = count > (1L << 50) / v ? -1 : count * v;
                }
                StorageType st = ggmlType(c.u32());
                c.u64(); // offset
                dims.put(name, List.copyOf(d));
                if (st != null && count > 0 && d.get(0) % st.blockValues() == 0) bytes.put(name, st.bytesFor(count));
            }
            return new Header(f, numbers, strings, arrays, dims, bytes);
        }
    }

    /** A metadata value we may need: numbers, booleans, strings; arrays by length only. */
    private record Meta(int type, double number, String text, long arrayLength, long offset) { }

    /**
     * One tensor's header entry.
     *
     * @param dims   ggml dims, innermost first ({@code [cols, rows]} for matrices)
     * @param type   storage type
     * @param offset byte offset relative to the data section
     */
    private record Info(String name, List<Long> dims, long ggmlType, StorageType type, long offset, long count, long bytes) { }

    private static ModelWeights parse(RangeReader r) throws IOException {
        String f = r.source();
        Cursor c = new Cursor(r);
        if (r.length() < 24) throw new InvalidInputException(f, "header", "file has " + r.length() + " bytes, fewer than a GGUF header (truncated?)");
        if (c.u32() != MAGIC) throw new InvalidInputException(f, "magic (offset 0)", "not a GGUF file");
        long version = c.u32();
        if (version != 2 && version != 3) {
            String why = version > 0xffff ? "big-endian GGUF is not supported" : "GGUF version " + version + " is not supported (2 and 3 are)";
            throw new InvalidInputException(f, "version (offset 4)", why);
        }
        long tensorCount = c.count("tensor_count (offset 8)", 24);
        long kvCount = c.count("metadata_kv_count (offset 16)", 13);

        Map<String, Meta> meta = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = c.pos;
            String key = c.string("metadata key " + i);
            int type = (int) c.u32();
            meta.put(key, c.value(key, type, at, 0));
        }
        Map<String, Info> byName = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = c.pos;
            String name = c.string("tensor " + i + " name");
            long nDims = c.u32();
            if (nDims < 1 || nDims > 4) throw new InvalidInputException(f, name + " n_dims (offset " + (c.pos - 4) + ")", "value " + nDims + " is not 1..4");
            List<Long> dims = new ArrayList<>();
            long count = 1;
            for (int d = 0; d < nDims; d++) {
                long v = c.u64();
                if (v < 1 || v > (1L << 40)) throw new InvalidInputException(f, name + " dims (offset " + (c.pos - 8) + ")", "dimension " + v + " is out of range");
                dims.add(v);
                try {
                    count = Math.multiplyExact(count, v);
                } catch (ArithmeticException e) {
                    throw new InvalidInputException(f, name + " dims", "dimensions " + dims + " overflow");
                }
            }
            long ggmlType = c.u32();
            long offset = c.u64();
            StorageType st = ggmlType(ggmlType);
            long bytes = -1;
            if (st != null) {
                if (dims.get(0) % st.blockValues() != 0) {
                    throw new InvalidInputException(f, name, "row length " + dims.get(0) + " is not a multiple of the " + st + " block of " + st.blockValues());
                }
                bytes = st.bytesFor(count);
                if (bytes < 0) throw new InvalidInputException(f, name + " dims", "dimensions " + dims + " overflow");
            }
            // a tensor of an unsupported type is only an error if the model needs it
            Info info = new Info(name, dims, ggmlType, st, offset, count, bytes);
            if (byName.put(name, info) != null) throw new InvalidInputException(f, name + " (offset " + at + ")", "duplicate tensor name");
        }
        long alignment = 32;
        Meta al = meta.get("general.alignment");
        if (al != null) {
            alignment = (long) al.number();
            if (!isInteger(al) || alignment < 1 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
                throw new InvalidInputException(f, "general.alignment", "value " + al.number() + " is not a power of two up to 1 MiB");
            }
        }
        long dataStart = (c.pos + alignment - 1) / alignment * alignment;
        if (dataStart > r.length()) throw new InvalidInputException(f, "data (offset " + dataStart + ")", "file ends before the tensor data (truncated?)");
        long dataBytes = r.length() - dataStart;
        List<Info> sorted = new ArrayList<>();
        for (Info i : byName.values()) if (i.type() != null) sorted.add(i);
        for (Info i : sorted) {
            if (i.offset() % alignment != 0) throw new InvalidInputException(f, i.name() + " offset", "offset " + i.offset() + " is not aligned to " + alignment);
            if (i.offset() > dataBytes || i.bytes() > dataBytes - i.offset()) {
                throw new InvalidInputException(f, i.name() + " offset", "data [" + i.offset() + ", +" + i.bytes() + ") lies beyond the "
                        + dataBytes + " bytes of tensor data (truncated?)");
            }
        }
        sorted.sort(Comparator.comparingLong(Info::offset));
        for (int k = 1; k < sorted.size(); k++) {
            Info a = sorted.get(k - 1);
            Info b = sorted.get(k);
            if (b.offset() < a.offset() + a.bytes()) throw new InvalidInputException(f, b.name() + " offset", "data overlaps tensor " + a.name());
        }

        String archName = text(f, meta, "general.architecture");
        ArchitectureFamily family = switch (archName) {
            case "llama" -> ArchitectureFamily.LLAMA;
            case "qwen2" -> ArchitectureFamily.QWEN2;
            default -> throw new InvalidInputException(f, "general.architecture", "architecture " + archName + " is not supported (llama, qwen2 are)");
        };
        String p = archName + ".";
        int dim = positiveInt(f, meta, p + "embedding_length");
        int hidden = positiveInt(f, meta, p + "feed_forward_length");
        int layers = positiveInt(f, meta, p + "block_count");
        int heads = positiveInt(f, meta, p + "attention.head_count");
        int kvHeads = meta.containsKey(p + "attention.head_count_kv") ? positiveInt(f, meta, p + "attention.head_count_kv") : heads;
        int ctx = positiveInt(f, meta, p + "context_length");
        double eps = meta.containsKey(p + "attention.layer_norm_rms_epsilon") ? number(f, meta, p + "attention.layer_norm_rms_epsilon") : 1e-5;
        double theta = meta.containsKey(p + "rope.freq_base") ? number(f, meta, p + "rope.freq_base") : 10000.0;
        if (meta.containsKey(p + "rope.scaling.type") && !"none".equals(meta.get(p + "rope.scaling.type").text())) {
            throw new InvalidInputException(f, p + "rope.scaling.type", "RoPE scaling is not supported yet");
        }
        if (dim % heads != 0) throw new InvalidInputException(f, p + "attention.head_count", heads + " does not divide embedding_length " + dim);
        if (kvHeads > heads || heads % kvHeads != 0) throw new InvalidInputException(f, p + "attention.head_count_kv", kvHeads + " does not divide head_count " + heads);
        if ((dim / heads) % 2 != 0) throw new InvalidInputException(f, p + "attention.head_count", "head size " + dim / heads + " is odd; RoPE needs pairs");
        if (eps <= 0 || theta <= 0) throw new InvalidInputException(f, p + "attention.layer_norm_rms_epsilon", "epsilon and RoPE base must be positive");
        Info embd = byName.get("token_embd.weight");
        if (embd == null) throw new InvalidInputException(f, "token_embd.weight", "missing tensor");
        int vocab;
        if (meta.containsKey(p + "vocab_size")) {
            vocab = positiveInt(f, meta, p + "vocab_size");
        } else if (embd.dims().size() == 2 && embd.dims().get(1) <= Integer.MAX_VALUE) {
            vocab = (int) (long) embd.dims().get(1);
        } else {
            throw new InvalidInputException(f, "token_embd.weight", "dims " + embd.dims() + " are not [dim, vocab]");
        }
        boolean tied = !byName.containsKey("output.weight");
        String name = meta.containsKey("general.name") && meta.get("general.name").text() != null && !meta.get("general.name").text().isBlank()
                ? meta.get("general.name").text() : Llama2cCheckpoint.modelName(f);
        ModelArchitecture arch = ModelArchitecture.of(name, family, dim, hidden, layers, heads, kvHeads, vocab, ctx, tied, eps, theta, false);

        Map<String, StoredWeights.Location> locs = new LinkedHashMap<>();
        boolean rotateHalf = family == ArchitectureFamily.QWEN2;
        for (HuggingFaceModel.HfTensor t : HuggingFaceModel.tensorMap(arch)) {
            Info i = byName.get(t.canonical());
            if (i == null) throw new InvalidInputException(f, t.canonical(), "missing tensor");
            List<Long> expected = t.cols() < 0 ? List.of((long) t.rows()) : List.of((long) t.cols(), (long) t.rows());
            if (!i.dims().equals(expected)) {
                throw new InvalidInputException(f, t.canonical(), "dims " + i.dims() + " but the metadata implies " + expected + " (ggml order)");
            }
            if (i.type() == null) {
                throw new InvalidInputException(f, t.canonical(), "ggml type " + typeName(i.ggmlType()) + " is not supported yet (F32, F16, BF16, Q8_0, Q4_0 are)");
            }
            if (i.count() > Integer.MAX_VALUE - 8) throw new InvalidInputException(f, t.canonical(), "tensor of " + i.count() + " values is too large to read into one array");
            locs.put(t.canonical(), new StoredWeights.Location(0, dataStart + i.offset(), i.count(), i.type(), t.rows(),
                    rotateHalf ? t.ropeHeads() : 0));
        }
        return new StoredWeights(arch, f, List.of(r), locs);
    }

    private static StorageType ggmlType(long t) {
        return switch ((int) t) {
            case 0 -> StorageType.F32;
            case 1 -> StorageType.F16;
            case 2 -> StorageType.Q4_0;
            case 8 -> StorageType.Q8_0;
            case 30 -> StorageType.BF16;
            default -> null;
        };
    }

    private static String typeName(long t) {
        String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K",
            "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
            "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
        return t >= 0 && t < names.length ? names[(int) t] : "#" + t;
    }

    private static boolean isInteger(Meta m) {
        return m.type() == U8 || m.type() == I8 || m.type() == U16 || m.type() == I16 || m.type() == U32 || m.type() == I32
                || m.type() == U64 || m.type() == I64;
    }

    private static Meta need(String f, Map<String, Meta> meta, String key) {
        Meta m = meta.get(key);
        if (m == null) throw new InvalidInputException(f, key, "missing metadata key");
        return m;
    }

    private static int positiveInt(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (!isInteger(m) || m.number() < 1 || m.number() > Integer.MAX_VALUE) {
            throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a positive 32-bit integer");
        }
        return (int) m.number();
    }

    private static double number(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (!isInteger(m) && m.type() != F32 && m.type() != F64) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a number");
        return m.number();
    }

    private static String text(String f, Map<String, Meta> meta, String key) {
        Meta m = need(f, meta, key);
        if (m.type() != STRING) throw new InvalidInputException(f, key + " (offset " + m.offset() + ")", "value is not a string");
        return m.text();
    }

    /** Sequential little-endian reads through a 64 KiB window, every length checked against the file. */
    private static final class Cursor {
        private final RangeReader r;
        private final byte[] window = new byte[1 << 16];
        private final ByteBuffer wb = ByteBuffer.wrap(window).order(ByteOrder.LITTLE_ENDIAN);
        private long windowStart = 0;
        private int windowLen = 0;
        long pos = 0;

        Cursor(RangeReader r) { this.r = r; }

        private void need(int n, String what) throws IOException {
            if (pos + n > r.length()) {
                throw new InvalidInputException(r.source(), what + " (offset " + pos + ")", "file ends early (truncated?)");
            }
            if (pos < windowStart || pos + n > windowStart + windowLen) {
                windowStart = pos;
                windowLen = (int) Math.min(window.length, r.length() - pos);
                r.readFully(pos, window, 0, windowLen);
            }
        }

        long u32() throws IOException {
            need(4, "value");
            long v = wb.getInt((int) (pos - windowStart)) & 0xffffffffL;
            pos += 4;
            return v;
        }

        long u64() throws IOException {
            need(8, "value");
            long v = wb.getLong((int) (pos - windowStart));
            pos += 8;
            return v;
        }

        /** A count, bounded by a sane limit and by the bytes left at {@code minBytesEach} per item. */
        long count(String what, long minBytesEach) throws IOException {
            long at = pos;
            long v = u64();
            long left = r.length() - pos;
            if (v < 0 || v > MAX_COUNT || v > left / minBytesEach) {
                throw new InvalidInputException(r.source(), what.contains("offset") ? what : what + " (offset " + at + ")",
                        "count " + Long.toUnsignedString(v) + " is impossible for the " + left + " bytes left in the file");
            }
            return v;
        }

        String string(String what) throws IOException {
            long at = pos;
            long len = u64();
            if (len < 0 || len > MAX_STRING || len > r.length() - pos) {
                throw new InvalidInputException(r.source(), what + " (offset " + at + ")", "string length " + Long.toUnsignedString(len)
                        + " is impossible (limit " + MAX_STRING + ", " + (r.length() - pos) + " bytes left)");
            }
            byte[] b = new byte[(int) len];
            if (len <= window.length) {
                need((int) len, what);
                System.arraycopy(window, (int) (pos - windowStart), b, 0, (int) len);
            } else {
                r.readFully(pos, b, 0, (int) len);
            }
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        Meta value(String key, int type, long at, int depth) throws IOException {
            String where = "metadata key '" + key + "'";
            switch (type) {
                case U8, I8, U16, I16, U32, I32, BOOL, U64, I64 -> {
                    int n = SCALAR_BYTES[type];
                    need(n, where);
                    int o = (int) (pos - windowStart);
                    long v = switch (type) {
                        case U8, BOOL -> window[o] & 0xff;
                        case I8 -> window[o];
                        case U16 -> wb.getShort(o) & 0xffff;
                        case I16 -> wb.getShort(o);
                        case U32 -> wb.getInt(o) & 0xffffffffL;
                        case I32 -> wb.getInt(o);
                        default -> wb.getLong(o);
                    };
                    pos += n;
                    // a uint64 above Long.MAX_VALUE reads negative and fails every positivity check, as it should
                    return new Meta(type, v, null, 0, at);
                }
                case F32 -> {
                    need(4, where);
                    float v = wb.getFloat((int) (pos - windowStart));
                    pos += 4;
                    // the shortest decimal of the float: an epsilon stored as f32 1e-5 reads back as 1e-5, not 9.99999974738e-6
                    return new Meta(type, Double.parseDouble(Float.toString(v)), null, 0, at);
                }
                case F64 -> {
                    need(8, where);
                    double v = wb.getDouble((int) (pos - windowStart));
                    pos += 8;
                    return new Meta(type, v, null, 0, at);
                }
                case STRING -> {
                    return new Meta(type, 0, string(where), 0, at);
                }
                case ARRAY -> {
                    if (depth >= MAX_ARRAY_DEPTH) throw new InvalidInputException(r.source(), where + " (offset " + at + ")", "arrays nested too deep");
                    int elemType = (int) u32();
                    if (elemType < 0 || elemType > F64) {
                        throw new InvalidInputException(r.source(), where + " (offset " + (pos - 4) + ")", "unknown array element type " + elemType);
                    }
                    long minBytes = elemType == STRING || elemType == ARRAY ? 8 : SCALAR_BYTES[elemType];
                    long n = count(where + " array length", minBytes);
                    if (elemType != STRING && elemType != ARRAY) {
                        pos += n * SCALAR_BYTES[elemType]; // skipped: checked against the file by count()
                    } else {
                        for (long i = 0; i < n; i++) value(key, elemType, pos, depth + 1);
                    }
                    return new Meta(type, 0, null, n, at);
                }
                default -> throw new InvalidInputException(r.source(), where + " (offset " + (pos - 4) + ")", "unknown value type " + type);
            }
        }
    }
}
