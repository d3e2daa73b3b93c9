package org.edgefront.nativert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * GGUF v3 headers without tensor data, for tests of what is read from a GGUF's metadata and tensor shapes: string keys,
 * u32 keys, u32 arrays and f32 keys, then F32 tensor infos (dimensions in ggml's order, innermost first); and the same
 * as a file llama.cpp's loader accepts, whose F32 data section is a hole of the right size (a sparse file: tools that
 * only decide, such as {@code llama-quantize --dry-run}, never read it). Stateless.
 */
public final class HeaderOnlyGguf {
    private HeaderOnlyGguf() {}

    /**
     * The attention keys llama.cpp's converter writes for a {@code deepseek2} model with latent attention {@code la} of
     * {@code heads} heads: converted for MLA ({@link org.edgefront.nativert.LatentAttention#absorbed()}), the cache's view
     * is one K/V head of the latent ({@code key_length} kv_lora_rank + rope, {@code value_length} kv_lora_rank) and the
     * heads' widths are the {@code _mla} keys; a legacy file states the heads' own widths.
     */
    public static void latentAttentionKeys(Map<String, Long> u32, org.edgefront.nativert.LatentAttention la, int heads) {
        String p = "deepseek2.";
        u32.put(p + "attention.head_count", (long) heads);
        u32.put(p + "attention.head_count_kv", la.absorbed() ? 1L : heads);
        u32.put(p + "attention.key_length", (long) (la.absorbed() ? la.kvLoraRank() + la.qkRopeHeadDim() : la.qkHeadDim()));
        u32.put(p + "attention.value_length", (long) (la.absorbed() ? la.kvLoraRank() : la.vHeadDim()));
        if (la.absorbed()) {
            u32.put(p + "attention.key_length_mla", (long) la.qkHeadDim());
            u32.put(p + "attention.value_length_mla", (long) la.vHeadDim());
        }
        u32.put(p + "attention.q_lora_rank", (long) la.qLoraRank());
        u32.put(p + "attention.kv_lora_rank", (long) la.kvLoraRank());
        u32.put(p + "rope.dimension_count", (long) la.qkRopeHeadDim());
    }

    /** ggml's default data alignment (general.alignment). */
    private static final int ALIGNMENT = 32;

    /** One tensor's name and dimensions, innermost first. */
    public record Tensor(String name, long... dims) {
        long f32Bytes() {
            long n = 4;
            for (long d : dims) n *= d;
            return n;
        }
    }

    /** Typed metadata, written in this order: strings, u32, u32 arrays, f32. */
    public record Keys(Map<String, String> strings, Map<String, Long> u32, Map<String, long[]> u32Arrays, Map<String, Float> f32) {
        public Keys(Map<String, String> strings, Map<String, Long> u32) {
            this(strings, u32, Map.of(), Map.of());
        }

        int count() { return strings.size() + u32.size() + u32Arrays.size() + f32.size(); }
    }

    /**
     * @param strings string keys in order ({@code general.architecture} first, as llama.cpp writes it)
     * @param u32     u32 keys in order
     * @param tensors tensor infos in order
     */
    public static byte[] of(Map<String, String> strings, Map<String, Long> u32, List<Tensor> tensors) {
        return header(new Keys(strings, u32), tensors, false);
    }

    /**
     * Writes {@code file}: the header with each tensor's real, aligned data offset, padded to the alignment, then a hole
     * as long as the F32 data, so the loader's bounds checks pass without the bytes being written.
     */
    public static void loadable(Path file, Keys keys, List<Tensor> tensors) throws IOException {
        byte[] h = header(keys, tensors, true);
        long data = 0;
        for (Tensor t : tensors) data = align(data) + t.f32Bytes();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(h);
            f.setLength(h.length + data);
        }
    }

    private static long align(long n) { return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    private static byte[] header(Keys keys, List<Tensor> tensors, boolean offsets) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        write(o, le(4).putInt(0x46554747).array());         // "GGUF"
        write(o, le(4).putInt(3).array());
        write(o, le(8).putLong(tensors.size()).array());
        write(o, le(8).putLong(keys.count()).array());
        for (Map.Entry<String, String> kv : keys.strings().entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(8).array());               // string
            str(o, kv.getValue());
        }
        for (Map.Entry<String, Long> kv : keys.u32().entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(4).array());               // u32
            write(o, le(4).putInt(kv.getValue().intValue()).array());
        }
        for (Map.Entry<String, long[]> kv : keys.u32Arrays().entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(9).array());               // array
            write(o, le(4).putInt(4).array());               // of u32
            write(o, le(8).putLong(kv.getValue().length).array());
            for (long v : kv.getValue()) write(o, le(4).putInt((int) v).array());
        }
        for (Map.Entry<String, Float> kv : keys.f32().entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(6).array());               // f32
            write(o, le(4).putFloat(kv.getValue()).array());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            str(o, t.name());
            write(o, le(4).putInt(t.dims().length).array());
            for (long d : t.dims()) write(o, le(8).putLong(d).array());
            write(o, le(4).putInt(0).array());               // F32
            offset = offsets ? align(offset) : 0;
            write(o, le(8).putLong(offset).array());
            if (offsets) offset += t.f32Bytes();
        }
        if (offsets) while (o.size() % ALIGNMENT != 0) o.write(0);
        return o.toByteArray();
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    private static void str(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        write(o, le(8).putLong(b.length).array());
        write(o, b);
    }

    private static void write(ByteArrayOutputStream o, byte[] b) { o.write(b, 0, b.length); }
}
