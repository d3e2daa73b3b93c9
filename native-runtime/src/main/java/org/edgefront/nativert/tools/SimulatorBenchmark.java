package org.edgefront.nativert.tools;

import org.edgefront.nativert.BatchResult;
import org.edgefront.nativert.CandidateBatch;
import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
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
     * @param cpuSeconds          CPU time the worker threads used in the timed part (load-independent work measure)
     */
    public record Result(double candidatesPerSecond, long candidates, double seconds, int threads, int batchSize,
                         double checksum, double cpuSeconds) {
        /** Candidates per CPU-second of the workers: what one idle core sustains, whatever else the machine runs. */
        public double candidatesPerCpuSecond() { return candidates / cpuSeconds; }
    }

    private static final List<TensorChoice> OPTIONS = List.of(TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.Q8_0),
            TensorChoice.of(WeightFormat.Q6_K), TensorChoice.of(WeightFormat.Q5_K), TensorChoice.of(WeightFormat.Q4_K),
            TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q3_K), TensorChoice.of(WeightFormat.Q2_K),
            TensorChoice.of(WeightFormat.parse("int4g128")), new TensorChoice(WeightFormat.Q4_0, Sparsity.nOfM(2, 4), 1.0),
            new TensorChoice(WeightFormat.Q8_0, Sparsity.NONE, 0.5));

    /** The benchmark model: Llama-2-7B shape. */
    public static ModelArchitecture model() {
        return ModelArchitecture.llama("bench-llama-32L", 4096, 11008, 32, 32, 32, 32000, 4096, false, 1e-5, 1e4, true);
    }

    /**
     * The fixed device the benchmark simulates (a phone-class profile built in code so the benchmark needs no
     * files; its numbers change the predictions, not the throughput).
     */
    public static DeviceProfile benchmarkDevice() {
        return new DeviceProfile(DeviceProfile.SCHEMA_VERSION, "bench-phone", "bench-soc",
                new DeviceProfile.Dram(8L << 30, 64e9, 0.10),
                new DeviceProfile.Cpu(DeviceProfile.Isa.ARM64, List.of(new DeviceProfile.CpuCluster("big", 4, 3.0, 16, 32, 64, 1.5),
                        new DeviceProfile.CpuCluster("little", 4, 2.0, 8, 16, 32, 0.3)), 15e9),
                new DeviceProfile.Caches(64 << 10, 2 << 20, 8 << 20, 8 << 20),
                new DeviceProfile.Accelerator("gpu", 2e12, 4e12, 1.0, 4.0), DeviceProfile.Accelerator.ABSENT,
                new DeviceProfile.Energy(20, 1.5, 1.0), new DeviceProfile.Thermal(120, 0.7), new DeviceProfile.Battery(15),
                new DeviceProfile.Storage(2e9, 100));
    }

    /**
     * The standard benchmark ({@code edgefront bench simulator}): {@code candidates} random candidates of the
     * 32-layer model on {@link #benchmarkDevice()}, CPU workload with 6 threads, batches of 2048, seed 1.
     */
    public static Result runStandard(int threads, long candidates) throws Exception {
        return run(benchmarkDevice(), Workload.standard(Backend.CPU, 6), candidates, 2048, threads, 1);
    }

    /**
     * One JSON object: {@code candidates_per_s} (wall clock), the candidate count, seconds, threads, batch size,
     * the workers' CPU seconds, {@code candidates_per_cpu_s} and {@code idle_machine_candidates_per_s} (per CPU-second
     * x threads: the wall-clock rate when each thread has a core to itself) and the 1-minute load average.
     */
    public static String json(Result r) {
        return String.format(java.util.Locale.ROOT,
                "{\"candidates_per_s\": %.1f, \"candidates\": %d, \"seconds\": %.4f, \"threads\": %d, \"batch_size\": %d, "
                        + "\"tensors_per_candidate\": %d, \"cpu_seconds\": %.4f, \"candidates_per_cpu_s\": %.1f, "
                        + "\"idle_machine_candidates_per_s\": %.1f, \"load_average\": %.2f}",
                r.candidatesPerSecond(), r.candidates(), r.seconds(), r.threads(), r.batchSize(), model().linearTensors().size(),
                r.cpuSeconds(), r.candidatesPerCpuSecond(), r.candidatesPerCpuSecond() * r.threads(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Prints {@link #json} of {@link #runStandard}; args: [threads (default 2)] [candidates (default 1000000)]. */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long candidates = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        System.out.println(json(runStandard(threads, candidates)));
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
                List<Future<double[]>> fs = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    SplittableRandom rng = new SplittableRandom(seed + 1 + i);
                    fs.add(pool.submit(() -> {
                        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                        long c0 = mx.getCurrentThreadCpuTime();
                        double s = work(sim, device, workload, arch, enc, per, batchSize, rng);
                        return new double[] {s, (mx.getCurrentThreadCpuTime() - c0) / 1e9};
                    }));
                }
                double sum = 0, cpu = 0;
                for (Future<double[]> f : fs) {
                    double[] r = f.get();
                    sum += r[0];
                    cpu += r[1];
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                return new Result(per * threads / secs, per * threads, secs, threads, batchSize, sum, cpu);
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
            for (int c = 0; c < m; c++) {
                // four 16-bit uniform draws per nextLong (index = draw x options / 2^16; bias < options / 65536)
                long bits = 0;
                for (int t = 0; t < enc.length; t++) {
                    if ((t & 3) == 0) bits = rng.nextLong();
                    int options = enc[t].length;
                    b.set(c, t, enc[t][(int) (((bits & 0xFFFF) * options) >>> 16)]);
                    bits >>>= 16;
                }
            }
            b.size(m);
            BatchResult r = sim.simulateBatch(device, w, b);
            for (int c = 0; c < m; c++) sum += r.decodeTokensPerSecond(c);
            done += m;
        }
        return sum;
    }
}
