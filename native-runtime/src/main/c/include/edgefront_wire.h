/*
 * edgefront_wire.h - the named wire layout between Java and C (the JNI bridge).
 *
 * Java passes each shared input as one flat array; these tables name every slot, in order. The
 * JNI library reads the structs by these names (ef_jni.c) and hands the names to Java at load
 * (NativeBridge.wireLayout), and org.edgefront.nativert.WireLayout, which Java encodes by, must
 * list the same names in the same order or the library is not used. Adding a field: one X row
 * here and the same constant in WireLayout.
 *
 * Device (doubles): the EF_WIRE_DEVICE scalars, then for each backend of EF_BACKEND_TABLE in id
 * order the EF_WIRE_UNIT fields of its ef_compute_unit.
 * Calibration (doubles): the EF_WIRE_CALIBRATION scalars, then EF_FMT_COUNT dequant_ops (by
 * ef_format id), then the EF_WIRE_CALIBRATION_TAIL terms.
 * Workload (ints): EF_WIRE_WORKLOAD.
 */
#ifndef EDGEFRONT_WIRE_H
#define EDGEFRONT_WIRE_H

#include "edgefront_sim.h"

/* X(NAME, c_field) */
#define EF_WIRE_DEVICE(X)                                      \
    X(DRAM_BYTES_PER_S, dram_bytes_per_s)                      \
    X(DRAM_CAPACITY_BYTES, dram_capacity_bytes)                \
    X(CPU_CORES, cpu_cores)                                    \
    X(CPU_CORE_BYTES_PER_S, cpu_core_bytes_per_s)              \
    X(ENERGY_PJ_PER_BYTE, energy_pj_per_byte)                  \
    X(STATIC_POWER_W, static_power_w)                          \
    X(THERMAL_ONSET_S, thermal_onset_s)                        \
    X(THERMAL_SUSTAINED_FRACTION, thermal_sustained_fraction)

#define EF_WIRE_UNIT(X)          \
    X(FP32_FLOPS, fp32_flops)    \
    X(FP16_FLOPS, fp16_flops)    \
    X(INT8_OPS, int8_ops)        \
    X(PJ_PER_OP, pj_per_op)      \
    X(ACTIVE_W, active_w)

#define EF_WIRE_CALIBRATION(X)                                 \
    X(MEM_EFFICIENCY, mem_efficiency)                          \
    X(COMPUTE_EFFICIENCY, compute_efficiency)                  \
    X(OP_OVERHEAD_S, op_overhead_s)                            \
    X(DEQUANT_SCALE, dequant_scale)                            \
    X(PREFILL_TILE_TOKENS, prefill_tile_tokens)                \
    X(UBATCH_TOKENS, ubatch_tokens)                            \
    X(RUNTIME_FIXED_BYTES, runtime_fixed_bytes)                \
    X(EXPLOITS_NM_SPARSITY, exploits_nm_sparsity)              \
    X(PREFILL_COMPUTE_EFFICIENCY, prefill_compute_efficiency)  \
    X(DEQUANT_TO_FLOAT, dequant_to_float)

#define EF_WIRE_CALIBRATION_TAIL(X)                            \
    X(MEMORY_COMPUTE_SERIAL, memory_compute_serial)            \
    X(DEQUANT_OPS_PER_SCALE, dequant_ops_per_scale)            \
    X(SPARSE_OPS_UNSTRUCTURED, sparse_ops[0])                  \
    X(SPARSE_OPS_NM, sparse_ops[1])

#define EF_WIRE_WORKLOAD(X)                  \
    X(PROMPT_TOKENS, prompt_tokens)          \
    X(GENERATED_TOKENS, generated_tokens)    \
    X(CONTEXT_TOKENS, context_tokens)        \
    X(KV_BITS, kv_bits)                      \
    X(THREADS, threads)                      \
    X(BACKEND, backend)

#define EF_WIRE_COUNT_ROW(name, field) + 1
enum {
    EF_WIRE_DEVICE_SCALARS = 0 EF_WIRE_DEVICE(EF_WIRE_COUNT_ROW),
    EF_WIRE_UNIT_FIELDS = 0 EF_WIRE_UNIT(EF_WIRE_COUNT_ROW),
    EF_WIRE_DEVICE_FIELDS = EF_WIRE_DEVICE_SCALARS + EF_BACKEND_COUNT * EF_WIRE_UNIT_FIELDS,
    EF_WIRE_CALIBRATION_SCALARS = 0 EF_WIRE_CALIBRATION(EF_WIRE_COUNT_ROW),
    EF_WIRE_CALIBRATION_FIELDS = EF_WIRE_CALIBRATION_SCALARS + EF_FMT_COUNT + (0 EF_WIRE_CALIBRATION_TAIL(EF_WIRE_COUNT_ROW)),
    EF_WIRE_WORKLOAD_FIELDS = 0 EF_WIRE_WORKLOAD(EF_WIRE_COUNT_ROW)
};

#endif /* EDGEFRONT_WIRE_H */
