/** Spark plumbing: session creation with EdgeFront's settings and the Kryo registrator. */
package org.edgefront.jobs.spark;
