package org.edgefront.nativert;

import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import java.util.List;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Flattens Java values into the named wire layout ({@link WireLayout}, {@code edgefront_wire.h}). The device array
 * depends on the workload: for the CPU it describes the cores the threads actually use (fastest first), so the C side
 * sees {@code cpu_cores = cores used}. Stateless.
 */
final class SimulatorEncoding {
    private SimulatorEncoding() {}

    static double[] device(DeviceProfile d, Workload w) {
        double[] a = new double[WireLayout.DEVICE_FIELDS];
        a[WireLayout.Device.DRAM_BYTES_PER_S.at()] = d.dram().bandwidthBytesPerSecond();
        a[WireLayout.Device.DRAM_CAPACITY_BYTES.at()] = d.dram().capacityBytes();
        a[WireLayout.Device.CPU_CORES.at()] = d.cpuCoresUsed(w.threads());
        a[WireLayout.Device.CPU_CORE_BYTES_PER_S.at()] = d.cpu().coreBandwidthBytesPerSecond();
        a[WireLayout.Device.ENERGY_PJ_PER_BYTE.at()] = d.energy().dramPicojoulesPerByte();
        a[WireLayout.Device.STATIC_POWER_W.at()] = d.energy().staticPowerWatts();
        a[WireLayout.Device.THERMAL_ONSET_S.at()] = d.thermal().onsetSeconds();
        a[WireLayout.Device.THERMAL_SUSTAINED_FRACTION.at()] = d.thermal().sustainedFraction();
        for (Backend b : Backend.values()) {
            DeviceProfile.ComputeUnit u = d.unit(b, w.threads());
            a[WireLayout.Unit.FP32_FLOPS.at(b)] = u.fp32FlopsPerSecond();
            a[WireLayout.Unit.FP16_FLOPS.at(b)] = u.fp16FlopsPerSecond();
            a[WireLayout.Unit.INT8_OPS.at(b)] = u.int8OpsPerSecond();
            a[WireLayout.Unit.PJ_PER_OP.at(b)] = u.picojoulesPerOp();
            a[WireLayout.Unit.ACTIVE_W.at(b)] = u.activeWatts();
        }
        return a;
    }

    static double[] calibration(BackendCalibration c) {
        double[] a = new double[WireLayout.CALIBRATION_FIELDS];
        a[WireLayout.Calibration.MEM_EFFICIENCY.at()] = c.memEfficiency();
        a[WireLayout.Calibration.COMPUTE_EFFICIENCY.at()] = c.computeEfficiency();
        a[WireLayout.Calibration.OP_OVERHEAD_S.at()] = c.opOverheadSeconds();
        a[WireLayout.Calibration.DEQUANT_SCALE.at()] = c.dequantScale();
        a[WireLayout.Calibration.PREFILL_TILE_TOKENS.at()] = c.prefillTileTokens();
        a[WireLayout.Calibration.UBATCH_TOKENS.at()] = c.ubatchTokens();
        a[WireLayout.Calibration.RUNTIME_FIXED_BYTES.at()] = c.runtimeFixedBytes();
        a[WireLayout.Calibration.EXPLOITS_NM_SPARSITY.at()] = c.exploitsNmSparsity() ? 1.0 : 0.0;
        a[WireLayout.Calibration.PREFILL_COMPUTE_EFFICIENCY.at()] = c.prefillComputeEfficiency();
        a[WireLayout.Calibration.DEQUANT_TO_FLOAT.at()] = c.dequantizesToFloat() ? 1.0 : 0.0;
        for (int f = 0; f < FormatCosts.FORMATS; f++) a[WireLayout.Calibration.dequantOps(f)] = c.formatCosts().opsPerWeight(f);
        a[WireLayout.CalibrationTail.MEMORY_COMPUTE_SERIAL.at()] = c.memoryComputeSerial() ? 1.0 : 0.0;
        a[WireLayout.CalibrationTail.DEQUANT_OPS_PER_SCALE.at()] = c.formatCosts().opsPerScale();
        a[WireLayout.CalibrationTail.SPARSE_OPS_UNSTRUCTURED.at()] = c.formatCosts().sparseOpsPerStored(1);
        a[WireLayout.CalibrationTail.SPARSE_OPS_NM.at()] = c.formatCosts().sparseOpsPerStored(2);
        return a;
    }

