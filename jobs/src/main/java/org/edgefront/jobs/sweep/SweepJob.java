package org.edgefront.jobs.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.edgefront.evaluators.CompositeEvaluator;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.results.EvaluationStore;
import org.edgefront.jobs.results.SearchOutputs;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.run.BatchEvaluator;
import org.edgefront.jobs.run.SearchEvaluators;
import org.edgefront.jobs.run.SearchRunner;
import org.edgefront.jobs.run.SequentialBatchEvaluator;
import org.edgefront.jobs.run.SparkBatchEvaluator;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.jobs.spec.ResolvedSearch;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.search.strategy.Strategies;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.EvaluationStatus;
import org.edgefront.space.metric.Measurements;

/**
 * Runs a grid of searches (models x devices x budgets x strategies) in one job. Every cell is resolved and
 * validated on the driver before any work. Quality does not depend on the device or the budget, so measured
 * quality is computed once per (model, candidate) in Spark tasks and shared by all cells of that model;
 * memory and the device simulation (microseconds each) run per cell on the driver. Each cell checkpoints
 * like a search ({@code cells/<key>/state}); a finished cell is skipped on {@code --resume}. Results:
 * {@code cells/<key>/front.json}, one Parquet table partitioned by the sweep keys
 * ({@code results/model=M/device=D/budget=B/strategy=S/evaluations.parquet}), and {@code sweep.json}.
 * Creates and stops its own SparkSession unless one is passed in.
 */
public final class SweepJob {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SweepJob() {}

    /** Quality stand-in for proxy-mode cells: measures nothing (the proxy comes with the cheap evaluators). */
    private static final EvaluatorFactory NO_QUALITY = new NoQuality();

    private record NoQuality() implements EvaluatorFactory {
        @Override
        public Evaluator create() {
            return new Evaluator() {
                @Override
                public java.util.Set<org.edgefront.space.metric.Metric> provides() { return java.util.Set.of(); }

                @Override
                public Evaluation evaluate(Candidate c) { return Evaluation.ok(c.id(), Measurements.EMPTY, "", "none"); }

                @Override
                public String version() { return "none"; }

                @Override
                public void close() {}
            };
        }
    }

    /** One cell of the grid, resolved. */
    public record Cell(String model, String device, int budget, String strategy, ResolvedSearch search) {
        /** Directory-safe key, also the partition path. */
        public String partition() {
            return "model=" + model + "/device=" + device + "/budget=" + budgetLabel() + "/strategy=" + strategy;
        }

        /** The budget set by value, e.g. {@code kl-atMost-0.5} (see {@link SweepSummary#budgetLabel}). */
        public String budgetLabel() { return SweepSummary.budgetLabel(search.spec().budgets()); }
    }

    /**
     * The finished sweep: each cell's result, and one line per model x device pair whose cells were not run because no
     * configuration of the model can be resident on the device.
     */
    public record Outcome(Path outDir, List<Cell> cells, List<SearchResult> results, double elapsedSeconds, List<String> notResident) {}

    /** Reads and validates every cell of a sweep file. */
    public static List<Cell> cells(String sweepUri) { return load(sweepUri).cells(); }

    /** A validated sweep: its name, the cells it runs, and why the cells of a model x device pair are not run. */
    private record Sweep(String name, List<Cell> cells, List<String> notResident) {}

