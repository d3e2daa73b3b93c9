package org.edgefront.jobs.run;

/** Receives one line of progress per generation. Implementations must be cheap; called on the driver thread. */
@FunctionalInterface
public interface ProgressListener {
    void generationDone(GenerationProgress progress);

    /**
     * @param generation       1-based generation just finished
     * @param generations      total generations
     * @param evaluations      distinct candidates evaluated so far
     * @param newEvaluations   evaluations computed in this generation (others were cached or checkpointed)
     * @param feasible         feasible evaluations so far
     * @param failed           failed evaluations so far
     * @param frontSize        current front size
     * @param hypervolume      hypervolume of the feasible front in normalized objective space (NaN when empty)
     * @param etaSeconds       estimated seconds to finish
     */
    record GenerationProgress(int generation, int generations, int evaluations, int newEvaluations, long feasible,
                              long failed, int frontSize, double hypervolume, double etaSeconds) {
        /** The console line. */
        public String line() {
            return String.format("generation %d/%d: %d evaluations (%d new), %d feasible, %d failed, front %d, hypervolume %s, ETA %.0f s",
                    generation, generations, evaluations, newEvaluations, feasible, failed, frontSize,
                    Double.isNaN(hypervolume) ? "n/a" : String.format("%.4f", hypervolume), etaSeconds);
        }
    }
}
