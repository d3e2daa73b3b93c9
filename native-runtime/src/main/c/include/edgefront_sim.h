/*
 * edgefront_sim.h - EdgeFront on-device LLM inference simulator (C API, version 9).
 *
 * Tutorial
 * --------
 * The library predicts how fast, how hungry and how big one compressed LLM candidate is on one
 * device, without running it. Everything is passed in by value; the library keeps no global
 * state, allocates nothing, never exits or aborts and is safe to call from many threads at once.
 * It works on the caller's stack: up to ~112 KiB per call (per-layer attention shapes and, in
 * batches, a memo of tensor costs), well inside the 1 MiB default of JVM and pthread stacks.
 *
 *   1. Describe the device (ef_device): DRAM bandwidth and capacity, peak throughput per compute
 *      unit and precision, energy per byte and per operation, static power, a thermal model.
 *   2. Describe the engine/backend calibration (ef_backend_params): achieved fractions of DRAM
 *      bandwidth and of peak compute, fixed cost per operator, runtime memory. Calibrate these per
 *      engine and backend, never per device.
 *   3. Describe the workload (ef_workload): prompt, generated and context tokens, KV-cache bits,
 *      threads and the backend (EF_BACKEND_CPU / GPU / NPU).
 *   4. Describe the model: its attention shape (ef_attention) and its linear tensors
 *      (ef_tensor_shape: full rows = outputs, full cols = inputs, role, layer; the attention
 *      projections are marked EF_ROLE_ATTN_Q / _K / _V with their layer; what a token reads of
 *      it, EF_DENSE_READS for a dense tensor, an expert slice for a mixture of experts), and for each candidate
 *      one ef_tensor_choice per tensor (format id, exact stored bytes, sparsity, kept rank, and
 *      the kept shape after structured pruning: kept_rows x kept_cols, or 0 x 0 = removed).
 *      An unpruned candidate sets kept_rows = rows and kept_cols = cols.
 *      A hybrid model also says, per block, whether it attends or holds a recurrent state (ef_block).
 *   5. Call ef_simulate() for one candidate (with an optional per-operator breakdown) or
 *      ef_simulate_batch() for many candidates sharing device, workload and model.
 *
 *     ef_result r; char msg[256];
 *     int st = ef_simulate(&dev, &cal, &wl, &att, shapes, n_tensors, choices,
 *                          &r, NULL, 0, msg, sizeof msg);
 *     if (st != EF_OK) fprintf(stderr, "%s\n", msg);
 *     else printf("%.2f tok/s, %.3f J/token\n", r.decode_tok_s, r.energy_j_per_token);
 *
 * Every call validates every pointer, count, length and enum it receives and returns an
 * ef_status; on failure the message buffer (if given) says what was wrong and where.
 *
 * The model ("roofline+"): every operator of one decode step (one GEMV per linear tensor, two
 * for a low-rank tensor, one attention operator per layer reading the KV cache) takes
 * max(bytes / (DRAM bw x mem efficiency), ops / (peak x compute efficiency)) (their sum for a
 * backend with memory_compute_serial = 1) plus a fixed per-operator overhead. Ops include 2 flops per multiply-add and the format's dequantization
 * work per stored weight. Prefill runs the same operators as GEMMs over the prompt (weights read
 * once per ubatch). Decode context grows over the generation (the KV cache read of token i covers
 * prompt+i+1 positions). Energy = bytes x pJ/byte + ops x pJ/op + (static power + the backend's
 * active power) x time. A thermal model slows decode to a sustained fraction after an onset time.
 * Memory = exact weight bytes + KV cache at full context + recurrent state (api 9) + activations + runtime.
 *
 * Hybrid models (api 9): each block says what mixes its tokens (ef_block). An attention block attends over its KV
 * cache as above. A short-convolution block (LFM2) or a linear-attention block (Qwen3.5's gated delta net) has no
 * attention operator and no KV cache: it holds a fixed per-sequence state of state_bytes instead, whatever the
 * context; a decode token reads the state and writes it back and does state_ops operations on it (at the FP32 peak:
 * engines keep the state in fp32), and prefill costs state_ops per prompt token (linear in the prompt, no pairwise
 * term) plus one read and write of the state per micro-batch. The state's bytes are memory (ef_result.state_bytes).
 * Its projections and convolution kernel are ordinary linear tensors of the block.
 *
 * Multi-head latent attention (api 11: DeepSeek-V2/V3, GLM-4.7-Flash, Kimi, Moonlight as llama.cpp runs them): a
 * latent-attention block states its attention instead of deriving it from Q/K/V tensors. Each position caches
 * cache_rows elements (the compressed latent plus the shared RoPE key: kv_lora_rank + qk_rope_head_dim; the values are a
 * view of the same rows, so nothing else is cached), and its attention operator costs like an attention block whose
 * kept K + V rows are cache_rows and whose kept Q rows are query_rows (4 flops per query row and position: the heads'
 * scores over the latent and rope key plus their mix of the latent values). Its projections (q_a, q_b, kv_a_mqa, k_b,
 * v_b, output) are ordinary linear tensors of the block, none with a Q/K/V role.
 *
 * Sliding-window attention (api 11: Gemma 2/3, gpt-oss's local layers): an attending block (attention or latent) may
 * state window_tokens W > 0. Its query at position p then reads the last min(p, W) positions (decode: averaged over the
 * generated tokens exactly; prefill: sum over the prompt of min(t, W) query-key pairs, each micro-batch re-reading at
 * most W cached positions), and its cache holds min(context, W + ubatch_tokens) positions, as llama.cpp's iSWA cache
 * keeps the window plus one micro-batch (unpadded here).
 *
 * Mixtures of experts (api 6): every tensor says which slice of it a decode token runs (ef_tensor_shape's read
 * fractions): the decode operator is that slice's GEMV (its share of the bytes, flops and activations), and prefill
 * adds, per micro-batch, one GEMV per extra unit (expert) read, inside the tensor's operator (no launch of its own,
 * as llama.cpp's mul_mat_id runs every expert in one kernel; since 1.8.1). Weight memory counts the whole tensor. A
 * router is one more dense tensor of the block.
 *
 * Structured pruning (api 3): every tensor operator uses its kept rows x kept cols (flops,
 * activations; the bytes come with the choice). A removed tensor (0 x 0, weight_bytes 0, rank 0)
 * costs nothing, not even the launch overhead, and its breakdown entry has bound EF_BOUND_NONE.
 * Layer l's attention uses the kept rows of its Q, K and V tensors (query heads = kept Q rows /
 * head_dim, KV heads = kept K rows / head_dim; a layer without such a tensor uses the full
 * ef_attention shape): ops 4 x positions x kept Q rows, bytes positions x (kept K + kept V rows)
 * x kv_bits / 8, and its KV cache holds (kept K + kept V rows) x context x kv_bits / 8 bytes. A
 * layer with its Q, K or V removed has no attention operator (EF_BOUND_NONE) and no KV cache.
 * Activation and runtime memory stay those of the full shape (an upper bound). A candidate that
 * leaves nothing to run is rejected (EF_ERR_RANGE).
 */
