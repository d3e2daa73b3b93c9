package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;
import static org.edgefront.jobs.spec.SearchSpecLoader.mustExist;
import static org.edgefront.jobs.spec.SearchSpecLoader.positive;
import static org.edgefront.jobs.spec.SearchSpecLoader.relative;

import java.util.ArrayList;
import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;

/**
 * The spec's {@code quality} section resolved: evaluation text or synthetic sequences, calibration, the quality mode
 * and its sensitivity table, and multi-fidelity stages; checked against the model, the space and the metrics the
 * objectives and budgets ask for. Immutable.
 *
 * @param paragraphs            evaluation paragraphs (real text)
 * @param paragraphOffset       paragraphs skipped first
 * @param maxTokens             tokens per sequence
 * @param syntheticSequences    token sequences for synthetic models
 * @param calibrationParagraphs paragraphs after the evaluation text that calibrate Wanda and GPTQ (0 = none)
 * @param mode                  {@code measured}, {@code proxy} or {@code multi-fidelity}
 * @param tableUri              the sensitivity table file (null when none)
 * @param table                 the sensitivity table (null when none)
 * @param stages                multi-fidelity stage sizes, empty when not multi-fidelity
 * @param keep                  multi-fidelity promotion fractions, one per stage
 * @param problem               the goals' problem, plus (multi-fidelity) the gate that only last-stage candidates enter the front
 */
public record ResolvedQuality(int paragraphs, int paragraphOffset, int maxTokens, int syntheticSequences, int calibrationParagraphs,
                              String mode, String tableUri, SensitivityTable table, List<Integer> stages, List<Double> keep,
                              Problem problem) {

    /**
     * Resolves the quality section of {@code s} read from {@code file}.
     *
     * @throws InvalidInputException naming the file and key for a bad value, a missing or unfitting table, or a metric
     *                               the mode cannot measure
     */
    public static ResolvedQuality resolve(String file, SearchSpec s, ModelSource model, ModelArchitecture arch, SearchSpace space,
                                          ResolvedGoals goals) {
        List<Objective> objectives = goals.objectives();
        List<Constraint> constraints = new ArrayList<>(goals.budgets());
        Problem problem = goals.problem();
        SearchSpec.Quality q = s.quality() == null ? new SearchSpec.Quality(null, null, null, null, null, null, null, null, null) : s.quality();
        int paragraphs = positive(file, "quality.paragraphs", q.paragraphs(), 16);
        int offset = q.offset() == null ? 0 : q.offset();
        require(file, "quality.offset", offset >= 0, "must be >= 0");
        int maxTokens = positive(file, "quality.maxTokens", q.maxTokens(), Math.min(256, arch.maxSeqLen()));
        require(file, "quality.maxTokens", maxTokens >= 2 && maxTokens <= arch.maxSeqLen(), "must be 2.." + arch.maxSeqLen() + " (the model's context)");
        int sequences = positive(file, "quality.sequences", q.sequences(), 8);
        int calibration = q.calibrationParagraphs() == null ? 0 : q.calibrationParagraphs();
        require(file, "quality.calibrationParagraphs", calibration >= 0, "must be >= 0");
        boolean gptq = space.decisions().stream().anyMatch(d -> d.options().stream().anyMatch(TensorChoice::errorCompensated));
        require(file, "quality.calibrationParagraphs", !gptq || (calibration > 0 && !model.synthetic()),
                "+gptq options need calibration text: a real model and quality.calibrationParagraphs > 0");
        boolean imatrix = space.decisions().stream().anyMatch(d -> d.options().stream().anyMatch(TensorChoice::importanceWeighted));
        require(file, "quality.calibrationParagraphs", !imatrix || (calibration > 0 && !model.synthetic()),
                "+imatrix options need calibration text for their importance matrix: a real model and quality.calibrationParagraphs > 0");
        String mode = q.mode() == null ? "measured" : q.mode();
        require(file, "quality.mode", mode.equals("measured") || mode.equals("proxy") || mode.equals("multi-fidelity"),
                "must be 'measured', 'proxy' or 'multi-fidelity'");
        SensitivityTable table = null;
        String tableUri = null;
        if (q.table() != null) {
            tableUri = relative(file, q.table());
            mustExist(tableUri, "quality.table", file);
            table = SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(tableUri)), tableUri);
            require(file, "quality.table", table.fits(space), "was profiled for another model or space (decisions and options must match "
                    + "this spec's: profile with the same options and grouping)");
        }
        require(file, "quality.table", mode.equals("measured") || table != null, "is required with quality.mode " + mode);
        List<Integer> stages = List.of();
        List<Double> keep = List.of();
        if (mode.equals("multi-fidelity")) {
            int total = model.synthetic() ? sequences : paragraphs;
            stages = q.stages() == null ? List.of(Math.max(1, total / 4), total) : q.stages();
            require(file, "quality.stages", !stages.isEmpty() && stages.size() <= 8, "must list 1 to 8 stage sizes");
            for (int i = 0; i < stages.size(); i++) {
                require(file, "quality.stages[" + i + "]", stages.get(i) != null && stages.get(i) >= 1
                        && (i == 0 || stages.get(i) > stages.get(i - 1)), "stage sizes must be positive and strictly ascending");
            }
            keep = q.keep() == null ? java.util.Collections.nCopies(stages.size(), 0.5) : q.keep();
            require(file, "quality.keep", keep.size() == stages.size(), "needs one fraction per stage (" + stages.size() + ")");
            for (int i = 0; i < keep.size(); i++) {
                require(file, "quality.keep[" + i + "]", keep.get(i) != null && keep.get(i) > 0 && keep.get(i) <= 1, "must be in (0, 1]");
            }
            // only candidates measured at the last stage may enter the front: the others were judged by the proxy
            constraints.add(Constraint.atLeast(Metric.FIDELITY_STAGE, stages.size()));
            problem = new Problem(objectives, constraints);
        } else {
            require(file, "quality.stages", q.stages() == null, "applies only to quality.mode multi-fidelity");
            require(file, "quality.keep", q.keep() == null, "applies only to quality.mode multi-fidelity");
        }
        for (Objective ob : objectives) checkQualityMetric(file, "objectives", ob.metric(), mode, table);
        for (Constraint c : constraints) checkQualityMetric(file, "budgets." + c.metric().jsonName(), c.metric(), mode, table);

        return new ResolvedQuality(paragraphs, offset, maxTokens, sequences, calibration, mode, tableUri, table, stages, keep, problem);
    }

    private static final List<Metric> MEASURED_QUALITY = List.of(Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT, Metric.DROPPED_MASS);

    private static void checkQualityMetric(String file, String key, Metric m, String mode, SensitivityTable table) {
        require(file, key, !(MEASURED_QUALITY.contains(m) && mode.equals("proxy")),
                m.jsonName() + " is measured by a forward pass, which quality.mode proxy skips (use proxy_kl)");
        require(file, key, m != Metric.PROXY_KL || table != null, "proxy_kl needs quality.table (see edgefront profile)");
    }
}
