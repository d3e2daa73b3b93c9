package org.edgefront.jobs.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * The search's durable state: every evaluation ever made, one atomically written file per generation
 * under {@code DIR/state/}. Because strategies are deterministic for a seed, replaying the ask/tell
 * loop against these stored results rebuilds the archive, strategy state and random generators
 * exactly, so a run killed at any moment resumes to the same front without re-evaluating anything
 * already computed. Not thread-safe (the driver owns it).
 */
public final class EvaluationStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateDir;
    private final Map<Candidate, Evaluation> known = new LinkedHashMap<>();
    private int generationsOnDisk;

    private EvaluationStore(Path stateDir) { this.stateDir = stateDir; }

    /** A store for a fresh run in {@code outDir} (which must not hold state yet). */
    public static EvaluationStore create(Path outDir) {
        return new EvaluationStore(new Path(outDir, RunDirectory.STATE_DIR));
    }

    /** Loads every generation file of a previous run in {@code outDir}. */
    public static EvaluationStore resume(Path outDir) {
        EvaluationStore s = new EvaluationStore(new Path(outDir, RunDirectory.STATE_DIR));
        FileSystem fs = AtomicFiles.fs(s.stateDir);
        try {
            if (!fs.exists(s.stateDir)) return s;
            FileStatus[] files = fs.listStatus(s.stateDir, p -> p.getName().matches("gen-\\d{6}\\.json"));
            Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
            for (FileStatus f : files) {
                JsonNode root = JSON.readTree(AtomicFiles.readString(f.getPath()));
                for (JsonNode n : root.get("evaluations")) s.known.put(EvaluationCodec.candidate(n), EvaluationCodec.evaluation(n));
                s.generationsOnDisk++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint in " + s.stateDir, e);
        }
        return s;
    }

    /** The stored result for a candidate, or null. */
    public Evaluation get(Candidate c) { return known.get(c); }

    /** Number of evaluations stored. */
    public int size() { return known.size(); }

    /** Generation files found on disk when resuming. */
    public int generationsOnDisk() { return generationsOnDisk; }

    /** Records the new evaluations of generation {@code generation} durably (one atomic file). */
    public void append(int generation, List<Candidate> candidates, List<Evaluation> evaluations) {
        ObjectNode root = JSON.createObjectNode();
        root.put("generation", generation);
        ArrayNode arr = root.putArray("evaluations");
        for (int i = 0; i < candidates.size(); i++) {
            arr.add(EvaluationCodec.encode(JSON, candidates.get(i), evaluations.get(i)));
            known.put(candidates.get(i), evaluations.get(i));
        }
        try {
            AtomicFiles.writeString(new Path(stateDir, String.format("gen-%06d.json", generation)), JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every stored candidate with its evaluation, in first-evaluation order. */
    public List<Map.Entry<Candidate, Evaluation>> all() { return new ArrayList<>(known.entrySet()); }
}
