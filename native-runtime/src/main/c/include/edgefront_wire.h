/*
 * edgefront_wire.h - the named wire layout between Java and C (the JNI bridge).
 *
 * Java passes each input as a flat array and reads each output from one; these tables name every slot, in order.
 * Each table is an X-macro: X(TABLE, NAME, c_field) once per slot. From it come the C slot enum
 * (EF_WIRE_<TABLE>_<NAME> = its index, EF_WIRE_<TABLE>_FIELDS = the count), the code that reads or writes the C
 * struct field (ef_jni.c, ef_sim.c) and the names the JNI library hands to Java at load (NativeBridge.wireLayout).
 * org.edgefront.nativert.WireLayout, which Java encodes and decodes by, must list the same names in the same order
 * and the same counts, or the library is not used. Adding a field: one X row here and the same constant in WireLayout.
 *
 * Device (doubles): the EF_WIRE_DEVICE scalars, then for each backend of EF_BACKEND_TABLE in id order the
 * EF_WIRE_UNIT fields of its ef_compute_unit.
 * Calibration (doubles): the EF_WIRE_CALIBRATION scalars, then EF_FMT_COUNT dequant_ops (by ef_format id), then the
 * EF_WIRE_CALIBRATION_TAIL terms.
 * Workload (ints): EF_WIRE_WORKLOAD. Attention (ints): EF_WIRE_ATTENTION. Blocks (doubles): EF_WIRE_BLOCK per layer, or
 * none (every block attends).
 * Shapes (ints): EF_WIRE_SHAPE per tensor; reads (doubles): EF_WIRE_READS per tensor (the same ef_tensor_shape). Choices (ints): EF_WIRE_CHOICE per tensor per candidate (the double
 * sparsity ratio and the long weight bytes travel in their own arrays, one value per tensor per candidate).
 * Results (doubles): EF_WIRE_RESULT per candidate. Operators (doubles): EF_WIRE_OP per operator.
 * Format table (doubles): EF_WIRE_FORMAT_INFO per ef_format id.
 */
#ifndef EDGEFRONT_WIRE_H
#define EDGEFRONT_WIRE_H

#include "edgefront_sim.h"

#define EF_WIRE_DEVICE(X)                                              \
    X(DEVICE, DRAM_BYTES_PER_S, dram_bytes_per_s)                      \
    X(DEVICE, DRAM_CAPACITY_BYTES, dram_capacity_bytes)                \
    X(DEVICE, CPU_CORES, cpu_cores)                                    \
    X(DEVICE, CPU_CORE_BYTES_PER_S, cpu_core_bytes_per_s)              \
    X(DEVICE, ENERGY_PJ_PER_BYTE, energy_pj_per_byte)                  \
    X(DEVICE, STATIC_POWER_W, static_power_w)                          \
    X(DEVICE, THERMAL_ONSET_S, thermal_onset_s)                        \
    X(DEVICE, THERMAL_SUSTAINED_FRACTION, thermal_sustained_fraction)

#define EF_WIRE_UNIT(X)                \
    X(UNIT, FP32_FLOPS, fp32_flops)    \
    X(UNIT, FP16_FLOPS, fp16_flops)    \
    X(UNIT, INT8_OPS, int8_ops)        \
    X(UNIT, PJ_PER_OP, pj_per_op)      \
    X(UNIT, ACTIVE_W, active_w)

#define EF_WIRE_CALIBRATION(X)                                              \
    X(CALIBRATION, MEM_EFFICIENCY, mem_efficiency)                          \
    X(CALIBRATION, COMPUTE_EFFICIENCY, compute_efficiency)                  \
    X(CALIBRATION, OP_OVERHEAD_S, op_overhead_s)                            \
    X(CALIBRATION, DEQUANT_SCALE, dequant_scale)                            \
    X(CALIBRATION, PREFILL_TILE_TOKENS, prefill_tile_tokens)                \
    X(CALIBRATION, UBATCH_TOKENS, ubatch_tokens)                            \
    X(CALIBRATION, RUNTIME_FIXED_BYTES, runtime_fixed_bytes)                \
    X(CALIBRATION, EXPLOITS_NM_SPARSITY, exploits_nm_sparsity)              \
    X(CALIBRATION, PREFILL_COMPUTE_EFFICIENCY, prefill_compute_efficiency)  \
    X(CALIBRATION, DEQUANT_TO_FLOAT, dequant_to_float)

