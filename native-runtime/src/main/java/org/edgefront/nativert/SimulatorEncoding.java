package org.edgefront.nativert;

import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import java.util.List;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Flattens Java values into the C structs' field order (see {@code edgefront_sim.h}). The device array
 * depends on the workload: for the CPU it describes the cores the threads actually use (fastest first),
 * so the C side sees {@code cpu_cores = cores used}. Stateless.
 */
final class SimulatorEncoding {
    static final int DEVICE_FIELDS = 21;

    private SimulatorEncoding() {}

    static double[] device(DeviceProfile d, Workload w) {
        int used = d.cpuCoresUsed(w.threads());
        return new double[] {
            d.dram().bandwidthBytesPerSecond(), (double) d.dram().capacityBytes(), used,
            d.cpu().coreBandwidthBytesPerSecond(),
            d.cpuPeak(w.threads(), DeviceProfile.CpuCluster::fp32FlopsPerCycle),
            d.cpuPeak(w.threads(), DeviceProfile.CpuCluster::fp16FlopsPerCycle),
            d.cpuPeak(w.threads(), DeviceProfile.CpuCluster::int8OpsPerCycle),
            d.gpu().fp16FlopsPerSecond(), d.gpu().int8OpsPerSecond(), d.npu().fp16FlopsPerSecond(), d.npu().int8OpsPerSecond(),
            d.energy().dramPicojoulesPerByte(), d.energy().cpuPicojoulesPerOp(), d.gpu().picojoulesPerOp(), d.npu().picojoulesPerOp(),
            d.energy().staticPowerWatts(), d.thermal().onsetSeconds(), d.thermal().sustainedFraction(),
            d.cpuActiveWatts(w.threads()),
            d.gpu().activeWatts(), d.npu().activeWatts()
        };
    }

    static double[] calibration(BackendCalibration c) {
        double[] a = new double[14 + FormatCosts.FORMATS];
        double[] head = {c.memEfficiency(), c.computeEfficiency(), c.opOverheadSeconds(), c.dequantScale(),
            c.prefillTileTokens(), c.ubatchTokens(), c.runtimeFixedBytes(), c.exploitsNmSparsity() ? 1.0 : 0.0,
            c.prefillComputeEfficiency(), c.dequantizesToFloat() ? 1.0 : 0.0};
        System.arraycopy(head, 0, a, 0, head.length);
        for (int f = 0; f < FormatCosts.FORMATS; f++) a[10 + f] = c.formatCosts().opsPerWeight(f);
        int k = 10 + FormatCosts.FORMATS; // api 4 kernel-shape terms
        a[k] = c.memoryComputeSerial() ? 1.0 : 0.0;
        a[k + 1] = c.formatCosts().opsPerScale();
        a[k + 2] = c.formatCosts().sparseOpsPerStored(1);
        a[k + 3] = c.formatCosts().sparseOpsPerStored(2);
        return a;
    }

    static int[] workload(Workload w) {
        return new int[] {w.promptTokens(), w.generatedTokens(), w.contextTokens(), w.kvCacheBits(), w.threads(), w.backend().id()};
    }

    static int[] attention(ModelArchitecture a) {
        return new int[] {a.layers(), a.heads(), a.kvHeads(), a.headDim(), a.hiddenDim(), a.vocabSize(), a.tiedEmbeddings() ? 1 : 0, a.dim()};
    }

    /** Ints per tensor shape: rows, cols, role, layer ({@code ef_tensor_shape}). */
    static final int SHAPE_FIELDS = 4;

    /** {@code ef_role}: Q/K/V are marked so the C side can shape each layer's attention from their kept rows. */
    static int role(TensorSpec t) {
        return switch (t.role()) {
            case EMBEDDING -> 1;
            case LM_HEAD -> 2;
            case Q -> 3;
            case K -> 4;
            case V -> 5;
            default -> 0;
        };
    }

    static int[] shapes(ModelArchitecture a) {
        List<TensorSpec> ts = a.linearTensors();
        int[] s = new int[SHAPE_FIELDS * ts.size()];
        for (int i = 0; i < ts.size(); i++) {
            TensorSpec t = ts.get(i);
            int o = SHAPE_FIELDS * i;
            s[o] = t.rows();
            s[o + 1] = t.cols();
            s[o + 2] = role(t);
            s[o + 3] = t.role().perLayer() ? t.layer() : -1;
        }
        return s;
    }
}
