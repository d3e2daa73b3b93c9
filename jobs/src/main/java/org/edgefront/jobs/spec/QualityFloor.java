package org.edgefront.jobs.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.space.metric.Metric;

/**
 * The default quality floor of a structure search: dropping layers, heads and channels can remove the whole
 * model (every layer skipped scores KL 23.6 and perplexity 6e10 on stories260K yet sits on a (kl, bytes) front as
 * its smallest point), so a structure search with measured quality and no quality budget of its own keeps
 * {@code kl <= 1.0}: a mean per-token KL to the uncompressed model of at most one nat. Top-1 agreement is no
 * floor: with every layer skipped the synthetic Llama still agrees on 63% of next tokens (the embedding and LM
 * head alone pick common tokens) at KL 10.6. A user who sets any quality budget ({@code kl}, {@code perplexity}
 * or {@code top1_agreement}; {@code dropped_mass} only guards vocabulary pruning) decides instead. Stateless.
 */
public final class QualityFloor {
    /** The default maximum mean per-token KL to the uncompressed model, nats. */
    public static final double DEFAULT_MAX_KL_NATS = 1.0;

    private static final List<Metric> QUALITY = List.of(Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT);

    private QualityFloor() {}

    /**
     * The budgets a search runs under: {@code given} (null = none) plus the default floor when the space prunes
     * structure, quality is measured per candidate, and no quality budget is given. The result is saved with the run.
     */
    public static Map<String, SearchSpec.Bound> budgets(Map<String, SearchSpec.Bound> given, boolean structure, boolean measured) {
        if (!structure || !measured) return given;
        if (given != null && given.keySet().stream().anyMatch(k -> QUALITY.stream().anyMatch(m -> m.jsonName().equals(k)))) return given;
        Map<String, SearchSpec.Bound> out = new LinkedHashMap<>(given == null ? Map.of() : given);
        out.put(Metric.KL.jsonName(), new SearchSpec.Bound(DEFAULT_MAX_KL_NATS, null, null));
        return out;
    }
}
