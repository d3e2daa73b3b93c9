package org.edgefront.jobs.profile;

import java.util.List;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Converts a {@link SensitivityTable} into search's {@link AdditiveModel}: objective 0 is the exact weight bytes of
 * each option (from {@link AdditiveModel#weightBytes}), objective 1 the proxy KL entry in nats/token. Entries that
 * failed when profiled (infinite) become {@link #FAILED_PENALTY_NATS} so that the model stays finite and such options
 * are never chosen over a measured one. Stateless.
 */
public final class SensitivityModels {
    /** Proxy cost of an option whose profiling failed, nats/token (far above any real per-tensor KL). */
    public static final double FAILED_PENALTY_NATS = 1e6;

    private SensitivityModels() {}

    /**
     * @throws IllegalArgumentException when the table was not built for {@code space}
     */
    public static AdditiveModel bytesAndProxy(SearchSpace space, SensitivityTable table) {
        if (!table.fits(space)) throw new IllegalArgumentException("sensitivity table of " + table.model() + " does not fit the search space");
        double[][] kl = table.klMatrix();
        for (double[] row : kl) {
            for (int o = 0; o < row.length; o++) if (!Double.isFinite(row[o])) row[o] = FAILED_PENALTY_NATS;
        }
        return AdditiveModel.ofColumns(List.of(AdditiveModel.weightBytes(space), kl));
    }
}
