package org.edgefront.nativert;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Measures batched simulator throughput on random candidates of a 32-layer Llama-2-7B-shaped model (7 linear
 * tensors per layer plus embedding and LM head): candidates are pre-encoded per (tensor, option), as a
 * search evaluator does, then simulated in batches by {@code threads} threads, each with its own batch.
 * Used by tests and by the CLI's {@code bench simulator}. Stateless.
 */
public final class SimulatorBenchmark {
    private SimulatorBenchmark() {}

    /**
     * @param candidatesPerSecond simulated candidates per wall-clock second
     * @param candidates          candidates simulated
     * @param seconds             wall-clock time of the timed part
     * @param checksum            sum of predicted decode tok/s (keeps the work observable)
     */
    public record Result(double candidatesPerSecond, long candidates, double seconds, int threads, int batchSize,
                         double checksum) {}

    private static final List<TensorChoice> OPTIONS = List.of(TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.Q8_0),
            TensorChoice.of(WeightFormat.Q6_K), TensorChoice.of(WeightFormat.Q5_K), TensorChoice.of(WeightFormat.Q4_K),
            TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q3_K), TensorChoice.of(WeightFormat.Q2_K),
            TensorChoice.of(WeightFormat.parse("int4g128")), new TensorChoice(WeightFormat.Q4_0, Sparsity.nOfM(2, 4), 1.0),
            new TensorChoice(WeightFormat.Q8_0, Sparsity.NONE, 0.5));

    /** The benchmark model: Llama-2-7B shape. */
    public static ModelArchitecture model() {
        return ModelArchitecture.llama("bench-llama-32L", 4096, 11008, 32, 32, 32, 32000, 4096, false, 1e-5, 1e4, true);
    }

    public static Result run(DeviceProfile device, Workload workload, long totalCandidates, int batchSize, int threads, long seed)
            throws Exception {
        ModelArchitecture arch = model();
        List<TensorSpec> ts = arch.linearTensors();
        EncodedChoice[][] enc = new EncodedChoice[ts.size()][OPTIONS.size()];
        for (int t = 0; t < ts.size(); t++) for (int o = 0; o < OPTIONS.size(); o++) enc[t][o] = EncodedChoice.encode(ts.get(t), OPTIONS.get(o));
        try (NativeSimulator sim = new NativeSimulator()) {
            // warm-up (JIT, library load)
            work(sim, device, workload, arch, enc, Math.min(totalCandidates, 20_000), batchSize, new SplittableRandom(seed));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                long per = totalCandidates / threads;
                long t0 = System.nanoTime();
                List<Future<Double>> fs = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    SplittableRandom rng = new SplittableRandom(seed + 1 + i);
                    fs.add(pool.submit(() -> work(sim, device, workload, arch, enc, per, batchSize, rng)));
                }
                double sum = 0;
                for (Future<Double> f : fs) sum += f.get();
                double secs = (System.nanoTime() - t0) / 1e9;
                return new Result(per * threads / secs, per * threads, secs, threads, batchSize, sum);
            } finally {
                pool.shutdown();
            }
        }
    }

    private static double work(NativeSimulator sim, DeviceProfile device, Workload w, ModelArchitecture arch, EncodedChoice[][] enc,
                               long n, int batchSize, SplittableRandom rng) {
        CandidateBatch b = new CandidateBatch(arch, batchSize);
        double sum = 0;
        for (long done = 0; done < n; ) {
            int m = (int) Math.min(batchSize, n - done);
            for (int c = 0; c < m; c++) for (int t = 0; t < enc.length; t++) b.set(c, t, enc[t][rng.nextInt(enc[t].length)]);
            b.size(m);
            BatchResult r = sim.simulateBatch(device, w, b);
            for (int c = 0; c < m; c++) sum += r.decodeTokensPerSecond(c);
            done += m;
        }
        return sum;
    }
}