    static int[] workload(Workload w) {
        int[] a = new int[WireLayout.WORKLOAD_FIELDS];
        a[WireLayout.Workload.PROMPT_TOKENS.at()] = w.promptTokens();
        a[WireLayout.Workload.GENERATED_TOKENS.at()] = w.generatedTokens();
        a[WireLayout.Workload.CONTEXT_TOKENS.at()] = w.contextTokens();
        a[WireLayout.Workload.KV_BITS.at()] = w.kvCacheBits();
        a[WireLayout.Workload.THREADS.at()] = w.threads();
        a[WireLayout.Workload.BACKEND.at()] = w.backend().id();
        return a;
    }

    static int[] attention(ModelArchitecture a) { return attention(a, 0); }

    /** The attention header of a model whose last {@code kvSharedLayers} blocks read an earlier block's KV cache. */
    static int[] attention(ModelArchitecture a, int kvSharedLayers) {
        int[] s = new int[WireLayout.ATTENTION_FIELDS];
        s[WireLayout.Attention.LAYERS.at()] = a.layers();
        s[WireLayout.Attention.HEADS.at()] = a.heads();
        s[WireLayout.Attention.KV_HEADS.at()] = a.kvHeads();
        s[WireLayout.Attention.HEAD_DIM.at()] = a.headDim();
        s[WireLayout.Attention.HIDDEN_DIM.at()] = a.hiddenDim();
        s[WireLayout.Attention.VOCAB.at()] = a.vocabSize();
        s[WireLayout.Attention.TIED_EMBEDDINGS.at()] = a.tiedEmbeddings() ? 1 : 0;
        s[WireLayout.Attention.MODEL_DIM.at()] = a.dim();
        s[WireLayout.Attention.KV_SHARED_LAYERS.at()] = kvSharedLayers;
        return s;
    }

    /**
     * The blocks' token mixers ({@link WireLayout.Block} per layer, {@code ef_block}); empty when every block attends (no
     * blocks: the api 8 model).
     */
    static double[] blocks(List<BlockState> blocks) {
        double[] a = new double[WireLayout.BLOCK_FIELDS * blocks.size()];
        for (int l = 0; l < blocks.size(); l++) {
            BlockState b = blocks.get(l);
            a[WireLayout.Block.KIND.at(l)] = b.kind().wireId();
            a[WireLayout.Block.STATE_BYTES.at(l)] = b.stateBytes();
            a[WireLayout.Block.STATE_OPS.at(l)] = b.stateOpsPerToken();
            a[WireLayout.Block.CACHE_ROWS.at(l)] = b.cacheRows();
            a[WireLayout.Block.QUERY_ROWS.at(l)] = b.queryRows();
            a[WireLayout.Block.WINDOW_TOKENS.at(l)] = b.windowTokens();
        }
        return a;
    }

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

    static int[] shapes(ModelArchitecture a) { return shapes(a.linearTensors()); }

    static int[] shapes(List<TensorSpec> ts) {
        int[] s = new int[WireLayout.SHAPE_FIELDS * ts.size()];
        for (int i = 0; i < ts.size(); i++) {
            TensorSpec t = ts.get(i);
            shape(s, i, t.rows(), t.cols(), role(t), t.role().perLayer() ? t.layer() : -1);
        }
        return s;
    }

    /** The read fractions of every tensor, in order ({@link WireLayout.Reads}). */
    static double[] reads(List<TensorReads> rs) {
        double[] a = new double[WireLayout.READS_FIELDS * rs.size()];
        for (int i = 0; i < rs.size(); i++) {
            TensorReads r = rs.get(i);
            a[WireLayout.Reads.DECODE_ROWS_FRACTION.at(i)] = r.decodeRowsFraction();
            a[WireLayout.Reads.DECODE_COLS_FRACTION.at(i)] = r.decodeColsFraction();
            a[WireLayout.Reads.READ_UNIT_FRACTION.at(i)] = r.readUnitFraction();
            a[WireLayout.Reads.PREFILL_EXTRA_UNITS.at(i)] = r.prefillExtraUnits();
        }
        return a;
    }

    /** Writes tensor {@code i}'s shape into {@code s} ({@code ef_tensor_shape}: {@code layer} -1 for no block). */
    static void shape(int[] s, int i, int rows, int cols, int role, int layer) {
        s[WireLayout.Shape.ROWS.at(i)] = rows;
        s[WireLayout.Shape.COLS.at(i)] = cols;
        s[WireLayout.Shape.ROLE.at(i)] = role;
        s[WireLayout.Shape.LAYER.at(i)] = layer;
    }
}
