package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.profile.OutputErrorJob;
import org.edgefront.jobs.profile.ProfileJob;
import org.edgefront.jobs.profile.Profiles;
import org.edgefront.jobs.profile.WeightErrorJob;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.jobs.spec.InputChecks;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgefront profile}: builds the sensitivity table (KL with one decision compressed at a time) in Spark tasks,
 * resumably, into {@code DIR/sensitivity.json}; or, with {@code --weight-error}, measures quantization-error
 * throughput (no forward pass) over every linear tensor.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Build the per-tensor sensitivity table (KL with only that tensor compressed) in parallel, resumably.")
public final class ProfileCommand implements Callable<Integer> {
    @Mixin
    MeasurementOptions in = new MeasurementOptions();

    @Option(names = "--options", split = ",", description = "Options per tensor (default: F16,Q8_0,Q5_0,Q4_0,int4g32,int3g32,int2g32).")
    List<String> options;

    @Mixin
    StructureOptions structure = new StructureOptions();

    @Option(names = "--out", description = "Output directory (required unless --weight-error).")
    String out;

    @Option(names = "--resume", description = "Continue the profile in --out, skipping checkpointed decisions.")
    boolean resume;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master, or 'sequential' (default ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "Spark partitions (default: 4 tasks per slot, so fast slots take more rows).")
    int partitions;

    @Option(names = "--weight-error", description = "Measure quantization-error throughput per tensor (no forward pass, not KL).")
    boolean weightError;

