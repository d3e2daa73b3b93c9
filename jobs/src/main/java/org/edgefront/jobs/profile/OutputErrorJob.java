package org.edgefront.jobs.profile;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.quality.HessianCollector;
import org.edgefront.evaluators.quality.ForwardPass;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.OutputErrorProxy;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;

/**
 * Builds the {@link OutputErrorProxy} table of a space into {@code DIR/sensitivity.json}: one calibration pass for
 * the input-activation statistics (and GPTQ Hessians when the space has {@code +gptq} options), every tensor streamed
 * from the checkpoint once and compressed once per option, then one measured forward pass per option with every tensor
 * in it (the uniform anchors). Cost: options + 1 forward passes, not decisions x options. Sequential, in this
 * process. Stateless.
 */
public final class OutputErrorJob {
    private OutputErrorJob() {}

    /**
     * What a run produced.
     *
     * @param table           the estimated table (also in {@code outDir/sensitivity.json})
     * @param anchorKl        measured KL with every tensor in each option, nats/token
     * @param calibrationSeconds the calibration pass, wall seconds
     * @param errorSeconds    streaming and compressing every tensor in every option, wall seconds
     * @param anchorSeconds   the uniform-anchor passes (evaluator set-up included), wall seconds
     */
    public record Outcome(SensitivityTable table, Map<String, Double> anchorKl, double calibrationSeconds, double errorSeconds,
                          double anchorSeconds) {
        /** Whole run, wall seconds. */
        public double seconds() { return calibrationSeconds + errorSeconds + anchorSeconds; }
    }

    /**
     * @throws InvalidInputException when {@code outDir} already holds a table, or the space has structural decisions
     */
    public static Outcome run(QualityEvaluator.Factory factory, SearchSpace space, String outDir, PrintStream log) {
        if (space.hasStructure()) throw new InvalidInputException("-", "--proxy", "output-error covers tensor options only; drop the structure flags");
        Path out = AtomicFiles.path(outDir);
        Path tableFile = new Path(out, ProfileJob.TABLE_FILE);
        try {
            if (AtomicFiles.fs(out).exists(tableFile)) throw new InvalidInputException(outDir, "--out", "already holds a profile; choose another directory");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out, e);
        }
        long t0 = System.nanoTime();
        double[][] errors;
        double calibration;
        try (ModelWeights w = factory.inputs().openWeights()) {
            ModelArchitecture arch = w.architecture();
            List<int[]> cal = factory.inputs().calibration(arch);
            CalibrationStats stats = null;
            if (!cal.isEmpty()) {
                ForwardPass base = ForwardPasses.open(w);   // streamed for a large model; w stays open while it runs
                stats = base.inputNorms(cal);
                Set<String> gptq = new LinkedHashSet<>();
                for (Decision d : space.decisions()) {
                    if (d.options().stream().anyMatch(TensorChoice::errorCompensated)) gptq.addAll(d.tensors());
                }
                if (!gptq.isEmpty()) stats = stats.withHessians(HessianCollector.collect(base, cal, gptq));
            } else {
                log.println("output-error proxy: no calibration paragraphs, so columns are weighted uniformly (relative weight error)");
            }
            calibration = (System.nanoTime() - t0) / 1e9;
            errors = OutputErrorProxy.outputErrors(space, w::read, stats);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model of " + factory.inputs(), e);
        }
        long t1 = System.nanoTime();
        double errorSeconds = (t1 - t0) / 1e9 - calibration;
        Map<String, Double> anchors = EvaluatorPool.withEvaluator(factory, e -> anchors((QualityEvaluator) e, space, log));
        long tokens = EvaluatorPool.withEvaluator(factory, e -> ((QualityEvaluator) e).tokens());
        double anchorSeconds = (System.nanoTime() - t1) / 1e9;
        SensitivityTable table = OutputErrorProxy.table(space, errors, anchors, tokens);
        AtomicFiles.writeString(tableFile, table.toJson());
        return new Outcome(table, anchors, calibration, errorSeconds, anchorSeconds);
    }

    /** Measured KL with every tensor that offers an option compressed to it, per non-original option label. */
    static Map<String, Double> anchors(QualityEvaluator e, SearchSpace space, PrintStream log) {
        Map<String, TensorChoice> labels = new LinkedHashMap<>();
        for (Decision d : space.decisions()) for (TensorChoice c : d.options()) labels.putIfAbsent(c.label(), c);
        Map<String, Double> kl = new LinkedHashMap<>();
        for (TensorChoice c : labels.values()) {
            if (SensitivityProfiler.isOriginal(c)) continue;
            Map<String, TensorChoice> all = new LinkedHashMap<>();
            for (Decision d : space.decisions()) if (d.options().contains(c)) for (String t : d.tensors()) all.put(t, c);
            long s = System.nanoTime();
            double v = e.measure(all).klNatsPerToken();
            kl.put(c.label(), Double.isFinite(v) ? Math.max(0, v) : Double.POSITIVE_INFINITY);
            log.printf(java.util.Locale.ROOT, "uniform anchor %s: KL %.6g (%.1f s)%n", c.label(), v, (System.nanoTime() - s) / 1e9);
        }
        return kl;
    }
}
