package org.edgefront.nativert;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.edgefront.nativert.device.Backend;
import org.edgefront.space.format.SimulatorFormats;

/**
 * The named layout of the flat arrays that cross JNI, the Java twin of {@code include/edgefront_wire.h}: each enum lists
 * the slots of one array in order, so an encoder writes {@code a[Field.X.at()]} and never counts positions. The native
 * library reports its table's names at load and {@link #mismatch} refuses a library whose layout differs. Stateless.
 */
final class WireLayout {
    private WireLayout() {}

    /** Device scalars ({@code EF_WIRE_DEVICE}), followed by one {@link Unit} block per {@link Backend}. */
    enum Device {
        DRAM_BYTES_PER_S, DRAM_CAPACITY_BYTES, CPU_CORES, CPU_CORE_BYTES_PER_S, ENERGY_PJ_PER_BYTE, STATIC_POWER_W,
        THERMAL_ONSET_S, THERMAL_SUSTAINED_FRACTION;

        int at() { return ordinal(); }
    }

    /** One compute unit's fields ({@code EF_WIRE_UNIT}). */
    enum Unit {
        FP32_FLOPS, FP16_FLOPS, INT8_OPS, PJ_PER_OP, ACTIVE_W;

        /** The slot of this field of backend {@code b}'s unit in the device array. */
        int at(Backend b) { return Device.values().length + b.id() * values().length + ordinal(); }
    }

    /** Calibration scalars ({@code EF_WIRE_CALIBRATION}), then one dequantization cost per format id, then {@link CalibrationTail}. */
    enum Calibration {
        MEM_EFFICIENCY, COMPUTE_EFFICIENCY, OP_OVERHEAD_S, DEQUANT_SCALE, PREFILL_TILE_TOKENS, UBATCH_TOKENS,
        RUNTIME_FIXED_BYTES, EXPLOITS_NM_SPARSITY, PREFILL_COMPUTE_EFFICIENCY, DEQUANT_TO_FLOAT;

        int at() { return ordinal(); }

        /** The slot of format id {@code formatId}'s dequantization cost. */
        static int dequantOps(int formatId) { return values().length + formatId; }
    }

    /** Calibration terms after the per-format costs ({@code EF_WIRE_CALIBRATION_TAIL}). */
    enum CalibrationTail {
        MEMORY_COMPUTE_SERIAL, DEQUANT_OPS_PER_SCALE, SPARSE_OPS_UNSTRUCTURED, SPARSE_OPS_NM;

        int at() { return Calibration.values().length + SimulatorFormats.COUNT + ordinal(); }
    }

    /** Workload ints ({@code EF_WIRE_WORKLOAD}). */
    enum Workload {
        PROMPT_TOKENS, GENERATED_TOKENS, CONTEXT_TOKENS, KV_BITS, THREADS, BACKEND;

        int at() { return ordinal(); }
    }

    static final int DEVICE_FIELDS = Device.values().length + Backend.values().length * Unit.values().length;
    static final int CALIBRATION_FIELDS = Calibration.values().length + SimulatorFormats.COUNT + CalibrationTail.values().length;
    static final int WORKLOAD_FIELDS = Workload.values().length;

    /** The layout in the C library's words (see {@code NativeBridge.wireLayout}). */
    static String describe() {
        return "device=" + names(Device.values()) + ";unit=" + names(Unit.values()) + ";backend=" + names(Backend.values())
                + ";calibration=" + names(Calibration.values()) + ";dequant_ops=" + SimulatorFormats.COUNT
                + ";calibration_tail=" + names(CalibrationTail.values()) + ";workload=" + names(Workload.values());
    }

    private static String names(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name() + ",").collect(Collectors.joining());
    }

    /** Null when {@code nativeLayout} equals {@link #describe()}, else a message naming the first section that differs. */
    static String mismatch(String nativeLayout) {
        String java = describe();
        if (java.equals(nativeLayout)) return null;
        String[] j = java.split(";"), c = nativeLayout == null ? new String[0] : nativeLayout.split(";");
        for (int i = 0; i < Math.max(j.length, c.length); i++) {
            String a = i < j.length ? j[i] : "(none)", b = i < c.length ? c[i] : "(none)";
            if (!a.equals(b)) return "JNI wire layout differs: Java " + a + " but C (edgefront_wire.h) " + b;
        }
        return "JNI wire layout differs";
    }
}
