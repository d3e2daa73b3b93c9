package org.edgefront.jobs.spec;

import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.model.ModelArchitecture;

/**
 * A search specification after validation: every path resolved and read, every name parsed. Produced on the
 * driver before any job starts by composing one resolved record per spec section; the accessors below read
 * through to them. Immutable.
 *
 * @param specUri         the spec file
 * @param spec            the spec with defaults filled in (saved with the results)
 * @param modelSection    the model, tokenizer, text and architecture
 * @param workloadSection the device profile and workload
 * @param spaceSection    the search space
 * @param goals           objectives and budgets
 * @param qualitySection  quality measurement, sensitivity table and multi-fidelity stages
 * @param run             strategy and execution
 */
public record ResolvedSearch(
        String specUri,
        SearchSpec spec,
        ResolvedModel modelSection,
        ResolvedWorkload workloadSection,
        ResolvedSpace spaceSection,
        ResolvedGoals goals,
        ResolvedQuality qualitySection,
        ResolvedRun run) {

    /** The model source. */
    public ModelSource model() { return modelSection.source(); }

    /** Tokenizer (null for synthetic models). */
    public String tokenizerUri() { return modelSection.tokenizerUri(); }

    /** Evaluation text (null for synthetic models). */
    public String textUri() { return modelSection.textUri(); }

    /** The model's architecture. */
    public ModelArchitecture architecture() { return modelSection.architecture(); }

    /** The search space. */
    public SearchSpace space() { return spaceSection.space(); }

    /** Objectives and budgets, with the multi-fidelity gate when quality is staged. */
    public Problem problem() { return qualitySection.problem(); }

    /** The device profile file. */
    public String deviceUri() { return workloadSection.deviceUri(); }

    /** The device profile. */
    public DeviceProfile device() { return workloadSection.device(); }

    /** The workload simulated. */
    public Workload workload() { return workloadSection.workload(); }

    /** The engine the simulator costs, with its calibrations. */
    public org.edgefront.nativert.calibration.SimulatorEngine engine() { return workloadSection.engine(); }

    /** Evaluation paragraphs (real text). */
    public int paragraphs() { return qualitySection.paragraphs(); }

    /** Paragraphs skipped first. */
    public int paragraphOffset() { return qualitySection.paragraphOffset(); }

    /** Tokens per sequence. */
    public int maxTokens() { return qualitySection.maxTokens(); }

    /** Token sequences for synthetic models. */
    public int syntheticSequences() { return qualitySection.syntheticSequences(); }

    /** Strategy name. */
    public String strategy() { return run.strategy(); }

    /** Search seed. */
    public long seed() { return run.seed(); }

    /** Candidates per generation. */
    public int populationSize() { return run.populationSize(); }

    /** Generations. */
    public int generations() { return run.generations(); }

    /** Spark master or {@code sequential}. */
    public String master() { return run.master(); }

    /** Partitions per batch (0 = {@link org.edgefront.jobs.spark.SparkSessions#TASKS_PER_SLOT} per slot). */
    public int partitions() { return run.partitions(); }

    /** Failure fraction above which the job stops. */
    public double maxFailureRate() { return run.maxFailureRate(); }

    /** Objective metric names, in order. */
    public List<String> objectiveNames() { return goals.objectiveNames(); }

    /** True when quality is measured by a forward pass per candidate (quality.mode measured or multi-fidelity). */
    public boolean measuredQuality() { return !qualitySection.mode().equals("proxy"); }

    /** The sensitivity table (null when none): proxy_kl and the table-planning strategies. */
    public SensitivityTable table() { return qualitySection.table(); }

    /** Multi-fidelity stage sizes (paragraphs or sequences), empty when not multi-fidelity. */
    public List<Integer> stages() { return qualitySection.stages(); }

    /** Multi-fidelity promotion fractions, one per stage. */
    public List<Double> keep() { return qualitySection.keep(); }

    /** Paragraphs after the evaluation text that calibrate Wanda and GPTQ (0 = none). */
    public int calibrationParagraphs() { return qualitySection.calibrationParagraphs(); }

    /**
     * The additive (weight bytes, proxy KL) model of the table, for greedy/dp/nsga2-dp; null without a table or when
     * structure is searched (pruning makes weight bytes non-additive, and the spec loader refuses those strategies then).
     */
    public AdditiveModel additiveModel() {
        SensitivityTable table = table();
        return table == null || space().hasStructure() ? null : AdditiveModel.bytesAnd(space(), table.proxyCosts(space()));
    }

    /** True when quality is screened by the proxy and measured in stages (each batch is judged in one task). */
    public boolean multiFidelity() { return !stages().isEmpty(); }

    /** True when evaluations run in Spark tasks. */
    public boolean usesSpark() { return !"sequential".equals(master()); }
}