#ifndef EDGEFRONT_SIM_H
#define EDGEFRONT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "edgefront_formats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most blocks a model may have (attention.layers); more are refused, never allocated for. */
#define EF_MAX_LAYERS 4096

/** API version: bumped on any change of struct layout, enum value or formula. */
#define EF_API_VERSION 11

/** Library version string, e.g. "edgefront-sim 1.3.0 (api 4)". Static storage; never NULL. */
const char *ef_version(void);
/** EF_API_VERSION the library was built with. */
int ef_api_version(void);

/** Status codes. EF_OK is 0; every other code comes with a message. */
typedef enum {
    EF_OK = 0,
    EF_ERR_NULL = 1,      /* a required pointer was NULL */
    EF_ERR_RANGE = 2,     /* a number is negative, NaN, infinite or out of its range */
    EF_ERR_ENUM = 3,      /* an enum value (format, backend, role, sparsity kind) is unknown */
    EF_ERR_LENGTH = 4,    /* a count or array length is inconsistent */
    EF_ERR_UNSUPPORTED = 5/* the device has no such backend (peak throughput 0) */
} ef_status;

/** Short text for a status code (static storage; never NULL). */
const char *ef_status_name(int status);

/**
 * Compute units, as data: EF_BACKEND_TABLE(X) calls X(name, id, host_cores) once per backend. host_cores = 1 marks the
 * CPU cores the threads run on (peaks and bandwidth scale with the cores used); other units stream from DRAM at full
 * bandwidth. A new backend is one row here, one value of org.edgefront.nativert.device.Backend and one section in the
 * device YAML; the device carries one ef_compute_unit per row.
 */
