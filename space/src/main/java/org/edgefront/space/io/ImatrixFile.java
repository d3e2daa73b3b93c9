package org.edgefront.space.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * An importance matrix in llama.cpp's GGUF imatrix format, which {@code llama-quantize --imatrix} reads: per tensor
 * {@code <name>.in_sum2}, F32 of one value per input column, and {@code <name>.counts}, F32 {@code [1]}; keys
 * {@code imatrix.datasets}, {@code imatrix.chunk_count} and {@code imatrix.chunk_size}, without which llama-quantize
 * refuses the file. llama-quantize divides each sum by its count: EdgeFront writes its importances (mean squared
 * activations) as the sums with a count of 1, so the quantizer sees exactly the values EdgeFront quantized with.
 * Stateless.
 */
public final class ImatrixFile {
    private static final int GGML_F32 = 0;

    private ImatrixFile() {}

    /**
     * Writes the matrix to {@code out} (not closed).
     *
     * @param importance tensor name to its per-column importances, in the order written
     * @param chunks     calibration chunks (sequences) the importances came from
     * @param chunkSize  tokens per chunk (the longest sequence)
     * @param dataset    where the calibration text came from, recorded as {@code imatrix.datasets}
     */
    public static void write(OutputStream out, Map<String, float[]> importance, int chunks, int chunkSize, String dataset) throws IOException {
        GgufWriter w = new GgufWriter();
        w.string("general.type", "imatrix").strings("imatrix.datasets", List.of(dataset))
                .u32("imatrix.chunk_count", chunks).u32("imatrix.chunk_size", chunkSize);
        for (Map.Entry<String, float[]> e : importance.entrySet()) {
            w.tensor(e.getKey() + ".in_sum2", new long[] {e.getValue().length, 1}, GGML_F32, 4L * e.getValue().length);
            w.tensor(e.getKey() + ".counts", new long[] {1, 1}, GGML_F32, 4);
        }
        w.writeTo(out, (name, s) -> {
            boolean sums = name.endsWith(".in_sum2");
            float[] v = sums ? importance.get(name.substring(0, name.length() - ".in_sum2".length())) : new float[] {1f};
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putFloat(f);
            s.write(b.array());
        });
    }
}
