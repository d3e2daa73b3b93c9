package org.edgefront.jobs.llamacpp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.space.ggml.GgmlType;

/**
 * The tensor table of a GGUF file that llama.cpp wrote, for round-trip tests: every tensor's name, dims, ggml type
 * and data bytes, whatever the type (the model reader only decodes the types it needs). Test-only; reads the whole
 * header into memory (test files are small).
 */
final class GgufTensors {
    /** One tensor: ggml dims innermost first, ggml type id, its raw data. */
    record Tensor(String name, long[] dims, int type, byte[] data) {
        boolean matrix() { return dims.length == 2; }
    }

    /** ggml type names by id, as EdgeFront and llama-quantize spell them (lower case): ggml's own table. */
    static final Map<Integer, String> NAMES = names();

    private static Map<Integer, String> names() {
        Map<Integer, String> m = new java.util.HashMap<>();
        for (GgmlType t : GgmlType.values()) m.put(t.id(), t.ggmlName().toLowerCase(java.util.Locale.ROOT));
        return Map.copyOf(m);
    }

    private GgufTensors() {}

    static Map<String, Tensor> read(Path file) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (b.getInt() != 0x46554747) throw new IOException(file + " is not GGUF");
        b.getInt();
        long nTensors = b.getLong();
        long nKv = b.getLong();
        long alignment = 32;
        for (long i = 0; i < nKv; i++) {
            String key = string(b);
            int type = b.getInt();
            if (key.equals("general.alignment")) {
                alignment = b.getInt() & 0xffffffffL;
            } else {
                skip(b, type);
            }
        }
        record Info(String name, long[] dims, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = string(b);
            long[] dims = new long[b.getInt()];
            for (int d = 0; d < dims.length; d++) dims[d] = b.getLong();
            infos.add(new Info(name, dims, b.getInt(), b.getLong()));
        }
        long start = (b.position() + alignment - 1) / alignment * alignment;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Info i : infos) {
            GgmlType t = GgmlType.byId(i.type());
            if (t == null) throw new IOException(i.name() + ": ggml type " + i.type() + " not expected here");
            long count = Arrays.stream(i.dims()).reduce(1, (x, y) -> x * y);
            byte[] data = new byte[Math.toIntExact(t.bytesFor(count))];
            b.get(Math.toIntExact(start + i.offset()), data);
            out.put(i.name(), new Tensor(i.name(), i.dims(), i.type(), data));
        }
        return out;
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void skip(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5, 6 -> b.getInt();
            case 10, 11, 12 -> b.getLong();
            case 8 -> string(b);
            case 9 -> {
                int t = b.getInt();
                long n = b.getLong();
                for (long k = 0; k < n; k++) skip(b, t);
            }
            default -> throw new IllegalStateException("GGUF value type " + type);
        }
    }
}
