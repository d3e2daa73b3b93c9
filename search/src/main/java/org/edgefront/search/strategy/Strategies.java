package org.edgefront.search.strategy;

import java.util.List;
import java.util.Objects;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.SearchSpace;

/** Builds strategies by name. Stateless. */
public final class Strategies {
    /** Names that need only the space and the problem. */
    public static final List<String> NAMES = List.of("random", "lhs", "nsga2", "evopress");
    /** Names that also need an additive sensitivity model. */
    public static final List<String> MODEL_NAMES = List.of("greedy", "dp", "nsga2-dp");

    private Strategies() {}

    /**
     * The uniform configurations (every decision takes its k-th option, k = 0, 1, ...), at most {@code max}:
     * they anchor both ends of the front (the least and the most compressed) that random initial
     * populations rarely reach in high dimensions, and users compare against them anyway.
     */
    static List<org.edgefront.space.candidate.Candidate> uniformAnchors(SearchSpace space, int max) {
        int options = 0;
        for (int i = 0; i < space.dimensions(); i++) options = Math.max(options, space.optionCount(i));
        java.util.LinkedHashSet<org.edgefront.space.candidate.Candidate> out = new java.util.LinkedHashSet<>();
        for (int k = 0; k < options && out.size() < max; k++) out.add(space.uniform(k));
        return new java.util.ArrayList<>(out);
    }

    /** Up to {@code n} points of the model's exact DP front, spread over its range. */
    static List<org.edgefront.space.candidate.Candidate> spreadFront(SearchSpace space, AdditiveModel model, int n) {
        org.edgefront.search.additive.ParetoDp.Front f = org.edgefront.search.additive.ParetoDp.solve(model);
        int[] order = SpreadOrder.of(f.size());
        List<org.edgefront.space.candidate.Candidate> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(n, order.length); i++) out.add(space.candidate(f.genes(order[i])));
        return out;
    }

    /**
     * A strategy by name: {@code random}, {@code lhs} (Latin-hypercube batches), {@code nsga2},
     * {@code evopress} ({@code populationSize} budgets).
     *
     * @param populationSize NSGA-II population / EvoPress budgets; ignored by the others
     * @throws IllegalArgumentException for an unknown name (the message lists the valid ones)
     */
    public static SearchStrategy create(String name, SearchSpace space, Problem problem, long seed, int populationSize) {
        return create(name, space, problem, seed, populationSize, null);
    }

    /**
     * As {@link #create(String, SearchSpace, Problem, long, int)}, plus {@code greedy}, {@code dp} and
     * {@code nsga2-dp} (NSGA-II seeded with the DP front), which plan from {@code model} (2 objectives:
     * objective 0 = resource such as weight bytes, objective 1 = proxy loss).
     *
     * @param model additive model fitting the space, or null when none is available
     */
    public static SearchStrategy create(String name, SearchSpace space, Problem problem, long seed, int populationSize,
                                        AdditiveModel model) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(problem, "problem");
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "random": return new RandomSearch(space, seed);
            case "lhs": return new LatinHypercube(space, seed);
            case "nsga2": return new Nsga2(space, problem, populationSize, seed, uniformAnchors(space, populationSize / 2));
            case "evopress": return new EvoPress(space, problem, populationSize, seed);
            case "greedy":
            case "dp":
            case "nsga2-dp":
                if (model == null) {
                    throw new IllegalArgumentException("strategy '" + name + "' needs an additive sensitivity model; without one use " + NAMES);
                }
                if (!model.fits(space)) throw new IllegalArgumentException("the additive model does not match the search space");
                if (n.equals("greedy")) return new GreedyAllocation(space, model, seed);
                if (n.equals("dp")) return new DpSeeded(space, model, seed);
                return new Nsga2("nsga2-dp", space, problem, populationSize, seed, spreadFront(space, model, populationSize));
            default:
                throw new IllegalArgumentException("unknown strategy '" + name + "' (valid: " + String.join(", ", NAMES)
                        + "; with a sensitivity model also " + String.join(", ", MODEL_NAMES) + ")");
        }
    }
}
