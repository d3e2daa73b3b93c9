package org.edgefront.nativert;

import java.util.List;

/**
 * Results of one batched simulation: per candidate, a status and (when OK) the figures. Accessors read
 * straight from the flat result array so search loops allocate nothing. Immutable after construction.
 */
public final class BatchResult {
    private final double[] out;
    private final int[] status;
    private final String firstFailure;
    private final int size;

    BatchResult(double[] out, int[] status, int size, String firstFailure) {
        this.out = out;
        this.status = status;
        this.size = size;
        this.firstFailure = firstFailure;
    }

    public int size() { return size; }

    /** True when candidate {@code i} was simulated. */
    public boolean ok(int i) { return status[check(i)] == 0; }

    /** The C status of candidate {@code i} (0 = ok). */
    public int status(int i) { return status[check(i)]; }

    /** Why candidate {@code i} failed ("" when OK); the first failure's detailed message is included. */
    public String failureReason(int i) {
        if (ok(i)) return "";
        return "native simulator status " + status[i] + " for candidate " + i + (firstFailure == null ? "" : " (first failure: " + firstFailure + ")");
    }

    private double field(int i, WireLayout.Result f) { return out[f.at(check(i))]; }

    public double decodeTokensPerSecond(int i) { return field(i, WireLayout.Result.DECODE_TOK_S); }

    public double prefillTokensPerSecond(int i) { return field(i, WireLayout.Result.PREFILL_TOK_S); }

    public double timeToFirstTokenSeconds(int i) { return field(i, WireLayout.Result.TTFT_S); }

    public double energyJoulesPerToken(int i) { return field(i, WireLayout.Result.ENERGY_J_PER_TOKEN); }

    public double powerWatts(int i) { return field(i, WireLayout.Result.POWER_W); }

    /** The full result of candidate {@code i} (no per-op breakdown), or null when it failed. */
    public SimulationResult result(int i) {
        if (!ok(i)) return null;
        return NativeSimulator.toResult(out, check(i), List.of());
    }

    private int check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("candidate " + i + " of " + size);
        return i;
    }
}
