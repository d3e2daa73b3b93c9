package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.metric.Metric;

/**
 * EvoPress-style (1+lambda) evolution with level-switch mutation, run at several weight-byte budgets at
 * once to cover a front. Levels of a decision are its options ordered by exact stored bytes (from the
 * space, no model needed). For each of {@code budgets} budgets spread evenly between the all-smallest and
 * the all-largest candidate, a parent is kept; an offspring switches one decision one level up and then
 * random other decisions one level down until it fits the budget again, so every offspring keeps its
 * budget exactly (weight bytes <= budget). Selection: a told result replaces the parent of every budget it
 * fits when it is better by (constraint violation, quality objective, candidate id). The quality objective
 * is the problem's first objective that is not a bytes metric. Not thread-safe.
 */
public final class EvoPress extends AskTellStrategy {
    private static final int SWITCH_TRIES = 8;
    private final int budgets;
    private final int qualityIndex;
    private final double[][] bytes;       // [decision][option]
    private final int[][] levels;         // [decision] options by bytes ascending
    private final int[][] levelOf;        // [decision][option] -> level
    private final double[] budget;
    private final EvaluatedCandidate[] parent;
    private final Candidate[] start;
    private int cursor;

    /**
     * @param budgets number of budgets (parents) spread over the byte range, >= 1
     * @throws IllegalArgumentException when the problem has no objective besides bytes
     */
    public EvoPress(SearchSpace space, Problem problem, int budgets, long seed) {
        super(space, seed);
        if (budgets < 1) throw new IllegalArgumentException("budgets must be >= 1, got " + budgets);
        this.budgets = budgets;
        int q = -1;
        List<Objective> objs = problem.objectives();
        for (int j = 0; j < objs.size() && q < 0; j++) if (!isBytes(objs.get(j).metric())) q = j;
        if (q < 0) throw new IllegalArgumentException("evopress needs a quality objective besides bytes, problem has " + objs);
        this.qualityIndex = q;
        this.bytes = AdditiveModel.weightBytes(space);
        int d = space.dimensions();
        levels = new int[d][];
        levelOf = new int[d][];
        double lo = 0, hi = 0;
        for (int i = 0; i < d; i++) {
            final int dec = i;
            levels[i] = java.util.stream.IntStream.range(0, space.optionCount(i)).boxed()
                    .sorted((x, y) -> { int c = Double.compare(bytes[dec][x], bytes[dec][y]); return c != 0 ? c : Integer.compare(x, y); })
                    .mapToInt(Integer::intValue).toArray();
            levelOf[i] = new int[levels[i].length];
            for (int l = 0; l < levels[i].length; l++) levelOf[i][levels[i][l]] = l;
            lo += bytes[i][levels[i][0]];
            hi += bytes[i][levels[i][levels[i].length - 1]];
        }
        budget = new double[budgets];
        for (int b = 0; b < budgets; b++) budget[b] = budgets == 1 ? hi : lo + (hi - lo) * (b + 1) / budgets;
        parent = new EvaluatedCandidate[budgets];
        start = new Candidate[budgets];
        for (int b = 0; b < budgets; b++) start[b] = uniformFill(budget[b]);
    }

    private static boolean isBytes(Metric m) {
        return m == Metric.MEMORY_BYTES || m == Metric.WEIGHT_BYTES || m == Metric.KV_CACHE_BYTES || m == Metric.BITS_PER_WEIGHT;
    }

    @Override
    public String name() { return "evopress"; }

    /** Weight bytes of a candidate (exact, from the space). */
    double weightBytes(int[] g) {
        double s = 0;
        for (int i = 0; i < g.length; i++) s += bytes[i][g[i]];
        return s;
    }

