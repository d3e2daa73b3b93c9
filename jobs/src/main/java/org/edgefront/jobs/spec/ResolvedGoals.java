package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;

/**
 * The spec's {@code objectives} and {@code budgets} sections resolved into search's objectives and constraints
 * (a DRAM share is turned into bytes with the device's capacity), with the default budgets added: the quality floor
 * of a structure search ({@link QualityFloor}) and the device's whole DRAM when no memory budget is set
 * ({@link DramBound}). Immutable.
 *
 * @param objectiveNames objective metric names, in order
 * @param objectives     the objectives
 * @param budgets        the budgets' constraints, in spec order
 * @param problem        objectives and budgets
 */
public record ResolvedGoals(List<String> objectiveNames, List<Objective> objectives, List<Constraint> budgets, Problem problem,
                            Map<String, SearchSpec.Bound> budgetSpec) {

    /**
     * Resolves the objectives and budgets of {@code s} read from {@code file}.
     *
     * @throws InvalidInputException naming the file and key for an unknown, unmeasured or repeated metric or a bad bound
     */
    public static ResolvedGoals resolve(String file, SearchSpec s, DeviceProfile device, boolean structure) {
        // structure searches get a default quality floor unless the spec sets one (never a model with every layer gone)
        // and every search stays within the device's DRAM unless it sets its own memory budget (DramBound)
        Map<String, SearchSpec.Bound> budgets = DramBound.budgets(QualityFloor.budgets(s.budgets(), structure,
                s.quality() == null || s.quality().mode() == null || s.quality().mode().equals("measured")));
        List<String> objectiveNames = s.objectives() == null ? List.of("kl", "memory_bytes", "energy_j_per_token") : s.objectives();
        require(file, "objectives", !objectiveNames.isEmpty() && objectiveNames.size() <= 4, "must list 1 to 4 metrics");
        require(file, "objectives", objectiveNames.stream().distinct().count() == objectiveNames.size(), "lists a metric twice");
        List<Objective> objectives = new ArrayList<>();
        for (int i = 0; i < objectiveNames.size(); i++) {
            Metric metric = metric(file, "objectives[" + i + "]", objectiveNames.get(i));
            require(file, "objectives[" + i + "]", SUPPORTED.contains(metric), "metric " + metric.jsonName() + " is not measured by search (use one of " + SUPPORTED_NAMES + ")");
            objectives.add(new Objective(metric, metric.better()));
        }
        List<Constraint> constraints = new ArrayList<>();
        if (budgets != null) {
            for (Map.Entry<String, SearchSpec.Bound> e : budgets.entrySet()) {
                String key = "budgets." + e.getKey();
                Metric metric = metric(file, key, e.getKey());
                require(file, key, SUPPORTED.contains(metric), "metric " + metric.jsonName() + " is not measured by search");
                SearchSpec.Bound b = e.getValue();
                require(file, key, b != null, "needs atMost, atLeast or shareOfDram");
                int set = (b.atMost() == null ? 0 : 1) + (b.atLeast() == null ? 0 : 1) + (b.shareOfDram() == null ? 0 : 1);
                require(file, key, set == 1, "set exactly one of atMost, atLeast, shareOfDram");
                if (b.shareOfDram() != null) {
                    require(file, key + ".shareOfDram", metric == Metric.MEMORY_BYTES, "only applies to memory_bytes");
                    require(file, key + ".shareOfDram", b.shareOfDram() > 0 && b.shareOfDram() <= 1, "must be in (0, 1]");
                    constraints.add(Constraint.atMost(metric, b.shareOfDram() * device.dram().capacityBytes()));
                } else if (b.atMost() != null) {
                    require(file, key + ".atMost", Double.isFinite(b.atMost()) && b.atMost() > 0, "must be a positive finite number");
                    constraints.add(Constraint.atMost(metric, b.atMost()));
                } else {
                    require(file, key + ".atLeast", Double.isFinite(b.atLeast()) && b.atLeast() >= 0, "must be a non-negative finite number");
                    constraints.add(Constraint.atLeast(metric, b.atLeast()));
                }
            }
        }
        Problem problem = new Problem(objectives, constraints);
        // (multi-fidelity adds a constraint once the quality section is read: ResolvedQuality)
        return new ResolvedGoals(objectiveNames, List.copyOf(objectives), List.copyOf(constraints), problem, budgets);
    }

    /** Metrics a search run measures (memory, device simulation, measured quality, table proxy). */
    public static final List<Metric> SUPPORTED = List.of(Metric.PROXY_KL, Metric.MEMORY_BYTES, Metric.WEIGHT_BYTES, Metric.KV_CACHE_BYTES,
            Metric.BITS_PER_WEIGHT, Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT, Metric.DROPPED_MASS, Metric.DECODE_TOK_S,
            Metric.PREFILL_TOK_S, Metric.TTFT_S, Metric.ENERGY_J_PER_TOKEN, Metric.POWER_W);
    private static final String SUPPORTED_NAMES = SUPPORTED.stream().map(Metric::jsonName).collect(Collectors.joining(", "));

    private static Metric metric(String file, String key, String name) {
        try {
            return Metric.fromJsonName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, key, e.getMessage(), e);
        }
    }
}
