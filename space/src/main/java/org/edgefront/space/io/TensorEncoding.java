package org.edgefront.space.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Streams float arrays to a file in a storage type, a chunk at a time. Stateless. */
final class TensorEncoding {
    private static final int CHUNK_VALUES = 1 << 16;

    private TensorEncoding() { }

    static void write(OutputStream out, float[] v, StorageType type) throws IOException {
        int width = type.bytesPerValue();
        ByteBuffer b = ByteBuffer.allocate(Math.min(v.length, CHUNK_VALUES) * width + 1).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < v.length; start += CHUNK_VALUES) {
            int end = Math.min(v.length, start + CHUNK_VALUES);
            b.clear();
            for (int i = start; i < end; i++) {
                switch (type) {
                    case F32 -> b.putFloat(v[i]);
                    case F16 -> b.putShort(Half.fromFloat(v[i]));
                    case BF16 -> b.putShort(Half.bf16FromFloat(v[i]));
                    default -> throw new IllegalArgumentException(type.toString());
                }
            }
            out.write(b.array(), 0, b.position());
        }
    }
}
