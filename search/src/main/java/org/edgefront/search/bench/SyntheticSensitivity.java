package org.edgefront.search.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * A seeded synthetic sensitivity table shaped like published per-layer studies (not measured data):
 * proxy KL (nats/token) of one tensor at one option = tensor sensitivity x option error, where
 * <ul>
 *   <li>the format error is a relative weight MSE falling about 4x per bit, K-quants below legacy formats
 *       of the same bits, F16 zero, each jittered per tensor (lognormal, sigma 0.15: outlier structure);</li>
 *   <li>sparsity adds a pruning error (25% unstructured about 0.02, 2:4 about 0.09, jittered, sigma 0.3)
 *       and compounds with quantization;</li>
 *   <li>tensor sensitivity: first two layers x3 and x2, last layer x2, a mild U over depth; v and down
 *       projections most sensitive, k and q least; lognormal jitter per tensor (sigma 0.35); scaled so an
 *       all-Q4_K model costs about 0.05 nats/token.</li>
 * </ul>
 * Stateless.
 */
public final class SyntheticSensitivity {
    private SyntheticSensitivity() {}

    /** Base relative error of a dense format (before jitter). */
    static double formatError(WeightFormat f) {
        return switch (f.name()) {
            case "F32", "F16", "BF16" -> 0.0;
            case "Q8_0" -> 1.0e-4;
            case "Q6_K" -> 6.0e-4;
            case "Q5_K" -> 1.6e-3;
            case "Q5_1" -> 1.9e-3;
            case "Q5_0" -> 2.2e-3;
            case "Q4_K" -> 4.5e-3;
            case "Q4_1" -> 5.8e-3;
            case "Q4_0" -> 7.0e-3;
            case "Q3_K" -> 1.6e-2;
            case "Q2_K" -> 5.5e-2;
            default -> Math.pow(4, -(f.bits() - 8)) * 1.0e-4; // generic int{b}: ~4x per bit from 8-bit
        };
    }

    static double sparsityError(Sparsity s) {
        return switch (s.kind()) {
            case NONE -> 0.0;
            case UNSTRUCTURED -> 0.35 * s.ratio() * s.ratio();
            case N_M -> 0.36 * s.ratio() * s.ratio();
        };
    }

    static double roleFactor(TensorRole r) {
        return switch (r) {
            case V -> 1.6;
            case DOWN -> 1.5;
            case O -> 1.1;
            case Q -> 0.7;
            case K -> 0.6;
            case EMBEDDING, LM_HEAD -> 2.0;
            default -> 1.0;
        };
    }

    /** Proxy-KL column {@code [decision][option]} for a space (sum over each decision's tensors). */
    public static double[][] proxyKl(SearchSpace space, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int layers = space.architecture().layers();
        double[][] out = new double[space.dimensions()][];
        for (int i = 0; i < space.dimensions(); i++) {
            Decision d = space.decisions().get(i);
            List<TensorChoice> opts = d.options();
            out[i] = new double[opts.size()];
            for (String t : d.tensors()) {
                TensorSpec spec = space.architecture().tensor(t);
                double depth = spec.layer() < 0 ? 1.0 : layerFactor(spec.layer(), layers);
                double sens = 0.0045 * depth * roleFactor(spec.role()) * Math.exp(0.35 * gaussian(rng));
                // per-tensor jitter per format and per sparsity level, drawn in option order
                for (int o = 0; o < opts.size(); o++) {
                    TensorChoice c = opts.get(o);
                    double q = formatError(c.format()) * Math.exp(0.15 * gaussian(rng));
                    double s = sparsityError(c.sparsity()) * Math.exp(0.3 * gaussian(rng));
                    double rank = c.isLowRank() ? 0.5 * (1 - c.rankRatio()) : 0.0;
                    out[i][o] += sens * (q + s + q * s * 20 + rank);
                }
            }
        }
        return out;
    }

    private static double layerFactor(int layer, int layers) {
        double x = layers == 1 ? 0.5 : (double) layer / (layers - 1);
        double u = 0.8 + 0.6 * (x - 0.5) * (x - 0.5) * 4 * 0.5; // mild U: 0.8 in the middle, 1.1 at the ends
        if (layer == 0) u *= 3;
        else if (layer == 1) u *= 2;
        else if (layer == layers - 1) u *= 2;
        return u;
    }

    /** Box-Muller standard normal from the given generator. */
    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The two-objective model (exact weight bytes, proxy KL) for a space. */
    public static AdditiveModel model(SearchSpace space, long seed) {
        return AdditiveModel.ofColumns(List.of(AdditiveModel.weightBytes(space), proxyKl(space, seed)));
    }
}
