package org.edgefront.evaluators.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.space.model.ModelArchitecture;

/**
 * The forward pass of one decoder architecture over whole sequences at once, like a prefill: next-token
 * log-probabilities at every position, the inputs of every linear tensor for calibration, and cheap variants
 * with some tensors replaced or the vocabulary restricted. Implementations are peers, one per
 * {@link org.edgefront.space.model.ArchitectureFamily} group, chosen by {@link ForwardPasses#of}; they share the
 * chunking, embedding and log-softmax of {@link ChunkRunner} and the kernels of {@link ForwardMath}.
 *
 * <p>Ownership and thread-safety: implementations are immutable after construction and keep (do not copy) the
 * float tensors they were given; their matrices live in ND4J off-heap buffers released by ND4J's
 * garbage-collection-driven deallocator (no close needed). Instances may be used from several threads, but
 * ND4J's own threading is what parallelizes a call.
 */
public interface ForwardPass {
    /** Receives next-token log-probabilities. */
    @FunctionalInterface
    interface LogProbSink {
        /**
         * @param sequence index of the sequence in the list passed to {@link #logProbs(List, LogProbSink)}
         * @param position position within that sequence: the distribution is over the token after it
         * @param logProbs natural-log probabilities at {@code logProbs[offset .. offset + vocab)}; valid only
         *                 during the call (the buffer is reused)
         * @param offset   start of this position's row
         */
        void accept(int sequence, int position, float[] logProbs, int offset);
    }

    /**
     * Sees the activations entering linear tensors during a pass (calibration statistics: Wanda norms, GPTQ
     * Hessians). Called once per chunk and input site, in layer order.
     */
    @FunctionalInterface
    interface InputObserver {
        /**
         * @param tensorNames canonical names of the linear tensors that all take this input (q/k/v share one)
         * @param x           the inputs, {@code rows x width} row-major; valid only during the call (reused)
         * @param rows        tokens in this chunk
         * @param width       input features (the tensors' cols)
         */
        void accept(List<String> tensorNames, float[] x, int rows, int width);
    }

    ModelArchitecture architecture();

    /** Every float tensor this pass holds (linear tensors, norms, biases) by name; unmodifiable, arrays shared (do not modify). */
    Map<String, float[]> tensors();

    /** The float tensor this pass uses under {@code name} (shared; do not modify). */
    default float[] tensor(String name) {
        float[] t = tensors().get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /**
     * Tensors that add to the residual stream besides a block's output projections (e.g. Phi-2's output
     * biases): a skipped block must zero them too. Empty for architectures without such biases.
     */
    default List<String> residualBiases(int layer) { return List.of(); }

    /**
     * This pass with some tensors replaced (e.g. by their compressed versions); untouched layers share
     * this pass's matrices, so only the replaced ones are uploaded to ND4J.
     *
     * @throws IllegalArgumentException for a name this pass does not hold
     */
    ForwardPass withOverrides(Map<String, float[]> replaced);

    /**
     * This pass restricted to a vocabulary: tokens not in {@code keptTokens} get log-probability -inf
     * (vocabulary pruning of the LM head). Shares every matrix with this pass.
     *
     * @param keptTokens one flag per vocabulary entry, or null to keep every token
     */
    ForwardPass withKeptVocabulary(boolean[] keptTokens);

    /**
     * This pass computing on {@code threads} threads (the caller and {@code threads - 1} helpers), sharing every matrix
     * and buffer pool with this one; its variants ({@link #withOverrides}, ...) keep the count. The results are the
     * same bits on any count: a pass cuts its work by the data's shape, never by its threads. A pass that does not
     * split its work returns itself.
     *
     * @throws IllegalArgumentException for threads below 1
     */
    default ForwardPass withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        return this;
    }

    /** Threads this pass spreads over ({@link #withThreads}); 1 for a pass that does not split its work. */
    default int threads() { return 1; }

    /**
     * Runs every sequence, hands {@code sink} the next-token log-probabilities at every position (the last
     * position of each sequence included), sequence by sequence in order, and shows {@code observer} (null for
     * none) the input of every linear tensor.
     *
     * @throws IllegalArgumentException for an empty sequence or a token outside the vocabulary
     */
    void run(List<int[]> sequences, LogProbSink sink, InputObserver observer);

    /**
     * As {@link #logProbs(List, LogProbSink)}, also recording the residual stream at layer boundaries for
     * {@link #runFrom}, within about {@code maxBytes} (fewer boundaries kept when they do not fit).
     *
     * @return the states, or null when this pass cannot resume (it then runs whole passes)
     */
    default LayerStates runRecording(List<int[]> sequences, LogProbSink sink, long maxBytes) {
        run(sequences, sink, null);
        return null;
    }

    /**
     * As {@link #logProbs(List, LogProbSink)} for a variant of the pass that recorded {@code states} over the same
     * {@code sequences}, identical to it below layer {@code firstChanged} ({@link #firstChangedLayer}): starts
     * from the recorded state at the last kept boundary at or before that layer instead of the embedding. Passes
     * that cannot resume, or null states, run whole.
     */
    default void runFrom(List<int[]> sequences, LayerStates states, int firstChanged, LogProbSink sink) {
        run(sequences, sink, null);
    }

