package org.edgefront.search.additive;

import java.util.List;
import java.util.Objects;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.TensorSpec;

/**
 * Objectives that are sums over decisions: objective {@code j} of a candidate is
 * {@code sum_i cost[i][gene_i][j]} (minimization form). Examples: weight bytes (exact per tensor, see
 * {@link #weightBytes}), a proxy KL from a sensitivity table (nats/token), energy per token. Immutable
 * (arrays are copied in) and thread-safe.
 */
public final class AdditiveModel {
    private final double[][][] cost; // [decision][option][objective]
    private final int objectives;

    /**
     * @param cost {@code cost[decision][option][objective]}, finite, every option with the same objective count
     */
    public AdditiveModel(double[][][] cost) {
        Objects.requireNonNull(cost, "cost");
        if (cost.length == 0) throw new IllegalArgumentException("no decisions");
        this.cost = new double[cost.length][][];
        int m = -1;
        for (int i = 0; i < cost.length; i++) {
            if (cost[i].length == 0) throw new IllegalArgumentException("decision " + i + " has no options");
            this.cost[i] = new double[cost[i].length][];
            for (int o = 0; o < cost[i].length; o++) {
                double[] c = cost[i][o];
                if (m < 0) m = c.length;
                if (c.length != m || m == 0) throw new IllegalArgumentException("decision " + i + " option " + o + " has " + c.length + " objectives, expected " + m);
                for (double v : c) if (!Double.isFinite(v)) throw new IllegalArgumentException("decision " + i + " option " + o + " has a non-finite cost");
                this.cost[i][o] = c.clone();
            }
        }
        this.objectives = m;
    }

    /**
     * A model whose objectives are the given columns, each {@code column[decision][option]}.
     */
    public static AdditiveModel ofColumns(List<double[][]> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("no objective columns");
        int d = columns.get(0).length;
        double[][][] c = new double[d][][];
        for (int i = 0; i < d; i++) {
            int k = columns.get(0)[i].length;
            c[i] = new double[k][columns.size()];
            for (int j = 0; j < columns.size(); j++) {
                if (columns.get(j).length != d || columns.get(j)[i].length != k) {
                    throw new IllegalArgumentException("objective column " + j + " does not match the shape of column 0");
                }
                for (int o = 0; o < k; o++) c[i][o][j] = columns.get(j)[i][o];
            }
        }
        return new AdditiveModel(c);
    }

    /**
     * Two objectives over {@code space}: objective 0 the exact weight bytes of each option ({@link #weightBytes}),
     * objective 1 {@code cost[decision][option]} (e.g. a sensitivity table's proxy KL in nats/token).
     */
    public static AdditiveModel bytesAnd(SearchSpace space, double[][] cost) {
        return ofColumns(List.of(weightBytes(space), cost));
    }

    /** Exact stored weight bytes of each option of each decision: the sum over the decision's tensors. */
    public static double[][] weightBytes(SearchSpace space) {
        if (space.hasStructure()) {
            throw new IllegalArgumentException("weight bytes are not additive over decisions when structure is searched (a pruned layer shrinks every tensor choice in it)");
        }
        double[][] out = new double[space.dimensions()][];
        java.util.Map<String, TensorSpec> byName = space.architecture().tensorsByName();
        for (int i = 0; i < space.dimensions(); i++) {
            Decision d = space.decisions().get(i);
            out[i] = new double[d.options().size()];
            for (int o = 0; o < out[i].length; o++) {
                TensorChoice ch = d.options().get(o);
                long b = 0;
                for (String t : d.tensors()) {
                    TensorSpec spec = byName.get(t);
                    b += ch.bytes(spec);
                }
                out[i][o] = b;
            }
        }
        return out;
    }

    /** Number of decisions. */
    public int dimensions() { return cost.length; }

    /** Options of decision {@code i}. */
    public int optionCount(int i) { return cost[i].length; }

    /** Number of objectives. */
    public int objectiveCount() { return objectives; }

    /** Cost of option {@code o} of decision {@code i} in objective {@code j}. */
    public double cost(int i, int o, int j) { return cost[i][o][j]; }

    /** True when the model's shape matches the space (same decisions and option counts). */
    public boolean fits(SearchSpace space) {
        if (space.dimensions() != cost.length) return false;
        for (int i = 0; i < cost.length; i++) if (space.optionCount(i) != cost[i].length) return false;
        return true;
    }

    /** Objective values of a candidate (summed in decision order, so results are reproducible bit for bit). */
    public double[] evaluate(Candidate c) {
        if (c.size() != cost.length) throw new IllegalArgumentException("candidate has " + c.size() + " genes, model has " + cost.length + " decisions");
        double[] f = new double[objectives];
        for (int i = 0; i < cost.length; i++) {
            double[] o = cost[i][c.gene(i)];
            for (int j = 0; j < objectives; j++) f[j] += o[j];
        }
        return f;
    }
}
