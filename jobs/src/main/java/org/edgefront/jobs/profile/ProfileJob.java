package org.edgefront.jobs.profile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.input.InvalidInputException;

/**
 * Builds a {@link SensitivityTable} over a {@link SearchSpace}, in Spark tasks in parallel over decisions or
 * sequentially, resumably.
 *
 * <p>Output directory layout: {@code profile-meta.json} (a fingerprint of the inputs: SHA-256 of the serialized
 * evaluator factory, which holds model, text, sequence settings and space), {@code decisions/decision-NNNNN.json}
 * (one finished row each, written atomically by the task that measured it, so a kill loses at most the
 * decisions in flight) and finally {@code sensitivity.json} (the whole table, written atomically by the driver).
 * With {@code resume} the checkpointed rows are read back and only the missing decisions are measured; the
 * fingerprint must match. Without it, a directory that already holds a profile is refused.
 *
 * <p>Each decision's row depends only on the factory's inputs (one evaluator per executor thread, borrowed from
 * {@link EvaluatorPool}), so the table does not depend on partitioning or on which rows were resumed.
 * Does not own the SparkContext passed in. Stateless.
 */
public final class ProfileJob {
    /** File name of the final table inside the output directory. */
    public static final String TABLE_FILE = "sensitivity.json";
    static final String META_FILE = "profile-meta.json";
    static final String DECISIONS_DIR = "decisions";

    private ProfileJob() {}

    /**
     * @param factory    builds the quality evaluator (model, text, tokens) on executors
     * @param space      the decisions and options to profile (the factory's space)
     * @param outDir     output directory (path or Hadoop URI)
     * @param resume     reuse the checkpointed decisions in {@code outDir}
     * @param partitions Spark partitions (0: {@link org.edgefront.jobs.spark.SparkSessions#TASKS_PER_SLOT} per slot)
     */
    public record Config(QualityEvaluator.Factory factory, SearchSpace space, String outDir, boolean resume, int partitions) {
        public Config {
            Objects.requireNonNull(factory, "factory");
            Objects.requireNonNull(space, "space");
            Objects.requireNonNull(outDir, "outDir");
            if (partitions < 0) throw new InvalidInputException("-", "partitions", "must be >= 0");
        }
    }

    /**
     * What a run produced.
     *
     * @param table    the full table (also in {@code outDir/sensitivity.json})
     * @param measured decisions measured in this run
     * @param resumed  decisions read back from checkpoints
     * @param seconds  wall-clock time of the run
     */
    public record Outcome(SensitivityTable table, int measured, int resumed, double seconds) {}

    /**
     * Runs the profile; with {@code sc == null} every decision is measured in this thread with one evaluator.
     *
     * @throws InvalidInputException when resuming a directory profiled with other inputs, or refusing to overwrite one
     */
    public static Outcome run(Config c, JavaSparkContext sc, PrintStream log) {
        long start = System.nanoTime();
        Path out = AtomicFiles.path(c.outDir());
        Path decisions = new Path(out, DECISIONS_DIR);
        String fingerprint = fingerprint(c.factory());
        List<SensitivityTable.Row> done = prepare(c, out, decisions, fingerprint);
        boolean[] have = new boolean[c.space().dimensions()];
        for (SensitivityTable.Row r : done) have[r.index()] = true;
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < have.length; i++) if (!have[i]) todo.add(i);
        if (!done.isEmpty()) log.println("resuming " + out + ": " + done.size() + " of " + have.length + " decisions checkpointed");

        List<String> measuredJson;
        // executors (or this thread) checkpoint each decision as it finishes: the count on disk is the progress
        AutoCloseable progress = org.edgefront.jobs.run.StepProgress.watch(log, "profile", () -> checkpointed(decisions),
                have.length, "decisions", PROGRESS_MILLIS);
        try {
            measuredJson = todo.isEmpty() ? List.of()
                    : sc == null ? sequential(c.factory(), c.space(), decisions.toString(), todo)
                    : spark(sc, c, decisions.toString(), todo);
        } finally {
            try {
                progress.close();
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        }
        List<SensitivityTable.Row> rows = new ArrayList<>(done);
        for (String j : measuredJson) rows.add(SensitivityTable.rowFromJson(j, decisions.toString()));
        long tokens = tokensOf(c);
        SensitivityTable table = SensitivityProfiler.assemble(c.space(), QualityEvaluator.VERSION, tokens, rows);
        AtomicFiles.writeString(new Path(out, TABLE_FILE), table.toJson());
        return new Outcome(table, todo.size(), done.size(), (System.nanoTime() - start) / 1e9);
    }

    /** Predicted tokens per measurement, from an evaluator of the same inputs (pooled, so built once). */
    private static long tokensOf(Config c) {
        return EvaluatorPool.withEvaluator(c.factory(), e -> ((QualityEvaluator) e).tokens());
    }

