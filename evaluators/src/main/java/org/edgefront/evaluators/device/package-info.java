/**
 * Device metrics (decode and prefill speed, time to first token, energy, power) of candidates, predicted
 * by the native on-device simulator in batches.
 */
package org.edgefront.evaluators.device;
