package org.edgefront.nativert;

/**
 * The JNI entry points of {@code edgefront_sim} (see {@code include/edgefront_sim.h}). Flat arrays whose slots are
 * named by {@link WireLayout} ({@code include/edgefront_wire.h}); {@link SimulatorEncoding} builds them. Package-private: callers use
 * {@link NativeSimulator}. All methods are stateless and thread-safe on the native side.
 */
final class NativeBridge {
    static final int EXPECTED_API_VERSION = 11;

    private NativeBridge() {}

    static native String version();

    static native int apiVersion();

    static native int resultFields();

    /** The C format table, {@link FormatTableCheck#FIELDS} doubles per format id (see {@link FormatTableCheck}). */
    static native double[] formatTable();

    /** The C library's wire layout in {@link WireLayout#describe()}'s words. */
    static native String wireLayout();

    /**
     * Simulates {@code nCandidates} candidates ({@code blocks}: {@link WireLayout.Block} per layer, or empty when every block
     * attends); returns null when all succeeded, else the first failure's
     * message (per-candidate codes in {@code statusOut}).
     *
     * @throws NativeSimulatorException when the shared inputs are invalid
     */
    static native String simulateBatch(double[] device, double[] calibration, int[] workload, int[] attention, double[] blocks,
                                       int[] shapes, double[] reads, int nCandidates, int[] choiceInts, double[] sparsityRatios,
                                       long[] weightBytes, double[] out, int[] statusOut);

    /** Simulates one candidate with its per-operator breakdown ({@link WireLayout.Op} per op). */
    static native void simulateOne(double[] device, double[] calibration, int[] workload, int[] attention, double[] blocks,
                                   int[] shapes, double[] reads, int[] choiceInts, double[] sparsityRatios, long[] weightBytes,
                                   double[] out, double[] opsOut);

    /**
     * One GEMV of a single linear tensor (ef_linear_cost): {@code out} is one {@link WireLayout.Op}, {@code shape} one
     * {@link WireLayout.Shape}, {@code choiceInts} one {@link WireLayout.Choice}.
     */
    static native void linearCost(double[] device, double[] calibration, int[] workload, int[] shape, int[] choiceInts,
                                  double sparsityRatio, long weightBytes, double[] out);
}
