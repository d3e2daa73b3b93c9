package org.edgefront.jobs.sweep;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.search.problem.EvaluatedCandidate;

/**
 * How a sweep names and summarizes its cells: a budget set is labelled by its values
 * ({@code memory_bytes-atMost-7E7_kl-atMost-1}, {@code none}), never by its position, and a finished sweep prints
 * one table row per cell (evaluations, feasible, front size) and notes budgets that left a front unchanged.
 * Stateless.
 */
public final class SweepSummary {
    private SweepSummary() {}

    /**
     * The directory-safe label of a budget set: {@code metric-bound-value} joined by {@code _}; {@code none} when empty.
     * The default whole-DRAM bound ({@link org.edgefront.jobs.spec.DramBound}) is left out, so a cell is labelled by
     * the budgets its sweep gave it (and keeps the label and partition it had before that bound existed).
     */
    public static String budgetLabel(Map<String, SearchSpec.Bound> budgets) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, SearchSpec.Bound> e : budgets == null ? Map.<String, SearchSpec.Bound>of().entrySet() : budgets.entrySet()) {
            SearchSpec.Bound b = e.getValue();
            if (org.edgefront.jobs.spec.DramBound.isDefault(e.getKey(), b)) continue;
            String bound = b.atMost() != null ? "atMost-" + number(b.atMost()) : b.atLeast() != null ? "atLeast-" + number(b.atLeast())
                    : "shareOfDram-" + number(b.shareOfDram());
            parts.add(e.getKey() + "-" + bound);
        }
        return parts.isEmpty() ? "none" : String.join("_", parts);
    }

    private static String number(double v) {
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toString().replace("+", "");
    }

    /** The summary table (stdout): one row per cell, then a note per budget that gave the same front as no budget. */
    public static String table(List<SweepJob.Cell> cells, List<SearchResult> results, double elapsedSeconds) {
        int wModel = 5;
        int wDevice = 6;
        int wBudget = 6;
        int wStrategy = 8;
        for (SweepJob.Cell c : cells) {
            wModel = Math.max(wModel, c.model().length());
            wDevice = Math.max(wDevice, c.device().length());
            wBudget = Math.max(wBudget, c.budgetLabel().length());
            wStrategy = Math.max(wStrategy, c.strategy().length());
        }
        String row = "  %-" + wModel + "s  %-" + wDevice + "s  %-" + wBudget + "s  %-" + wStrategy + "s  %11s  %8s  %5s%n";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "sweep of %d cells in %.1f s:%n", cells.size(), elapsedSeconds));
        b.append(String.format(Locale.ROOT, row, "model", "device", "budget", "strategy", "evaluations", "feasible", "front"));
        for (int i = 0; i < cells.size(); i++) {
            SweepJob.Cell c = cells.get(i);
            SearchResult r = results.get(i);
            b.append(r == null
                    ? String.format(Locale.ROOT, row, c.model(), c.device(), c.budgetLabel(), c.strategy(), "done earlier", "-", "-")
                    : String.format(Locale.ROOT, row, c.model(), c.device(), c.budgetLabel(), c.strategy(), r.evaluations().size(),
                            r.feasibleCount(), r.front().size()));
        }
        for (int i = 0; i < cells.size(); i++) {
            for (int j = 0; j < cells.size(); j++) {
                SweepJob.Cell a = cells.get(i);
                SweepJob.Cell n = cells.get(j);
                if (i == j || !a.budgetLabel().equals("none") || n.budgetLabel().equals("none") || !a.model().equals(n.model())
                        || !a.device().equals(n.device()) || !a.strategy().equals(n.strategy())) continue;
                if (results.get(i) != null && results.get(j) != null && frontIds(results.get(i)).equals(frontIds(results.get(j)))) {
                    b.append(String.format(Locale.ROOT, "  note: budget %s left the front of %s on %s unchanged (it binds nowhere on it)%n",
                            n.budgetLabel(), n.model(), n.device()));
                }
            }
        }
        return b.toString();
    }

    private static Set<String> frontIds(SearchResult r) {
        Set<String> ids = new HashSet<>();
        for (EvaluatedCandidate e : r.front()) if (e.feasible()) ids.add(Objects.requireNonNull(e.id()));
        return ids;
    }
}