    @Option(names = "--proxy", defaultValue = "measured",
            description = "measured: one forward pass per decision and option (default); output-error: importance-weighted output "
                    + "error of each tensor shared out over one measured uniform anchor per option (options + 1 passes).")
    String proxy;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        in.validate();
        if (partitions < 0) throw new InvalidInputException("-", "--partitions", "must be >= 0");
        List<String> opts = options == null ? Profiles.DEFAULT_OPTIONS : options;
        if (weightError) return weightError(opts);
        if (out == null) throw new InvalidInputException("-", "--out", "is required");
        ModelArchitecture arch = in.architecture();
        SearchSpace space = Profiles.space(arch, opts, "--options");
        space = structure.apply(space, arch, in);
        QualityEvaluator.Factory factory = in.factory(arch, space);
        if (proxy.equals("output-error")) return outputError(factory, space, opts);
        if (!proxy.equals("measured")) throw new InvalidInputException("-", "--proxy", "must be measured or output-error, got " + proxy);
        boolean sequential = master.equals("sequential");
        // Spark's slots already use the cores: one thread per pass there
        ProfileJob.Config config = new ProfileJob.Config(sequential ? factory : factory.withThreads(1), space, out, resume, partitions);
        ProfileJob.Outcome o;
        SparkSession spark = sequential ? null : SparkSessions.create("edgefront-profile", master, "local[*]", false);
        try {
            o = ProfileJob.run(config, spark == null ? null : JavaSparkContext.fromSparkContext(spark.sparkContext()), System.err);
        } finally {
            EvaluatorPool.closeAll();
            if (spark != null) spark.stop();
        }
        SensitivityTable t = o.table();
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", in.model);
            n.put("table", out + "/" + ProfileJob.TABLE_FILE);
            n.put("decisions", t.dimensions());
            n.put("options", opts.size());
            n.put("tokens", t.tokens());
            n.put("measured_decisions", o.measured());
            n.put("resumed_decisions", o.resumed());
            n.put("elapsed_s", o.seconds());
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%s: %d decisions x %d options on %d tokens -> %s/%s (%d measured, %d resumed, %.1f s)%n",
                    arch.name(), t.dimensions(), opts.size(), t.tokens(), out, ProfileJob.TABLE_FILE, o.measured(), o.resumed(), o.seconds());
        }
        return 0;
    }

    private Integer outputError(QualityEvaluator.Factory factory, SearchSpace space, List<String> opts) {
        if (resume) throw new InvalidInputException("-", "--resume", "applies to --proxy measured only");
        OutputErrorJob.Outcome o;
        try {
            o = OutputErrorJob.run(factory, space, out, System.err);
        } finally {
            EvaluatorPool.closeAll();
        }
        SensitivityTable t = o.table();
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", in.model);
            n.put("proxy", "output-error");
            n.put("table", out + "/" + ProfileJob.TABLE_FILE);
            n.put("decisions", t.dimensions());
            n.put("options", opts.size());
            n.put("tokens", t.tokens());
            n.put("calibration_s", o.calibrationSeconds());
            n.put("output_error_s", o.errorSeconds());
            n.put("anchors_s", o.anchorSeconds());
            n.put("elapsed_s", o.seconds());
            ObjectNode a = n.putObject("uniform_anchor_kl");
            o.anchorKl().forEach(a::put);
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%s: %d decisions x %d options, output-error proxy on %d tokens -> %s/%s (%.1f s: calibration %.1f, "
                            + "output errors %.1f, %d uniform anchors %.1f)%n", space.architecture().name(), t.dimensions(), opts.size(), t.tokens(),
                    out, ProfileJob.TABLE_FILE, o.seconds(), o.calibrationSeconds(), o.errorSeconds(), o.anchorKl().size(), o.anchorSeconds());
        }
        return 0;
    }

    private Integer weightError(List<String> opts) throws IOException {
        QualityEvaluator.WeightsSupplier supplier = ProfileInputs.weights(in.model);
        ModelArchitecture arch;
        try (ModelWeights w = supplier.open()) {
            arch = w.architecture();
        }
        List<TensorChoice> choices = Profiles.space(arch, opts, "--options").decisions().get(0).options();
        String m = master.equals("sequential") ? "local[1]" : master;
        SparkSession spark = SparkSessions.create("edgefront-profile-weight-error", m, "local[*]", false);
        WeightErrorJob.Outcome o;
        try {
            o = WeightErrorJob.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), supplier, arch.linearTensors(), choices, partitions);
        } finally {
            spark.stop();
        }
        double coreMinutes = o.seconds() * o.slots() / 60.0;
        double gb = o.fp16Bytes() / 1e9;
        double perOptionGbPerCoreMin = gb * choices.size() / coreMinutes;
        double tableGbPerCoreMin = gb / coreMinutes;
        double computeCoreMinutes = Math.max(1e-9, coreMinutes - o.readSeconds() / 60.0);
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", in.model);
            n.put("quantity", "relative squared weight error per tensor and option (quantize + error, no forward pass; not KL)");
            n.put("tensors", arch.linearTensors().size());
            n.put("options", choices.size());
            n.put("parameters", o.parameters());
            n.put("fp16_gb", gb);
            n.put("elapsed_s", o.seconds());
            n.put("cores", o.slots());
            n.put("read_s_summed_over_tasks", o.readSeconds());
            n.put("table_gb_per_core_minute", tableGbPerCoreMin);
            n.put("tensor_option_gb_per_core_minute", perOptionGbPerCoreMin);
            n.put("table_gb_per_core_minute_excluding_reads", gb / computeCoreMinutes);
            // CPU-time based: core-minutes the tasks actually used (robust when other processes share the cores)
            n.put("task_cpu_s", o.cpuSeconds());
            n.put("task_read_cpu_s", o.readCpuSeconds());
            n.put("table_gb_per_cpu_core_minute", gb / (o.cpuSeconds() / 60.0));
            n.put("table_gb_per_cpu_core_minute_excluding_reads", gb / ((o.cpuSeconds() - o.readCpuSeconds()) / 60.0));
            n.put("tensor_option_gb_per_cpu_core_minute", gb * choices.size() / (o.cpuSeconds() / 60.0));
            ArrayNode mean = n.putArray("mean_relative_error_per_option");
            for (int k = 0; k < choices.size(); k++) {
                final int kk = k;
                mean.addObject().put("option", choices.get(k).label())
                        .put("mean_relative_error", Arrays.stream(o.errors()).mapToDouble(e -> e[kk]).average().orElse(Double.NaN));
            }
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "%s: %d tensors x %d options, %.2f GB fp16 in %.1f s on %d cores: %.2f GB/core-min per full table, "
                            + "%.2f GB/core-min per tensor-option (quantize + error, no forward pass)%n", arch.name(), arch.linearTensors().size(),
                    choices.size(), gb, o.seconds(), o.slots(), tableGbPerCoreMin, perOptionGbPerCoreMin);
        }
        return 0;
    }

    /** Inputs shared by the profile, fidelity and compare commands. */
    static final class ProfileInputs {
        private ProfileInputs() {}

        static ModelArchitecture architecture(String model) throws IOException {
            try (ModelWeights w = weights(model).open()) {
                return w.architecture();
            }
        }

        /** A serializable opener (synthetic shapes included) through {@link ModelSource}. */
        static QualityEvaluator.WeightsSupplier weights(String model) {
            return new ModelSource(model)::open;
        }

        private static boolean ggufFile(String model) {
            try {
                return org.edgefront.space.io.GgufFile.hasMagic(model, new org.apache.hadoop.conf.Configuration());
            } catch (java.io.IOException e) {
                throw new InvalidInputException(model, "(file)", "cannot read: " + e.getMessage(), e);
            }
        }

        static QualityEvaluator.Factory factory(String model, String tokenizer, String text, int offset, int paragraphs, int maxTokens,
                                                int calibrationParagraphs, ModelArchitecture arch, SearchSpace space) {
            int len = Math.min(maxTokens, arch.maxSeqLen());
            if (model.startsWith("synthetic:")) {
                // synthetic models have no tokenizer: Zipf-like token sequences stand in for paragraphs; calibration
                // sequences come from the next seed, so they never repeat the measured ones
                long seed = new ModelSource(model).syntheticSeed() + offset;
                List<int[]> tokens = List.of(SyntheticLlama.tokenSequences(seed, paragraphs, len, arch.vocabSize()));
                List<int[]> calibration = calibrationParagraphs == 0 ? List.of()
                        : List.of(SyntheticLlama.tokenSequences(~seed, calibrationParagraphs, len, arch.vocabSize()));
                return new QualityEvaluator.Factory(new QualityEvaluator.FixedInputs(weights(model), tokens, calibration), space,
                        QualityEvaluator.DEFAULT_CACHE_BYTES);
            }
            if (tokenizer == null && ggufFile(model)) tokenizer = model; // a GGUF carries its own tokenizer
            if (tokenizer == null) throw new InvalidInputException("-", "--tokenizer", "is required for " + model);
            if (text == null) throw new InvalidInputException("-", "--text", "is required for " + model);
            QualityEvaluator.TextInputs inputs = new QualityEvaluator.TextInputs(model, tokenizer, text, offset, paragraphs, len, calibrationParagraphs);
            InputChecks.text(inputs, arch, InputChecks.Fields.CLI);
            return new QualityEvaluator.Factory(inputs, space, QualityEvaluator.DEFAULT_CACHE_BYTES);
        }
    }
}
