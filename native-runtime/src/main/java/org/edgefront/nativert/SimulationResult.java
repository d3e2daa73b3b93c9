package org.edgefront.nativert;

import java.util.List;

/**
 * Predicted behaviour of one candidate on one device and workload. Immutable.
 *
 * @param decodeTokensPerSecond          mean decode speed over the generation, thermal throttling included
 * @param sustainedDecodeTokensPerSecond decode speed once throttled
 * @param prefillTokensPerSecond         prompt tokens / time to first token
 * @param timeToFirstTokenSeconds        prefill time, s
 * @param energyJoulesPerToken           energy per decoded token, J
 * @param powerWatts                     average power during decode, W
 * @param prefillEnergyJoules            energy of the whole prefill, J
 * @param memory                         peak resident memory
 * @param ops                            per-operator breakdown of one decode step (empty from batched calls)
 */
public record SimulationResult(double decodeTokensPerSecond, double sustainedDecodeTokensPerSecond,
                               double prefillTokensPerSecond, double timeToFirstTokenSeconds,
                               double energyJoulesPerToken, double powerWatts, double prefillEnergyJoules, MemoryBreakdown memory,
                               List<OpCost> ops) implements java.io.Serializable {
    public SimulationResult {
        ops = List.copyOf(ops);
    }
}
