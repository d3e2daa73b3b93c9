/**
 * The on-device simulator's public API and its JNI bridge: {@link org.edgefront.nativert.NativeSimulator} (the
 * simulator), loading the C library {@code edgefront_sim} from the jar ({@link org.edgefront.nativert.NativeLibrary}),
 * encoding Java values into the C structs' named wire layouts, candidate batches, and simulation results. Devices,
 * workloads and models are described in {@code nativert.device}, engine calibrations in {@code nativert.calibration},
 * the pure-Java reference of the same model in {@code nativert.reference} and the command-line tools in
 * {@code nativert.tools}.
 */
package org.edgefront.nativert;
