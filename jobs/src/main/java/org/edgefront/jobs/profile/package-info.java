/**
 * The sensitivity profile job: builds a {@link org.edgefront.evaluators.sensitivity.SensitivityTable} in Spark
 * tasks in parallel over decisions (one pooled quality evaluator per executor thread), checkpoints each finished
 * decision atomically and skips checkpointed ones on resume; the fidelity and compare studies that check a table's
 * proxy against measured quality. A table's costs for planning come from the table itself
 * ({@link org.edgefront.evaluators.sensitivity.SensitivityTable#proxyCosts}).
 */
package org.edgefront.jobs.profile;
