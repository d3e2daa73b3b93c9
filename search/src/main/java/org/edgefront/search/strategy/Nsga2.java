package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * NSGA-II (Deb et al. 2002) over integer genes, as a steady (mu + batch) ask/tell loop:
 * <ul>
 *   <li>initial population: a Latin-hypercube design of {@code populationSize} candidates;</li>
 *   <li>variation: binary tournament on (constrained rank, crowding), uniform crossover (probability 0.9),
 *       per-gene reset mutation with probability 1/dimensions (at least one gene changes when the child
 *       equals a parent), retries to avoid candidates already seen;</li>
 *   <li>replacement after every tell: non-dominated sorting under constrained dominance of parents plus the
 *       told results, truncation by crowding distance; ties broken by candidate id, so the run is a
 *       function of the seed and the tells only.</li>
 * </ul>
 * Failed results never enter the population. Not thread-safe.
 */
public final class Nsga2 extends AskTellStrategy {
    private static final double CROSSOVER_PROBABILITY = 0.9;

    private final String name;
    private final Problem problem;
    private final int populationSize;
    private final List<Candidate> initialDesign;
    private int initialIssued;
    private List<EvaluatedCandidate> population = List.of();
    private int[] rank = new int[0];
    private double[] crowd = new double[0];

    /**
     * @param populationSize parents kept between generations (>= 2)
     * @param seed           seed of every random choice
     */
    public Nsga2(SearchSpace space, Problem problem, int populationSize, long seed) {
        this(space, problem, populationSize, seed, List.of());
    }

    /**
     * NSGA-II whose initial population starts with {@code seeds} (e.g. the proxy's exact DP front, spread
     * over its range), topped up with a Latin-hypercube design to {@code populationSize}.
     *
     * @param seeds candidates of the space to evaluate first; at most {@code populationSize} are used
     */
    public Nsga2(SearchSpace space, Problem problem, int populationSize, long seed, List<Candidate> seeds) {
        this("nsga2", space, problem, populationSize, seed, seeds);
    }

    Nsga2(String name, SearchSpace space, Problem problem, int populationSize, long seed, List<Candidate> seeds) {
        super(space, seed);
        this.name = Objects.requireNonNull(name, "name");
        this.problem = Objects.requireNonNull(problem, "problem");
        if (populationSize < 2) throw new IllegalArgumentException("population size must be >= 2, got " + populationSize);
        this.populationSize = populationSize;
        List<Candidate> init = new ArrayList<>();
        for (Candidate c : seeds) {
            if (!space.contains(c)) throw new IllegalArgumentException("seed " + c + " is not in the search space");
            if (init.size() < populationSize && !init.contains(c)) init.add(c);
        }
        if (init.size() < populationSize) init.addAll(LatinHypercube.design(space, populationSize - init.size(), rng));
        this.initialDesign = List.copyOf(init);
    }

    @Override
    public String name() { return name; }

    /** The problem this search was configured for. */
    public Problem problem() { return problem; }

    /** Current parents, best first (rank, then crowding, then candidate id). */
    public List<EvaluatedCandidate> population() { return population; }

    @Override
    protected List<Candidate> propose(int n) {
        List<Candidate> out = new ArrayList<>(n);
        Set<Candidate> batch = newBatchSet();
        while (out.size() < n) {
            Candidate c;
            if (initialIssued < initialDesign.size()) {
                c = initialDesign.get(initialIssued++);
                if (!fresh(c, batch)) c = freshRandom(batch);
            } else if (population.isEmpty()) {
                c = freshRandom(batch);
            } else {
                c = offspring(batch);
            }
            batch.add(c);
            out.add(c);
        }
        return out;
    }

    private Candidate offspring(Set<Candidate> batch) {
        Candidate child = null;
        for (int t = 0; t < FRESH_TRIES; t++) {
            int a = tournament(), b = tournament();
            child = vary(population.get(a).candidate(), population.get(b).candidate());
            if (fresh(child, batch)) return child;
        }
        return child;
    }

