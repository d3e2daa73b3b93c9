package org.edgefront.jobs.run;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * Evaluates each batch in Spark tasks: the candidates are split into partitions, each partition is
 * evaluated with one (pooled) evaluator per executor thread, and results come back in input order. The slots of an
 * executor share one model and reference, built once with all the executor's cores, and their forward passes spread
 * over those cores ({@link EvaluatorPool}): a slot whose neighbour is idle at a generation's end computes on both.
 * Does not own the SparkContext: whoever created it stops it.
 */
public final class SparkBatchEvaluator implements BatchEvaluator {
    private final JavaSparkContext sc;
    private final EvaluatorFactory factory;
    private final int partitions;

    /**
     * @param partitions partitions per batch; 0 for {@link SparkSessions#TASKS_PER_SLOT} tasks per slot
     */
    public SparkBatchEvaluator(JavaSparkContext sc, EvaluatorFactory factory, int partitions) {
        this.sc = sc;
        this.factory = factory;
        this.partitions = partitions;
    }

    @Override
    public List<Evaluation> evaluate(List<Candidate> candidates) {
        if (candidates.isEmpty()) return List.of();
        int p = SparkSessions.partitions(sc, partitions, candidates.size());
        EvaluatorFactory f = factory;
        int cores = SparkSessions.coresPerExecutor(sc);
        JavaRDD<Candidate> rdd = sc.parallelize(candidates, p);
        // collect() keeps partition order, and parallelize keeps element order within partitions
        return rdd.mapPartitions((Iterator<Candidate> it) -> {
            List<Candidate> part = new ArrayList<>();
            it.forEachRemaining(part::add);
            return EvaluatorPool.withEvaluator(f, cores, e -> e.evaluateAll(part)).iterator();
        }).collect();
    }

    @Override
    public String describe() { return "spark " + sc.master() + " (" + sc.defaultParallelism() + " slots)"; }

    @Override
    public void close() {
        // the SparkContext belongs to the caller; pooled evaluators of local executors close with the pool
    }
}
