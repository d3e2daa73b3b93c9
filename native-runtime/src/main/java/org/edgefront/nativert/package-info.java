/**
 * The on-device simulator: the JNI bridge to the C library {@code edgefront_sim} (loaded from the jar),
 * device profiles read from YAML, workloads, engine/backend calibrations, simulation results, exact
 * memory ({@link org.edgefront.nativert.MemoryModel}) and a pure-Java {@link org.edgefront.nativert.ReferenceSimulator}
 * of the same model that tests compare the native results against.
 */
package org.edgefront.nativert;
