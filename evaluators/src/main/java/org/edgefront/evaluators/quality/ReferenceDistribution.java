package org.edgefront.evaluators.quality;

import java.util.List;
import java.util.Objects;

/**
 * The uncompressed model's next-token distribution at every predicted position of fixed token sequences, and
 * the comparison of a variant pass against it: perplexity, mean per-token KL(reference || variant) in
 * nats/token and top-1 agreement ({@link QualityReport}).
 *
 * <p>Holds {@code predicted x vocab} reference probabilities as floats on the heap (40 MB for 200 stories260K
 * paragraphs), plus per position the reference's negative entropy and most likely token, and the reference's
 * residual stream at layer boundaries ({@link LayerStates}, within a byte bound) so a variant that changes only
 * later layers is run from there ({@link #compare(ForwardPass, boolean[], int)}). Immutable after
 * construction; {@link #compare} may be called from one thread at a time per variant (it only reads).
 */
public final class ReferenceDistribution {
    private final List<int[]> sequences;
    private final int vocab;
    private final long predicted;
    private final float[] refProbs;
    private final double[] refNegEntropy;
    private final int[] refArgmax;
    private final QualityReport reference;
    private final LayerStates states;
    /** Positions before this one in every sequence are context only: not scored. */
    private final int scoredFrom;

