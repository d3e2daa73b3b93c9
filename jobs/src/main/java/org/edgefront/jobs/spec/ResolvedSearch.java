package org.edgefront.jobs.spec;

import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.profile.SensitivityModels;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.model.ModelArchitecture;

/**
 * A search specification after validation: every path resolved and read, every name parsed.
 * Produced on the driver before any job starts. Immutable.
 *
 * @param specUri        the spec file
 * @param spec           the spec with defaults filled in (saved with the results)
 * @param model          the model source
 * @param tokenizerUri   tokenizer (null for synthetic models)
 * @param textUri        evaluation text (null for synthetic models)
 * @param architecture   the model's architecture
 * @param space          the search space
 * @param problem        objectives and budgets
 * @param deviceUri      the device profile file
 * @param device         the device profile
 * @param workload       the workload simulated
 * @param paragraphs     evaluation paragraphs (real text)
 * @param paragraphOffset paragraphs skipped first
 * @param maxTokens      tokens per sequence
 * @param syntheticSequences token sequences for synthetic models
 * @param strategy       strategy name
 * @param seed           search seed
 * @param populationSize candidates per generation
 * @param generations    generations
 * @param master         Spark master or {@code sequential}
 * @param partitions     partitions per batch (0 = default parallelism)
 * @param maxFailureRate failure fraction above which the job stops
 * @param objectiveNames objective metric names, in order
 * @param measuredQuality true when quality is measured by a forward pass per candidate (quality.mode measured)
 * @param table          the sensitivity table (null when none): proxy_kl and the table-planning strategies
 * @param stages         multi-fidelity stage sizes (paragraphs or sequences), empty when not multi-fidelity
 * @param keep           multi-fidelity promotion fractions, one per stage
 * @param calibrationParagraphs paragraphs after the evaluation text that calibrate Wanda and GPTQ (0 = none)
 */
public record ResolvedSearch(
        String specUri,
        SearchSpec spec,
        ModelSource model,
        String tokenizerUri,
        String textUri,
        ModelArchitecture architecture,
        SearchSpace space,
        Problem problem,
        String deviceUri,
        DeviceProfile device,
        Workload workload,
        int paragraphs,
        int paragraphOffset,
        int maxTokens,
        int syntheticSequences,
        String strategy,
        long seed,
        int populationSize,
        int generations,
        String master,
        int partitions,
        double maxFailureRate,
        List<String> objectiveNames,
        boolean measuredQuality,
        SensitivityTable table,
        List<Integer> stages,
        List<Double> keep,
        int calibrationParagraphs) {

    /**
     * The additive (weight bytes, proxy KL) model of the table, for greedy/dp/nsga2-dp; null without a table or when
     * structure is searched (pruning makes weight bytes non-additive, and the spec loader refuses those strategies then).
     */
    public AdditiveModel additiveModel() { return table == null || space.hasStructure() ? null : SensitivityModels.bytesAndProxy(space, table); }

    /** True when quality is screened by the proxy and measured in stages (each batch is judged in one task). */
    public boolean multiFidelity() { return !stages.isEmpty(); }

    /** True when evaluations run in Spark tasks. */
    public boolean usesSpark() { return !"sequential".equals(master); }
}
