package org.edgefront.jobs.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.results.EvaluationStore;
import org.edgefront.jobs.results.RunDirectory;
import org.edgefront.jobs.results.SearchOutputs;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.jobs.spec.ResolvedSearch;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.strategy.Strategies;
import org.edgefront.search.strategy.SearchStrategy;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;

/**
 * The search job: validate the spec on the driver, prepare the output directory (fresh, resumed or
 * forced), run the ask/evaluate/tell loop with evaluations in Spark tasks (or sequentially), and write
 * {@code front.json} and {@code evaluations.parquet}. Creates and stops its own SparkSession unless one
 * is passed in (then the caller owns it).
 */
public final class SearchJob {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    /**
     * @param specUri   the search spec YAML
     * @param overrides model/tokenizer/text from the command line
     * @param outDir    output directory; null = {@code runs/<spec name>}
     * @param resume    continue the run in {@code outDir}
     * @param force     replace an existing {@code outDir}
     * @param master    Spark master override (null = the spec's)
     */
    public record Options(String specUri, SearchSpecLoader.Overrides overrides, String outDir, boolean resume,
                          boolean force, String master) {}

    /** What a finished job produced. */
    public record Outcome(ResolvedSearch search, SearchResult result, Path outDir, SearchOutputs.RunInfo info) {}

    private SearchJob() {}

    /** Validates and runs; progress goes to {@code log}. */
    public static Outcome run(Options o, PrintStream log, SparkSession existing) {
        return run(o, log, existing, p -> { });
    }

    /** Validates and runs; progress goes to {@code log} and, per finished generation, to {@code progress}. */
    public static Outcome run(Options o, PrintStream log, SparkSession existing, ProgressListener progress) {
        ResolvedSearch r = SearchSpecLoader.load(o.specUri(), o.overrides());
        String master = o.master() != null ? o.master() : r.master();
        boolean sequential = "sequential".equals(master);
        Path out = AtomicFiles.path(o.outDir() != null ? o.outDir() : "runs/" + r.spec().name());
        // every check that can fail on the input runs before the output directory is touched
        EvaluatorFactory factory = SearchEvaluators.factory(r, sequential);
        SearchEvaluators.checkBudgetsAreSatisfiable(r);
        org.edgefront.jobs.spec.InputChecks.search(r, o.overrides());
        if (!sequential && existing == null) SparkSessions.requireApplicationJarFor(o.master(), r.master());
        boolean resuming = prepareOutDir(out, r, o);

        SparkSession spark = existing;
        boolean ownSpark = false;
        try {
            if (spark == null && !sequential) {
                // a --master wins, then spark-submit's master, then the spec's (default local[*])
                spark = SparkSessions.create("edgefront-search-" + r.spec().name(), o.master(), r.master(), true);
                ownSpark = true;
                spark.sparkContext().uiWebUrl().foreach(url -> {
                    log.println("Spark UI: " + url);
                    return null;
                });
            }
            EvaluationStore store = resuming ? EvaluationStore.resume(out) : EvaluationStore.create(out);
            if (resuming) log.println("resuming " + out + ": " + store.size() + " evaluations from " + store.generationsOnDisk() + " checkpointed generations");
            BatchEvaluator batch = sequential
                    ? new SequentialBatchEvaluator(factory)
                    : new SparkBatchEvaluator(JavaSparkContext.fromSparkContext(spark.sparkContext()), factory, r.multiFidelity() ? 1 : r.partitions());
            SearchResult result;
            ConvergenceLog convergence = new ConvergenceLog();
            try (batch) {
                log.printf("searching %s (%s%s) on %s, engine %s, with %s, %d generations x %d candidates, evaluations: %s%n",
                        r.architecture().name(), r.model().uri(), r.architecture().synthetic() ? ", SYNTHETIC weights" : "",
                        r.device().name(), r.engine().describe(), r.strategy(), r.generations(), r.populationSize(), batch.describe());
                SearchStrategy strategy = Strategies.create(r.strategy(), r.space(), r.problem(), r.seed(), r.populationSize(), r.additiveModel());
                SearchRunner runner = new SearchRunner(r.problem(), batch, store, p -> {
                    log.println(p.line());
                    convergence.generationDone(p);
                    progress.generationDone(p);
                }, r.maxFailureRate());
                result = runner.run(strategy, r.generations(), r.populationSize());
                // the report's reference points: uncompressed, each uniform option, llama.cpp's mixes (a few evaluations)
                Baselines.measureAndWrite(r.space(), batch, out);
            }
            SearchOutputs.RunInfo info = new SearchOutputs.RunInfo(r.spec().name(), r.model().uri(), r.architecture().name(),
                    r.architecture().synthetic(), r.deviceUri(), r.strategy(), r.seed(), result.executor(), gitRevision(),
                    result.evaluations().isEmpty() ? "" : result.evaluations().get(0).evaluation().evaluatorVersion());
            SearchOutputs.writeFront(out, r.space(), result, info);
            SearchOutputs.writeParquet(out, r.space(), result);
            convergence.write(out);
            org.edgefront.jobs.report.ReportWriter.write(out.toString());
            return new Outcome(r, result, out, info);
        } finally {
            if (ownSpark) {
                EvaluatorPool.closeAll();
                spark.stop();
            }
        }
    }

