package org.edgefront.jobs.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import org.edgefront.search.problem.Constraint;
import org.edgefront.space.metric.Metric;

/**
 * The default memory budget of a search: a configuration whose peak memory exceeds the device's DRAM cannot be
 * resident there (a runtime would page weights in from storage on every token, so the simulated speeds and energy
 * would not hold), so a search whose spec sets no {@code memory_bytes} budget keeps {@code memory_bytes} within the
 * device's DRAM ({@code shareOfDram: 1.0}). It bounds what the device can hold, not what one app should take: the
 * spec's own {@code memory_bytes} budget (for example {@code shareOfDram: 0.1}) replaces it. Saved with the run like
 * the spec's budgets. Stateless.
 */
public final class DramBound {
    /** The default bound's share of the device's DRAM. */
    public static final double DEFAULT_SHARE_OF_DRAM = 1.0;

    private DramBound() {}

    /** {@code given} (null = none) plus the default bound when it has no {@code memory_bytes} budget. */
    public static Map<String, SearchSpec.Bound> budgets(Map<String, SearchSpec.Bound> given) {
        String memory = Metric.MEMORY_BYTES.jsonName();
        if (given != null && given.containsKey(memory)) return given;
        Map<String, SearchSpec.Bound> out = new LinkedHashMap<>(given == null ? Map.of() : given);
        out.put(memory, new SearchSpec.Bound(null, null, DEFAULT_SHARE_OF_DRAM));
        return out;
    }

    /** Whether {@code metric: bound} is the default bound as a spec states it ({@code memory_bytes: {shareOfDram: 1.0}}). */
    public static boolean isDefault(String metric, SearchSpec.Bound bound) {
        return Metric.MEMORY_BYTES.jsonName().equals(metric) && bound != null && bound.atMost() == null && bound.atLeast() == null
                && bound.shareOfDram() != null && bound.shareOfDram() == DEFAULT_SHARE_OF_DRAM;
    }

    /**
     * Whether {@code c} is the whole-DRAM bound of a device of {@code dramBytes}: a physical limit that usually
     * excludes nothing, so a run does not warn that it did not shape the front.
     */
    public static boolean isWholeDram(Constraint c, long dramBytes) {
        return c.metric() == Metric.MEMORY_BYTES && c.bound() == Constraint.Bound.AT_MOST
                && c.limit() == DEFAULT_SHARE_OF_DRAM * dramBytes;
    }
}
