package org.edgefront.nativert;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.edgefront.nativert.device.Backend;
import org.edgefront.space.format.SimulatorFormats;

/**
 * The named layout of the flat arrays that cross JNI, the Java twin of {@code include/edgefront_wire.h}: each enum lists
 * the slots of one array in order, so an encoder writes {@code a[Field.X.at()]} (or {@code at(i)} for the i-th block of
 * a repeated record) and a decoder reads the same way; no code counts positions. The native library reports every
 * table's names and the arrays' lengths at load and {@link #mismatch} refuses a library whose layout differs
 * ({@link NativeLibrary}). Stateless.
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

    /** Attention shape ints ({@code EF_WIRE_ATTENTION}, {@code ef_attention}). */
    enum Attention {
        LAYERS, HEADS, KV_HEADS, HEAD_DIM, HIDDEN_DIM, VOCAB, TIED_EMBEDDINGS, MODEL_DIM, KV_SHARED_LAYERS;

        int at() { return ordinal(); }
    }

    /**
     * One block's token mixer ({@code EF_WIRE_BLOCK}, {@code ef_block}, api 9; a latent-attention block's cache and query
     * rows and an attending block's sliding window since api 11; {@link BlockState}): the blocks array holds one entry per layer, or none when every block attends.
     * Doubles; the kind a whole number.
     */
    enum Block {
        KIND, STATE_BYTES, STATE_OPS, CACHE_ROWS, QUERY_ROWS, WINDOW_TOKENS;

        /** The slot of this field of layer {@code layer}. */
        int at(int layer) { return layer * values().length + ordinal(); }
    }

    /** One tensor's shape ints ({@code EF_WIRE_SHAPE}, {@code ef_tensor_shape}); the shapes array holds one block per tensor. */
    enum Shape {
        ROWS, COLS, ROLE, LAYER;

        /** The slot of this field of tensor {@code tensor}. */
        int at(int tensor) { return tensor * values().length + ordinal(); }
    }

    /**
     * One tensor's read fractions ({@code EF_WIRE_READS}, the doubles of {@code ef_tensor_shape}; {@link TensorReads}); the
     * reads array holds one block per tensor, in the order of the shapes.
     */
    enum Reads {
        DECODE_ROWS_FRACTION, DECODE_COLS_FRACTION, READ_UNIT_FRACTION, PREFILL_EXTRA_UNITS;

        /** The slot of this field of tensor {@code tensor}. */
        int at(int tensor) { return tensor * values().length + ordinal(); }
    }

    /**
     * One tensor's choice ints ({@code EF_WIRE_CHOICE}, the int fields of {@code ef_tensor_choice}); the choice array holds
     * one block per tensor per candidate (candidate major), its sparsity ratio and weight bytes travel in their own arrays.
     */
    enum Choice {
        FORMAT, SPARSITY_KIND, RANK, KEPT_ROWS, KEPT_COLS;

        /** The slot of this field of the choice at flat position {@code k} (candidate x tensors + tensor). */
        int at(int k) { return k * values().length + ordinal(); }
    }

    /** One candidate's results ({@code EF_WIRE_RESULT}, {@code ef_result}); batch output holds one block per candidate. */
    enum Result {
        DECODE_TOK_S, DECODE_TOK_S_SUSTAINED, PREFILL_TOK_S, TTFT_S, ENERGY_J_PER_TOKEN, POWER_W, WEIGHT_BYTES,
        KV_CACHE_BYTES, ACTIVATION_BYTES, RUNTIME_BYTES, PEAK_MEMORY_BYTES, PREFILL_ENERGY_J, STATE_BYTES;

        /** The slot of this field of candidate {@code candidate}. */
        int at(int candidate) { return candidate * values().length + ordinal(); }
    }

    /** One operator of the breakdown ({@code EF_WIRE_OP}, {@code ef_op_cost} without its index). */
    enum Op {
        BOUND, BYTES, OPS, TIME_S, ENERGY_J;

        /** The slot of this field of operator {@code op}. */
        int at(int op) { return op * values().length + ordinal(); }
    }

    /** One row of the C format table per format id ({@code EF_WIRE_FORMAT_INFO}): present, then {@code ef_format_info}. */
    enum FormatInfo {
        PRESENT, GGML_TYPE, BLOCK_WEIGHTS, BLOCK_BYTES, GENERIC_BITS, DEQUANT_OPS, INT8_PATH;

        /** The slot of this field of format id {@code id}. */
        int at(int id) { return id * values().length + ordinal(); }
    }

    static final int DEVICE_FIELDS = Device.values().length + Backend.values().length * Unit.values().length;
    static final int CALIBRATION_FIELDS = Calibration.values().length + SimulatorFormats.COUNT + CalibrationTail.values().length;
    static final int WORKLOAD_FIELDS = Workload.values().length;
    static final int ATTENTION_FIELDS = Attention.values().length;
    static final int BLOCK_FIELDS = Block.values().length;
    static final int SHAPE_FIELDS = Shape.values().length;
    static final int READS_FIELDS = Reads.values().length;
    static final int CHOICE_FIELDS = Choice.values().length;
    static final int RESULT_FIELDS = Result.values().length;
    static final int OP_FIELDS = Op.values().length;
    static final int FORMAT_INFO_FIELDS = FormatInfo.values().length;

    /** The layout in the C library's words (see {@code NativeBridge.wireLayout}): every table's names, then the lengths. */
    static String describe() {
        return "device=" + names(Device.values()) + ";unit=" + names(Unit.values()) + ";backend=" + names(Backend.values())
                + ";calibration=" + names(Calibration.values()) + ";dequant_ops=" + SimulatorFormats.COUNT
                + ";calibration_tail=" + names(CalibrationTail.values()) + ";workload=" + names(Workload.values())
                + ";attention=" + names(Attention.values()) + ";block=" + names(Block.values()) + ";shape=" + names(Shape.values())
                + ";reads=" + names(Reads.values())
                + ";choice=" + names(Choice.values())
                + ";result=" + names(Result.values()) + ";op=" + names(Op.values()) + ";format_info=" + names(FormatInfo.values())
                + ";fields=device:" + DEVICE_FIELDS + ",calibration:" + CALIBRATION_FIELDS + ",workload:" + WORKLOAD_FIELDS
                + ",attention:" + ATTENTION_FIELDS + ",block:" + BLOCK_FIELDS + ",shape:" + SHAPE_FIELDS + ",reads:" + READS_FIELDS + ",choice:" + CHOICE_FIELDS + ",result:" + RESULT_FIELDS
                + ",op:" + OP_FIELDS + ",format_info:" + FORMAT_INFO_FIELDS;
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
