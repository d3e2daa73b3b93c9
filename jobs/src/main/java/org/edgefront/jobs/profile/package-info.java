/**
 * The sensitivity profile job: builds a {@link org.edgefront.evaluators.sensitivity.SensitivityTable} in Spark
 * tasks in parallel over decisions (one pooled quality evaluator per executor thread), checkpoints each finished
 * decision atomically and skips checkpointed ones on resume; plus the conversion of a table to search's
 * {@link org.edgefront.search.additive.AdditiveModel} (weight bytes and proxy KL), which lives here because
 * evaluators may not depend on search.
 */
package org.edgefront.jobs.profile;