    private int tournament() {
        int a = rng.nextInt(population.size()), b = rng.nextInt(population.size());
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        if (crowd[a] != crowd[b]) return crowd[a] > crowd[b] ? a : b;
        return Math.min(a, b);
    }

    private Candidate vary(Candidate p1, Candidate p2) {
        int d = space.dimensions();
        int[] g = p1.genes();
        if (rng.nextDouble() < CROSSOVER_PROBABILITY) {
            // uniform crossover, 64 coin flips per random long
            for (int base = 0; base < d; base += 64) {
                long bits = rng.nextLong();
                for (int i = base, end = Math.min(d, base + 64); i < end; i++, bits >>>= 1) {
                    if ((bits & 1L) != 0) g[i] = p2.gene(i);
                }
            }
        }
        // per-gene mutation with probability 1/d: jump straight to the next mutated gene (geometric gaps)
        boolean changed = false;
        double logKeep = Math.log1p(-1.0 / d);
        int i = d == 1 ? 0 : (int) Math.min(d, Math.floor(Math.log(1 - rng.nextDouble()) / logKeep));
        while (i < d) {
            if (space.optionCount(i) > 1) {
                g[i] = otherOption(i, g[i]);
                changed = true;
            }
            if (d == 1) break;
            i += 1 + (int) Math.min(d, Math.floor(Math.log(1 - rng.nextDouble()) / logKeep));
        }
        Candidate c = space.candidate(g);
        if (!changed && (c.equals(p1) || c.equals(p2))) {
            int j = rng.nextInt(d);
            if (space.optionCount(j) > 1) c = space.with(c, j, otherOption(j, g[j]));
        }
        return c;
    }

    private int otherOption(int decision, int current) {
        int k = space.optionCount(decision);
        int o = rng.nextInt(k - 1);
        return o >= current ? o + 1 : o;
    }

    @Override
    protected void observe(List<EvaluatedCandidate> results) {
        List<EvaluatedCandidate> pool = new ArrayList<>(population.size() + results.size());
        Set<Candidate> inPool = new HashSet<>();
        for (EvaluatedCandidate e : population) if (inPool.add(e.candidate())) pool.add(e);
        for (EvaluatedCandidate e : results) {
            if (e.failed()) continue;
            if (e.objectiveCount() != problem.objectiveCount()) {
                throw new IllegalArgumentException("result has " + e.objectiveCount() + " objectives, problem has " + problem.objectiveCount());
            }
            if (inPool.add(e.candidate())) pool.add(e);
        }
        select(pool);
    }

    private void select(List<EvaluatedCandidate> pool) {
        int n = pool.size();
        int[] r = ParetoRanking.ranks(pool);
        double[] cd = new double[n];
        int maxRank = 0;
        for (int x : r) maxRank = Math.max(maxRank, x);
        List<List<Integer>> fronts = new ArrayList<>();
        for (int i = 0; i <= maxRank; i++) fronts.add(new ArrayList<>());
        for (int i = 0; i < n; i++) fronts.get(r[i]).add(i);
        for (List<Integer> f : fronts) if (!f.isEmpty()) ParetoRanking.crowding(pool, f, cd);
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) order.add(i);
        order.sort((a, b) -> {
            if (r[a] != r[b]) return Integer.compare(r[a], r[b]);
            int c = Double.compare(cd[b], cd[a]);
            return c != 0 ? c : pool.get(a).id().compareTo(pool.get(b).id());
        });
        int keep = Math.min(populationSize, n);
        List<EvaluatedCandidate> next = new ArrayList<>(keep);
        int[] nextRank = new int[keep];
        double[] nextCrowd = new double[keep];
        for (int i = 0; i < keep; i++) {
            int j = order.get(i);
            next.add(pool.get(j));
            nextRank[i] = r[j];
            nextCrowd[i] = cd[j];
        }
        population = List.copyOf(next);
        rank = nextRank;
        crowd = nextCrowd;
    }
}
