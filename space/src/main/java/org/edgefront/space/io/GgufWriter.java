package org.edgefront.space.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF file (version 3, little-endian, 32-byte alignment): metadata key-value pairs, tensor infos, then
 * each tensor's bytes at an aligned offset. The caller declares every tensor (name, ggml dims innermost first,
 * ggml type id, byte size) first, then streams the data tensor by tensor in declaration order, so a model larger
 * than the heap can be written. Not thread-safe; one writer writes one file.
 *
 * <p>Layout (GGUF specification, docs/gguf.md in ggml): {@code "GGUF" u32 version, u64 tensor_count,
 * u64 kv_count}, the pairs ({@code string key, u32 value type, value}; strings are {@code u64 length + UTF-8}),
 * the infos ({@code string name, u32 n_dims, u64 dims[n_dims], u32 ggml type, u64 offset from the data start}),
 * padding to the alignment, the data.
 */
public final class GgufWriter {
    private static final int ALIGNMENT = 32;
    private static final int T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7, T_STRING = 8, T_ARRAY = 9;

    /** One declared tensor. */
    private record Info(String name, long[] dims, int type, long bytes, long offset) {}

    private final Map<String, byte[]> meta = new LinkedHashMap<>();
    private final List<Info> tensors = new ArrayList<>();
    private long dataBytes;

    /** Adds a string value. */
    public GgufWriter string(String key, String value) {
        ByteBuffer b = buffer(4 + 8 + utf8(value).length);
        b.putInt(T_STRING);
        putString(b, value);
        return put(key, b);
    }

    /** Adds a uint32 value. */
    public GgufWriter u32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) throw new IllegalArgumentException(key + ": " + value + " is not a uint32");
        return put(key, buffer(8).putInt(T_U32).putInt((int) value));
    }

    /** Adds a float32 value. */
    public GgufWriter f32(String key, float value) {
        return put(key, buffer(8).putInt(T_F32).putFloat(value));
    }

    /** Adds a boolean value. */
    public GgufWriter bool(String key, boolean value) {
        return put(key, buffer(5).putInt(T_BOOL).put((byte) (value ? 1 : 0)));
    }

    /** Adds an array of strings. */
    public GgufWriter strings(String key, List<String> values) {
        int n = 16;
        for (String v : values) n += 8 + utf8(v).length;
        ByteBuffer b = buffer(n).putInt(T_ARRAY).putInt(T_STRING).putLong(values.size());
        for (String v : values) putString(b, v);
        return put(key, b);
    }

    /** Adds an array of float32. */
    public GgufWriter f32s(String key, float[] values) {
        ByteBuffer b = buffer(16 + 4L * values.length).putInt(T_ARRAY).putInt(T_F32).putLong(values.length);
        for (float v : values) b.putFloat(v);
        return put(key, b);
    }

    /** Adds an array of int32. */
    public GgufWriter i32s(String key, int[] values) {
        ByteBuffer b = buffer(16 + 4L * values.length).putInt(T_ARRAY).putInt(T_I32).putLong(values.length);
        for (int v : values) b.putInt(v);
        return put(key, b);
    }

    /**
     * Adds a value already in GGUF encoding (u32 value type, then the value), as {@link GgufFile#rawMetadata} reads
     * it from another file: copied byte for byte, so arrays of any element type survive unchanged.
     */
    public GgufWriter raw(String key, byte[] typedValue) {
        if (typedValue.length < 4) throw new IllegalArgumentException(key + ": an encoded value has at least its 4-byte type");
        return put(key, ByteBuffer.wrap(typedValue.clone()));
    }

    /**
     * Declares the next tensor.
     *
     * @param dims  ggml dims, innermost first ({@code [cols, rows]} for a matrix)
     * @param type  ggml type id (the registry row's, {@code NamedFormat.ggmlType()})
     * @param bytes exact byte size of its data
     */
    public GgufWriter tensor(String name, long[] dims, int type, long bytes) {
        Objects.requireNonNull(name, "name");
        if (dims.length < 1 || dims.length > 4 || bytes < 0) throw new IllegalArgumentException("bad tensor " + name);
        for (Info i : tensors) if (i.name().equals(name)) throw new IllegalArgumentException("tensor " + name + " declared twice");
        tensors.add(new Info(name, dims.clone(), type, bytes, dataBytes));
        dataBytes = align(dataBytes + bytes);
        return this;
    }

    /** Supplies a tensor's bytes, in any number of {@code write} calls that add up to its declared size. */
    @FunctionalInterface
    public interface TensorData {
        void write(String name, OutputStream out) throws IOException;
    }

    /**
     * Writes the header, the infos and, tensor by tensor in declaration order, the data that {@code data} streams.
     *
     * @throws IOException from the stream, or when a tensor's streamed size differs from its declared size
     */
    public void writeTo(OutputStream out, TensorData data) throws IOException {
        ByteBuffer head = buffer(24).putInt(GgufFile.MAGIC).putInt(3).putLong(tensors.size()).putLong(meta.size());
        out.write(head.array());
        long written = 24;
        for (Map.Entry<String, byte[]> e : meta.entrySet()) {
            byte[] key = utf8(e.getKey());
            out.write(buffer(8).putLong(key.length).array());
            out.write(key);
            out.write(e.getValue());
            written += 8 + key.length + e.getValue().length;
        }
        for (Info i : tensors) {
            byte[] name = utf8(i.name());
            ByteBuffer b = buffer(8 + name.length + 4 + 8L * i.dims().length + 4 + 8);
            b.putLong(name.length).put(name).putInt(i.dims().length);
            for (long d : i.dims()) b.putLong(d);
            b.putInt(i.type()).putLong(i.offset());
            out.write(b.array());
            written += b.capacity();
        }
        out.write(new byte[(int) (align(written) - written)]);
        for (Info i : tensors) {
            CountingStream c = new CountingStream(out);
            data.write(i.name(), c);
            if (c.count != i.bytes()) throw new IOException("tensor " + i.name() + ": wrote " + c.count + " bytes, declared " + i.bytes());
            out.write(new byte[(int) (align(i.bytes()) - i.bytes())]);
        }
    }

    private GgufWriter put(String key, ByteBuffer value) {
        Objects.requireNonNull(key, "key");
        meta.put(key, value.array());
        return this;
    }

    private static long align(long n) { return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static ByteBuffer buffer(long n) { return ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN); }

    private static void putString(ByteBuffer b, String s) {
        byte[] u = utf8(s);
        b.putLong(u.length).put(u);
    }

    /** Counts what passes through, without closing the underlying stream. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) { this.out = out; }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
