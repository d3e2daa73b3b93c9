package org.edgefront.evaluators.quality;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Token sequences drawn from a model's own next-token distribution, for evaluation and calibration text where the
 * model's training text is not at hand (a checkpoint trained on a narrow or private corpus): text the model writes is
 * text it works on. Each sequence starts at a given token (BOS) and ends at an end token or at a length.
 *
 * <p>Sequence {@code i} draws from its own stream, {@code SplittableRandom(seed)} split {@code i + 1} times, so it
 * does not depend on how many sequences are drawn beside it or on the pass's thread count (whose results are the same
 * bits on any count). Each step runs the pass over every unfinished prefix (no KV cache), so drawing {@code n}
 * sequences of {@code t} tokens costs about {@code n t^2 / 2} token positions: cheap for the small checkpoints this is
 * for, quadratic for long sequences of large ones. Stateless; thread-safe as its pass is.
 */
public final class TextSampler {
    /**
     * One drawn sequence.
     *
     * @param tokens         the start token, then the drawn tokens (an end token is not included)
     * @param ended          whether the model drew an end token (else the length bound stopped it)
     * @param sumNegLogProb  the sum over drawn tokens (the end token included) of -ln p under the model's
     *                       distribution at temperature 1, nats
     * @param drawn          tokens drawn (the end token included)
     */
    public record Sequence(int[] tokens, boolean ended, double sumNegLogProb, int drawn) {}

    private TextSampler() {}

    /**
     * Draws {@code count} sequences.
     *
     * @param pass        the model
     * @param start       the token every sequence starts with (BOS)
     * @param endTokens   tokens that end a sequence when drawn (EOS; BOS too, which a llama2.c model draws between stories)
     * @param count       sequences, >= 1
     * @param maxTokens   bound on a sequence's length including the start token, 2 .. the model's context
     * @param temperature softmax temperature, > 0; 1 samples the model's own distribution
     * @param seed        the draw's seed
     * @param firstIndex  index of the first sequence (sequence i of a larger draw: a later call with firstIndex = k
     *                    continues the draw where a call of k sequences stopped)
     */
    public static List<Sequence> sample(ForwardPass pass, int start, int[] endTokens, int count, int maxTokens,
                                        double temperature, long seed, int firstIndex) {
        int vocab = pass.architecture().vocabSize();
        if (count < 1) throw new IllegalArgumentException("count must be >= 1, got " + count);
        if (maxTokens < 2 || maxTokens > pass.architecture().maxSeqLen()) {
            throw new IllegalArgumentException("maxTokens must be in [2, " + pass.architecture().maxSeqLen() + "], got " + maxTokens);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (start < 0 || start >= vocab) throw new IllegalArgumentException("start token " + start + " outside the vocabulary of " + vocab);
        if (firstIndex < 0) throw new IllegalArgumentException("firstIndex must be >= 0, got " + firstIndex);
        boolean[] ends = new boolean[vocab];
        for (int e : endTokens) if (e >= 0 && e < vocab) ends[e] = true;

        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < firstIndex; i++) root.split();
        int[][] tokens = new int[count][maxTokens];
        int[] length = new int[count];
        boolean[] ended = new boolean[count];
        double[] nll = new double[count];
        int[] drawn = new int[count];
        SplittableRandom[] rng = new SplittableRandom[count];
        for (int i = 0; i < count; i++) {
            rng[i] = root.split();
            tokens[i][0] = start;
            length[i] = 1;
        }
        double[] weights = new double[vocab];
        for (int len = 1; len < maxTokens; len++) {
            List<int[]> prefixes = new ArrayList<>();
            List<Integer> which = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (ended[i]) continue;
                prefixes.add(Arrays.copyOf(tokens[i], len));
                which.add(i);
            }
            if (prefixes.isEmpty()) break;
            final int last = len - 1;
            pass.logProbs(prefixes, (s, p, lp, off) -> {
                if (p != last) return;
                int i = which.get(s);
                int t = draw(lp, off, vocab, temperature, rng[i], weights);
                nll[i] -= lp[off + t];
                drawn[i]++;
                if (ends[t]) {
                    ended[i] = true;
                } else {
                    tokens[i][length[i]++] = t;
                }
            });
        }
        List<Sequence> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(new Sequence(Arrays.copyOf(tokens[i], length[i]), ended[i], nll[i], drawn[i]));
        return out;
    }

    /** One token from log-probabilities {@code lp[off .. off + vocab)} at {@code temperature}. */
    static int draw(float[] lp, int off, int vocab, double temperature, SplittableRandom rng, double[] weights) {
        double max = lp[off + ForwardMath.argmax(lp, off, vocab)];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            double w = Math.exp((lp[off + v] - max) / temperature);
            weights[v] = w;
            sum += w;
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        int lastPositive = -1;
        for (int v = 0; v < vocab; v++) {
            if (weights[v] <= 0) continue;
            lastPositive = v;
            acc += weights[v];
            if (u < acc) return v;
        }
        return lastPositive; // u within rounding of the total
    }
}
