/**
 * Reading a finished search directory ({@code spec.json}, {@code front.json}, {@code evaluations.parquet})
 * into typed values, and the self-contained offline {@code report.html} built from it.
 */
package org.edgefront.jobs.report;