    /**
     * The first layer whose computation changes when the tensors named in {@code changed} are replaced: a block's
     * tensors (linear ones, norms, biases: names {@code blk.N.*}) give layer N, an untied LM head and the output
     * norm give {@code layers} (only the logits change), the embedding and any other name 0 (the whole pass).
     */
    default int firstChangedLayer(java.util.Collection<String> changed) {
        ModelArchitecture a = architecture();
        Map<String, org.edgefront.space.model.TensorSpec> specs = a.tensorsByName();
        int first = a.layers();
        for (String n : changed) {
            org.edgefront.space.model.TensorSpec t = specs.get(n);
            int l;
            if (t != null && t.role() == org.edgefront.space.model.TensorRole.LM_HEAD) l = a.layers();
            else if (t != null && t.role() == org.edgefront.space.model.TensorRole.EMBEDDING) l = 0;
            else if (t != null) l = t.layer();
            else if (n.equals(ModelArchitecture.outputNormName())) l = a.layers();
            else l = blockOf(n);
            first = Math.min(first, l);
        }
        return first;
    }

    /** N of a {@code blk.N.*} name, or 0 for any other name (the conservative answer: the whole pass). */
    private static int blockOf(String name) {
        if (!name.startsWith("blk.")) return 0;
        int dot = name.indexOf('.', 4);
        if (dot < 0) return 0;
        try {
            return Integer.parseInt(name.substring(4, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** As {@link #run} without an observer. */
    default void logProbs(List<int[]> sequences, LogProbSink sink) {
        run(sequences, sink, null);
    }

    /**
     * Incremental decoding of a fixed group of sequences, each one token further per {@link #step}, with the keys and
     * values of earlier positions cached: n steps cost n single-token rows per sequence, where recomputing every
     * prefix costs n^2 / 2. A step's rows are the group's sequences in order, so the matrix products always have the
     * group's row count and a sequence's result depends on its own tokens and its row, not on its neighbours' tokens.
     * The log-probabilities equal the whole-sequence pass's at the same positions but for rounding (products of
     * another row count). Owned by one thread; {@link #close()} frees its cache and buffers.
     */
    interface Decoder extends AutoCloseable {
        /**
         * Appends {@code tokens[r]} to sequence r of the group (every sequence at the same position).
         *
         * @return next-token log-probabilities, {@code sequences x vocab} row-major, valid until the next step
         * @throws IllegalArgumentException for a wrong count or a token outside the vocabulary
         * @throws IllegalStateException    when the sequences already hold {@code maxTokens} tokens
         */
        float[] step(int[] tokens);

        /** Tokens each sequence holds so far. */
        int length();

        @Override
        void close();
    }

    /**
     * A decoder of {@code sequences} sequences of at most {@code maxTokens} tokens, or null when this pass decodes
     * only by whole passes (then the caller recomputes each prefix).
     */
    default Decoder decoder(int sequences, int maxTokens) { return null; }

    /** Log-probabilities of one sequence: row p is the distribution of the token after position p. */
    default float[][] logProbs(int[] tokens) {
        float[][] out = new float[tokens.length][];
        int v = architecture().vocabSize();
        run(List.of(tokens), (s, p, lp, off) -> out[p] = java.util.Arrays.copyOfRange(lp, off, off + v), null);
        return out;
    }

    /**
     * Greedy continuation: appends the most likely token up to {@code maxNewTokens} times, stopping early
     * after a token in {@code stopTokens}. Recomputes the whole prefix each step (no KV cache), which is
     * fine for the short continuations this is used for.
     *
     * @return the new tokens (the prompt not included)
     */
    default int[] greedy(int[] prompt, int maxNewTokens, int... stopTokens) {
        List<Integer> out = new ArrayList<>();
        int[] seq = prompt.clone();
        for (int step = 0; step < maxNewTokens; step++) {
            float[][] lp = logProbs(seq);
            float[] last = lp[seq.length - 1];
            int best = 0;
            for (int i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
            boolean stop = false;
            for (int s : stopTokens) stop |= s == best;
            if (stop) break;
            out.add(best);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = best;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Per-input-feature L2 norms of the activations entering every linear tensor over the given calibration
     * sequences (for Wanda pruning). The embedding has no input; when tied it gets the LM head's.
     */
    default CalibrationStats inputNorms(List<int[]> calibration) {
        Map<String, double[]> sums = new HashMap<>();
        run(calibration, (s, p, lp, off) -> { }, (names, x, n, width) -> {
            double[] acc = sums.computeIfAbsent(names.get(0), k -> new double[width]);
            for (int r = 0; r < n; r++) {
                int b = r * width;
                for (int i = 0; i < width; i++) acc[i] += (double) x[b + i] * x[b + i];
            }
            for (int i = 1; i < names.size(); i++) sums.put(names.get(i), acc);
        });
        Map<String, float[]> norms = new HashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] ss = e.getValue();
            float[] n = new float[ss.length];
            for (int i = 0; i < ss.length; i++) n[i] = (float) Math.sqrt(ss[i]);
            norms.put(e.getKey(), n);
        }
        long tokens = 0;
        for (int[] s : calibration) tokens += s.length;
        return new CalibrationStats(norms, tokens);
    }

    /** Runs the calibration sequences and shows {@code observer} the input of every linear tensor (no logits kept). */
    default void observeInputs(List<int[]> calibration, InputObserver observer) {
        run(calibration, (s, p, lp, off) -> { }, Objects.requireNonNull(observer, "observer"));
    }
}