    private static Sweep load(String sweepUri) {
        Path p = AtomicFiles.path(sweepUri);
        SweepSpec s;
        try {
            if (!AtomicFiles.fs(p).exists(p)) throw new InvalidInputException(sweepUri, "(file)", "does not exist");
            s = YAML.readValue(AtomicFiles.readString(p), SweepSpec.class);
        } catch (JsonMappingException e) {
            throw new InvalidInputException(sweepUri, SearchSpecLoader.path(e), e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(sweepUri, "(document)", "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException(sweepUri, "(file)", "cannot read: " + e.getMessage(), e);
        }
        if (s == null) throw new InvalidInputException(sweepUri, "(document)", "the file is empty");
        require(sweepUri, "schemaVersion", s.schemaVersion() != null && s.schemaVersion() == 1, "must be 1");
        require(sweepUri, "name", s.name() == null || s.name().matches("[A-Za-z0-9._-]{1,64}"), "must be 1-64 letters, digits, '.', '_' or '-'");
        require(sweepUri, "base", s.base() != null, "is required (a search spec)");
        require(sweepUri, "models", s.models() != null && !s.models().isEmpty(), "must list at least one model");
        require(sweepUri, "devices", s.devices() != null && !s.devices().isEmpty(), "must list at least one device");
        String baseUri = SearchSpecLoader.relative(sweepUri, s.base());
        Path bp = AtomicFiles.path(baseUri);
        SearchSpec base;
        try {
            if (!AtomicFiles.fs(bp).exists(bp)) throw new InvalidInputException(sweepUri, "base", baseUri + " does not exist");
            base = SearchSpecLoader.parse(baseUri, AtomicFiles.readString(bp));
        } catch (IOException e) {
            throw new InvalidInputException(sweepUri, "base", "cannot read " + baseUri, e);
        }
        List<Map<String, SearchSpec.Bound>> budgets = s.budgets() == null || s.budgets().isEmpty()
                ? java.util.Collections.singletonList(base.budgets()) : s.budgets();
        for (int i = 0; i < budgets.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (SweepSummary.budgetLabel(budgets.get(i)).equals(SweepSummary.budgetLabel(budgets.get(j)))) {
                    throw new InvalidInputException(sweepUri, "budgets[" + i + "]", "repeats budgets[" + j + "]");
                }
            }
        }
        List<String> strategies = s.strategies() == null || s.strategies().isEmpty()
                ? List.of(base.strategy() == null || base.strategy().name() == null ? "nsga2" : base.strategy().name()) : s.strategies();
        List<Cell> cells = new ArrayList<>();
        Map<String, Integer> modelNames = new HashMap<>();
        // model index / device index -> why that model cannot be resident on that device
        Map<String, String> notResident = new java.util.LinkedHashMap<>();
        for (int mi = 0; mi < s.models().size(); mi++) {
            SearchSpec.Model m = s.models().get(mi);
            require(sweepUri, "models[" + mi + "].source", m != null && m.source() != null, "is required");
            SearchSpec.Model abs = new SearchSpec.Model(m.source().startsWith("synthetic:") ? m.source() : SearchSpecLoader.relative(sweepUri, m.source()),
                    m.tokenizer() == null ? null : SearchSpecLoader.relative(sweepUri, m.tokenizer()), m.text() == null ? null : SearchSpecLoader.relative(sweepUri, m.text()));
            String modelKey = null;
            for (int di = 0; di < s.devices().size(); di++) {
                String dev = SearchSpecLoader.relative(sweepUri, s.devices().get(di));
                String devKey = new Path(dev).getName().replaceAll("\\.ya?ml$", "");
                Double smallest = null;
                for (int bi = 0; bi < budgets.size(); bi++) {
                    for (String st : strategies) {
                        SearchSpec.Strategy bs = base.strategy() == null ? new SearchSpec.Strategy(null, null, null, null) : base.strategy();
                        String name = (base.name() == null ? "sweep" : base.name());
                        SearchSpec cell = new SearchSpec(base.schemaVersion(), name, abs, dev, base.workload(), base.space(),
                                base.quality(), base.objectives(), budgets.get(bi),
                                new SearchSpec.Strategy(st, bs.seed(), bs.populationSize(), bs.generations()), base.execution());
                        ResolvedSearch r;
                        try {
                            r = SearchSpecLoader.resolve(baseUri, cell, SearchSpecLoader.Overrides.NONE);
                        } catch (InvalidInputException e) {
                            throw new InvalidInputException(sweepUri, "cell model[" + mi + "] device[" + di + "] budget[" + bi + "] strategy " + st,
                                    e.getMessage(), e);
                        }
                        // the smallest candidate depends on the model, device and workload, not on the budget or strategy
                        if (smallest == null) smallest = SearchEvaluators.smallestMemoryBytes(r);
                        // a model no configuration of which is resident on a device: its cells are not run but reported,
                        // since a grid of models x devices cannot leave out one pair
                        String beyond = SearchEvaluators.notResident(r, smallest);
                        if (beyond != null) {
                            notResident.putIfAbsent(mi + "/" + di, beyond);
                            continue;
                        }
                        try {
                            SearchEvaluators.checkBudgetsAreSatisfiable(r, smallest);
                        } catch (InvalidInputException e) {
                            throw new InvalidInputException(sweepUri, "cell model[" + mi + "] device[" + di + "] budget[" + bi + "] strategy " + st,
                                    e.getMessage(), e);
                        }
                        if (modelKey == null) {
                            org.edgefront.jobs.spec.InputChecks.search(r,
                                    new org.edgefront.jobs.spec.InputChecks.Fields("models[" + mi + "].tokenizer", "models[" + mi + "].text"));
                            String n = r.architecture().name().replaceAll("[^A-Za-z0-9._-]", "_");
                            int seen = modelNames.merge(n, 1, Integer::sum);
                            modelKey = seen == 1 ? n : n + "-" + seen;
                        }
                        cells.add(new Cell(modelKey, devKey, bi, st, r));
                    }
                }
            }
        }
        if (cells.isEmpty()) {
            throw new InvalidInputException(sweepUri, "devices", "no model of the sweep can be resident on any of its devices: "
                    + String.join("; ", notResident.values()));
        }
        return new Sweep(s.name() == null ? "sweep" : s.name(), cells, List.copyOf(notResident.values()));
    }

    /** Runs every cell; {@code existing} may be null (then the job owns its session). */
    public static Outcome run(String sweepUri, String outDir, boolean resume, boolean force, String master, PrintStream log,
                              SparkSession existing) {
        long start = System.nanoTime();
        Sweep sweep = load(sweepUri);
        List<Cell> cells = sweep.cells();
        for (String why : sweep.notResident()) log.println("not run: " + why);
        String name = sweep.name();
        Path out = AtomicFiles.path(outDir != null ? outDir : "runs/" + name);
        prepare(out, resume, force);
        boolean sequential = "sequential".equals(master);
        SparkSession spark = existing;
        boolean own = false;
        List<SearchResult> results = new ArrayList<>();
        try {
            if (spark == null && !sequential) {
                spark = SparkSessions.create("edgefront-sweep-" + name, master, cells.get(0).search().master(), true);
                own = true;
            }
            // one quality cache per model: measured quality depends on neither the device nor the budget
            Map<String, Map<Candidate, Evaluation>> qualityByModel = new HashMap<>();
            int ran = 0;
            for (int i = 0; i < cells.size(); i++) {
                Cell c = cells.get(i);
                Path cellDir = new Path(out, "cells/" + c.partition().replace('/', '_').replace('=', '-'));
                FileSystem fs = AtomicFiles.fs(cellDir);
                if (fs.exists(new Path(cellDir, "front.json")) && fs.exists(new Path(out, "results/" + c.partition() + "/evaluations.parquet"))) {
                    log.printf("cell %d/%d %s: done earlier, skipped%n", i + 1, cells.size(), c.partition());
                    results.add(null);
                    continue;
                }
                ResolvedSearch r = c.search();
                Map<Candidate, Evaluation> qcache = qualityByModel.computeIfAbsent(c.model(), k -> new HashMap<>());
                EvaluatorFactory quality = r.measuredQuality() ? SearchEvaluators.qualityFactory(r, sequential) : NO_QUALITY;
                BatchEvaluator remote = sequential || !r.measuredQuality() ? new SequentialBatchEvaluator(quality)
                        : new SparkBatchEvaluator(JavaSparkContext.fromSparkContext(spark.sparkContext()), quality, r.multiFidelity() ? 1 : r.partitions());
                SearchResult res;
                try (Evaluator local = new CompositeEvaluator.Factory(SearchEvaluators.cheapFactories(r)).create();
                     BatchEvaluator cell = new CachedQualityBatchEvaluator(local, remote, qcache)) {
                    EvaluationStore store = EvaluationStore.resume(cellDir);
                    double spent = (System.nanoTime() - start) / 1e9;
                    log.printf("cell %d/%d %s (%d evaluations checkpointed)%s%n", i + 1, cells.size(), c.partition(), store.size(),
                            ran == 0 ? "" : String.format(java.util.Locale.ROOT, ", %.0f s elapsed, ETA %.0f s", spent, spent / ran * (cells.size() - i)));
                    ran++;
                    SearchRunner runner = new SearchRunner(r.problem(), cell, store, p -> log.println("  " + p.line()), r.maxFailureRate());
                    res = runner.run(Strategies.create(r.strategy(), r.space(), r.problem(), r.seed(), r.populationSize(), r.additiveModel()),
                            r.generations(), r.populationSize());
                }
                SearchOutputs.RunInfo info = new SearchOutputs.RunInfo(r.spec().name(), r.model().uri(), r.architecture().name(),
                        r.architecture().synthetic(), r.deviceUri(), r.strategy(), r.seed(), res.executor(), "", "");
                SearchOutputs.writeParquet(new Path(out, "results/" + c.partition()), r.space(), res);
                SearchOutputs.writeFront(cellDir, r.space(), res, info);
                results.add(res);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (own) {
                EvaluatorPool.closeAll();
                spark.stop();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        writeSummary(out, cells, results, elapsed, sweep.notResident());
        return new Outcome(out, cells, results, elapsed, sweep.notResident());
    }

    private static void writeSummary(Path out, List<Cell> cells, List<SearchResult> results, double elapsed, List<String> notResident) {
        ObjectNode root = JSON.createObjectNode();
        root.put("elapsed_s", elapsed);
        ArrayNode skipped = root.putArray("not_resident");
        for (String why : notResident) skipped.add(why);
        ArrayNode arr = root.putArray("cells");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            ObjectNode n = arr.addObject();
            n.put("model", c.model());
            n.put("device", c.device());
            n.put("budget", c.budgetLabel());
            n.put("strategy", c.strategy());
            n.put("partition", c.partition());
            SearchResult r = results.get(i);
            if (r != null) {
                n.put("evaluations", r.evaluations().size());
                n.put("feasible", r.feasibleCount());
                n.put("front_points", r.front().size());
            } else {
                n.put("skipped", true);
            }
        }
        try {
            AtomicFiles.writeString(new Path(out, "sweep.json"), JSON.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void prepare(Path out, boolean resume, boolean force) {
        FileSystem fs = AtomicFiles.fs(out);
        try {
            if (fs.exists(out) && fs.listStatus(out).length > 0 && !resume) {
                if (!force) throw new InvalidInputException(out.toString(), "--out", "already exists; pass --resume to continue that sweep or --force to replace it");
                fs.delete(out, true);
            }
            fs.mkdirs(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Per cell: memory and device evaluation locally, quality from the model's shared cache, computing only
     * the missing ones remotely. Owns neither the local evaluator nor the cache; closes the remote one.
     */
    static final class CachedQualityBatchEvaluator implements BatchEvaluator {
        private final Evaluator local;
        private final BatchEvaluator remote;
        private final Map<Candidate, Evaluation> cache;

        CachedQualityBatchEvaluator(Evaluator local, BatchEvaluator remote, Map<Candidate, Evaluation> cache) {
            this.local = local;
            this.remote = remote;
            this.cache = cache;
        }

        @Override
        public List<Evaluation> evaluate(List<Candidate> candidates) {
            List<Candidate> missing = new ArrayList<>();
            for (Candidate c : candidates) if (!cache.containsKey(c)) missing.add(c);
            List<Evaluation> q = remote.evaluate(missing);
            for (int i = 0; i < missing.size(); i++) cache.put(missing.get(i), q.get(i));
            List<Evaluation> cheap = local.evaluateAll(candidates);
            List<Evaluation> out = new ArrayList<>(candidates.size());
            for (int i = 0; i < candidates.size(); i++) {
                Evaluation a = cheap.get(i);
                Evaluation b = cache.get(candidates.get(i));
                Measurements m = a.measurements().merge(b.measurements());
                String version = a.evaluatorVersion() + "+" + b.evaluatorVersion();
                if (a.ok() && b.ok()) {
                    out.add(Evaluation.ok(a.candidateId(), m, b.fidelity(), version));
                } else {
                    String reason = String.join("; ", List.of(a.failureReason(), b.failureReason()).stream().filter(s -> !s.isEmpty()).toList());
                    out.add(new Evaluation(a.candidateId(), EvaluationStatus.FAILED, m, reason, b.fidelity(), version));
                }
            }
            return out;
        }

        @Override
        public String describe() { return "cached quality via " + remote.describe() + ", memory+device local"; }

        @Override
        public void close() { remote.close(); }
    }


    private static void require(String file, String key, boolean ok, String problem) {
        if (!ok) throw new InvalidInputException(file, key, problem);
    }
}
