package org.edgefront.nativert;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * GGUF v3 headers without tensor data, for tests of what is read from a GGUF's metadata and tensor shapes: string keys,
 * u32 keys, then F32 tensor infos (dimensions in ggml's order, innermost first). Stateless.
 */
final class HeaderOnlyGguf {
    private HeaderOnlyGguf() {}

    /** One tensor's name and dimensions, innermost first. */
    record Tensor(String name, long... dims) { }

    /**
     * @param strings string keys in order ({@code general.architecture} first, as llama.cpp writes it)
     * @param u32     u32 keys in order
     * @param tensors tensor infos in order
     */
    static byte[] of(Map<String, String> strings, Map<String, Long> u32, List<Tensor> tensors) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        write(o, le(4).putInt(0x46554747).array());         // "GGUF"
        write(o, le(4).putInt(3).array());
        write(o, le(8).putLong(tensors.size()).array());
        write(o, le(8).putLong(strings.size() + u32.size()).array());
        for (Map.Entry<String, String> kv : strings.entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(8).array());               // string
            str(o, kv.getValue());
        }
        for (Map.Entry<String, Long> kv : u32.entrySet()) {
            str(o, kv.getKey());
            write(o, le(4).putInt(4).array());               // u32
            write(o, le(4).putInt(kv.getValue().intValue()).array());
        }
        for (Tensor t : tensors) {
            str(o, t.name());
            write(o, le(4).putInt(t.dims().length).array());
            for (long d : t.dims()) write(o, le(8).putLong(d).array());
            write(o, le(4).putInt(0).array());               // F32
            write(o, le(8).putLong(0).array());              // offset
        }
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