    /** The metrics shown in the console summary: objectives first, then the headline figures. */
    public static List<Metric> summaryColumns(ResolvedSearch r) {
        List<Metric> cols = new ArrayList<>();
        for (Objective o : r.problem().objectives()) cols.add(o.metric());
        for (Metric m : List.of(Metric.MEMORY_BYTES, Metric.KL, Metric.PERPLEXITY, Metric.DECODE_TOK_S, Metric.ENERGY_J_PER_TOKEN)) {
            if (!cols.contains(m)) cols.add(m);
        }
        return cols;
    }

    /** @return true when resuming an existing run */
    private static boolean prepareOutDir(Path out, ResolvedSearch r, Options o) {
        FileSystem fs = AtomicFiles.fs(out);
        String specJson = SearchOutputs.specJson(r.spec());
        Path saved = new Path(out, RunDirectory.SPEC_JSON);
        try {
            boolean exists = fs.exists(out);
            // temporaries of an atomic write that a kill -9 interrupted (".name.tmp-PID") are not content
            FileStatus[] content = exists ? fs.listStatus(out, p -> !p.getName().matches("\\..+\\.tmp-\\d+")) : new FileStatus[0];
            if (exists && !fs.getFileStatus(out).isDirectory()) throw new InvalidInputException(out.toString(), "--out", "is a file, not a directory");
            if (content.length > 0 && !started(fs, out, content)) {
                // a run that stopped before its first checkpoint left only spec.json: nothing to resume or lose
                fs.delete(out, true);
                content = new FileStatus[0];
            }
            if (content.length > 0 && o.resume()) {
                if (!fs.exists(saved)) throw new InvalidInputException(out.toString(), "--resume", "holds no EdgeFront search (no spec.json)");
                String before = AtomicFiles.readString(saved);
                if (!sameSearch(before, specJson)) {
                    throw new InvalidInputException(saved.toString(), "(spec)", "the run in this directory used a different spec or overrides; "
                            + "resume with the same ones (only the execution section may change), or use another --out");
                }
                // the execution section (master, partitions, failure rate) may change between attempts
                AtomicFiles.writeString(saved, specJson);
                return true;
            }
            if (content.length > 0) {
                if (!o.force()) throw new InvalidInputException(out.toString(), "--out", "already exists; pass --resume to continue that run or --force to replace it");
                fs.delete(out, true);
            }
            fs.mkdirs(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out, e);
        }
        AtomicFiles.writeString(saved, specJson);
        return false;
    }

    /** True when {@code content} of {@code out} holds more than a saved spec and an empty checkpoint folder. */
    private static boolean started(FileSystem fs, Path out, FileStatus[] content) throws IOException {
        for (FileStatus f : content) {
            String n = f.getPath().getName();
            if (n.equals("spec.json") && f.isFile()) continue;
            if (n.equals("state") && f.isDirectory() && fs.listStatus(f.getPath()).length == 0) continue;
            return true;
        }
        return false;
    }

    /** True when two saved specs describe the same search, ignoring where and how it executes. */
    static boolean sameSearch(String savedJson, String currentJson) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode a = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(savedJson);
            com.fasterxml.jackson.databind.node.ObjectNode b = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(currentJson);
            a.remove("execution");
            b.remove("execution");
            return a.equals(b);
        } catch (IOException | ClassCastException e) {
            return false;
        }
    }

    /** The git revision of the working directory, or "unknown" (results record it; best effort). */
    static String gitRevision() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && s.matches("[0-9a-f]{7,40}") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