#define EF_WIRE_CALIBRATION_TAIL(X)                                     \
    X(CALIBRATION_TAIL, MEMORY_COMPUTE_SERIAL, memory_compute_serial)   \
    X(CALIBRATION_TAIL, DEQUANT_OPS_PER_SCALE, dequant_ops_per_scale)   \
    X(CALIBRATION_TAIL, SPARSE_OPS_UNSTRUCTURED, sparse_ops[0])         \
    X(CALIBRATION_TAIL, SPARSE_OPS_NM, sparse_ops[1])

#define EF_WIRE_WORKLOAD(X)                            \
    X(WORKLOAD, PROMPT_TOKENS, prompt_tokens)          \
    X(WORKLOAD, GENERATED_TOKENS, generated_tokens)    \
    X(WORKLOAD, CONTEXT_TOKENS, context_tokens)        \
    X(WORKLOAD, KV_BITS, kv_bits)                      \
    X(WORKLOAD, THREADS, threads)                      \
    X(WORKLOAD, BACKEND, backend)

/* ef_attention */
#define EF_WIRE_ATTENTION(X)                           \
    X(ATTENTION, LAYERS, layers)                       \
    X(ATTENTION, HEADS, heads)                         \
    X(ATTENTION, KV_HEADS, kv_heads)                   \
    X(ATTENTION, HEAD_DIM, head_dim)                   \
    X(ATTENTION, HIDDEN_DIM, hidden_dim)               \
    X(ATTENTION, VOCAB, vocab)                         \
    X(ATTENTION, TIED_EMBEDDINGS, tied_embeddings)     \
    X(ATTENTION, MODEL_DIM, model_dim)                 \
    X(ATTENTION, KV_SHARED_LAYERS, kv_shared_layers)

/* ef_block (api 9; cache and query rows since api 11), per layer, as doubles: the kind travels as a whole number (the bridge refuses any other) */
#define EF_WIRE_BLOCK(X)                     \
    X(BLOCK, KIND, kind)                     \
    X(BLOCK, STATE_BYTES, state_bytes)       \
    X(BLOCK, STATE_OPS, state_ops)           \
    X(BLOCK, CACHE_ROWS, cache_rows)         \
    X(BLOCK, QUERY_ROWS, query_rows)         \
    X(BLOCK, WINDOW_TOKENS, window_tokens)

/* ef_tensor_shape, per tensor */
#define EF_WIRE_SHAPE(X)         \
    X(SHAPE, ROWS, rows)         \
    X(SHAPE, COLS, cols)         \
    X(SHAPE, ROLE, role)         \
    X(SHAPE, LAYER, layer)

/* the read fractions of ef_tensor_shape (api 6: what a decode token and a prefill micro-batch read), per tensor */
#define EF_WIRE_READS(X)                                          \
    X(READS, DECODE_ROWS_FRACTION, decode_rows_fraction)          \
    X(READS, DECODE_COLS_FRACTION, decode_cols_fraction)          \
    X(READS, READ_UNIT_FRACTION, read_unit_fraction)              \
    X(READS, PREFILL_EXTRA_UNITS, prefill_extra_units)

/* the int fields of ef_tensor_choice, per tensor per candidate (ef_simulate_batch_flat's choice_ints) */
#define EF_WIRE_CHOICE(X)                        \
    X(CHOICE, FORMAT, format)                    \
    X(CHOICE, SPARSITY_KIND, sparsity_kind)      \
    X(CHOICE, RANK, rank)                        \
    X(CHOICE, KEPT_ROWS, kept_rows)              \
    X(CHOICE, KEPT_COLS, kept_cols)

/* ef_result, per candidate (ef_simulate_batch's out) */
#define EF_WIRE_RESULT(X)                                        \
    X(RESULT, DECODE_TOK_S, decode_tok_s)                        \
    X(RESULT, DECODE_TOK_S_SUSTAINED, decode_tok_s_sustained)    \
    X(RESULT, PREFILL_TOK_S, prefill_tok_s)                      \
    X(RESULT, TTFT_S, ttft_s)                                    \
    X(RESULT, ENERGY_J_PER_TOKEN, energy_j_per_token)            \
    X(RESULT, POWER_W, power_w)                                  \
    X(RESULT, WEIGHT_BYTES, weight_bytes)                        \
    X(RESULT, KV_CACHE_BYTES, kv_cache_bytes)                    \
    X(RESULT, ACTIVATION_BYTES, activation_bytes)                \
    X(RESULT, RUNTIME_BYTES, runtime_bytes)                      \
    X(RESULT, PEAK_MEMORY_BYTES, peak_memory_bytes)              \
    X(RESULT, PREFILL_ENERGY_J, prefill_energy_j)              \
    X(RESULT, STATE_BYTES, state_bytes)

