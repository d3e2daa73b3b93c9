package org.edgefront.evaluators.quality;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J float arrays and Java arrays reused across the layers of a chunk and, through its {@link ScratchPool}, across
 * chunks and passes of the same shapes, keyed by role and shape. Allocating an ND4J buffer costs about as much as a
 * chunk-sized GEMM (JavaCPP's allocation accounting), and a freed buffer of more than a few MiB goes back to the operating
 * system, which zeroes its pages again on the next first touch (a quarter of an evaluation's time at the 135M shape on
 * two cores), so buffers live as long as the next chunk still asks for their shape. Used by one computation at a time
 * (not thread-safe). An array handed out stays valid, and may be overwritten by the next request for the same role and
 * shape, until the next {@link #beginChunk()} that finds it unused in the chunk before, or {@link #close()}.
 */
final class NdScratch implements AutoCloseable {
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final Map<String, float[]> javaArrays = new HashMap<>();
    /** Keys requested since the last {@link #beginChunk()}. */
    private final java.util.Set<String> used = new java.util.HashSet<>();
    /** Where {@link #close()} returns this scratch; null: close frees it. */
    private final ScratchPool pool;
    /** The scratches of a pass's threads ({@link #workers}), owned and freed with this one. */
    private final java.util.List<NdScratch> workers = new java.util.ArrayList<>();

    /** A scratch of its own, freed by {@link #close()}. */
    NdScratch() { this(null); }

    NdScratch(ScratchPool pool) { this.pool = pool; }

    /**
     * Starts a chunk: frees the arrays the previous chunk did not ask for (other shapes), so a scratch kept across chunks
     * of changing sizes holds one chunk's arrays, not every size it has seen.
     */
    void beginChunk() {
        for (NdScratch w : workers) w.beginChunk();
        arrays.entrySet().removeIf(e -> {
            if (used.contains(e.getKey())) return false;
            e.getValue().close();
            return true;
        });
        javaArrays.keySet().retainAll(used);
        used.clear();
    }

    /**
     * One scratch per thread of a pass ({@link PassWorkers}: index 0 the caller), each used by its thread alone
     * during a parallel step; the same ones chunk after chunk. Call from the owning thread, outside parallel steps.
     */
    NdScratch[] workers(int threads) {
        while (workers.size() < threads) workers.add(new NdScratch());
        while (workers.size() > threads) workers.remove(workers.size() - 1).free();
        return workers.toArray(new NdScratch[0]);
    }

    /** The array of {@code role} and {@code shape}, created uninitialized on first request. */
    INDArray get(String role, long... shape) {
        String key = role + Arrays.toString(shape);
        used.add(key);
        return arrays.computeIfAbsent(key, k -> Nd4j.createUninitialized(DataType.FLOAT, shape, 'c'));
    }

    /** {@code x} copied into the array of {@code role} and {@code shape}. */
    INDArray upload(String role, float[] x, long... shape) {
        return uploadRange(role, x, 0, x.length, shape);
    }

    /** {@code x[offset, offset + length)} copied into the array of {@code role} and {@code shape}. */
    INDArray uploadRange(String role, float[] x, int offset, int length, long... shape) {
        INDArray a = get(role, shape);
        // bulk copies through the native pointer: INDArray's float[] paths copy element by element
        new FloatPointer(a.data().addressPointer()).put(x, offset, length);
        return a;
    }

    /**
     * {@code parts} stacked row-major into the array of {@code role} and shape {@code rows x cols} (q, k and v as one
     * fused matrix), without an intermediate concatenated copy.
     *
     * @throws IllegalArgumentException when the parts do not fill the shape exactly
     */
    INDArray uploadParts(String role, int rows, int cols, float[]... parts) {
        long n = 0;
        for (float[] p : parts) n += p.length;
        if (n != (long) rows * cols) throw new IllegalArgumentException(role + ": " + n + " values for a " + rows + " x " + cols + " matrix");
        INDArray a = get(role, rows, cols);
        FloatPointer dst = new FloatPointer(a.data().addressPointer());
        long o = 0;
        for (float[] p : parts) {
            dst.position(o).put(p, 0, p.length);
            o += p.length;
        }
        return a;
    }

    /**
     * A Java array of {@code size} floats for {@code role}, the same one on every request with that role and size
     * (contents left from its last use, not zeroed).
     */
    float[] javaArray(String role, int size) {
        String key = role + "[" + size + "]";
        used.add(key);
        return javaArrays.computeIfAbsent(key, k -> new float[size]);
    }

    /** Back to its pool, arrays kept; or, without a pool, {@link #free()}. */
    @Override
    public void close() {
        if (pool != null) pool.release(this);
        else free();
    }

    /**
     * Rows {@code [r0, r1)} of x (row-major, k columns) times w^T where w is m x k, written into rows {@code [r0, r1)} of
     * {@code out} (row-major, m columns). Other rows of out are left alone, so threads may fill one output by row blocks,
     * each with a scratch of its own.
     */
    void matmulRows(float[] x, int r0, int r1, int k, INDArray w, int m, float[] out) {
        int rows = r1 - r0;
        INDArray a = uploadRange("gemm-in", x, r0 * k, rows * k, rows, k);
        INDArray c = get("gemm-out", rows, m);
        Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
        new FloatPointer(c.data().addressPointer()).get(out, r0 * m, rows * m);
    }

    /** Frees every array now. */
    void free() {
        for (NdScratch w : workers) w.free();
        workers.clear();
        for (INDArray a : arrays.values()) a.close();
        arrays.clear();
        javaArrays.clear();
        used.clear();
    }
}
