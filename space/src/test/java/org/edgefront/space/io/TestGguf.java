package org.edgefront.space.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small GGUF v3 files for tests, field by field as the GGUF specification lays them out. Not thread-safe. */
public final class TestGguf {
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Object[]> tensors = new ArrayList<>();

    private static byte[] le(int bytes, long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }

    private static void str(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeBytes(le(8, b.length));
        o.writeBytes(b);
    }

    private TestGguf key(String k, int type) {
        str(kv, k);
        kv.writeBytes(le(4, type));
        kvCount++;
        return this;
    }

    public TestGguf string(String k, String v) {
        key(k, 8);
        str(kv, v);
        return this;
    }

    public TestGguf u32(String k, long v) {
        key(k, 4);
        kv.writeBytes(le(4, v));
        return this;
    }

    public TestGguf u16(String k, int v) {
        key(k, 2);
        kv.writeBytes(le(2, v));
        return this;
    }

    public TestGguf i32(String k, int v) {
        key(k, 5);
        kv.writeBytes(le(4, v));
        return this;
    }

    public TestGguf bool(String k, boolean v) {
        key(k, 7);
        kv.write(v ? 1 : 0);
        return this;
    }

    public TestGguf f32(String k, float v) {
        key(k, 6);
        kv.writeBytes(le(4, Float.floatToRawIntBits(v)));
        return this;
    }

    public TestGguf strings(String k, List<String> v) {
        key(k, 9);
        kv.writeBytes(le(4, 8));
        kv.writeBytes(le(8, v.size()));
        for (String s : v) str(kv, s);
        return this;
    }

    public TestGguf f32s(String k, float[] v) {
        key(k, 9);
        kv.writeBytes(le(4, 6));
        kv.writeBytes(le(8, v.length));
        for (float f : v) kv.writeBytes(le(4, Float.floatToRawIntBits(f)));
        return this;
    }

    public TestGguf i32s(String k, int[] v) {
        key(k, 9);
        kv.writeBytes(le(4, 5));
        kv.writeBytes(le(8, v.length));
        for (int x : v) kv.writeBytes(le(4, x));
        return this;
    }

    /** A tensor: ggml dims innermost first, ggml type id, and its stored bytes. */
    public TestGguf tensor(String name, long[] dims, int ggmlType, byte[] data) {
        tensors.add(new Object[] {name, dims, ggmlType, data});
        return this;
    }

    public Path write(Path p) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(le(4, 0x46554747));
        o.writeBytes(le(4, 3));
        o.writeBytes(le(8, tensors.size()));
        o.writeBytes(le(8, kvCount));
        o.writeBytes(kv.toByteArray());
        long offset = 0;
        for (Object[] t : tensors) {
            str(o, (String) t[0]);
            long[] dims = (long[]) t[1];
            o.writeBytes(le(4, dims.length));
            for (long d : dims) o.writeBytes(le(8, d));
            o.writeBytes(le(4, (int) t[2]));
            o.writeBytes(le(8, offset));
            offset += (((byte[]) t[3]).length + 31) / 32 * 32;
        }
        while (o.size() % 32 != 0) o.write(0);
        for (Object[] t : tensors) {
            byte[] d = (byte[]) t[3];
            o.writeBytes(d);
            for (int i = d.length; i % 32 != 0; i++) o.write(0);
        }
        Files.write(p, o.toByteArray());
        return p;
    }
}
