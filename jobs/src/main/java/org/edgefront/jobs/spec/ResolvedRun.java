package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;
import static org.edgefront.jobs.spec.SearchSpecLoader.positive;

import org.edgefront.evaluators.ModelSource;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.strategy.Strategies;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;

/**
 * The spec's {@code strategy} and {@code execution} sections resolved: who proposes candidates (checked against the
 * space, the quality mode and its table) and where they are evaluated. Immutable.
 *
 * @param strategy       strategy name
 * @param seed           search seed
 * @param populationSize candidates per generation
 * @param generations    generations
 * @param master         Spark master or {@code sequential}
 * @param partitions     partitions per batch (0 = four tasks per Spark slot)
 * @param maxFailureRate failure fraction above which the job stops
 */
public record ResolvedRun(String strategy, long seed, int populationSize, int generations, String master, int partitions,
                          double maxFailureRate) {

    /**
     * Resolves the strategy and execution sections of {@code s} read from {@code file}.
     *
     * @throws InvalidInputException naming the file and key for an unknown strategy, one the space or quality settings
     *                               rule out, or a bad execution value
     */
    public static ResolvedRun resolve(String file, SearchSpec s, ModelSource model, SearchSpace space, ResolvedQuality quality) {
        var table = quality.table();
        String mode = quality.mode();
        int calibration = quality.calibrationParagraphs();
        java.util.List<Objective> objectives = quality.problem().objectives();
        java.util.List<Constraint> constraints = quality.problem().constraints();
        SearchSpec.Strategy st = s.strategy() == null ? new SearchSpec.Strategy(null, null, null, null) : s.strategy();
        String strategy = st.name() == null ? "nsga2" : st.name();
        require(file, "strategy.name", Strategies.NAMES.contains(strategy) || Strategies.MODEL_NAMES.contains(strategy),
                "unknown strategy '" + strategy + "' (known: " + Strategies.NAMES + ", and with quality.table " + Strategies.MODEL_NAMES + ")");
        require(file, "strategy.name", !Strategies.MODEL_NAMES.contains(strategy) || table != null,
                "strategy '" + strategy + "' plans from a sensitivity table: set quality.table (see edgefront profile)");
        boolean vocabSearched = space.structure().stream().anyMatch(d -> d.kind() == StructureDecision.Kind.VOCAB);
        boolean droppedMassMeasured = vocabSearched && mode.equals("measured");
        String droppedMassNeeds = "dropped_mass is measured only when space.structure.vocabulary is searched with quality.mode measured";
        for (Objective ob : objectives) require(file, "objectives", ob.metric() != Metric.DROPPED_MASS || droppedMassMeasured, droppedMassNeeds);
        for (Constraint c : constraints) require(file, "budgets.dropped_mass", c.metric() != Metric.DROPPED_MASS || droppedMassMeasured, droppedMassNeeds);
        if (space.hasStructure()) {
            require(file, "strategy.name", Strategies.NAMES.contains(strategy) && !strategy.equals("evopress"),
                    "strategy '" + strategy + "' needs weight bytes additive over decisions, which structural pruning breaks: use random, lhs or nsga2");
            require(file, "quality.calibrationParagraphs", model.synthetic() || calibration > 0 || mode.equals("proxy"),
                    "space.structure needs calibration text to rank heads, channels and tokens: set quality.calibrationParagraphs > 0");
        }
        long seed = st.seed() == null ? 42L : st.seed();
        int population = positive(file, "strategy.populationSize", st.populationSize(), 24);
        require(file, "strategy.populationSize", population >= 2 && population <= 100_000, "must be 2..100000");
        int generations = positive(file, "strategy.generations", st.generations(), 10);
        require(file, "strategy.generations", generations <= 100_000, "must be <= 100000");
        SearchSpec.Execution ex = s.execution() == null ? new SearchSpec.Execution(null, null, null) : s.execution();
        String master = ex.master() == null ? "local[*]" : ex.master();
        int partitions = ex.partitions() == null ? 0 : ex.partitions();
        require(file, "execution.partitions", partitions >= 0, "must be >= 0");
        double maxFailureRate = ex.maxFailureRate() == null ? 0.2 : ex.maxFailureRate();
        require(file, "execution.maxFailureRate", maxFailureRate >= 0 && maxFailureRate <= 1, "must be in [0, 1]");

        return new ResolvedRun(strategy, seed, population, generations, master, partitions, maxFailureRate);
    }
}