    /** Default bound on the recorded layer states: 1 GiB or an eighth of the heap, whichever is smaller. */
    public static long defaultStateBytes() { return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8); }

    /** As {@link #ReferenceDistribution(ForwardPass, List, long)} with {@link #defaultStateBytes()}. */
    public ReferenceDistribution(ForwardPass base, List<int[]> sequences) {
        this(base, sequences, defaultStateBytes());
    }

    /**
     * Runs {@code base} once over {@code sequences} (each at least 2 tokens to predict anything).
     *
     * @param stateBytes bound on the layer-boundary states kept for incremental comparison (0 keeps only the final one)
     * @throws IllegalArgumentException when there is no token to predict or the reference does not fit in half the heap
     */
    public ReferenceDistribution(ForwardPass base, List<int[]> sequences, long stateBytes) {
        this(base, sequences, stateBytes, 0);
    }

    /**
     * As {@link #ReferenceDistribution(ForwardPass, List, long)}, scoring only the predictions made at positions
     * {@code scoredFrom} and later of each sequence (the tokens before are context): llama-perplexity's protocol scores
     * the second half of each window ({@code scoredFrom = n_ctx / 2}).
     *
     * @throws IllegalArgumentException when no sequence has a position to score
     */
    public ReferenceDistribution(ForwardPass base, List<int[]> sequences, long stateBytes, int scoredFrom) {
        Objects.requireNonNull(base, "base");
        if (scoredFrom < 0) throw new IllegalArgumentException("scoredFrom must be >= 0, got " + scoredFrom);
        this.sequences = List.copyOf(sequences);
        this.vocab = base.architecture().vocabSize();
        this.scoredFrom = scoredFrom;
        long n = predictedPositions(this.sequences, scoredFrom);
        long refBytes = 4L * n * vocab;
        if (n * vocab > Integer.MAX_VALUE - 16 || refBytes > Runtime.getRuntime().maxMemory() / 2) {
            throw new IllegalArgumentException(n + " predicted tokens x vocabulary " + vocab + " reference probabilities ("
                    + refBytes + " bytes) do not fit in half the heap; use fewer or shorter sequences");
        }
        this.predicted = n;
        this.refProbs = new float[(int) (n * vocab)];
        this.refNegEntropy = new double[(int) n];
        this.refArgmax = new int[(int) n];
        double[] nll = new double[1];
        int[] idx = new int[1];
        // the pass hands rows over in order; they are kept as log-probabilities and turned into probabilities,
        // entropies and argmaxes below, row by row on the pass's threads (each row alone: the same bits on any count)
        this.states = base.runRecording(this.sequences, (s, p, lp, off) -> {
            int[] toks = this.sequences.get(s);
            if (p < scoredFrom || p + 1 >= toks.length) return;
            System.arraycopy(lp, off, refProbs, idx[0]++ * vocab, vocab);
            nll[0] -= lp[off + toks[p + 1]];
        }, stateBytes);
        int rowsPerTask = Math.max(1, (1 << 16) / vocab);
        int rows = (int) n;
        ForwardPasses.workers(base).forEach((rows + rowsPerTask - 1) / rowsPerTask, (task, thread) -> {
            for (int i = task * rowsPerTask, end = Math.min(rows, i + rowsPerTask); i < end; i++) {
                int ro = i * vocab;
                double ne = 0;
                int best = 0;
                float bestLogProb = refProbs[ro];
                for (int v = 0; v < vocab; v++) {
                    float l = refProbs[ro + v];
                    if (l > bestLogProb) {
                        best = v;
                        bestLogProb = l;
                    }
                    float pr = (float) Math.exp(l);
                    ne += pr * (double) l;
                    refProbs[ro + v] = pr;
                }
                refNegEntropy[i] = ne;
                refArgmax[i] = best;
            }
        });
        this.reference = new QualityReport(Math.exp(nll[0] / n), 0.0, 1.0, n);
    }

    /**
     * Positions with a next token to predict: sequence lengths minus one, summed.
     *
     * @throws IllegalArgumentException when there is none
     */
    static long predictedPositions(List<int[]> sequences) {
        return predictedPositions(sequences, 0);
    }

    /** Positions at or after {@code scoredFrom} with a next token to predict, summed over the sequences. */
    static long predictedPositions(List<int[]> sequences, int scoredFrom) {
        long n = 0;
        for (int[] s : sequences) n += Math.max(0, s.length - 1 - scoredFrom);
        if (n == 0) {
            throw new IllegalArgumentException(scoredFrom == 0 ? "no token to predict: every sequence needs at least 2 tokens"
                    : "no token to predict: every sequence needs more than " + (scoredFrom + 1) + " tokens to be scored from position " + scoredFrom);
        }
        return n;
    }

    /** Quality of the uncompressed model (KL 0, agreement 1). */
    public QualityReport reference() { return reference; }

    /** Predicted (scored) positions: sequence lengths minus one minus the unscored positions, summed. */
    public long predicted() { return predicted; }

    /**
     * Quality of {@code f} (same architecture as the reference) on the sequences. With a pruned vocabulary the KL
     * is taken over the kept tokens against the reference renormalized to them, and perplexity over the targets
     * {@code f} can still produce (see {@link QualityReport#droppedReferenceMass()}).
     *
     * @param keptTokens one flag per vocabulary entry for the tokens {@code f} can produce, or null for all
     * @return the report; non-finite values when the variant is destroyed
     */
    public QualityReport compare(ForwardPass f, boolean[] keptTokens) {
        return compare(f, keptTokens, 0);
    }

    /**
     * As {@link #compare(ForwardPass, boolean[])} for a variant identical to the reference pass below layer
     * {@code firstChanged} ({@link ForwardPass#firstChangedLayer}): it runs from the recorded reference states, so
     * only the layers from there on are computed. Same result as a whole pass (the same operations in the same order).
     */
    public QualityReport compare(ForwardPass f, boolean[] keptTokens, int firstChanged) {
        double[] acc = new double[3];   // nll, kl, dropped reference mass
        long[] counts = new long[2];    // agreements, producible targets
        int[] idx = new int[1];
        f.runFrom(sequences, states, firstChanged, (s, p, lp, off) -> {
            int[] toks = sequences.get(s);
            if (p < scoredFrom || p + 1 >= toks.length) return;
            int i = idx[0]++;
            int ro = i * vocab;
            int best = 0;
            if (keptTokens == null) {
                acc[1] += refNegEntropy[i] - ForwardMath.dot(refProbs, ro, lp, off, vocab);
                best = ForwardMath.argmax(lp, off, vocab);
            } else {
                // KL(p~ || q) with p~ = p / kept on the kept tokens: (negEnt - cross) / kept - log(kept)
                double kept = 0;
                double cross = 0;
                double negEnt = 0;
                best = -1;
                for (int v = 0; v < vocab; v++) {
                    if (!keptTokens[v]) continue;
                    double pr = refProbs[ro + v];
                    float l = lp[off + v];
                    kept += pr;
                    cross += pr * l;
                    if (pr > 0) negEnt += pr * Math.log(pr);
                    if (best < 0 || l > lp[off + best]) best = v;
                }
                acc[1] += kept > 0 ? (negEnt - cross) / kept - Math.log(kept) : 0;
                acc[2] += Math.max(0, 1 - kept);
            }
            float target = lp[off + toks[p + 1]];
            if (target != Float.NEGATIVE_INFINITY) {
                acc[0] -= target;
                counts[1]++;
            }
            if (best == refArgmax[i]) counts[0]++;
        });
        double ppl = counts[1] == 0 ? Double.NaN : Math.exp(acc[0] / counts[1]);
        return new QualityReport(ppl, acc[1] / predicted, (double) counts[0] / predicted, predicted, acc[2] / predicted);
    }

    /** The recorded layer states, or null when the pass cannot resume. */
    public LayerStates states() { return states; }
}