    private static List<String> sequential(QualityEvaluator.Factory f, SearchSpace space, String dir, List<Integer> todo) {
        return EvaluatorPool.withEvaluator(f, e -> measure((QualityEvaluator) e, space, dir, todo.iterator()));
    }

    private static List<String> spark(JavaSparkContext sc, Config c, String dir, List<Integer> todo) {
        int p = org.edgefront.jobs.spark.SparkSessions.partitions(sc, c.partitions(), todo.size());
        QualityEvaluator.Factory f = c.factory();
        SearchSpace space = c.space();
        int cores = org.edgefront.jobs.spark.SparkSessions.coresPerExecutor(sc);
        // rows travel back as JSON text: Strings need no Kryo registration and the checkpoint format is reused
        return sc.parallelize(todo, p).mapPartitions((Iterator<Integer> it) ->
                EvaluatorPool.withEvaluator(f, cores, e -> measure((QualityEvaluator) e, space, dir, it)).iterator()).collect();
    }

    private static List<String> measure(QualityEvaluator e, SearchSpace space, String dir, Iterator<Integer> decisions) {
        SensitivityProfiler p = new SensitivityProfiler(e, space);
        List<String> out = new ArrayList<>();
        while (decisions.hasNext()) {
            int i = decisions.next();
            String json = SensitivityTable.rowToJson(p.profileDecision(i));
            AtomicFiles.writeString(new Path(new Path(dir), checkpointName(i)), json);
            out.add(json);
        }
        return out;
    }

    /** How often the profile prints its progress, milliseconds. */
    private static final long PROGRESS_MILLIS = 2000;

    /** Decisions checkpointed in {@code dir} so far (0 when it cannot be listed yet). */
    private static int checkpointed(Path dir) {
        try {
            FileSystem fs = AtomicFiles.fs(dir);
            if (!fs.exists(dir)) return 0;
            return fs.listStatus(dir, p -> p.getName().matches("decision-\\d{5}\\.json")).length;
        } catch (IOException e) {
            return 0;
        }
    }

    static String checkpointName(int decision) { return String.format("decision-%05d.json", decision); }

    /** Validates the directory and returns the rows to reuse (none unless resuming). */
    private static List<SensitivityTable.Row> prepare(Config c, Path out, Path decisions, String fingerprint) {
        FileSystem fs = AtomicFiles.fs(out);
        Path meta = new Path(out, META_FILE);
        try {
            boolean exists = fs.exists(meta);
            if (!c.resume()) {
                if (exists || fs.exists(new Path(out, TABLE_FILE))) {
                    throw new InvalidInputException(c.outDir(), "--out", "already holds a profile; pass --resume to continue it or choose another directory");
                }
                AtomicFiles.writeString(meta, metaJson(fingerprint));
                return List.of();
            }
            if (!exists) {
                AtomicFiles.writeString(meta, metaJson(fingerprint));
                return List.of();
            }
            String old = AtomicFiles.readString(meta);
            if (!old.equals(metaJson(fingerprint))) {
                throw new InvalidInputException(meta.toString(), "fingerprint", "the directory was profiled with other inputs "
                        + "(model, text, sequences or options); use a new --out");
            }
            List<SensitivityTable.Row> rows = new ArrayList<>();
            if (!fs.exists(decisions)) return rows;
            for (FileStatus st : fs.listStatus(decisions)) {
                String name = st.getPath().getName();
                if (!name.matches("decision-\\d{5}\\.json")) continue; // hidden temporaries of killed writes
                int i = Integer.parseInt(name.substring(9, 14));
                if (i >= c.space().dimensions()) throw new InvalidInputException(st.getPath().toString(), "index", "no decision " + i + " in the space");
                SensitivityTable.Row r = SensitivityTable.rowFromJson(AtomicFiles.readString(st.getPath()), st.getPath().toString());
                if (r.index() != i || !r.decision().equals(c.space().geneName(i))) {
                    throw new InvalidInputException(st.getPath().toString(), "decision", "does not match decision " + i + " of the space");
                }
                rows.add(r);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out, e);
        }
    }

    private static String metaJson(String fingerprint) {
        return "{\n  \"schemaVersion\" : 1,\n  \"fingerprint\" : \"" + fingerprint + "\"\n}\n";
    }

    /**
     * SHA-256 of the factory's Java serialization: equal inputs, equal fingerprint. Its pass threads are left out, as
     * they do not change a row: a profile begun on Spark resumes sequentially.
     */
    static String fingerprint(QualityEvaluator.Factory f) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(f.withThreads(1));
            o.flush();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("evaluator factory is not serializable", e);
        }
    }
}
