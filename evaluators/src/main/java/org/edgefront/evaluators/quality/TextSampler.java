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
 * bits on any count). Where the pass decodes incrementally ({@link ForwardPass#decoder}: Llama-family and Phi-2 passes),
 * sequences are drawn in groups of {@link #groupSize} by absolute index (sequence i is row {@code i % G} of group
 * {@code i / G}; rows outside the draw are computed and ignored), one cached step per token, so {@code n} sequences of
 * {@code t} tokens cost about {@code n t} token rows; a sequence's draw then depends on its own tokens and row alone,
 * never on which other sequences are drawn. Where not (LongRoPE lengths whose factor set would switch within the draw),
 * every unfinished prefix is recomputed each step, about {@code n t^2 / 2} token positions. Stateless; thread-safe as its pass is.
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
        int group = groupSize(pass.architecture(), maxTokens);
        ForwardPass.Decoder next = pass.decoder(group, maxTokens);
        if (next != null) {
            int[] feed = new int[group];
            boolean[] live = new boolean[group];
            for (long g = firstIndex / group; g <= (firstIndex + (long) count - 1) / group; g++) {
                int lo = (int) (g * group);
                // the first group's decoder is the one that said this pass decodes incrementally
                try (ForwardPass.Decoder d = next != null ? next : pass.decoder(group, maxTokens)) {
                    next = null;
                    int alive = 0;
                    for (int r = 0; r < group; r++) {
                        feed[r] = start;
                        int i = lo + r - firstIndex;
                        live[r] = i >= 0 && i < count;
                        if (live[r]) alive++;
                    }
                    for (int len = 1; len < maxTokens && alive > 0; len++) {
                        float[] lp = d.step(feed);
                        for (int r = 0; r < group; r++) {
                            if (!live[r]) continue;
                            int i = lo + r - firstIndex;
                            int off = r * vocab;
                            int t = draw(lp, off, vocab, temperature, rng[i], weights);
                            nll[i] -= lp[off + t];
                            drawn[i]++;
                            if (ends[t]) {
                                ended[i] = true;
                                live[r] = false;
                                alive--;
                            } else {
                                tokens[i][length[i]++] = t;
                                feed[r] = t;
                            }
                        }
                    }
                }
            }
            return sequences(tokens, length, ended, nll, drawn);
        }
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
        return sequences(tokens, length, ended, nll, drawn);
    }

    private static List<Sequence> sequences(int[][] tokens, int[] length, boolean[] ended, double[] nll, int[] drawn) {
        List<Sequence> out = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) out.add(new Sequence(Arrays.copyOf(tokens[i], length[i]), ended[i], nll[i], drawn[i]));
        return out;
    }

    /** Most sequences decoded together: this many rows make each step's products matrix products rather than vector ones. */
    static final int MAX_GROUP = 16;

    /** Bound on a group's cached keys and values, bytes (a group of one sequence may exceed it). */
    static final long MAX_CACHE_BYTES = 1L << 30;

    /**
     * Sequences per decoding group for {@code arch} and sequences of {@code maxTokens}: {@link #MAX_GROUP}, halved while
     * the group's cached keys and values (float) would take more than {@link #MAX_CACHE_BYTES}. A function of the model
     * and the length alone (not of the heap, nor of how many sequences are drawn), since it fixes the products' row count.
     */
    static int groupSize(org.edgefront.space.model.ModelArchitecture arch, int maxTokens) {
        long perSequence = 2L * Float.BYTES * arch.layers() * arch.kvDim() * (long) maxTokens;
        int g = MAX_GROUP;
        while (g > 1 && g * perSequence > MAX_CACHE_BYTES) g /= 2;
        return g;
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
