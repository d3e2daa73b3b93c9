/**
 * What runs where: device profiles ({@link org.edgefront.nativert.device.DeviceProfile}, read from
 * {@code configs/devices/*.yaml}), the compute units a device has ({@link org.edgefront.nativert.device.Backend}),
 * workloads, model descriptors, and the config-file readers they share. Values only; no native code.
 */
package org.edgefront.nativert.device;