    /** EvoPress's start: all decisions at one uniform level, raised one decision at a time while it fits. */
    private Candidate uniformFill(double cap) {
        int d = space.dimensions();
        int[] lvl = new int[d];
        int[] g = new int[d];
        for (int i = 0; i < d; i++) g[i] = levels[i][0];
        double used = weightBytes(g);
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < d; i++) {
                if (lvl[i] + 1 >= levels[i].length) continue;
                int up = levels[i][lvl[i] + 1];
                double delta = bytes[i][up] - bytes[i][g[i]];
                if (used + delta <= cap) {
                    used += delta;
                    lvl[i]++;
                    g[i] = up;
                    progress = true;
                }
            }
        }
        return space.candidate(g);
    }

    @Override
    protected List<Candidate> propose(int n) {
        List<Candidate> out = new ArrayList<>(n);
        Set<Candidate> batch = newBatchSet();
        while (out.size() < n) {
            int b = cursor;
            cursor = (cursor + 1) % budgets;
            Candidate c;
            if (parent[b] == null && !history.seen(start[b]) && !batch.contains(start[b])) {
                c = start[b];
            } else {
                Candidate base = parent[b] != null ? parent[b].candidate() : start[b];
                c = null;
                // each try builds (and hashes) a candidate, so retries are bounded tighter than elsewhere
                for (int t = 0; t < SWITCH_TRIES && (c == null || !fresh(c, batch)); t++) c = levelSwitch(base, budget[b]);
                for (int t = 0; t < SWITCH_TRIES && !fresh(c, batch); t++) c = randomFill(budget[b]);
                if (!fresh(c, batch)) c = freshRandom(batch); // the budget's neighbourhood is exhausted
            }
            batch.add(c);
            out.add(c);
        }
        return out;
    }

    private Candidate levelSwitch(Candidate base, double cap) {
        int d = space.dimensions();
        int[] g = base.genes();
        double used = weightBytes(g);
        int switches = 1 + (rng.nextInt(4) == 0 ? rng.nextInt(3) : 0); // mostly one switch, sometimes more
        for (int s = 0; s < switches; s++) {
            int i = -1;
            for (int t = 0; t < 4 * d && i < 0; t++) {
                int x = rng.nextInt(d);
                if (levelOf[x][g[x]] + 1 < levels[x].length) i = x;
            }
            int from;
            if (i >= 0) {
                from = g[i];
                g[i] = levels[i][levelOf[i][g[i]] + 1];
            } else { // everything at its top level (the largest budget): switch one decision down instead
                i = rng.nextInt(d);
                from = g[i];
                if (levelOf[i][g[i]] > 0) g[i] = levels[i][levelOf[i][g[i]] - 1];
            }
            used += bytes[i][g[i]] - bytes[i][from];
            int guard = 0;
            while (used > cap && guard++ < 64 * d) {
                int j = rng.nextInt(d);
                if (j == i || levelOf[j][g[j]] == 0) continue;
                int down = levels[j][levelOf[j][g[j]] - 1];
                used += bytes[j][down] - bytes[j][g[j]];
                g[j] = down;
            }
            if (used > cap) return randomFill(cap);
        }
        return space.candidate(g);
    }

    /** A random candidate within the budget: decisions in random order each take a random level that fits. */
    private Candidate randomFill(double cap) {
        int d = space.dimensions();
        int[] g = new int[d];
        double used = 0;
        for (int i = 0; i < d; i++) { g[i] = levels[i][0]; used += bytes[i][g[i]]; }
        int[] order = new int[d];
        for (int i = 0; i < d; i++) order[i] = i;
        for (int i = d - 1; i > 0; i--) { int r = rng.nextInt(i + 1); int t = order[i]; order[i] = order[r]; order[r] = t; }
        for (int i : order) {
            int l = rng.nextInt(levels[i].length);
            while (l > 0 && used + bytes[i][levels[i][l]] - bytes[i][g[i]] > cap) l--;
            used += bytes[i][levels[i][l]] - bytes[i][g[i]];
            g[i] = levels[i][l];
        }
        return space.candidate(g);
    }

    @Override
    protected void observe(List<EvaluatedCandidate> results) {
        for (EvaluatedCandidate r : results) {
            if (r.failed()) continue;
            double w = weightBytes(r.candidate().genes());
            for (int b = 0; b < budgets; b++) {
                if (w > budget[b]) continue;
                if (parent[b] == null || better(r, parent[b])) parent[b] = r;
            }
        }
    }

    private boolean better(EvaluatedCandidate a, EvaluatedCandidate b) {
        if (a.totalViolation() != b.totalViolation()) return a.totalViolation() < b.totalViolation();
        double qa = a.objective(qualityIndex), qb = b.objective(qualityIndex);
        if (qa != qb) return qa < qb;
        return a.id().compareTo(b.id()) < 0;
    }

    /** The current parents' candidates, one per budget (null where none fits yet). */
    List<Candidate> parents() {
        List<Candidate> out = new ArrayList<>();
        for (EvaluatedCandidate p : parent) out.add(p == null ? null : p.candidate());
        return out;
    }

    /** Budgets in weight bytes, ascending. */
    public double[] budgets() { return Arrays.copyOf(budget, budget.length); }
}