#define EF_BACKEND_TABLE(X) \
    X(CPU, 0, 1)            \
    X(GPU, 1, 0)            \
    X(NPU, 2, 0)            \
    X(DSP, 3, 0)

#define EF_BACKEND_ENUM_ROW(name, id, host) EF_BACKEND_##name = id,
#define EF_BACKEND_COUNT_ROW(name, id, host) + 1
typedef enum { EF_BACKEND_TABLE(EF_BACKEND_ENUM_ROW) EF_BACKEND_COUNT = 0 EF_BACKEND_TABLE(EF_BACKEND_COUNT_ROW) } ef_backend;
#undef EF_BACKEND_ENUM_ROW
#undef EF_BACKEND_COUNT_ROW

/** Weight formats (edgefront_formats.h); the exact stored bytes come with each choice, these ids pick kernel costs. */
#define EF_FORMAT_ENUM_ROW(name, id, ggml, bw, bb, deq, int8) EF_FMT_##name = id,
typedef enum {
    EF_FORMAT_TABLE(EF_FORMAT_ENUM_ROW)
    /* generic intN with groups, symmetric (one fp16 scale per group): bits = id - EF_FMT_INT_BASE + 1, 1..8 */
    EF_FMT_INT_BASE = 16,
    /* api 4: generic intN with groups, asymmetric (fp16 scale and zero point per group; a different
       kernel: codes plus offset): bits = id - EF_FMT_INT_ASYM_BASE + 1, 1..8 */
    EF_FMT_INT_ASYM_BASE = 24,
    /* api 7: named formats continue after the generic ids (edgefront_formats.h) */
    EF_FMT_NAMED2_BASE = 32,
    EF_FMT_COUNT = 41 /* api 10: MXFP4 */
} ef_format;
#undef EF_FORMAT_ENUM_ROW

typedef enum { EF_SPARSE_NONE = 0, EF_SPARSE_UNSTRUCTURED = 1, EF_SPARSE_NM = 2 } ef_sparsity_kind;

/** Role of a linear tensor: per-layer linears run every token; the embedding is a row lookup.
 *  EF_ROLE_ATTN_Q/K/V are per-layer linears whose kept rows also shape that layer's attention. */
typedef enum {
    EF_ROLE_LINEAR = 0, EF_ROLE_EMBEDDING = 1, EF_ROLE_LM_HEAD = 2,
    EF_ROLE_ATTN_Q = 3, EF_ROLE_ATTN_K = 4, EF_ROLE_ATTN_V = 5
} ef_role;

/**
 * One compute unit (indexed by ef_backend). Peaks are whole-unit, ops/s; 0 = derived: FP16 from half the int8 peak,
 * FP32 from half the FP16 peak, int8 from the FP16 peak. A unit with neither FP16 nor int8 is absent. The host-cores
 * unit (the CPU) gives every peak for the cores in use.
 */
typedef struct {
    double fp32_flops;   /* FP32 peak, flop/s */
    double fp16_flops;   /* FP16 peak, flop/s */
    double int8_ops;     /* int8 dot-product peak, op/s */
    double pj_per_op;    /* energy per op (incl. instruction overhead), pJ */
    double active_w;     /* power while running, W (CPU: the cores in use at full clock; they spin while waiting on DRAM) */
} ef_compute_unit;

