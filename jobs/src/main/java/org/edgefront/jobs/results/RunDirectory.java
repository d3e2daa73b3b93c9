package org.edgefront.jobs.results;

/**
 * The schema of a run directory, declared once: the files a search writes and the keys inside them. The writers
 * ({@link SearchOutputs}, {@link EvaluationStore}) and the reader ({@link SearchDirectory}) use these names, so a
 * renamed key cannot leave one side behind. Constants only.
 *
 * <pre>
 * DIR/spec.json            the resolved spec (SearchSpec as JSON)
 * DIR/front.json           {"points": [{"id", "choices", "stored", "structure"?, "structure_plan"?, "metrics", "feasible",
 *                           "violation", "fidelity"}], "run": {...}}
 * DIR/evaluations.parquet  one row per distinct evaluation: id, status, reason, fidelity, feasible, violation,
 *                           on_front, choices (map), structure (map, optional), one optional double per metric
 * DIR/state/gen-NNNNNN.json the checkpoint: {"evaluations": [{"id", "genes", "status", "reason", "fidelity",
 *                           "version", "metrics"}]}
 * </pre>
 */
public final class RunDirectory {
    private RunDirectory() {}

    /** The resolved spec. */
    public static final String SPEC_JSON = "spec.json";
    /** The front and run facts. */
    public static final String FRONT_JSON = "front.json";
    /** Every evaluation. */
    public static final String EVALUATIONS_PARQUET = "evaluations.parquet";
    /** The checkpoint directory. */
    public static final String STATE_DIR = "state";

    /** Front points (front.json). */
    public static final String POINTS = "points";
    /** Run facts (front.json). */
    public static final String RUN = "run";
    /** A point's content id (front.json, evaluations.parquet, state). */
    public static final String ID = "id";
    /** Tensor name to choice label (front.json, evaluations.parquet). */
    public static final String CHOICES = "choices";
    /**
     * Tensor name to the format actually stored at its (pruned) shape after llama.cpp's fallbacks (front.json; absent
     * in directories written before it, where readers fall back to the choice's own format).
     */
    public static final String STORED = "stored";
    /** Structural decision name to option label, when structure is searched (front.json, evaluations.parquet). */
    public static final String STRUCTURE = "structure";
    /** The structure plan's label, when structure is searched (front.json). */
    public static final String STRUCTURE_PLAN = "structure_plan";
    /** Metric JSON name to value (front.json, state); in evaluations.parquet one column per metric. */
    public static final String METRICS = "metrics";
    /** OK and within every budget. */
    public static final String FEASIBLE = "feasible";
    /** Total constraint violation. */
    public static final String VIOLATION = "violation";
    /** How the figures were obtained. */
    public static final String FIDELITY = "fidelity";
    /** Member of the final front (evaluations.parquet). */
    public static final String ON_FRONT = "on_front";
    /** OK or FAILED (evaluations.parquet, state). */
    public static final String STATUS = "status";
    /** Failure reason (evaluations.parquet, state). */
    public static final String REASON = "reason";
    /** A checkpointed candidate's option indices (state). */
    public static final String GENES = "genes";
    /** The evaluator version (state). */
    public static final String VERSION = "version";
}
