package org.edgefront.jobs.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.WeightErrorProfiler;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * Quantization-error profiling in Spark tasks, parallel over tensors: each task opens the model, reads its tensors
 * one at a time and computes {@link WeightErrorProfiler#relativeErrors} for every option. No forward pass, so this
 * is a throughput figure for compression itself (and a cheap ranking), not a KL table. Stateless; does not own the
 * SparkContext.
 */
public final class WeightErrorJob {
    private WeightErrorJob() {}

    /**
     * @param errors       relative squared error per tensor (linear-tensor order) and option
     * @param parameters   weights profiled (each counted once)
     * @param seconds      wall-clock seconds of the parallel part
     * @param slots        task slots used (cores)
     * @param readSeconds  summed seconds tasks spent reading (or generating) weights
     * @param cpuSeconds   summed thread CPU seconds of the tasks (reading plus quantizing), i.e. core-seconds actually used
     * @param readCpuSeconds summed thread CPU seconds of reading (or generating) weights
     */
    public record Outcome(double[][] errors, long parameters, double seconds, int slots, double readSeconds, double cpuSeconds,
                          double readCpuSeconds) {
        /** fp16 bytes of the profiled weights (2 per weight). */
        public double fp16Bytes() { return 2.0 * parameters; }
    }

    /** Profiles every linear tensor of the supplied model over {@code options}. */
    public static Outcome run(JavaSparkContext sc, QualityEvaluator.WeightsSupplier weights, List<TensorSpec> tensors,
                              List<TensorChoice> options, int partitions) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) idx.add(i);
        int slots = sc.defaultParallelism();
        int p = Math.max(1, Math.min(partitions > 0 ? partitions : tensors.size(), tensors.size()));
        List<TensorSpec> ts = List.copyOf(tensors);
        List<TensorChoice> os = List.copyOf(options);
        long start = System.nanoTime();
        // each result line: "index read_nanos cpu_nanos read_cpu_nanos e0 e1 ..." (Strings need no Kryo registration)
        List<String> lines = sc.parallelize(idx, p).mapPartitions((Iterator<Integer> it) -> measure(weights, ts, os, it).iterator()).collect();
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] errors = new double[ts.size()][];
        double read = 0;
        double cpu = 0;
        double readCpu = 0;
        for (String l : lines) {
            String[] f = l.split(" ");
            int i = Integer.parseInt(f[0]);
            read += Long.parseLong(f[1]) / 1e9;
            cpu += Long.parseLong(f[2]) / 1e9;
            readCpu += Long.parseLong(f[3]) / 1e9;
            errors[i] = new double[f.length - 4];
            for (int k = 4; k < f.length; k++) errors[i][k - 4] = Double.parseDouble(f[k]);
        }
        long params = 0;
        for (TensorSpec t : ts) params += t.parameterCount();
        return new Outcome(errors, params, seconds, slots, read, cpu, readCpu);
    }

    static List<String> measure(QualityEvaluator.WeightsSupplier supplier, List<TensorSpec> ts, List<TensorChoice> os, Iterator<Integer> it) {
        List<String> out = new ArrayList<>();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (ModelWeights w = supplier.open()) {
            while (it.hasNext()) {
                int i = it.next();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                float[] x = w.read(ts.get(i).name());
                long readNanos = System.nanoTime() - t0;
                long c1 = mx.getCurrentThreadCpuTime();
                double[] e = WeightErrorProfiler.relativeErrors(ts.get(i), x, os);
                long c2 = mx.getCurrentThreadCpuTime();
                StringBuilder b = new StringBuilder().append(i).append(' ').append(readNanos).append(' ').append(c2 - c0).append(' ').append(c1 - c0);
                for (double v : e) b.append(' ').append(v);
                out.add(b.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model", e);
        }
        return out;
    }
}
