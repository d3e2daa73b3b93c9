package org.edgefront.evaluators.quality;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.edgefront.evaluators.compress.HessianStats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Collects GPTQ Hessians ({@code 2/N sum x x^T}) of linear tensors by running the uncompressed model over
 * calibration sequences: every chunk's inputs to a wanted tensor are multiplied {@code X^T X} with one ND4J GEMM
 * and summed in double. All Hessians come from the uncompressed model (not sequentially from already-quantized
 * layers, as the GPTQ paper does; a simplification that keeps tensors independent for per-tensor profiling).
 * Stateless and thread-safe.
 */
public final class HessianCollector {
    private HessianCollector() {}

    /**
     * @param forward     the (uncompressed) pass
     * @param calibration calibration token sequences, disjoint from the evaluation text
     * @param tensorNames the linear tensors wanted (names of the pass's architecture); memory grows with
     *                    the distinct input widths squared
     * @throws IllegalArgumentException for an empty calibration set or a name that takes no observed input
     */
    public static HessianStats collect(ForwardPass forward, List<int[]> calibration, Set<String> tensorNames) {
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(tensorNames, "tensorNames");
        if (calibration.isEmpty()) throw new IllegalArgumentException("no calibration sequences");
        Map<String, double[]> byName = new HashMap<>();
        Map<double[], Integer> widths = new IdentityHashMap<>();
        forward.observeInputs(calibration, (names, x, n, width) -> {
            boolean wanted = false;
            for (String s : names) wanted |= tensorNames.contains(s);
            if (!wanted) return;
            double[] acc = byName.get(names.get(0));
            if (acc == null) {
                acc = new double[width * width];
                widths.put(acc, width);
                for (String s : names) byName.put(s, acc);
            }
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, width}, 'c');
            new FloatPointer(a.data().addressPointer()).put(x, 0, n * width);
            INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {width, width}, 'c');
            Nd4j.gemm(a, a, c, true, false, 1.0, 0.0);
            float[] xtx = new float[width * width];
            new FloatPointer(c.data().addressPointer()).get(xtx, 0, xtx.length);
            a.close();
            c.close();
            for (int i = 0; i < xtx.length; i++) acc[i] += xtx[i];
        });
        long tokens = 0;
        for (int[] s : calibration) tokens += s.length;
        Map<String, float[]> out = new HashMap<>();
        Map<double[], float[]> converted = new IdentityHashMap<>();
        for (String name : tensorNames) {
            double[] acc = byName.get(name);
            if (acc == null) throw new IllegalArgumentException("tensor " + name + " takes no observed input in " + forward.architecture().name());
            final long n = tokens;
            out.put(name, converted.computeIfAbsent(acc, k -> {
                float[] h = new float[k.length];
                for (int i = 0; i < k.length; i++) h[i] = (float) (2.0 * k[i] / n);
                return h;
            }));
        }
        return new HessianStats(out, tokens);
    }
}
