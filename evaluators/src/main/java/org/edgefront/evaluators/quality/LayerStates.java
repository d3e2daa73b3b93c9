package org.edgefront.evaluators.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * The residual stream of a reference pass at layer boundaries, chunk by chunk, so a variant that differs from the
 * reference only from layer {@code L} on can start there instead of at the embedding ({@link
 * ForwardPass#runFrom}). Boundary {@code l} is the hidden state entering layer {@code l} ({@code rows x dim} floats);
 * boundary {@code layers} enters the final norm. To bound memory only every {@code stride}-th boundary is kept
 * (boundary {@code layers} always), and a variant resumes at the last kept boundary at or before its first
 * changed layer.
 *
 * <p>Filled by the one reference pass that records it, then read-only: the arrays are shared with every resumed
 * pass, which copies before writing. Thread-safe for reads after recording.
 */
public final class LayerStates {
    private final int layers;
    private final int stride;
    private final List<float[][]> chunks = new ArrayList<>();
    private long bytes;

    /**
     * @param layers   the model's layers
     * @param stride   keep every {@code stride}-th boundary (>= 1)
     */
    LayerStates(int layers, int stride) {
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        this.layers = layers;
        this.stride = stride;
    }

    /** Stride that keeps the states of {@code rows} tokens of width {@code dim} within {@code maxBytes} (at least the final boundary). */
    static int strideFor(int layers, long rows, int dim, long maxBytes) {
        long perBoundary = 4L * rows * dim;
        long budget = Math.max(0, maxBytes - perBoundary);   // the final boundary is always kept
        long fit = perBoundary == 0 ? layers : budget / perBoundary;
        if (fit >= layers) return 1;
        if (fit <= 0) return layers + 1;
        return (int) ((layers + fit - 1) / fit);
    }

    /** Whether boundary {@code l} is kept. */
    boolean keeps(int l) { return l == layers || l % stride == 0; }

    /** Records boundary {@code l} of chunk {@code chunk} (chunks recorded in order); copies {@code x}. */
    void record(int chunk, int l, float[] x, int length) {
        if (l == 0 || !keeps(l)) return;   // boundary 0 is the embedding, rebuilt from the tokens
        while (chunks.size() <= chunk) chunks.add(new float[layers + 1][]);
        chunks.get(chunk)[l] = java.util.Arrays.copyOf(x, length);
        bytes += 4L * length;
    }

    /** The boundary a variant whose first changed layer is {@code firstChanged} starts from (0 = the embedding). */
    public int resumeLayer(int firstChanged) {
        if (firstChanged <= 0) return 0;
        if (firstChanged >= layers) return layers;
        return firstChanged / stride * stride;
    }

    /** The recorded state of boundary {@code l} of chunk {@code chunk} (shared: copy before writing); null for boundary 0. */
    float[] state(int chunk, int l) {
        if (l == 0) return null;
        float[] s = chunk < chunks.size() ? chunks.get(chunk)[l] : null;
        if (s == null) throw new IllegalStateException("boundary " + l + " of chunk " + chunk + " was not recorded");
        return s;
    }

    /** Bytes held. */
    public long bytes() { return bytes; }

    /** Every {@code stride}-th boundary is kept. */
    public int stride() { return stride; }
}
