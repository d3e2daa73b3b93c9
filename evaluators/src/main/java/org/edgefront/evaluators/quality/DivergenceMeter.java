package org.edgefront.evaluators.quality;

import java.util.List;
import java.util.Objects;

/**
 * Compares any variant of a forward pass (GPTQ-quantized tensors, structurally pruned weights, a pruned
 * vocabulary) against the reference pass on fixed sequences: mean per-token KL(reference || variant) in
 * nats, perplexity and top-1 agreement, like {@link QualityEvaluator#measure} but for weights that do not
 * come from a per-tensor {@code TensorChoice}.
 *
 * <p>Pruned vocabulary: a variant that gives a token log-probability -inf (see
 * {@link ForwardPass#withKeptVocabulary(boolean[])}) would have infinite KL, because the reference gives
 * every token some mass. The KL here is therefore taken over the variant's support, against the reference
 * renormalized to that support, and the reference mass outside it is reported separately
 * ({@link Result#droppedReferenceMass()}); perplexity is over the positions whose target the variant can
 * still produce, with the fraction it cannot in {@link Result#droppedTargetFraction()}. Without pruned tokens
 * both extras are 0 and the KL is the ordinary one.
 *
 * <p>Holds {@code predicted x vocab} reference probabilities on the heap. Not thread-safe.
 */
public final class DivergenceMeter {
    /**
     * @param klNatsPerToken        mean KL(reference restricted to the variant's support || variant), nats per token
     * @param perplexity            exp of the mean NLL of the targets the variant can produce
     * @param top1Agreement         fraction of positions whose most likely token equals the reference's
     * @param droppedReferenceMass  mean reference probability on tokens the variant cannot produce
     * @param droppedTargetFraction fraction of positions whose target the variant cannot produce
     * @param tokens                predicted positions
     */
    public record Result(double klNatsPerToken, double perplexity, double top1Agreement, double droppedReferenceMass,
                         double droppedTargetFraction, long tokens) {}

    private final List<int[]> sequences;
    private final int vocab;
    private final int predicted;
    private final float[] refLogProbs;
    private final int[] refArgmax;
    private final Result reference;

    /**
     * Runs the reference pass once over {@code sequences} (each at least 2 tokens to predict anything).
     *
     * @throws IllegalArgumentException when there is nothing to predict or the reference does not fit in half the heap
     */
    public DivergenceMeter(ForwardPass referencePass, List<int[]> sequences) {
        Objects.requireNonNull(referencePass, "referencePass");
        this.sequences = List.copyOf(sequences);
        this.vocab = referencePass.architecture().vocabSize();
        long n = 0;
        for (int[] s : this.sequences) n += Math.max(0, s.length - 1);
        if (n == 0) throw new IllegalArgumentException("no token to predict: every sequence needs at least 2 tokens");
        if (n * vocab > Integer.MAX_VALUE - 16 || 4L * n * vocab > Runtime.getRuntime().maxMemory() / 2) {
            throw new IllegalArgumentException(n + " predicted tokens x vocabulary " + vocab + " do not fit in half the heap");
        }
        this.predicted = (int) n;
        this.refLogProbs = new float[(int) (n * vocab)];
        this.refArgmax = new int[predicted];
        int[] idx = new int[1];
        double[] nll = new double[1];
        referencePass.logProbs(this.sequences, (s, p, lp, off) -> {
            int[] toks = this.sequences.get(s);
            if (p + 1 >= toks.length) return;
            int i = idx[0]++;
            System.arraycopy(lp, off, refLogProbs, i * vocab, vocab);
            int best = 0;
            for (int v = 1; v < vocab; v++) if (lp[off + v] > lp[off + best]) best = v;
            refArgmax[i] = best;
            nll[0] -= lp[off + toks[p + 1]];
        });
        this.reference = new Result(0, Math.exp(nll[0] / n), 1, 0, 0, n);
    }

    /** The reference pass's own figures (KL 0, agreement 1). */
    public Result reference() { return reference; }

    /** Quality of {@code variant} (same architecture and vocabulary as the reference) on the sequences. */
    public Result measure(ForwardPass variant) {
        if (variant.architecture().vocabSize() != vocab) throw new IllegalArgumentException("variant vocabulary differs from the reference");
        double[] acc = new double[3];   // kl, nll over producible targets, dropped mass
        long[] counts = new long[2];    // agreements, producible targets
        int[] idx = new int[1];
        variant.logProbs(sequences, (s, p, lp, off) -> {
            int[] toks = sequences.get(s);
            if (p + 1 >= toks.length) return;
            int i = idx[0]++;
            int ro = i * vocab;
            double kept = 0;
            double cross = 0;
            double negEnt = 0;
            int best = 0;
            for (int v = 0; v < vocab; v++) {
                float l = lp[off + v];
                if (l == Float.NEGATIVE_INFINITY) continue;
                double pr = Math.exp(refLogProbs[ro + v]);
                kept += pr;
                cross += pr * l;
                negEnt += pr * refLogProbs[ro + v];
                if (l > lp[off + best] || lp[off + best] == Float.NEGATIVE_INFINITY) best = v;
            }
            // KL(p~ || q) with p~ = p / kept on the support: (negEnt - cross) / kept - log(kept)
            acc[0] += kept > 0 ? (negEnt - cross) / kept - Math.log(kept) : 0;
            acc[2] += Math.max(0, 1 - kept);
            float target = lp[off + toks[p + 1]];
            if (target != Float.NEGATIVE_INFINITY) {
                acc[1] -= target;
                counts[1]++;
            }
            if (best == refArgmax[i]) counts[0]++;
        });
        double ppl = counts[1] == 0 ? Double.NaN : Math.exp(acc[1] / counts[1]);
        return new Result(acc[0] / predicted, ppl, (double) counts[0] / predicted, acc[2] / predicted,
                1.0 - (double) counts[1] / predicted, predicted);
    }
}