/* ef_op_cost without its index (the position in the array is the index), per operator */
#define EF_WIRE_OP(X)            \
    X(OP, BOUND, bound)          \
    X(OP, BYTES, bytes)          \
    X(OP, OPS, ops)              \
    X(OP, TIME_S, time_s)        \
    X(OP, ENERGY_J, energy_j)

/* one row of the format table per ef_format id: present (1 when the id is a format), then its ef_format_info
 * (fields of a {present, info} pair, see ef_jni.c) */
#define EF_WIRE_FORMAT_INFO(X)                          \
    X(FORMAT_INFO, PRESENT, present)                    \
    X(FORMAT_INFO, GGML_TYPE, info.ggml_type)           \
    X(FORMAT_INFO, BLOCK_WEIGHTS, info.block_weights)   \
    X(FORMAT_INFO, BLOCK_BYTES, info.block_bytes)       \
    X(FORMAT_INFO, GENERIC_BITS, info.generic_bits)     \
    X(FORMAT_INFO, DEQUANT_OPS, info.dequant_ops)       \
    X(FORMAT_INFO, INT8_PATH, info.int8_path)

/* Slot enums: EF_WIRE_<TABLE>_<NAME> is the slot's index within its table. */
#define EF_WIRE_ENUM_ROW(table, name, field) EF_WIRE_##table##_##name,
enum { EF_WIRE_DEVICE(EF_WIRE_ENUM_ROW) EF_WIRE_DEVICE_SCALARS };
enum { EF_WIRE_UNIT(EF_WIRE_ENUM_ROW) EF_WIRE_UNIT_FIELDS };
enum { EF_WIRE_CALIBRATION(EF_WIRE_ENUM_ROW) EF_WIRE_CALIBRATION_SCALARS };
enum { EF_WIRE_CALIBRATION_TAIL(EF_WIRE_ENUM_ROW) EF_WIRE_CALIBRATION_TAIL_FIELDS };
enum { EF_WIRE_WORKLOAD(EF_WIRE_ENUM_ROW) EF_WIRE_WORKLOAD_FIELDS };
enum { EF_WIRE_ATTENTION(EF_WIRE_ENUM_ROW) EF_WIRE_ATTENTION_FIELDS };
enum { EF_WIRE_BLOCK(EF_WIRE_ENUM_ROW) EF_WIRE_BLOCK_FIELDS };
enum { EF_WIRE_SHAPE(EF_WIRE_ENUM_ROW) EF_WIRE_SHAPE_FIELDS };
enum { EF_WIRE_READS(EF_WIRE_ENUM_ROW) EF_WIRE_READS_FIELDS };
enum { EF_WIRE_CHOICE(EF_WIRE_ENUM_ROW) EF_WIRE_CHOICE_FIELDS };
enum { EF_WIRE_RESULT(EF_WIRE_ENUM_ROW) EF_WIRE_RESULT_FIELDS };
enum { EF_WIRE_OP(EF_WIRE_ENUM_ROW) EF_WIRE_OP_FIELDS };
enum { EF_WIRE_FORMAT_INFO(EF_WIRE_ENUM_ROW) EF_WIRE_FORMAT_INFO_FIELDS };
#undef EF_WIRE_ENUM_ROW

/* Whole-array lengths. */
enum {
    EF_WIRE_DEVICE_FIELDS = EF_WIRE_DEVICE_SCALARS + EF_BACKEND_COUNT * EF_WIRE_UNIT_FIELDS,
    EF_WIRE_CALIBRATION_FIELDS = EF_WIRE_CALIBRATION_SCALARS + EF_FMT_COUNT + EF_WIRE_CALIBRATION_TAIL_FIELDS
};

/* The C API's own counts are the wire's. */
_Static_assert(EF_WIRE_CHOICE_FIELDS == EF_CHOICE_INTS, "EF_WIRE_CHOICE names every choice int");
_Static_assert(EF_WIRE_RESULT_FIELDS == EF_RESULT_FIELDS, "EF_WIRE_RESULT names every result field");

#endif /* EDGEFRONT_WIRE_H */
