/** Spark plumbing: session creation with EdgeFront's settings, the Kryo registrator and the per-executor evaluator pool. */
package org.edgefront.jobs.spark;
