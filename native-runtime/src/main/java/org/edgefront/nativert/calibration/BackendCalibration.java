package org.edgefront.nativert.calibration;

import org.edgefront.nativert.device.Backend;
import java.util.Objects;

/**
 * How well one engine's kernels use one backend: calibrated per engine and backend over many devices,
 * never tuned to one device's rows. Immutable and thread-safe.
 *
 * @param name               engine/backend label, e.g. {@code llama.cpp-cpu}
 * @param memEfficiency      achieved fraction of DRAM bandwidth for weight streaming, (0, 1]
 * @param computeEfficiency  achieved fraction of peak throughput, (0, 1]
 * @param opOverheadSeconds  fixed cost per operator launch (thread sync, kernel launch), s
 * @param dequantScale       multiplier on each format's dequantization ops per weight (>= 0)
 * @param prefillTileTokens  prompt tokens sharing one dequantization of a weight block in prefill (>= 1)
 * @param ubatchTokens       prefill micro-batch: weights are re-read once per ubatch (>= 1)
 * @param runtimeFixedBytes  engine code, scratch buffers and allocator slack, bytes (>= 0)
 * @param exploitsNmSparsity true when the kernels skip N:M zeros (otherwise sparsity saves memory, not time)
 * @param prefillComputeEfficiency achieved fraction of peak in prefill GEMMs, (0, 1]
 * @param dequantizesToFloat true when quantized GEMVs dequantize to floats and run on the FP32 path (reference C
 *                           kernels); false for the int8 dot-product path (llama.cpp and most engines)
 * @param formatCosts        this backend's dequantization ops per weight per format ({@link FormatCosts#DEFAULT}:
 *                           the library's table)
 * @param memoryComputeSerial true when an operator's memory and compute times add (one thread of scalar code that
 *                           stalls on its own cache misses: the reference C kernels); false when they overlap (max)
 */
public record BackendCalibration(String name, double memEfficiency, double computeEfficiency, double opOverheadSeconds,
                                 double dequantScale, double prefillTileTokens, double ubatchTokens,
                                 double runtimeFixedBytes, boolean exploitsNmSparsity, double prefillComputeEfficiency,
                                 boolean dequantizesToFloat, FormatCosts formatCosts, boolean memoryComputeSerial)
        implements java.io.Serializable {
    /** A calibration whose memory and compute overlap (the api 3 form). */
    public BackendCalibration(String name, double memEfficiency, double computeEfficiency, double opOverheadSeconds,
                              double dequantScale, double prefillTileTokens, double ubatchTokens, double runtimeFixedBytes,
                              boolean exploitsNmSparsity, double prefillComputeEfficiency, boolean dequantizesToFloat,
                              FormatCosts formatCosts) {
        this(name, memEfficiency, computeEfficiency, opOverheadSeconds, dequantScale, prefillTileTokens, ubatchTokens,
                runtimeFixedBytes, exploitsNmSparsity, prefillComputeEfficiency, dequantizesToFloat, formatCosts, false);
    }

    /** A calibration with the library's default per-format dequantization costs. */
    public BackendCalibration(String name, double memEfficiency, double computeEfficiency, double opOverheadSeconds,
                              double dequantScale, double prefillTileTokens, double ubatchTokens, double runtimeFixedBytes,
                              boolean exploitsNmSparsity, double prefillComputeEfficiency, boolean dequantizesToFloat) {
        this(name, memEfficiency, computeEfficiency, opOverheadSeconds, dequantScale, prefillTileTokens, ubatchTokens,
                runtimeFixedBytes, exploitsNmSparsity, prefillComputeEfficiency, dequantizesToFloat, FormatCosts.DEFAULT);
    }

    /** A calibration on the int8 dot-product path (the form before {@code dequantizesToFloat} existed). */
    public BackendCalibration(String name, double memEfficiency, double computeEfficiency, double opOverheadSeconds,
                              double dequantScale, double prefillTileTokens, double ubatchTokens, double runtimeFixedBytes,
                              boolean exploitsNmSparsity, double prefillComputeEfficiency) {
        this(name, memEfficiency, computeEfficiency, opOverheadSeconds, dequantScale, prefillTileTokens, ubatchTokens,
                runtimeFixedBytes, exploitsNmSparsity, prefillComputeEfficiency, false);
    }

    public BackendCalibration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(formatCosts, "formatCosts");
        if (!(memEfficiency > 0 && memEfficiency <= 1)) throw new IllegalArgumentException(name + ": memEfficiency must be in (0,1]");
        if (!(computeEfficiency > 0 && computeEfficiency <= 1)) throw new IllegalArgumentException(name + ": computeEfficiency must be in (0,1]");
        if (!(prefillComputeEfficiency > 0 && prefillComputeEfficiency <= 1)) {
            throw new IllegalArgumentException(name + ": prefillComputeEfficiency must be in (0,1]");
        }
        if (!(opOverheadSeconds >= 0) || !(dequantScale >= 0) || !(prefillTileTokens >= 1) || !(ubatchTokens >= 1)
                || !(runtimeFixedBytes >= 0)) {
            throw new IllegalArgumentException(name + ": calibration values out of range");
        }
    }

    /** A copy with other per-format kernel costs. */
    public BackendCalibration withFormatCosts(FormatCosts costs) {
        return new BackendCalibration(name, memEfficiency, computeEfficiency, opOverheadSeconds, dequantScale, prefillTileTokens,
                ubatchTokens, runtimeFixedBytes, exploitsNmSparsity, prefillComputeEfficiency, dequantizesToFloat, costs,
                memoryComputeSerial);
    }

    /** A copy with another prefill dequantization tile and prefill GEMM efficiency. */
    public BackendCalibration withPrefill(double tileTokens, double computeEfficiency) {
        return new BackendCalibration(name, memEfficiency, this.computeEfficiency, opOverheadSeconds, dequantScale, tileTokens,
                ubatchTokens, runtimeFixedBytes, exploitsNmSparsity, computeEfficiency, dequantizesToFloat, formatCosts,
                memoryComputeSerial);
    }

    /**
     * Defaults for llama.cpp-style engines: the backend's first-principles starting values ({@link Backend#defaults()},
     * not fitted to any device; e.g. CPU kernels stream weights at about half of DRAM peak and reach about a third of SIMD
     * peak; per-op overheads are thread barriers on the CPU and kernel launches elsewhere).
     */
    public static BackendCalibration defaultFor(Backend backend) {
        Backend.Defaults d = backend.defaults();
        return new BackendCalibration("default-" + backend.key(), d.memEfficiency(), d.computeEfficiency(), d.opOverheadSeconds(),
                d.dequantScale(), d.prefillTileTokens(), d.ubatchTokens(), d.runtimeFixedBytes(), false, d.prefillComputeEfficiency());
    }
}
