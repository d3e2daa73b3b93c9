package org.edgefront.nativert;

import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.WeightFormat;

/**
 * The native reference weight kernels ({@code include/edgefront_kernels.h}): pack, unpack and GEMV for every
 * {@link WeightFormat} (floats, llama.cpp block formats, generic intN groups) and for unstructured and N:M
 * sparse storage (fp16 values plus bitmap or position indices), plus timing helpers used by
 * {@code edgefront calibrate-host}. Matrices are row-major {@code rows x cols} floats (rows = outputs); GEMV
 * computes {@code y = W x}. Packed sizes equal {@link WeightFormat#bytes(long, int)}. Failures (bad shape,
 * format that does not apply, short array) throw {@link NativeSimulatorException}. Stateless and thread-safe;
 * callers own every array.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {}

    private static int group(WeightFormat f) { return f.kind() == WeightFormat.Kind.INT_GROUP ? f.blockWeights() : 0; }

    private static int asym(WeightFormat f) { return f.kind() == WeightFormat.Kind.INT_GROUP && f.asymmetric() ? 1 : 0; }

    private static int id(WeightFormat f) { return EncodedChoice.kernelId(f); }

    private static int kind(Sparsity s) {
        return switch (s.kind()) {
            case UNSTRUCTURED -> 1;
            case N_M -> 2;
            case NONE -> throw new IllegalArgumentException("dense: use the WeightFormat methods");
        };
    }

    /** Bytes of one packed row of {@code cols} weights. */
    public static long rowBytes(WeightFormat f, int cols) {
        NativeLibrary.ensureLoaded();
        return KernelBridge.rowBytes(id(f), group(f), asym(f), cols);
    }

    /** Quantizes {@code w} (rows x cols) into a new array of {@code rows x rowBytes} bytes. */
    public static byte[] pack(WeightFormat f, float[] w, int rows, int cols) {
        long n = rows * rowBytes(f, cols);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("packed tensor too large for one array: " + n + " bytes");
        byte[] out = new byte[(int) n];
        KernelBridge.pack(id(f), group(f), asym(f), w, rows, cols, out);
        return out;
    }

    /** Dequantizes packed weights to rows x cols floats. */
    public static float[] unpack(WeightFormat f, byte[] packed, int rows, int cols) {
        NativeLibrary.ensureLoaded();
        float[] out = new float[Math.multiplyExact(rows, cols)];
        KernelBridge.unpack(id(f), group(f), asym(f), packed, rows, cols, out);
        return out;
    }

    /** y = W x with W packed. */
    public static float[] gemv(WeightFormat f, byte[] packed, int rows, int cols, float[] x) {
        NativeLibrary.ensureLoaded();
        float[] y = new float[rows];
        KernelBridge.gemv(id(f), group(f), asym(f), packed, rows, cols, x, y);
        return y;
    }

    /**
     * Packs sparse weights. Unstructured keeps the non-zeros of {@code w} (prune first); N:M keeps the
     * {@code n} largest magnitudes of every {@code m} consecutive weights of a row.
     */
    public static byte[] packSparse(Sparsity s, float[] w, int rows, int cols) {
        NativeLibrary.ensureLoaded();
        long n = KernelBridge.sparseBytes(kind(s), s.n(), s.m(), w, rows, cols);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("packed tensor too large for one array: " + n + " bytes");
        byte[] out = new byte[(int) n];
        KernelBridge.sparsePack(kind(s), s.n(), s.m(), w, rows, cols, out);
        return out;
    }

    /** Dense rows x cols floats (zeros where nothing is stored). */
    public static float[] unpackSparse(Sparsity s, byte[] packed, int rows, int cols) {
        NativeLibrary.ensureLoaded();
        float[] out = new float[Math.multiplyExact(rows, cols)];
        KernelBridge.sparseUnpack(kind(s), s.n(), s.m(), packed, rows, cols, out);
        return out;
    }

    /** y = W x with W in sparse storage. */
    public static float[] gemvSparse(Sparsity s, byte[] packed, int rows, int cols, float[] x) {
        NativeLibrary.ensureLoaded();
        float[] y = new float[rows];
        KernelBridge.sparseGemv(kind(s), s.n(), s.m(), packed, rows, cols, x, y);
        return y;
    }

    /** Fastest of {@code reps} single-threaded GEMVs (after one warm-up), seconds. */
    public static double timeGemvSeconds(WeightFormat f, byte[] packed, int rows, int cols, float[] x, int reps) {
        NativeLibrary.ensureLoaded();
        return KernelBridge.timeGemv(id(f), group(f), asym(f), 0, 0, 0, packed, rows, cols, x, new float[rows], reps);
    }

    /** Fastest of {@code reps} single-threaded sparse GEMVs (after one warm-up), seconds. */
    public static double timeSparseGemvSeconds(Sparsity s, byte[] packed, int rows, int cols, float[] x, int reps) {
        NativeLibrary.ensureLoaded();
        return KernelBridge.timeGemv(0, 0, 0, kind(s), s.n(), s.m(), packed, rows, cols, x, new float[rows], reps);
    }

    /**
     * Best single-thread read-only stream bandwidth over a {@code floats}-element array, bytes/s read: the rate one
     * thread of the reference GEMVs can stream weights (they only read them).
     */
    public static double streamReadBytesPerSecond(int floats, int reps) {
        NativeLibrary.ensureLoaded();
        float[] a = new float[floats];
        java.util.Arrays.fill(a, 1.0f);
        return KernelBridge.streamRead(a, reps);
    }

    /**
     * The clock one core runs at, Hz: the best rate of a chain of {@code adds} dependent one-cycle integer additions
     * over {@code reps} runs. x86-64 and AArch64 only.
     *
     * @throws NativeSimulatorException (unsupported) on other architectures
     */
    public static double clockHz(long adds, int reps) {
        NativeLibrary.ensureLoaded();
        return KernelBridge.clockHz(adds, reps);
    }

    /** Best single-thread STREAM-like copy bandwidth over {@code floats}-element arrays, bytes/s (read + write). */
    public static double streamCopyBytesPerSecond(int floats, int reps) {
        NativeLibrary.ensureLoaded();
        float[] a = new float[floats];
        java.util.Arrays.fill(a, 1.0f);
        return KernelBridge.streamCopy(a, new float[floats], reps);
    }
}
