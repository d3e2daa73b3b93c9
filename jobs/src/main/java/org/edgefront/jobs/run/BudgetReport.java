package org.edgefront.jobs.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;

/**
 * What each budget did in a finished run: how many of the evaluated (not failed) candidates it excluded, and the
 * range of its metric over them. It says when no candidate met every budget (the CLI then exits with
 * {@link #EXIT_NO_FEASIBLE}) and warns about a budget that excluded nothing (it did not shape the front).
 * Immutable.
 *
 * @param budgets   one row per budget, in the problem's order
 * @param evaluated evaluations that did not fail
 * @param feasible  evaluations within every budget
 */
public record BudgetReport(List<Budget> budgets, int evaluated, int feasible) {
    /** Exit code of a search or sweep cell in which no evaluated candidate met every budget. */
    public static final int EXIT_NO_FEASIBLE = 3;

    /**
     * @param constraint the budget
     * @param excluded   evaluated candidates outside it
     * @param min        smallest value of its metric among the evaluated candidates (NaN when none)
     * @param max        largest value (NaN when none)
     */
    public record Budget(Constraint constraint, int excluded, double min, double max) {
        /** The budget as a user reads it, e.g. {@code memory_bytes <= 8.19e+08}. */
        public String label() {
            return constraint.metric().jsonName() + (constraint.bound() == Constraint.Bound.AT_MOST ? " <= " : " >= ")
                    + String.format(Locale.ROOT, "%.4g", constraint.limit());
        }
    }

    public BudgetReport {
        budgets = List.copyOf(budgets);
    }

    /** Counts, per budget of {@code problem}, the evaluations of {@code result} it excluded. */
    public static BudgetReport of(Problem problem, List<EvaluatedCandidate> evaluations) {
        List<EvaluatedCandidate> ok = evaluations.stream().filter(e -> !e.failed()).toList();
        List<Budget> rows = new ArrayList<>();
        for (Constraint c : problem.constraints()) {
            int excluded = 0;
            double min = Double.NaN;
            double max = Double.NaN;
            for (EvaluatedCandidate e : ok) {
                var v = e.evaluation().measurements().find(c.metric());
                if (v.isEmpty()) continue;
                double x = v.getAsDouble();
                min = Double.isNaN(min) ? x : Math.min(min, x);
                max = Double.isNaN(max) ? x : Math.max(max, x);
                if (!c.satisfied(e.evaluation().measurements())) excluded++;
            }
            rows.add(new Budget(c, excluded, min, max));
        }
        return new BudgetReport(rows, ok.size(), (int) ok.stream().filter(EvaluatedCandidate::feasible).count());
    }

    /** True when candidates were evaluated but none met every budget. */
    public boolean noFeasiblePoint() { return evaluated > 0 && feasible == 0; }

    /** The explanation printed when {@link #noFeasiblePoint()}: every budget with how many candidates it excluded. */
    public String noFeasibleMessage() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "no feasible point: none of %d evaluated candidates met every budget; excluded per budget:%n", evaluated));
        for (Budget r : budgets) {
            b.append(String.format(Locale.ROOT, "  %-34s excluded %d of %d (values %.4g .. %.4g)%n", r.label(), r.excluded(), evaluated,
                    r.min(), r.max()));
        }
        b.append("front.json holds the least-violating candidates (feasible: false); loosen a budget or widen space.options");
        return b.toString();
    }

    /** One warning per budget that excluded none of the evaluated candidates (empty when every budget bound). */
    public List<String> warnings() {
        return warnings(c -> false);
    }

    /**
     * As {@link #warnings()}, but silent about the budgets {@code expectedToExcludeNothing} accepts (a physical limit
     * such as the device's whole DRAM, which a front is not meant to touch).
     */
    public List<String> warnings(java.util.function.Predicate<Constraint> expectedToExcludeNothing) {
        List<String> out = new ArrayList<>();
        if (evaluated == 0) return out;
        for (Budget r : budgets) {
            if (r.excluded() > 0 || r.constraint().metric() == org.edgefront.space.metric.Metric.FIDELITY_STAGE
                    || expectedToExcludeNothing.test(r.constraint())) continue;
            out.add(String.format(Locale.ROOT, "warning: budget %s excluded none of %d evaluated candidates (%s ranged %.4g .. %.4g): "
                    + "it did not shape the front", r.label(), evaluated, r.constraint().metric().jsonName(), r.min(), r.max()));
        }
        return out;
    }
}