/** Device hardware facts. */
typedef struct {
    double dram_bytes_per_s;        /* peak DRAM bandwidth, bytes/s (> 0) */
    double dram_capacity_bytes;     /* installed DRAM, bytes (> 0) */
    double cpu_cores;               /* cores usable by one app (>= 1) */
    double cpu_core_bytes_per_s;    /* streaming bandwidth one core can draw, bytes/s (> 0) */
    double energy_pj_per_byte;      /* DRAM energy per byte moved, pJ */
    double static_power_w;          /* power drawn while running, beyond dynamic, W */
    double thermal_onset_s;         /* seconds at full speed before throttling (>= 0) */
    double thermal_sustained_fraction; /* speed after throttling, (0, 1] */
    ef_compute_unit unit[EF_BACKEND_COUNT]; /* one per backend */
} ef_device;

/** Engine/backend calibration (per engine and backend, never per device). */
typedef struct {
    double mem_efficiency;          /* achieved fraction of DRAM bandwidth, (0, 1] */
    double compute_efficiency;      /* achieved fraction of peak ops, (0, 1] */
    double op_overhead_s;           /* fixed cost per operator launch, s (>= 0) */
    double dequant_scale;           /* multiplier on the per-format dequantization ops (>= 0) */
    double prefill_tile_tokens;     /* tokens sharing one dequantization in prefill (>= 1) */
    double ubatch_tokens;           /* prefill ubatch: weights are re-read per ubatch (>= 1) */
    double runtime_fixed_bytes;     /* engine code, buffers, allocator slack, bytes (>= 0) */
    double exploits_nm_sparsity;    /* 1 when kernels skip N:M zeros, else 0 */
    double prefill_compute_efficiency; /* achieved fraction of peak in prefill GEMMs, (0, 1] */
    double dequant_to_float;        /* 1: quantized GEMVs dequantize to floats and run on the FP32 path
                                       (reference C kernels); 0: int8 dot-product path (llama.cpp) */
    double dequant_ops[EF_FMT_COUNT]; /* this backend's dequantization ops per stored weight, indexed by
                                       ef_format; 0 = the library's default
                                       (ef_format_dequant_ops); each in [0, 1e4] */
    /* api 4: kernel-shape terms measured by kernel profiling (calibrate-host); zero keeps the api 3 model */
    double memory_compute_serial;   /* 0: an operator takes max(memory, compute) time (prefetching or
                                       multi-threaded kernels overlap them); 1: their sum (one thread of
                                       scalar code stalls on its own cache misses) */
    double dequant_ops_per_scale;   /* generic intN formats: ops per stored fp16 scale or zero point
                                       (count = (weight_bytes - bits x stored weights / 8) / 2, so group size
                                       and asymmetry need no extra field), [0, 1e4] */
    double sparse_ops[2];           /* ops per stored weight beyond its 2 flops of the unstructured [0] and
                                       N:M [1] sparse kernels (value decode + index walk), replacing the
                                       format's dequantization and the re-densifying index ops; the kernel
                                       then multiplies stored weights only; 0 = api 3 model; [0, 1e4] */
} ef_backend_params;

typedef struct {
    int32_t prompt_tokens;     /* >= 1 */
    int32_t generated_tokens;  /* >= 1 */
    int32_t context_tokens;    /* KV cache capacity, >= prompt + generated */
    int32_t kv_bits;           /* 4, 8, 16 or 32 */
    int32_t threads;           /* >= 1 */
    int32_t backend;           /* ef_backend */
} ef_workload;

typedef struct {
    int32_t layers, heads, kv_heads, head_dim;
    int32_t hidden_dim;        /* FFN intermediate size */
    int32_t vocab;
    int32_t tied_embeddings;   /* 1: the embedding tensor also serves as LM head */
    int32_t model_dim;         /* residual width (hidden size); differs from heads x head_dim in e.g. Gemma-2 */
    int32_t kv_shared_layers;  /* the last N blocks attend to an earlier block's cache and hold none (Gemma 3n,
                                  Gemma 4): they cost attention like any block but add no KV cache; in [0, layers) */
} ef_attention;

/** api 9: what mixes a block's tokens (ef_block.kind). */
typedef enum { EF_BLOCK_ATTENTION = 0, EF_BLOCK_SHORT_CONV = 1, EF_BLOCK_LINEAR_ATTENTION = 2, EF_BLOCK_LATENT_ATTENTION = 3 /* api 11 */ } ef_block_kind;

