package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.profile.FidelityStudy;
import org.edgefront.jobs.run.StepProgress;
import org.edgefront.jobs.profile.Profiles;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgefront fidelity}: how well the additive sensitivity proxy ranks candidates. Draws random candidates of
 * the default space spanning light to heavy compression ({@link FidelityStudy#spanningSample}), and prints each
 * one's proxy and measured KL with their Spearman rank correlation. The table is profiled on the same text (no
 * calibration is used: the default space has no activation-aware pruning) unless {@code --table} reuses one.
 */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = "Proxy (sum of per-tensor KLs) vs measured KL on random candidates spanning light to heavy compression.")
public final class FidelityCommand implements Callable<Integer> {
    @Mixin
    MeasurementOptions in = new MeasurementOptions();

    @Mixin
    StructureOptions structure = new StructureOptions();

    @Option(names = "--samples", defaultValue = "200", description = "Random candidates (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the candidate draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--spread", defaultValue = "1.0", description = "Per-tensor spread around each candidate's compression level, in option ranks (default ${DEFAULT-VALUE}).")
    double spread;

    @Option(names = "--options", split = ",", description = "Options per tensor (default: F16,Q8_0,Q5_0,Q4_0,int4g32,int3g32,int2g32).")
    List<String> options;

    @Option(names = "--table", description = "A sensitivity.json from 'edgefront profile' on the same model, text and options (default: profile here).")
    String table;

    @Option(names = "--baseline-table", description = "A second sensitivity.json on the same inputs (e.g. the measured profile beside a "
            + "profile --proxy output-error table): its Spearman on the same measured candidates is reported beside.")
    String baselineTable;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (samples < 1) throw new InvalidInputException("-", "--samples", "must be >= 1");
        if (!(spread >= 0) || Double.isInfinite(spread)) throw new InvalidInputException("-", "--spread", "must be a finite number >= 0");
        in.validate();
        long start = System.nanoTime();
        ModelArchitecture arch = in.architecture();
        SearchSpace space = structure.apply(Profiles.space(arch, options == null ? Profiles.DEFAULT_OPTIONS : options, "--options"), arch, in);
        SensitivityTable known = table == null ? null : SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(table)), table);
        if (known != null && !known.fits(space)) throw new InvalidInputException(table, "rows", "table does not fit the space of --options on " + arch.name());
        SensitivityTable baseline = baselineTable == null ? null
                : SensitivityTable.fromJson(AtomicFiles.readString(AtomicFiles.path(baselineTable)), baselineTable);
        if (baseline != null && !baseline.fits(space)) {
            throw new InvalidInputException(baselineTable, "rows", "table does not fit the space of --options on " + arch.name());
        }
        QualityEvaluator.Factory factory = in.factory(arch, space);
        FidelityStudy.Result r;
        SensitivityTable t;
        double profileSeconds;
        int rowPasses = 0;
        for (int i = 0; i < space.dimensions(); i++) rowPasses += space.optionCount(i) - 1;
        StepProgress progress = new StepProgress(System.err, "fidelity", 2, rowPasses + samples);
        try (QualityEvaluator e = factory.create()) {
            long p0 = System.nanoTime();
            t = new SensitivityProfiler(e, space).profile(known);
            profileSeconds = (System.nanoTime() - p0) / 1e9;
            progress.stepDone("sensitivity table" + (known == null ? "" : " (rows of --table reused)"), rowPasses, "forward passes at most");
            List<Candidate> cs = FidelityStudy.spanningSample(space, samples, seed, spread);
            r = FidelityStudy.run(e, space, t, cs);
            progress.stepDone("measured candidates", samples, "forward passes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double baselineSpearman = Double.NaN;
        if (baseline != null) {
            List<FidelityStudy.Pair> bp = new java.util.ArrayList<>();
            for (FidelityStudy.Pair p : r.pairs()) bp.add(new FidelityStudy.Pair(p.candidate(), baseline.proxy(p.candidate()), p.measuredKl(), p.weightBytes()));
            baselineSpearman = FidelityStudy.spearman(bp);
        }
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", in.model);
            n.put("samples", samples);
            n.put("seed", seed);
            n.put("tokens", t.tokens());
            n.put("sampling", "per candidate a level L ~ U[0, K-1]; per tensor option rank round(L + N(0, " + spread
                    + "^2)) clamped, ranks ordered by weight bytes (0 = least compressed); structural options ranked in order (0 = keep)");
            ArrayNode ps = n.putArray("pairs");
            for (FidelityStudy.Pair p : r.pairs()) {
                ps.addObject().put("proxy", p.proxy()).put("measured_kl", p.measuredKl()).put("weight_bytes", p.weightBytes())
                        .put("candidate", p.candidate().id());
            }
            n.put("spearman", r.spearman());
            n.put("table_evaluator", t.evaluatorVersion());
            if (baseline != null) {
                n.put("baseline_spearman", baselineSpearman);
                n.put("baseline_evaluator", baseline.evaluatorVersion());
            }
            n.put("failed", r.failed());
            n.put("profile_s", profileSeconds);
            n.put("elapsed_s", seconds);
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%s: %d candidates (%d failed), Spearman(proxy, measured KL) = %.4f on %d tokens (%.1f s)%n",
                    arch.name(), r.pairs().size(), r.failed(), r.spearman(), t.tokens(), seconds);
            if (baseline != null) System.out.printf(Locale.ROOT, "baseline table (%s): Spearman = %.4f on the same candidates%n", baseline.evaluatorVersion(), baselineSpearman);
        }
        return 0;
    }
}
