package org.edgefront.evaluators.sensitivity;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.TensorSpec;

/**
 * A first-order sensitivity estimate whose cost grows with the number of options, not the number of tensors: a
 * {@link SensitivityTable} of estimated (not measured) KL built from
 * <ol>
 *   <li>per decision and option, the importance-weighted relative output error {@code e[d][o] = E||(W - C(W)) x||^2 /
 *       E||W x||^2} (diagonal input covariance from the calibration activations, as llama.cpp's importance matrix;
 *       {@link WeightErrorProfiler}): no forward pass, each tensor read once and compressed once per option;</li>
 *   <li>per option, one measured KL with <em>every</em> tensor in that option (the uniform anchor: one forward pass
 *       per option), shared out over the decisions in proportion to their errors:
 *       {@code KL[d][o] = anchor[o] x e[d][o] / sum_d' e[d'][o]}.</li>
 * </ol>
 * So the table is exact for the uniform candidates and additive in between; how well it ranks mixed candidates is
 * checked against measured KL (the fidelity study) and, in a search, by multi-fidelity measurement. The
 * original-weight option (F32 dense full rank) is 0 exactly. Structural decisions are not covered (their cost is not
 * a weight error). Stateless and thread-safe.
 */
public final class OutputErrorProxy {
    /** Recorded as the table's evaluator version. */
    public static final String VERSION = "output-error-proxy/1";

    private OutputErrorProxy() {}

    /** Reads one tensor's float weights by canonical name (from a checkpoint, tensor by tensor). */
    @FunctionalInterface
    public interface TensorReader {
        float[] read(String tensorName) throws IOException;
    }

    /**
     * The relative output errors {@code e[d][o]} of every tensor decision and option, reading each tensor once.
     *
     * @param stats calibration activations: input-feature norms weight the columns (a tensor without norms is
     *              weighted uniformly); Hessians serve {@code +gptq} options; null for plain relative weight error
     * @throws IllegalArgumentException when the space has structural decisions
     */
    public static double[][] outputErrors(SearchSpace space, TensorReader weights, CalibrationStats stats) throws IOException {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(weights, "weights");
        if (space.hasStructure()) throw new IllegalArgumentException("the output-error proxy covers tensor decisions only, not structure");
        Map<String, TensorSpec> specs = space.architecture().tensorsByName();
        List<Decision> ds = space.decisions();
        double[][] out = new double[ds.size()][];
        for (int d = 0; d < ds.size(); d++) {
            Decision dec = ds.get(d);
            double[] sum = new double[dec.options().size()];
            long params = 0;
            for (String name : dec.tensors()) {
                TensorSpec t = specs.get(name);
                float[] h = columnWeights(stats, name, t.cols());
                double[] rel = WeightErrorProfiler.relativeErrors(t, weights.read(name), dec.options(), h, stats);
                // a decision over several tensors: their relative errors averaged by parameter count
                for (int o = 0; o < rel.length; o++) sum[o] += rel[o] * t.parameterCount();
                params += t.parameterCount();
            }
            for (int o = 0; o < sum.length; o++) sum[o] = params == 0 ? 0 : sum[o] / params;
            out[d] = sum;
        }
        return out;
    }

    /**
     * The estimated table: each option's uniform anchor shared out over the decisions by their errors.
     *
     * @param errors   {@link #outputErrors} of {@code space}
     * @param anchorKl measured KL (nats/token) with every tensor in that option, by option label; every non-original
     *                 option of the space needs one
     * @param tokens   predicted positions the anchors were measured on
     * @throws IllegalArgumentException for a missing, negative or NaN anchor
     */
    public static SensitivityTable table(SearchSpace space, double[][] errors, Map<String, Double> anchorKl, long tokens) {
        List<Decision> ds = space.decisions();
        if (errors.length != ds.size()) throw new IllegalArgumentException(errors.length + " error rows for " + ds.size() + " decisions");
        Map<String, Double> total = new HashMap<>();
        for (int d = 0; d < ds.size(); d++) {
            List<TensorChoice> opts = ds.get(d).options();
            for (int o = 0; o < opts.size(); o++) total.merge(opts.get(o).label(), errors[d][o], Double::sum);
        }
        Map<String, TensorSpec> specs = space.architecture().tensorsByName();
        List<SensitivityTable.Row> rows = new ArrayList<>();
        for (int d = 0; d < ds.size(); d++) {
            Decision dec = ds.get(d);
            List<SensitivityTable.Entry> entries = new ArrayList<>();
            for (int o = 0; o < dec.options().size(); o++) {
                TensorChoice c = dec.options().get(o);
                long bytes = 0;
                for (String t : dec.tensors()) bytes += c.bytes(specs.get(t));
                double kl = 0;
                if (!SensitivityProfiler.isOriginal(c)) {
                    Double a = anchorKl.get(c.label());
                    if (a == null || a.isNaN() || a < 0) throw new IllegalArgumentException("no usable uniform anchor KL for option " + c.label() + ": " + a);
                    double t = total.get(c.label());
                    kl = a.isInfinite() ? Double.POSITIVE_INFINITY : t > 0 ? a * errors[d][o] / t : 0;
                }
                entries.add(new SensitivityTable.Entry(c.label(), kl, bytes));
            }
            rows.add(new SensitivityTable.Row(d, dec.name(), dec.tensors(), entries));
        }
        return new SensitivityTable(space.architecture().name(), VERSION, tokens, rows);
    }

    /** Mean squared input activation per column ({@code norm^2 / tokens}), or null when none were collected. */
    static float[] columnWeights(CalibrationStats stats, String tensor, int cols) {
        if (stats == null || stats.normsFor(tensor) == null || stats.tokens() == 0) return null;
        float[] n = stats.normsFor(tensor);
        if (n.length != cols) throw new IllegalArgumentException("calibration norms of " + tensor + " have " + n.length + " entries, the tensor " + cols + " columns");
        float[] h = new float[cols];
        for (int i = 0; i < cols; i++) h[i] = n[i] * n[i] / stats.tokens();
        return h;
    }
}
