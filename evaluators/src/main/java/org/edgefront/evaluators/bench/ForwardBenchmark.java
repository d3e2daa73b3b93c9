package org.edgefront.evaluators.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.quality.QualityReport;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward pass's FLOP rate beside this machine's matrix-multiply peak, both through ND4J's {@code gemm} (the
 * BLAS the pass uses) in one process, one after the other, so both see the same threads and the same load.
 *
 * <p>Peak: the best rate over float32 GEMMs of the pass's own shapes ({@code tokens x dim} times the q/k/v, FFN and
 * LM-head matrices) and two square ones, each repeated for at least {@code minSeconds}. Forward: the whole pass
 * ({@link ForwardPass#logProbs(List, ForwardPass.LogProbSink)}) over one sequence of {@code tokens} tokens, best
 * and median of {@code repeats} runs after one warm-up; its FLOPs are counted from the shape: {@code 2 x tokens x}
 * (block linear weights + vocab x dim for the LM head) plus causal attention ({@code 4 x heads x headDim} per
 * query-key pair). Also one measured-KL evaluation ({@link QualityEvaluator#measure(Map)}, every linear tensor
 * Q4_0) on the same tokens: first with compression, then with the compressed tensors cached.
 *
 * <p>Not thread-safe; one run per call. The pass and the evaluation spread over {@code passThreads} threads
 * ({@link ForwardPass#withThreads}); ND4J's and OpenBLAS's own thread counts come from the environment
 * ({@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS}). Both are printed with the figures. With more than one thread of
 * either kind only the wall-clock figures are meaningful.
 */
public final class ForwardBenchmark {
    private ForwardBenchmark() {}

    /**
     * One timed quantity on two clocks: wall time, and the calling thread's CPU time. With one BLAS/ND4J thread (the
     * default of {@code bin/edgefront}) and one pass thread every FLOP runs in the calling thread, so the CPU-time figure is what an idle
     * core gives and does not count time lost to other processes on a shared machine; with more threads only wall
     * time is meaningful.
     *
     * @param wallSeconds wall-clock seconds
     * @param cpuSeconds  CPU seconds of the calling thread
     */
    public record Seconds(double wallSeconds, double cpuSeconds) {
        static Seconds since(long wallStart, long cpuStart) {
            return new Seconds((System.nanoTime() - wallStart) / 1e9, (cpuNanos() - cpuStart) / 1e9);
        }

        static Seconds min(Seconds a, Seconds b) {
            return new Seconds(Math.min(a.wallSeconds, b.wallSeconds), Math.min(a.cpuSeconds, b.cpuSeconds));
        }
    }

    /**
     * What one run measured. Rates are GFLOP/s (1e9 floating-point operations per second); "wall" rates use
     * wall-clock time, "cpu" rates the calling thread's CPU time (see {@link Seconds}).
     *
     * @param model              the model source
     * @param tokens             tokens in the evaluated sequence
     * @param passThreads        threads each forward pass spread over ({@link ForwardPass#withThreads})
     * @param blasThreads        OpenBLAS threads ND4J reports for the pass (the GEMM peak used {@code max(blasThreads, passThreads)})
     * @param ompThreads         ND4J's own thread count
     * @param simdKernels        whether the pass's softmaxes and SiLU ran as SIMD code
     * @param gemmWallGflops     best wall rate per measured GEMM shape ({@code n x k x m})
     * @param gemmCpuGflops      best CPU-time rate per measured GEMM shape
     * @param forwardGflop       FLOPs of one pass, in GFLOP
     * @param forward            fastest pass on each clock
     * @param klFirst            one measured-KL evaluation including compressing every tensor
     * @param klCached           the same evaluation with the compressed tensors cached (fastest of two)
     * @param kl                 its KL, nats/token
     * @param rowMiddle          a sensitivity-row evaluation: only the FFN down projection of the middle layer Q4_0
     *                           (runs from that layer on the reference's recorded states), cached, fastest of two
     * @param rowLast            the same for the last layer's down projection
     * @param loadSeconds        generating/reading the model, building the pass and the evaluator's reference, wall seconds
     */
    public record Result(String model, int tokens, int passThreads, int blasThreads, int ompThreads, boolean simdKernels, Map<String, Double> gemmWallGflops,
                         Map<String, Double> gemmCpuGflops, double forwardGflop, Seconds forward, Seconds klFirst,
                         Seconds klCached, double kl, Seconds rowMiddle, Seconds rowLast, double loadSeconds) {
        /** Best GEMM rate on the wall clock. */
        public double peakWallGflops() { return max(gemmWallGflops); }

        /** Best GEMM rate on the CPU-time clock. */
        public double peakCpuGflops() { return max(gemmCpuGflops); }

        /** Forward FLOP rate on the wall clock. */
        public double forwardWallGflops() { return forwardGflop / forward.wallSeconds(); }

        /** Forward FLOP rate on the CPU-time clock. */
        public double forwardCpuGflops() { return forwardGflop / forward.cpuSeconds(); }

        private static double max(Map<String, Double> m) {
            return m.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** One JSON object. */
        public String json() {
            return String.format(Locale.ROOT, "{\"model\":\"%s\",\"tokens\":%d,\"pass_threads\":%d,\"blas_threads\":%d,\"omp_threads\":%d,\"simd_kernels\":%b,"
                            + "\"gemm_peak_wall_gflops\":%.2f,\"gemm_peak_cpu_gflops\":%.2f,\"gemm_wall_gflops\":{%s},\"gemm_cpu_gflops\":{%s},"
                            + "\"forward_gflop\":%.3f,\"forward_wall_s\":%.4f,\"forward_cpu_s\":%.4f,\"forward_wall_gflops\":%.2f,"
                            + "\"forward_cpu_gflops\":%.2f,\"fraction_of_peak_wall\":%.3f,\"fraction_of_peak_cpu\":%.3f,"
                            + "\"kl_eval_first_wall_s\":%.4f,\"kl_eval_first_cpu_s\":%.4f,\"kl_eval_cached_wall_s\":%.4f,"
                            + "\"kl_eval_cached_cpu_s\":%.4f,\"kl_all_q4_0\":%.6f,\"row_middle_layer_wall_s\":%.4f,"
                            + "\"row_middle_layer_cpu_s\":%.4f,\"row_last_layer_wall_s\":%.4f,\"row_last_layer_cpu_s\":%.4f,\"load_wall_s\":%.2f}",
                    model, tokens, passThreads, blasThreads, ompThreads, simdKernels, peakWallGflops(), peakCpuGflops(), rates(gemmWallGflops), rates(gemmCpuGflops),
                    forwardGflop, forward.wallSeconds(), forward.cpuSeconds(), forwardWallGflops(), forwardCpuGflops(),
                    forwardWallGflops() / peakWallGflops(), forwardCpuGflops() / peakCpuGflops(), klFirst.wallSeconds(),
                    klFirst.cpuSeconds(), klCached.wallSeconds(), klCached.cpuSeconds(), kl, rowMiddle.wallSeconds(), rowMiddle.cpuSeconds(),
                    rowLast.wallSeconds(), rowLast.cpuSeconds(), loadSeconds);
        }

        private static String rates(Map<String, Double> m) {
            StringBuilder g = new StringBuilder();
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (g.length() > 0) g.append(',');
                g.append(String.format(Locale.ROOT, "\"%s\":%.2f", e.getKey(), e.getValue()));
            }
            return g.toString();
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param model      a model source ({@code synthetic:smollm135m} for the 135M shape)
     * @param tokens     tokens in the evaluated sequence (BOS first, Zipf-like synthetic tokens, seed 1)
     * @param repeats    timed forward passes after one warm-up
     * @param minSeconds minimum wall time per GEMM shape
     * @throws IOException when the model cannot be read
     */
    public static Result run(String model, int tokens, int repeats, double minSeconds) throws IOException {
        return run(model, tokens, repeats, minSeconds, 1);
    }

    /**
     * As {@link #run(String, int, int, double)} with the pass and the evaluation spread over {@code passThreads} threads
     * (each with ND4J's one BLAS thread, as bin/edgefront sets it); the GEMM peak is then measured with that many BLAS
     * threads, the peak of the cores the pass uses.
     */
    public static Result run(String model, int tokens, int repeats, double minSeconds, int passThreads) throws IOException {
        Objects.requireNonNull(model, "model");
        if (passThreads < 1) throw new IllegalArgumentException("passThreads must be >= 1, got " + passThreads);
        if (tokens < 2) throw new IllegalArgumentException("tokens must be >= 2, got " + tokens);
        if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        long t0 = System.nanoTime();
        ModelArchitecture arch;
        QualityEvaluator evaluator;
        ForwardPass pass;
        List<int[]> seq;
        try (ModelWeights w = new ModelSource(model).open()) {
            arch = w.architecture();
            int len = Math.min(tokens, arch.maxSeqLen());
            seq = List.of(SyntheticLlama.tokenSequences(1, 1, len, arch.vocabSize()));
            pass = ForwardPasses.load(w, passThreads);
            SearchSpace space = SearchSpace.perTensor(arch, List.of(TensorChoice.parse("Q4_0")));
            evaluator = new QualityEvaluator(space, w, seq, passThreads);
        }
        double load = (System.nanoTime() - t0) / 1e9;
        int n = seq.get(0).length;

        Map<String, Double> wall = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        int dim = arch.dim();
        int[][] shapes = {{n, dim, dim + 2 * arch.kvDim()}, {n, dim, dim}, {n, dim, 2 * arch.hiddenDim()}, {n, arch.hiddenDim(), dim},
            {n, dim, arch.vocabSize()}, {1024, 1024, 1024}, {2048, 2048, 2048}};
        var blas = Nd4j.factory().blas();
        int passBlasThreads = blas.getMaxThreads();
        // the peak of the cores the pass runs on
        if (passThreads > passBlasThreads) blas.setMaxThreads(passThreads);
        try {
            for (int[] sh : shapes) {
                String key = sh[0] + "x" + sh[1] + "x" + sh[2];
                double flop = 2.0 * sh[0] * sh[1] * sh[2];
                Seconds best = gemmBest(sh[0], sh[1], sh[2], minSeconds);
                wall.put(key, flop / best.wallSeconds() / 1e9);
                cpu.put(key, flop / best.cpuSeconds() / 1e9);
            }
        } finally {
            blas.setMaxThreads(passBlasThreads);
        }

        double flop = forwardFlop(arch, n);
        ForwardPass.LogProbSink sink = (s, p, lp, off) -> { };
        pass.logProbs(seq, sink);
        Seconds fastest = null;
        for (int r = 0; r < repeats; r++) {
            long w0 = System.nanoTime();
            long c0 = cpuNanos();
            pass.logProbs(seq, sink);
            Seconds t = Seconds.since(w0, c0);
            fastest = fastest == null ? t : Seconds.min(fastest, t);
        }

        Map<String, TensorChoice> all = new LinkedHashMap<>();
        for (TensorSpec t : arch.linearTensors()) all.put(t.name(), TensorChoice.parse("Q4_0"));
        long w0 = System.nanoTime();
        long c0 = cpuNanos();
        QualityReport first = evaluator.measure(all);
        Seconds klFirst = Seconds.since(w0, c0);
        Seconds klCached = null;
        for (int r = 0; r < 2; r++) {
            w0 = System.nanoTime();
            c0 = cpuNanos();
            evaluator.measure(all);
            Seconds t = Seconds.since(w0, c0);
            klCached = klCached == null ? t : Seconds.min(klCached, t);
        }
        Seconds rowMiddle = timedTwice(evaluator, Map.of(TensorSpec.canonicalName(TensorRole.DOWN, arch.layers() / 2), TensorChoice.parse("Q4_0")));
        Seconds rowLast = timedTwice(evaluator, Map.of(TensorSpec.canonicalName(TensorRole.DOWN, arch.layers() - 1), TensorChoice.parse("Q4_0")));
        evaluator.close();
        return new Result(model, n, passThreads, Nd4j.factory().blas().getMaxThreads(), Nd4j.getEnvironment().maxThreads(),
                ForwardPasses.simdKernels(), wall, cpu, flop / 1e9,
                fastest, klFirst, klCached, first.klNatsPerToken(), rowMiddle, rowLast, load);
    }

    /** The faster (on each clock) of two measurements of {@code choices}, the first of which also fills the cache. */
    private static Seconds timedTwice(QualityEvaluator evaluator, Map<String, TensorChoice> choices) {
        evaluator.measure(choices);
        Seconds best = null;
        for (int r = 0; r < 2; r++) {
            long w0 = System.nanoTime();
            long c0 = cpuNanos();
            evaluator.measure(choices);
            Seconds t = Seconds.since(w0, c0);
            best = best == null ? t : Seconds.min(best, t);
        }
        return best;
    }

    /**
     * FLOPs of one pass over a sequence of {@code n} tokens: every block linear and the LM head as
     * {@code 2 x n x rows x cols}, causal attention as {@code 4 x heads x headDim} per (query, key at or before it).
     */
    public static double forwardFlop(ModelArchitecture arch, int n) {
        double weights = (double) arch.vocabSize() * arch.dim();
        for (TensorSpec t : arch.linearTensors()) {
            if (t.role() != TensorRole.EMBEDDING && t.role() != TensorRole.LM_HEAD) weights += t.parameterCount();
        }
        double pairs = (double) n * (n + 1) / 2;
        return 2.0 * n * weights + 4.0 * arch.layers() * arch.heads() * arch.headDim() * pairs;
    }

    /** Fastest (on each clock) of repeated {@code (n x k) times (m x k)^T} float GEMMs, as the pass calls them, over {@code minSeconds} of wall time. */
    static Seconds gemmBest(int n, int k, int m, double minSeconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, k);
        INDArray w = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, m}, 'c');
        Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
        Seconds best = null;
        long start = System.nanoTime();
        int runs = 0;
        do {
            long w0 = System.nanoTime();
            long c0 = cpuNanos();
            Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
            Seconds t = Seconds.since(w0, c0);
            best = best == null ? t : Seconds.min(best, t);
            runs++;
        } while ((System.nanoTime() - start) / 1e9 < minSeconds || runs < 3);
        a.close();
        w.close();
        c.close();
        return best;
    }

    /** Nanoseconds of the calling thread's CPU time: with one BLAS thread all the work runs in it, so other tenants' load does not count. */
    private static long cpuNanos() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }

}