/**
 * api 9: one block's token mixer, one per layer (or none at all: every block attends). An attention block has no
 * state (both numbers 0); a short-convolution or linear-attention block holds state_bytes > 0 of per-sequence state,
 * has no Q/K/V tensor and no KV cache, and is not among the kv_shared_layers. A latent-attention block (api 11) has
 * no state and no Q/K/V tensor, and states its cache and query rows (both 0 for every other kind). An attending block
 * may attend within a sliding window (window_tokens > 0).
 */
typedef struct {
    int32_t kind;        /* ef_block_kind */
    double state_bytes;  /* per-sequence state the block holds (convolution window, recurrent matrix), bytes, [0, 1e12] */
    double state_ops;    /* operations per token to update and read that state, [0, 1e12] */
    double cache_rows;   /* api 11, latent attention: elements cached per position, [1, 2 x EF_MAX_DIM]; else 0 */
    double query_rows;   /* api 11, latent attention: query rows of the attention operator, [1, 2 x EF_MAX_DIM]; else 0 */
    double window_tokens; /* api 11, an attending block: sliding window in tokens, [1, 1e9]; 0 = the whole context; else 0 */
} ef_block;

typedef struct {
    int32_t rows;  /* full outputs, >= 1 */
    int32_t cols;  /* full inputs, >= 1 */
    int32_t role;  /* ef_role */
    int32_t layer; /* block index in [0, layers), or -1 (embedding, LM head); Q/K/V need a block,
                      and a block has at most one tensor of each of Q, K, V */
    /* api 6: what a token reads of the tensor. A mixture of experts stacks its experts along one axis of one tensor
       (gate and up: rows, down: cols) and a token runs a few of them: memory holds the whole tensor, a decode step
       reads the slice of the active experts, and each prefill micro-batch also reads the experts its tokens touch
       beyond those. A dense tensor is EF_DENSE_READS. */
    double decode_rows_fraction; /* share of the (kept) rows a decode token runs and reads, (0, 1] */
    double decode_cols_fraction; /* share of the (kept) cols, (0, 1]; rows or cols are sliced, not both */
    double read_unit_fraction;   /* share of the sliced axis (rows unless only the cols are sliced) one unit, e.g. one
                                    expert, spans, (0, 1] */
    double prefill_extra_units;  /* units each prefill micro-batch reads beyond the decode slice, each costed as one GEMV
                                    of a unit without its launch, [0, 1e6]; decode share + units x unit <= 1 */
} ef_tensor_shape;

/** The read fractions of a dense tensor, for initializers: {rows, cols, role, layer, EF_DENSE_READS}. */
#define EF_DENSE_READS 1.0, 1.0, 1.0, 0.0

typedef struct {
    int32_t format;          /* ef_format */
    int32_t sparsity_kind;   /* ef_sparsity_kind */
    double sparsity_ratio;   /* fraction of zero weights, [0, 1) */
    int32_t rank;            /* kept rank; min(kept_rows, kept_cols) = not factorized; 0 when removed */
    int64_t weight_bytes;    /* exact stored bytes of the kept shape incl. scales and sparsity
                                metadata; 0 when removed */
    int32_t kept_rows;       /* rows kept by structured pruning, [0, rows]; 0 = removed */
    int32_t kept_cols;       /* cols kept by structured pruning, [0, cols]; 0 iff kept_rows is 0 */
} ef_tensor_choice;

typedef struct {
    double decode_tok_s;            /* mean over the generation, thermal throttling included */
    double decode_tok_s_sustained;  /* after throttling */
    double prefill_tok_s;
    double ttft_s;                  /* prefill time + first decode step */
    double energy_j_per_token;      /* per decoded token */
    double power_w;                 /* average during decode */
    double weight_bytes, kv_cache_bytes, activation_bytes, runtime_bytes, peak_memory_bytes;
    double prefill_energy_j;        /* energy of the whole prefill, J */
    double state_bytes;             /* api 9: the blocks' fixed per-sequence state (ef_block), bytes; in peak_memory_bytes */
} ef_result;

/** Number of doubles per candidate written by ef_simulate_batch: the fields of ef_result in order, each slot named by
 *  EF_WIRE_RESULT (edgefront_wire.h). */
#define EF_RESULT_FIELDS 13

