/**
 * Engine/backend calibrations: how well one engine's kernels use one backend
 * ({@link org.edgefront.nativert.calibration.BackendCalibration}), calibrated per engine group over many devices
 * and never per device, with per-format kernel costs and their YAML reader.
 */
package org.edgefront.nativert.calibration;
