/**
 * The one owner of a run directory's schema: file and key names ({@link org.edgefront.jobs.results.RunDirectory}),
 * the writers ({@link org.edgefront.jobs.results.SearchOutputs}: {@code front.json}, {@code evaluations.parquet},
 * {@code spec.json}; {@link org.edgefront.jobs.results.EvaluationStore}: the {@code state/} checkpoint) and the
 * reader ({@link org.edgefront.jobs.results.SearchDirectory}). The report and the exporters read runs through this
 * package only.
 */
package org.edgefront.jobs.results;
