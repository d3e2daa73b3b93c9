/**
 * Command-line tools around the simulator: validation against measured throughput
 * ({@link org.edgefront.nativert.tools.SimulatorValidation} with its CSV reader and the deployment format mixes),
 * host calibration by timing the reference kernels, and the simulator benchmark.
 */
package org.edgefront.nativert.tools;