/** What limits an operator; EF_BOUND_NONE marks an operator that pruning removed (all costs 0). */
typedef enum { EF_BOUND_MEMORY = 0, EF_BOUND_COMPUTE = 1, EF_BOUND_OVERHEAD = 2, EF_BOUND_NONE = 3 } ef_bound;

/** One operator of one decode step at the mean decode context. */
typedef struct {
    int32_t index;   /* tensor index for op < n_tensors; n_tensors + layer for the block's attention or state update */
    int32_t bound;   /* ef_bound */
    double bytes, ops, time_s, energy_j;
} ef_op_cost;

/** Operators written by ef_simulate's breakdown: one per tensor plus one per layer (its attention or its state update). */
size_t ef_op_count(const ef_attention *att, size_t n_tensors);

/**
 * Simulates one candidate. blocks/n_blocks: NULL/0 (every block attends) or att->layers ef_block entries, one per
 * layer in order (api 9). ops/ops_capacity may be NULL/0 (no breakdown); otherwise capacity must be >= ef_op_count().
 * msg may be NULL.
 */
int ef_simulate(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                const ef_tensor_shape *shapes, size_t n_tensors,
                const ef_tensor_choice *choices, ef_result *out,
                ef_op_cost *ops, size_t ops_capacity, char *msg, size_t msg_capacity);

/**
 * Simulates n_candidates candidates (blocks as for ef_simulate). choices holds n_candidates x n_tensors entries (candidate
 * major). out receives n_candidates x EF_RESULT_FIELDS doubles; status receives one ef_status per
 * candidate. Returns EF_OK when the shared inputs are valid (individual candidates may still have
 * failed; msg then describes the first failure), else the shared inputs' error.
 */
int ef_simulate_batch(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                      const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                      const ef_tensor_shape *shapes, size_t n_tensors,
                      const ef_tensor_choice *choices, size_t n_candidates,
                      double *out, int32_t *status, char *msg, size_t msg_capacity);

/** Ints per tensor per candidate in ef_simulate_batch_flat's choice_ints. */
#define EF_CHOICE_INTS 5

/**
 * ef_simulate_batch with the choices as flat arrays (what the JNI bridge passes without conversion):
 * choice_ints holds (format, sparsity_kind, rank, kept_rows, kept_cols) per tensor per candidate, each slot named by
 * EF_WIRE_CHOICE (edgefront_wire.h) (EF_CHOICE_INTS x n_candidates x n_tensors),
 * sparsity_ratios and weight_bytes one value per tensor per candidate.
 */
int ef_simulate_batch_flat(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                           const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                           const ef_tensor_shape *shapes, size_t n_tensors,
                           const int32_t *choice_ints, const double *sparsity_ratios, const int64_t *weight_bytes,
                           size_t n_candidates, double *out, int32_t *status, char *msg, size_t msg_capacity);

/**
 * Cost of one GEMV (one decode token) of a single linear tensor (role EF_ROLE_LINEAR), the operator
 * ef_simulate sums per tensor: for checking the model against timed kernels (calibrate-host).
 */
int ef_linear_cost(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                   const ef_tensor_shape *shape, const ef_tensor_choice *choice, ef_op_cost *out,
                   char *msg, size_t msg_capacity);

/** Dequantization ops per stored weight for a format (before dequant_scale); -1 if unknown. */
double ef_format_dequant_ops(int32_t format);
/** 1 when the format's GEMV runs on the int8 dot-product path, 0 for the float path, -1 unknown. */
int ef_format_uses_int8(int32_t format);

/** One row of the format table (edgefront_formats.h); generic intN ids have ggml_type -1 and block 0. */
typedef struct {
    int32_t ggml_type;
    int32_t block_weights;
    int32_t block_bytes;
    int32_t generic_bits;   /* code bits of a generic intN id, 0 for named formats */
    double dequant_ops;
    int32_t int8_path;
} ef_format_info;

/** Fills *out for format id `format`; EF_ERR_ENUM when no format has that id (ids outside [0, EF_FMT_COUNT) too). */
int ef_format_describe(int32_t format, ef_format_info *out);

#ifdef __cplusplus
}
#endif
#endif /* EDGEFRONT_SIM_H */
