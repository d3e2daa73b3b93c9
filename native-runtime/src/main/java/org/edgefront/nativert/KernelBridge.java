package org.edgefront.nativert;

/**
 * JNI entry points of the reference kernels ({@code include/edgefront_kernels.h}). Package-private: callers
 * use {@link ReferenceKernels}. Every failure comes back as a {@link NativeSimulatorException}. Stateless and
 * thread-safe on the native side.
 */
final class KernelBridge {
    private KernelBridge() {}

    static native long rowBytes(int format, int group, int asymmetric, long cols);

    static native void pack(int format, int group, int asymmetric, float[] src, int rows, int cols, byte[] dst);

    static native void unpack(int format, int group, int asymmetric, byte[] src, int rows, int cols, float[] dst);

    static native void gemv(int format, int group, int asymmetric, byte[] w, int rows, int cols, float[] x, float[] y);

    static native long sparseBytes(int kind, int n, int m, float[] src, int rows, int cols);

    static native void sparsePack(int kind, int n, int m, float[] src, int rows, int cols, byte[] dst);

    static native void sparseUnpack(int kind, int n, int m, byte[] src, int rows, int cols, float[] dst);

    static native void sparseGemv(int kind, int n, int m, byte[] w, int rows, int cols, float[] x, float[] y);

    /** Fastest of {@code reps} timed GEMVs (after a warm-up), seconds. */
    static native double timeGemv(int format, int group, int asymmetric, int sparseKind, int n, int m, byte[] w, int rows,
                                  int cols, float[] x, float[] y, int reps);

    /** Best STREAM-like copy bandwidth b = a over {@code reps} runs, bytes/s (read + write). */
    static native double streamCopy(float[] a, float[] b, int reps);

    /** Best read-only stream (sum of a) over {@code reps} runs, bytes/s read. */
    static native double streamRead(float[] a, int reps);

    /** Best rate of a chain of {@code adds} dependent integer additions over {@code reps} runs, additions/s (the clock). */
    static native double clockHz(long adds, int reps);
}
