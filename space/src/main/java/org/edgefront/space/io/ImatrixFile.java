package org.edgefront.space.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;

/**
 * An importance matrix in llama.cpp's GGUF imatrix format, which {@code llama-quantize --imatrix} reads: per tensor
 * {@code <name>.in_sum2}, F32 of one value per input column, and {@code <name>.counts}, F32 {@code [1]}; keys
 * {@code imatrix.datasets}, {@code imatrix.chunk_count} and {@code imatrix.chunk_size}, without which llama-quantize
 * refuses the file. llama-quantize divides each sum by its count: EdgeFront writes its importances (mean squared
 * activations) as the sums with a count of 1, so the quantizer sees exactly the values EdgeFront quantized with; and it
 * reads any such file (one that llama-imatrix wrote, or that is published beside a GGUF) as llama-quantize does, so a file
 * quantized with it can be simulated. Stateless.
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

    /**
     * Reads a GGUF importance matrix as llama-quantize's {@code load_imatrix} does: per tensor, {@code in_sum2} divided by
     * its {@code counts} (one count per expert slice; a slice with no count gets 1 everywhere).
     *
     * @throws InvalidInputException naming the file and tensor for a file that is not a GGUF imatrix, a sum without its
     *                               counts, or sums that the counts do not divide
     */
    public static Map<String, float[]> read(String uri, Configuration conf) throws IOException {
        if (HadoopFiles.statusOrNull(uri, conf) == null) throw new InvalidInputException(uri, "(file)", "does not exist");
        if (!GgufFile.hasMagic(uri, conf)) {
            throw new InvalidInputException(uri, "magic", "not a GGUF importance matrix (the legacy .dat format is not read; llama-imatrix "
                    + "--output-format gguf converts it)");
        }
        Map<String, float[]> t = GgufFile.f32Tensors(uri, conf, List.of(SUMS, COUNTS));
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : t.entrySet()) {
            if (!e.getKey().endsWith(SUMS)) continue;
            String name = e.getKey().substring(0, e.getKey().length() - SUMS.length());
            float[] sums = e.getValue();
            float[] counts = t.get(name + COUNTS);
            if (counts == null || counts.length == 0) throw new InvalidInputException(uri, name + COUNTS, "missing: every " + SUMS + " needs its counts");
            if (sums.length % counts.length != 0) {
                throw new InvalidInputException(uri, e.getKey(), sums.length + " sums are not a whole number of the " + counts.length + " slices its counts give");
            }
            int ne0 = sums.length / counts.length;
            float[] v = new float[sums.length];
            for (int j = 0; j < counts.length; j++) {
                float count = (float) Math.round(counts[j]);
                for (int i = 0; i < ne0; i++) v[j * ne0 + i] = count > 0 ? sums[j * ne0 + i] / count : 1;
            }
            out.put(name, v);
        }
        if (out.isEmpty()) throw new InvalidInputException(uri, "tensors", "no " + SUMS + " tensors: not an importance matrix");
        return out;
    }

    private static final String SUMS = ".in_sum2";
    private static final String COUNTS = ".counts";
}
