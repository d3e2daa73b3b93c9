/* EdgeFront simulator core. See include/edgefront_sim.h for the model and the contract.
 * No allocation, no global mutable state, no exit/abort: every failure returns a status. */
#include "edgefront_sim.h"
#include "edgefront_wire.h"
#include "ef_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EF_VERSION_STRING "edgefront-sim 1.10.0 (api 11)"
/* Sanity limits: inputs beyond these are rejected, never allocated for. */
#define EF_MAX_TENSORS (1u << 22)
#define EF_MAX_TOKENS (1 << 24)
#define EF_MAX_DIM (1 << 24)

_Static_assert(sizeof(((ef_backend_params *)0)->dequant_ops) == EF_FMT_COUNT * sizeof(double),
               "one dequantization cost per format id");

const char *ef_version(void) { return EF_VERSION_STRING; }
int ef_api_version(void) { return EF_API_VERSION; }

const char *ef_status_name(int status) {
    switch (status) {
    case EF_OK: return "ok";
    case EF_ERR_NULL: return "null pointer";
    case EF_ERR_RANGE: return "value out of range";
    case EF_ERR_ENUM: return "unknown enum value";
    case EF_ERR_LENGTH: return "inconsistent length";
    case EF_ERR_UNSUPPORTED: return "unsupported";
    default: return "unknown status";
    }
}

int ef_fail(char *msg, size_t cap, int status, const char *fmt, ...) {
    if (msg != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* Per-backend tables built from EF_BACKEND_TABLE (edgefront_sim.h). */
#define EF_BACKEND_NAME_ROW(name, id, host) [id] = #name,
#define EF_BACKEND_HOST_ROW(name, id, host) [id] = host,
static const char *const BACKEND_NAME[EF_BACKEND_COUNT] = {EF_BACKEND_TABLE(EF_BACKEND_NAME_ROW)};
static const int HOST_CORES[EF_BACKEND_COUNT] = {EF_BACKEND_TABLE(EF_BACKEND_HOST_ROW)};

/* Per-format-id tables built from edgefront_formats.h (constant: no mutable state). USES_INT8 holds
 * int8_path + 1 so that 0 marks ids that are not formats. */
#define EF_DEQ_ROW(name, id, ggml, bw, bb, deq, int8) [id] = deq,
#define EF_INT8_ROW(name, id, ggml, bw, bb, deq, int8) [id] = int8 + 1,
#define EF_INFO_ROW(name, id, ggml, bw, bb, deq, int8) [id] = {ggml, bw, bb, 0, deq, int8},
#define EF_INT_DEQ_ROW(bits, sym, asym) [EF_FMT_INT_BASE + bits - 1] = sym, [EF_FMT_INT_ASYM_BASE + bits - 1] = asym,
#define EF_INT_INT8_ROW(bits, sym, asym) [EF_FMT_INT_BASE + bits - 1] = 2, [EF_FMT_INT_ASYM_BASE + bits - 1] = 2,
#define EF_INT_INFO_ROW(bits, sym, asym) [EF_FMT_INT_BASE + bits - 1] = {-1, 0, 0, bits, sym, 1}, \
                                         [EF_FMT_INT_ASYM_BASE + bits - 1] = {-1, 0, 0, bits, asym, 1},
static const double DEQUANT_OPS[EF_FMT_COUNT] = {EF_FORMAT_TABLE(EF_DEQ_ROW) EF_INT_TABLE(EF_INT_DEQ_ROW)};
static const signed char USES_INT8[EF_FMT_COUNT] = {EF_FORMAT_TABLE(EF_INT8_ROW) EF_INT_TABLE(EF_INT_INT8_ROW)};
static const ef_format_info FORMAT_INFO[EF_FMT_COUNT] = {EF_FORMAT_TABLE(EF_INFO_ROW) EF_INT_TABLE(EF_INT_INFO_ROW)};

double ef_format_dequant_ops(int32_t format) {
    return (format >= 0 && format < EF_FMT_COUNT && USES_INT8[format] != 0) ? DEQUANT_OPS[format] : -1.0;
}

int ef_format_uses_int8(int32_t format) {
    return (format >= 0 && format < EF_FMT_COUNT) ? USES_INT8[format] - 1 : -1;
}

int ef_format_describe(int32_t format, ef_format_info *out) {
    if (out == NULL) return EF_ERR_NULL;
    if (ef_format_uses_int8(format) < 0) return EF_ERR_ENUM;
    *out = FORMAT_INFO[format];
    return EF_OK;
}

size_t ef_op_count(const ef_attention *att, size_t n_tensors) {
    if (att == NULL || att->layers < 1) return n_tensors;
    return n_tensors + (size_t)att->layers;
}

/* NaN fails every comparison, so these also reject NaN; infinities fail the bounds. */
static int in_range(double v, double lo, double hi) { return v >= lo && v <= hi; }
static int zero_or_range(double v, double lo, double hi) { return v == 0.0 || in_range(v, lo, hi); }


static const char *block_kind_name(int32_t kind) {
    switch (kind) {
    case EF_BLOCK_ATTENTION: return "attention";
    case EF_BLOCK_SHORT_CONV: return "short-convolution";
    case EF_BLOCK_LINEAR_ATTENTION: return "linear-attention";
    case EF_BLOCK_LATENT_ATTENTION: return "latent-attention";
    default: return "unknown";
    }
}

static int validate_shared(const ef_device *d, const ef_backend_params *c, const ef_workload *w,
                           const ef_attention *a, const ef_block *blocks, size_t n_blocks,
                           const ef_tensor_shape *shapes, size_t n, char *msg, size_t cap) {
    CHECK(d != NULL, EF_ERR_NULL, "device is NULL");
    CHECK(c != NULL, EF_ERR_NULL, "backend params are NULL");
    CHECK(w != NULL, EF_ERR_NULL, "workload is NULL");
    CHECK(a != NULL, EF_ERR_NULL, "attention shape is NULL");
    CHECK(shapes != NULL, EF_ERR_NULL, "tensor shapes are NULL");
    /* Every number must lie in a physically sane range, so that a successful call always returns
     * finite results (the fuzz target checks this). */
    CHECK(in_range(d->dram_bytes_per_s, 1e6, 1e15), EF_ERR_RANGE, "device.dram_bytes_per_s must be in [1e6, 1e15], got %g", d->dram_bytes_per_s);
    CHECK(in_range(d->dram_capacity_bytes, 1e6, 1e16), EF_ERR_RANGE, "device.dram_capacity_bytes must be in [1e6, 1e16], got %g", d->dram_capacity_bytes);
    CHECK(in_range(d->cpu_cores, 1.0, 4096.0), EF_ERR_RANGE, "device.cpu_cores must be in [1, 4096], got %g", d->cpu_cores);
    CHECK(in_range(d->cpu_core_bytes_per_s, 1e6, 1e15), EF_ERR_RANGE, "device.cpu_core_bytes_per_s must be in [1e6, 1e15], got %g", d->cpu_core_bytes_per_s);
    CHECK(in_range(d->energy_pj_per_byte, 0.0, 1e6), EF_ERR_RANGE, "device.energy_pj_per_byte must be in [0, 1e6], got %g", d->energy_pj_per_byte);
    CHECK(in_range(d->static_power_w, 0.0, 1e5), EF_ERR_RANGE, "device.static_power_w must be in [0, 1e5], got %g", d->static_power_w);
    CHECK(in_range(d->thermal_onset_s, 0.0, 1e9), EF_ERR_RANGE, "device.thermal_onset_s must be in [0, 1e9], got %g", d->thermal_onset_s);
    CHECK(in_range(d->thermal_sustained_fraction, 1e-3, 1.0), EF_ERR_RANGE, "device.thermal_sustained_fraction must be in [0.001, 1], got %g", d->thermal_sustained_fraction);
    for (int b = 0; b < EF_BACKEND_COUNT; b++) {
        const ef_compute_unit *u = &d->unit[b];
        const char *n = BACKEND_NAME[b];
        if (HOST_CORES[b]) { /* the CPU: every peak given */
            CHECK(in_range(u->fp32_flops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.fp32_flops must be in [1e6, 1e18], got %g", n, u->fp32_flops);
            CHECK(in_range(u->fp16_flops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.fp16_flops must be in [1e6, 1e18], got %g", n, u->fp16_flops);
            CHECK(in_range(u->int8_ops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.int8_ops must be in [1e6, 1e18], got %g", n, u->int8_ops);
        } else {
            CHECK(zero_or_range(u->fp32_flops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.fp32_flops must be 0 or in [1e6, 1e18], got %g", n, u->fp32_flops);
            CHECK(zero_or_range(u->fp16_flops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.fp16_flops must be 0 or in [1e6, 1e18], got %g", n, u->fp16_flops);
            CHECK(zero_or_range(u->int8_ops, 1e6, 1e18), EF_ERR_RANGE, "device.%s.int8_ops must be 0 or in [1e6, 1e18], got %g", n, u->int8_ops);
        }
        CHECK(in_range(u->pj_per_op, 0.0, 1e6), EF_ERR_RANGE, "device.%s.pj_per_op must be in [0, 1e6], got %g", n, u->pj_per_op);
        CHECK(in_range(u->active_w, 0.0, 1e5), EF_ERR_RANGE, "device.%s.active_w must be in [0, 1e5], got %g", n, u->active_w);
    }

    CHECK(in_range(c->mem_efficiency, 1e-4, 1.0), EF_ERR_RANGE, "backend.mem_efficiency must be in [1e-4, 1], got %g", c->mem_efficiency);
    CHECK(in_range(c->compute_efficiency, 1e-4, 1.0), EF_ERR_RANGE, "backend.compute_efficiency must be in [1e-4, 1], got %g", c->compute_efficiency);
    CHECK(in_range(c->prefill_compute_efficiency, 1e-4, 1.0), EF_ERR_RANGE, "backend.prefill_compute_efficiency must be in [1e-4, 1], got %g", c->prefill_compute_efficiency);
    CHECK(in_range(c->op_overhead_s, 0.0, 1.0), EF_ERR_RANGE, "backend.op_overhead_s must be in [0, 1], got %g", c->op_overhead_s);
    CHECK(in_range(c->dequant_scale, 0.0, 1e3), EF_ERR_RANGE, "backend.dequant_scale must be in [0, 1000], got %g", c->dequant_scale);
    CHECK(in_range(c->prefill_tile_tokens, 1.0, 1e7), EF_ERR_RANGE, "backend.prefill_tile_tokens must be in [1, 1e7], got %g", c->prefill_tile_tokens);
    CHECK(in_range(c->ubatch_tokens, 1.0, 1e7), EF_ERR_RANGE, "backend.ubatch_tokens must be in [1, 1e7], got %g", c->ubatch_tokens);
    CHECK(in_range(c->runtime_fixed_bytes, 0.0, 1e16), EF_ERR_RANGE, "backend.runtime_fixed_bytes must be in [0, 1e16], got %g", c->runtime_fixed_bytes);
    for (int f = 0; f < EF_FMT_COUNT; f++)
        CHECK(in_range(c->dequant_ops[f], 0.0, 1e4), EF_ERR_RANGE, "backend.dequant_ops[%d] must be in [0, 1e4], got %g", f, c->dequant_ops[f]);
    CHECK(c->memory_compute_serial == 0.0 || c->memory_compute_serial == 1.0, EF_ERR_RANGE, "backend.memory_compute_serial must be 0 or 1, got %g", c->memory_compute_serial);
    CHECK(in_range(c->dequant_ops_per_scale, 0.0, 1e4), EF_ERR_RANGE, "backend.dequant_ops_per_scale must be in [0, 1e4], got %g", c->dequant_ops_per_scale);
    for (int k = 0; k < 2; k++)
        CHECK(in_range(c->sparse_ops[k], 0.0, 1e4), EF_ERR_RANGE, "backend.sparse_ops[%d] must be in [0, 1e4], got %g", k, c->sparse_ops[k]);
    CHECK(c->dequant_to_float == 0.0 || c->dequant_to_float == 1.0, EF_ERR_RANGE, "backend.dequant_to_float must be 0 or 1, got %g", c->dequant_to_float);
    CHECK(c->exploits_nm_sparsity == 0.0 || c->exploits_nm_sparsity == 1.0, EF_ERR_RANGE, "backend.exploits_nm_sparsity must be 0 or 1, got %g", c->exploits_nm_sparsity);

    CHECK(w->backend >= 0 && w->backend < EF_BACKEND_COUNT, EF_ERR_ENUM, "workload.backend %d is not a backend (0..%d, edgefront_sim.h)", (int)w->backend, EF_BACKEND_COUNT - 1);
    CHECK(w->prompt_tokens >= 1 && w->prompt_tokens <= EF_MAX_TOKENS, EF_ERR_RANGE, "workload.prompt_tokens must be in [1, %d], got %d", EF_MAX_TOKENS, (int)w->prompt_tokens);
    CHECK(w->generated_tokens >= 1 && w->generated_tokens <= EF_MAX_TOKENS, EF_ERR_RANGE, "workload.generated_tokens must be in [1, %d], got %d", EF_MAX_TOKENS, (int)w->generated_tokens);
    CHECK(w->context_tokens >= 1 && w->context_tokens <= EF_MAX_TOKENS, EF_ERR_RANGE, "workload.context_tokens must be in [1, %d], got %d", EF_MAX_TOKENS, (int)w->context_tokens);
    CHECK((int64_t)w->prompt_tokens + w->generated_tokens <= w->context_tokens, EF_ERR_RANGE,
          "workload.context_tokens %d is smaller than prompt %d + generated %d", (int)w->context_tokens, (int)w->prompt_tokens, (int)w->generated_tokens);
    CHECK(w->kv_bits == 4 || w->kv_bits == 8 || w->kv_bits == 16 || w->kv_bits == 32, EF_ERR_RANGE, "workload.kv_bits must be 4, 8, 16 or 32, got %d", (int)w->kv_bits);
    CHECK(w->threads >= 1 && w->threads <= 4096, EF_ERR_RANGE, "workload.threads must be in [1, 4096], got %d", (int)w->threads);
    CHECK(d->unit[w->backend].fp16_flops > 0.0 || d->unit[w->backend].int8_ops > 0.0, EF_ERR_UNSUPPORTED,
          "backend %s requested but the device has no %s (its fp16 and int8 peaks are 0)", BACKEND_NAME[w->backend], BACKEND_NAME[w->backend]);

    CHECK(a->layers >= 1 && a->layers <= EF_MAX_LAYERS, EF_ERR_RANGE, "attention.layers must be in [1, %d], got %d", EF_MAX_LAYERS, (int)a->layers);
    CHECK(a->heads >= 1 && a->heads <= 65536, EF_ERR_RANGE, "attention.heads must be in [1, 65536], got %d", (int)a->heads);
    CHECK(a->kv_heads >= 1 && a->kv_heads <= a->heads && a->heads % a->kv_heads == 0, EF_ERR_RANGE,
          "attention.kv_heads %d must divide heads %d", (int)a->kv_heads, (int)a->heads);
    CHECK(a->head_dim >= 1 && (int64_t)a->head_dim * a->heads <= EF_MAX_DIM, EF_ERR_RANGE, "attention.head_dim %d out of range", (int)a->head_dim);
    CHECK(a->hidden_dim >= 1 && a->hidden_dim <= EF_MAX_DIM, EF_ERR_RANGE, "attention.hidden_dim %d out of range", (int)a->hidden_dim);
    CHECK(a->vocab >= 1 && a->vocab <= EF_MAX_DIM, EF_ERR_RANGE, "attention.vocab %d out of range", (int)a->vocab);
    CHECK(a->model_dim >= 1 && a->model_dim <= EF_MAX_DIM, EF_ERR_RANGE, "attention.model_dim %d out of range", (int)a->model_dim);
    CHECK(a->kv_shared_layers >= 0 && a->kv_shared_layers < a->layers, EF_ERR_RANGE,
          "attention.kv_shared_layers must be in [0, layers %d), got %d", (int)a->layers, (int)a->kv_shared_layers);
    CHECK(a->tied_embeddings == 0 || a->tied_embeddings == 1, EF_ERR_RANGE, "attention.tied_embeddings must be 0 or 1, got %d", (int)a->tied_embeddings);
    /* api 9: no blocks, or one per layer; a block without attention holds state and is not KV-shared */
    CHECK(n_blocks == 0 || n_blocks == (size_t)a->layers, EF_ERR_LENGTH, "n_blocks must be 0 (every block attends) or layers %d, got %zu",
          (int)a->layers, n_blocks);
    CHECK(n_blocks == 0 || blocks != NULL, EF_ERR_NULL, "blocks are NULL but n_blocks is %zu", n_blocks);
    for (size_t l = 0; l < n_blocks; l++) {
        const ef_block *b = &blocks[l];
        CHECK(b->kind >= EF_BLOCK_ATTENTION && b->kind <= EF_BLOCK_LATENT_ATTENTION, EF_ERR_ENUM, "block %zu: kind %d unknown (0..3, edgefront_sim.h)",
              l, (int)b->kind);
        CHECK(in_range(b->state_bytes, 0.0, 1e12) && in_range(b->state_ops, 0.0, 1e12), EF_ERR_RANGE,
              "block %zu: state_bytes %g and state_ops %g must be in [0, 1e12]", l, b->state_bytes, b->state_ops);
        if (b->kind == EF_BLOCK_LATENT_ATTENTION) {
            CHECK(in_range(b->cache_rows, 1.0, 2.0 * EF_MAX_DIM) && in_range(b->query_rows, 1.0, 2.0 * EF_MAX_DIM), EF_ERR_RANGE,
                  "block %zu: a latent-attention block states cache_rows %g and query_rows %g in [1, %d]", l, b->cache_rows, b->query_rows,
                  2 * EF_MAX_DIM);
        } else {
            CHECK(b->cache_rows == 0.0 && b->query_rows == 0.0, EF_ERR_RANGE,
                  "block %zu: only a latent-attention block states cache_rows and query_rows, got %g and %g for a %s block", l, b->cache_rows,
                  b->query_rows, block_kind_name(b->kind));
        }
        CHECK(zero_or_range(b->window_tokens, 1.0, 1e9) && b->window_tokens == floor(b->window_tokens), EF_ERR_RANGE,
              "block %zu: window_tokens %g must be 0 (whole context) or a whole number in [1, 1e9]", l, b->window_tokens);
        if (b->kind == EF_BLOCK_ATTENTION || b->kind == EF_BLOCK_LATENT_ATTENTION) {
            CHECK(b->state_bytes == 0.0 && b->state_ops == 0.0, EF_ERR_RANGE, "block %zu attends and holds no state, got state_bytes %g, state_ops %g",
                  l, b->state_bytes, b->state_ops);
        } else {
            CHECK(b->state_bytes > 0.0, EF_ERR_RANGE, "block %zu: a %s block holds a state, got state_bytes 0", l, block_kind_name(b->kind));
            CHECK(b->window_tokens == 0.0, EF_ERR_RANGE, "block %zu: a %s block does not attend, so it has no window, got %g", l,
                  block_kind_name(b->kind), b->window_tokens);
            CHECK((int64_t)l < (int64_t)a->layers - a->kv_shared_layers, EF_ERR_RANGE,
                  "block %zu: a %s block has no KV cache to share, but it is among the last kv_shared_layers %d", l, block_kind_name(b->kind),
                  (int)a->kv_shared_layers);
        }
    }

    CHECK(n >= 1 && n <= EF_MAX_TENSORS, EF_ERR_LENGTH, "n_tensors must be in [1, %u], got %zu", EF_MAX_TENSORS, n);
    for (size_t i = 0; i < n; i++) {
        const ef_tensor_shape *s = &shapes[i];
        CHECK(s->rows >= 1 && s->rows <= EF_MAX_DIM && s->cols >= 1 && s->cols <= EF_MAX_DIM, EF_ERR_RANGE,
              "tensor %zu: shape %d x %d out of range [1, %d]", i, (int)s->rows, (int)s->cols, EF_MAX_DIM);
        CHECK(s->role >= EF_ROLE_LINEAR && s->role <= EF_ROLE_ATTN_V, EF_ERR_ENUM, "tensor %zu: role %d unknown", i, (int)s->role);
        CHECK(s->layer >= -1 && s->layer < a->layers, EF_ERR_RANGE, "tensor %zu: layer %d not in [-1, %d)", i, (int)s->layer, (int)a->layers);
        CHECK(in_range(s->decode_rows_fraction, 1e-9, 1.0) && in_range(s->decode_cols_fraction, 1e-9, 1.0), EF_ERR_RANGE,
              "tensor %zu: decode read fractions %g x %g not in (0, 1]", i, s->decode_rows_fraction, s->decode_cols_fraction);
        CHECK(s->decode_rows_fraction == 1.0 || s->decode_cols_fraction == 1.0, EF_ERR_RANGE,
              "tensor %zu: a decode slice cuts rows or cols, not both (fractions %g x %g)", i, s->decode_rows_fraction, s->decode_cols_fraction);
        CHECK(in_range(s->read_unit_fraction, 1e-9, 1.0), EF_ERR_RANGE, "tensor %zu: read unit fraction %g not in (0, 1]", i, s->read_unit_fraction);
        CHECK(in_range(s->prefill_extra_units, 0.0, 1e6), EF_ERR_RANGE, "tensor %zu: prefill extra units %g not in [0, 1e6]", i, s->prefill_extra_units);
        CHECK(s->decode_rows_fraction * s->decode_cols_fraction + s->prefill_extra_units * s->read_unit_fraction <= 1.0 + 1e-9, EF_ERR_RANGE,
              "tensor %zu: a prefill micro-batch would read more than the tensor (decode share %g + %g units of %g)", i,
              s->decode_rows_fraction * s->decode_cols_fraction, s->prefill_extra_units, s->read_unit_fraction);
    }
    /* Q/K/V tensors name the block whose attention they shape; one of each per block. Bit r-3 of
     * seen[l] marks role r in block l (a small stack table: no allocation). */
    uint8_t seen[EF_MAX_LAYERS];
    memset(seen, 0, (size_t)a->layers);
    for (size_t i = 0; i < n; i++) {
        const ef_tensor_shape *s = &shapes[i];
        if (s->role < EF_ROLE_ATTN_Q) continue;
        CHECK(s->layer >= 0, EF_ERR_RANGE, "tensor %zu: attention projection (role %d) needs a layer, got %d", i, (int)s->role, (int)s->layer);
        CHECK(n_blocks == 0 || blocks[s->layer].kind == EF_BLOCK_ATTENTION, EF_ERR_RANGE,
              "tensor %zu: attention projection (role %d) in block %d, a %s block without attention", i, (int)s->role, (int)s->layer,
              block_kind_name(blocks[s->layer].kind));
        uint8_t bit = (uint8_t)(1u << (s->role - EF_ROLE_ATTN_Q));
        CHECK((seen[s->layer] & bit) == 0, EF_ERR_LENGTH, "tensor %zu: layer %d has a second tensor of role %d", i, (int)s->layer, (int)s->role);
        seen[s->layer] |= bit;
    }
    return EF_OK;
}

static int validate_choice(const ef_tensor_shape *s, int32_t format, int32_t kind, double ratio, int32_t rank,
                           int64_t weight_bytes, int32_t kept_rows, int32_t kept_cols, size_t i, char *msg, size_t cap) {
    CHECK(kept_rows >= 0 && kept_rows <= s->rows, EF_ERR_RANGE, "tensor %zu: kept rows %d not in [0, %d]", i, (int)kept_rows, (int)s->rows);
    CHECK(kept_cols >= 0 && kept_cols <= s->cols, EF_ERR_RANGE, "tensor %zu: kept cols %d not in [0, %d]", i, (int)kept_cols, (int)s->cols);
    CHECK((kept_rows == 0) == (kept_cols == 0), EF_ERR_RANGE,
          "tensor %zu: kept shape %d x %d: rows and cols are both 0 (removed) or both positive", i, (int)kept_rows, (int)kept_cols);
    int32_t full = kept_rows < kept_cols ? kept_rows : kept_cols;
    CHECK(ef_format_uses_int8(format) >= 0, EF_ERR_ENUM, "tensor %zu: format id %d unknown", i, (int)format);
    CHECK(kind >= EF_SPARSE_NONE && kind <= EF_SPARSE_NM, EF_ERR_ENUM, "tensor %zu: sparsity kind %d unknown", i, (int)kind);
    if (kind == EF_SPARSE_NONE)
        CHECK(ratio == 0.0, EF_ERR_RANGE, "tensor %zu: dense tensor with sparsity ratio %g", i, ratio);
    else
        CHECK(isfinite(ratio) && ratio > 0.0 && ratio < 1.0, EF_ERR_RANGE,
              "tensor %zu: sparsity ratio must be in (0, 1), got %g", i, ratio);
    if (kept_rows == 0) {
        CHECK(rank == 0 && weight_bytes == 0, EF_ERR_RANGE, "tensor %zu: removed (0 x 0) but rank %d and weight_bytes %lld are not 0",
              i, (int)rank, (long long)weight_bytes);
        return EF_OK;
    }
    CHECK(rank >= 1 && rank <= full, EF_ERR_RANGE, "tensor %zu: rank %d not in [1, %d]", i, (int)rank, (int)full);
    CHECK(rank == full || kind == EF_SPARSE_NONE, EF_ERR_RANGE, "tensor %zu: low rank and sparsity together", i);
    /* Any real format stores at most 4 bytes per weight plus small per-row metadata; low rank at most doubles the weights. */
    double limit = 8.0 * (double)kept_rows * (double)kept_cols + 4096.0 * (double)kept_rows;
    CHECK(weight_bytes >= 1 && (double)weight_bytes <= limit, EF_ERR_RANGE,
          "tensor %zu: weight_bytes %lld implausible for kept %d x %d", i, (long long)weight_bytes, (int)kept_rows, (int)kept_cols);
    return EF_OK;
}

/* Per-call constants derived once from the shared inputs. */
typedef struct {
    double bw;            /* effective bytes/s */
    double peak_int8;     /* effective ops/s on the int8 path */
    double peak_fp32;     /* effective flop/s for F32 weights */
    double peak_fp16;     /* effective flop/s for F16/BF16 weights and attention */
    double prefill_scale; /* prefill efficiency / decode efficiency: GEMMs reach a different fraction of peak */
    double overhead;
    double deq_scale;
    const double *deq_table; /* the backend's per-format dequantization ops (0 = default) */
    double tile;
    double ubatches;      /* ceil(prompt / ubatch) */
    double prefill_tiles; /* ceil(prompt / tile) */
    double nm_exploited;
    double serial;         /* 1: memory and compute time add */
    double ops_per_scale;  /* generic intN: ops per stored scale / zero point */
    double sparse_ops[2];  /* unstructured, N:M: ops per stored weight (0 = api 3 model) */
    double kv_elem_bytes;  /* bytes of one cached K or V element */
    int32_t full_q_rows, full_kv_rows; /* attention shape of a block without Q/K/V tensors */
} ef_ctx;

static void make_ctx(const ef_device *d, const ef_backend_params *c, const ef_workload *w, const ef_attention *a, ef_ctx *x) {
    double eff = c->compute_efficiency;
    const ef_compute_unit *u = &d->unit[w->backend];
    double f16 = u->fp16_flops > 0.0 ? u->fp16_flops : 0.5 * u->int8_ops;
    double f32 = u->fp32_flops > 0.0 ? u->fp32_flops : 0.5 * f16; /* e.g. mobile GPUs: FP32 at half the FP16 rate */
    double i8 = u->int8_ops > 0.0 ? u->int8_ops : u->fp16_flops;
    double share = 1.0;
    if (HOST_CORES[w->backend]) {
        double used = (double)w->threads < d->cpu_cores ? (double)w->threads : d->cpu_cores;
        share = used / d->cpu_cores;
        double bw = used * d->cpu_core_bytes_per_s;
        x->bw = (bw < d->dram_bytes_per_s ? bw : d->dram_bytes_per_s) * c->mem_efficiency;
    } else {
        x->bw = d->dram_bytes_per_s * c->mem_efficiency;
    }
    x->peak_int8 = i8 * share * eff;
    x->peak_fp32 = f32 * share * eff;
    x->peak_fp16 = f16 * share * eff;
    if (c->dequant_to_float == 1.0) x->peak_int8 = x->peak_fp32; /* float FMAs after dequantization */
    x->prefill_scale = c->prefill_compute_efficiency / c->compute_efficiency;
    x->overhead = c->op_overhead_s;
    x->deq_scale = c->dequant_scale;
    x->deq_table = c->dequant_ops;
    x->tile = c->prefill_tile_tokens;
    x->ubatches = ceil((double)w->prompt_tokens / c->ubatch_tokens);
    x->prefill_tiles = ceil((double)w->prompt_tokens / c->prefill_tile_tokens);
    x->nm_exploited = c->exploits_nm_sparsity;
    x->serial = c->memory_compute_serial;
    x->ops_per_scale = c->dequant_ops_per_scale;
    x->sparse_ops[0] = c->sparse_ops[0];
    x->sparse_ops[1] = c->sparse_ops[1];
    x->kv_elem_bytes = (double)w->kv_bits / 8.0;
    x->full_q_rows = a->heads * a->head_dim;     /* validated <= EF_MAX_DIM */
    x->full_kv_rows = a->kv_heads * a->head_dim; /* kv_heads <= heads */
}

/* launch: the part of time that is operator launch overhead (an expert read inside another operator pays none) */
typedef struct { double bytes, ops, time; int bound; double launch; } ef_cost;

static void roofline_m(double bytes, double ops, double peak, double bw, double overhead, double launches, double serial, ef_cost *o) {
    double tm = bytes / bw;
    double tc = ops / peak;
    double to = overhead * launches;
    o->bytes = bytes;
    o->ops = ops;
    o->time = (serial == 1.0 ? tm + tc : (tm > tc ? tm : tc)) + to;
    o->launch = to;
    o->bound = (to > tm && to > tc) ? EF_BOUND_OVERHEAD : (tc > tm ? EF_BOUND_COMPUTE : EF_BOUND_MEMORY);
}

/* Cost of one tensor for one decode token (dec) and for the whole prefill (pre): the rows x cols that run (the kept
 * shape, or the slice a token reads of it; > 0, not necessarily whole), its weight bytes, and whether the choice is
 * factorized. */
static void tensor_cost(const ef_ctx *x, const ef_workload *w, int tied, int32_t role, double rows, double cols, int low_rank,
                        int32_t format, int32_t kind, double ratio, int32_t rank, double wbytes,
                        ef_cost *dec, ef_cost *pre) {
    double dense = rows * cols;
    double stored, macs, index_ops, launches;
    if (low_rank) {
        stored = (double)rank * (rows + cols);
        macs = stored;
        index_ops = 0.0;
        launches = 2.0;
    } else if (kind == EF_SPARSE_NONE) {
        stored = dense; macs = dense; index_ops = 0.0; launches = 1.0;
    } else {
        stored = dense * (1.0 - ratio);
        if (x->sparse_ops[kind - 1] > 0.0) {
            macs = stored; index_ops = 0.0;   /* profiled sparse kernel: its own cost per stored weight below */
        } else if (kind == EF_SPARSE_NM && x->nm_exploited == 1.0) {
            macs = stored; index_ops = 0.0;   /* hardware N:M kernel: zeros skipped, metadata free */
        } else {
            macs = dense; index_ops = dense;  /* kernel re-densifies: one op per position */
        }
        launches = 1.0;
    }
    int int8 = ef_format_uses_int8(format);
    double peak = int8 ? x->peak_int8 : (format == EF_FMT_F32 ? x->peak_fp32 : x->peak_fp16);
    double deq = (x->deq_table[format] > 0.0 ? x->deq_table[format] : ef_format_dequant_ops(format)) * x->deq_scale * stored;
    if (kind != EF_SPARSE_NONE && !low_rank && x->sparse_ops[kind - 1] > 0.0) {
        deq = x->sparse_ops[kind - 1] * stored; /* replaces the format's dequantization: the kernel decodes fp16 values */
    } else if (format >= EF_FMT_INT_BASE && format < EF_FMT_NAMED2_BASE && x->ops_per_scale > 0.0) {
        /* each group's fp16 scale (and zero point) costs a conversion and the group's setup: count them from the
           stored bytes, which already know the group size and asymmetry */
        int bits = format >= EF_FMT_INT_ASYM_BASE ? format - EF_FMT_INT_ASYM_BASE + 1 : format - EF_FMT_INT_BASE + 1;
        double code_bytes = (double)bits * stored / 8.0;
        double scales = (wbytes - code_bytes) / 2.0;
        if (scales > 0.0) deq += x->ops_per_scale * x->deq_scale * scales;
    }
    double P = (double)w->prompt_tokens;

    if (role == EF_ROLE_EMBEDDING && !tied) {
        /* Row lookup: one row per token, no multiply. */
        double row = wbytes / rows;
        roofline_m(row, 0.0, peak, x->bw, x->overhead, 1.0, x->serial, dec);
        roofline_m(row * P, 0.0, peak, x->bw, x->overhead, 1.0, x->serial, pre);
        return;
    }
    double act_bytes = 4.0 * (rows + cols);
    double dec_ops = 2.0 * macs + deq + index_ops;
    double extra_row = (role == EF_ROLE_EMBEDDING) ? wbytes / rows : 0.0; /* tied: lookup + LM head */
    roofline_m(wbytes + act_bytes + extra_row, dec_ops, peak, x->bw, x->overhead, launches, x->serial, dec);
    if (role == EF_ROLE_LINEAR || role >= EF_ROLE_ATTN_Q) { /* every per-layer linear */
        /* GEMM over the prompt: weights re-read per ubatch, dequantized once per tile of tokens. */
        double ops = 2.0 * macs * P + (deq + index_ops) * x->prefill_tiles;
        roofline_m(wbytes * x->ubatches + act_bytes * P, ops, peak * x->prefill_scale, x->bw, x->overhead, launches * x->ubatches, x->serial, pre);
    } else {
        /* LM head: logits of the last prompt token only (plus embedding rows when tied). */
        roofline_m(wbytes + act_bytes + extra_row * P, dec_ops, peak, x->bw, x->overhead, launches, x->serial, pre);
    }
}

/* One layer's attention at `positions` cached positions: QK^T and AV cost 2 flops per query row and
 * position each; the cache read is the kept K and V rows of every position. */
static void attention_cost(const ef_ctx *x, double positions, double q_rows, double kv_rows, ef_cost *o) {
    roofline_m(positions * kv_rows * x->kv_elem_bytes, 4.0 * positions * q_rows, x->peak_fp16, x->bw, x->overhead, 1.0, x->serial, o);
}

/* Sum of min(n, W) over n = a..b (a <= b); W <= 0 means no window. */
static double sum_min(double a, double b, double W) {
    if (W <= 0.0 || W >= b) return (a + b) * (b - a + 1.0) / 2.0;
    if (W <= a) return W * (b - a + 1.0);
    return (a + W) * (W - a + 1.0) / 2.0 + W * (b - W);
}

/* Decode attends to prompt + i + 1 positions at generated token i (a window W caps it): the mean over the tokens. */
static double decode_positions(const ef_workload *w, double W) {
    double P = (double)w->prompt_tokens, G = (double)w->generated_tokens;
    return sum_min(P + 1.0, P + G, W) / G;
}

static void attention_prefill_cost(const ef_ctx *x, const ef_workload *w, double q_rows, double kv_rows, double W, ef_cost *o) {
    double P = (double)w->prompt_tokens;
    double pairs = sum_min(1.0, P, W); /* query t sees min(t, W) keys */
    /* writes K,V of every prompt position; each ubatch re-reads the cache written so far (bounded by P, and by a window) */
    double reread = (W > 0.0 && W < P) ? W : P;
    double bytes = (P + reread * x->ubatches) * kv_rows * x->kv_elem_bytes;
    roofline_m(bytes, 4.0 * pairs * q_rows, x->peak_fp16 * x->prefill_scale, x->bw, x->overhead, x->ubatches, x->serial, o);
}

static const ef_cost NO_COST = {0.0, 0.0, 0.0, EF_BOUND_NONE, 0.0};

/* A block's recurrent state (api 9): a decode token reads it and writes it back and runs its update at the FP32 peak
 * (engines keep the state in fp32); prefill runs the same update per prompt token, linear in the prompt, and reads and
 * writes the state once per micro-batch. */
static void state_cost(const ef_ctx *x, const ef_workload *w, const ef_block *b, ef_cost *dec, ef_cost *pre) {
    double P = (double)w->prompt_tokens;
    roofline_m(2.0 * b->state_bytes, b->state_ops, x->peak_fp32, x->bw, x->overhead, 1.0, x->serial, dec);
    roofline_m(2.0 * b->state_bytes * x->ubatches, b->state_ops * P, x->peak_fp32, x->bw, x->overhead, x->ubatches, x->serial, pre);
}

/* Seconds to run `work` seconds of full-speed work that starts at `start`, with throttling. */
static double throttled(double start, double work, double onset, double sustained) {
    double free_time = onset - start;
    if (free_time < 0.0) free_time = 0.0;
    if (work <= free_time) return work;
    return free_time + (work - free_time) / sustained;
}

/* A candidate's choices either as structs (ch) or as flat arrays (ci: EF_WIRE_CHOICE slots, edgefront_wire.h). */
typedef struct {
    const ef_tensor_choice *ch;
    const int32_t *ci;
    const double *ratio;
    const int64_t *bytes;
} choice_view;

#define VIEW_GET(v, i, fmt_, kind_, ratio_, rank_, wb_, kr_, kc_) do { \
    if ((v)->ch != NULL) { const ef_tensor_choice *c_ = &(v)->ch[i]; fmt_ = c_->format; kind_ = c_->sparsity_kind; \
        ratio_ = c_->sparsity_ratio; rank_ = c_->rank; wb_ = c_->weight_bytes; kr_ = c_->kept_rows; kc_ = c_->kept_cols; } \
    else { const int32_t *i_ = (v)->ci + EF_CHOICE_INTS * (i); fmt_ = i_[EF_WIRE_CHOICE_FORMAT]; kind_ = i_[EF_WIRE_CHOICE_SPARSITY_KIND]; \
        rank_ = i_[EF_WIRE_CHOICE_RANK]; kr_ = i_[EF_WIRE_CHOICE_KEPT_ROWS]; kc_ = i_[EF_WIRE_CHOICE_KEPT_COLS]; \
        ratio_ = (v)->ratio[i]; wb_ = (v)->bytes[i]; } } while (0)

static int validate_view(const ef_tensor_shape *shapes, size_t n, const choice_view *v, char *msg, size_t cap) {
    for (size_t i = 0; i < n; i++) {
        int32_t f, k, rk, kr, kc; double ra; int64_t wb;
        VIEW_GET(v, i, f, k, ra, rk, wb, kr, kc);
        int st = validate_choice(&shapes[i], f, k, ra, rk, wb, kr, kc, i, msg, cap);
        if (st != EF_OK) return st;
    }
    return EF_OK;
}

/* Per-batch memo of tensor costs: within one batch call the shared inputs are fixed, so a tensor's cost
 * depends only on its shape and choice, and candidates draw from few options per tensor. Direct-mapped,
 * on the caller's stack (no allocation); an entry exists only for a choice that passed validation. */
#define MEMO_BITS 9
#define MEMO_SLOTS (1u << MEMO_BITS)
/* Everything a tensor's validation and cost depend on (no padding: compared with memcmp). */
typedef struct {
    int32_t rows, cols, role, format, kind, rank, kept_rows, kept_cols;
    double ratio;
    int64_t bytes;
    double decode_rows_fraction, decode_cols_fraction, read_unit_fraction, prefill_extra_units;
} memo_key;
_Static_assert(sizeof(memo_key) == 8 * sizeof(int32_t) + 5 * sizeof(double) + sizeof(int64_t), "memo_key has no padding");
typedef struct {
    memo_key key;
    int32_t used;
    ef_cost dec, pre;
} memo_entry;

/* The role as far as a tensor's own cost goes: Q/K/V cost what any per-layer linear costs (they differ only in
 * shaping their layer's attention), so they share memo entries with the other linears of their shape. */
static int32_t cost_role(int32_t role) { return role >= EF_ROLE_ATTN_Q ? EF_ROLE_LINEAR : role; }

static unsigned memo_slot(const memo_key *k) {
    /* weight_bytes already separates most (shape, choice) pairs; the rest is mixed in cheaply and any
     * collision is resolved by the full key compare. Reads the key as stored (same widths: no
     * store-forwarding stalls on the freshly written key). */
    uint64_t h = (uint64_t)k->bytes ^ ((uint64_t)(uint32_t)k->format << 40) ^ ((uint64_t)(uint32_t)k->kind << 46)
                 ^ ((uint64_t)(uint32_t)k->rows << 20) ^ ((uint64_t)(uint32_t)k->role << 50) ^ ((uint64_t)(uint32_t)k->rank << 8)
                 ^ ((uint64_t)(uint32_t)k->kept_rows << 28);
    return (unsigned)((h * 0x9E3779B97F4A7C15ull) >> (64 - MEMO_BITS));
}

/* Cost of tensor i of a candidate (kept shape kr x kc); a removed tensor costs nothing. A decode token runs the slice
 * decode_rows_fraction x decode_cols_fraction of the kept shape (and reads that share of its bytes); each prefill
 * micro-batch also reads prefill_extra_units units (a unit spans read_unit_fraction of the sliced axis: rows unless
 * only the cols are sliced), each costed as one GEMV of the unit without a launch of its own. A dense tensor
 * (1, 1, 1, 0) is its kept shape. */
static void kept_tensor_cost(const ef_ctx *x, const ef_workload *w, int tied, const ef_tensor_shape *full, int32_t f, int32_t k,
                             double ra, int32_t rk, int64_t wb, int32_t kr, int32_t kc, ef_cost *dc, ef_cost *pc) {
    if (kr == 0) { *dc = NO_COST; *pc = NO_COST; return; }
    int low_rank = rk < (kr < kc ? kr : kc);
    double fr = full->decode_rows_fraction, fc = full->decode_cols_fraction;
    tensor_cost(x, w, tied, full->role, (double)kr * fr, (double)kc * fc, low_rank, f, k, ra, rk, (double)wb * fr * fc, dc, pc);
    if (full->prefill_extra_units > 0.0) {
        double u = full->read_unit_fraction;
        int by_cols = fc < 1.0;
        ef_cost ud, unused;
        tensor_cost(x, w, tied, EF_ROLE_LINEAR, by_cols ? (double)kr : (double)kr * u, by_cols ? (double)kc * u : (double)kc, low_rank,
                    f, k, ra, rk, (double)wb * u, &ud, &unused);
        double n = full->prefill_extra_units * x->ubatches; /* unit GEMVs over the whole prefill */
        /* the units run inside the tensor's own operator (llama.cpp's mul_mat_id: one kernel per tensor and
           micro-batch, whatever the experts), so they add bytes and work but no launch of their own */
        pc->bytes += n * ud.bytes;
        pc->ops += n * ud.ops;
        pc->time += n * (ud.time - ud.launch);
    }
}

/* With memo != NULL each choice is validated here on a memo miss (status and message returned);
 * without, the caller has validated the whole candidate. */
static int simulate_one(const ef_device *d, const ef_backend_params *c, const ef_workload *w, const ef_attention *a,
                        const ef_block *blocks, const ef_ctx *x, const ef_tensor_shape *shapes, size_t n, const choice_view *v,
                        ef_result *r, ef_op_cost *ops, memo_entry *memo, char *msg, size_t cap) {
    double dec_bytes = 0, dec_ops = 0, dec_time = 0, pre_bytes = 0, pre_ops = 0, pre_time = 0, weights = 0;
    double pj_op = d->unit[w->backend].pj_per_op;
    double active_w = d->unit[w->backend].active_w;
    double time_w = d->static_power_w + active_w; /* power drawn for as long as the step runs */
    double pj_b = d->energy_pj_per_byte * 1e-12, pj_o = pj_op * 1e-12;
    int tied = a->tied_embeddings;
    /* kept Q, K, V rows per block; -1 = the block has no such tensor (full attention shape). On the
     * stack, sized by the validated layer limit (48 KiB at most): no allocation. */
    int32_t kept_qkv[EF_MAX_LAYERS][3];
    for (int32_t l = 0; l < a->layers; l++) kept_qkv[l][0] = kept_qkv[l][1] = kept_qkv[l][2] = -1;
    for (size_t i = 0; i < n; i++) {
        ef_cost dc, pc;
        int32_t f, k, rk, kr, kc; double ra; int64_t wb;
        VIEW_GET(v, i, f, k, ra, rk, wb, kr, kc);
        const ef_tensor_shape *sh = &shapes[i];
        if (memo != NULL) {
            memo_key key = {sh->rows, sh->cols, cost_role(sh->role), f, k, rk, kr, kc, ra, wb, sh->decode_rows_fraction,
                            sh->decode_cols_fraction, sh->read_unit_fraction, sh->prefill_extra_units};
            memo_entry *e = &memo[memo_slot(&key)];
            if (e->used && memcmp(&e->key, &key, sizeof key) == 0) {
                dc = e->dec;
                pc = e->pre;
            } else {
                int st = validate_choice(sh, f, k, ra, rk, wb, kr, kc, i, msg, cap);
                if (st != EF_OK) return st;
                kept_tensor_cost(x, w, tied, sh, f, k, ra, rk, wb, kr, kc, &dc, &pc);
                e->key = key;
                e->used = 1;
                e->dec = dc;
                e->pre = pc;
            }
        } else {
            kept_tensor_cost(x, w, tied, sh, f, k, ra, rk, wb, kr, kc, &dc, &pc);
        }
        if (sh->role >= EF_ROLE_ATTN_Q) kept_qkv[sh->layer][sh->role - EF_ROLE_ATTN_Q] = kr;
        dec_bytes += dc.bytes; dec_ops += dc.ops; dec_time += dc.time;
        pre_bytes += pc.bytes; pre_ops += pc.ops; pre_time += pc.time;
        weights += (double)wb;
        if (ops != NULL) {
            ops[i].index = (int32_t)i; ops[i].bound = dc.bound; ops[i].bytes = dc.bytes; ops[i].ops = dc.ops;
            ops[i].time_s = dc.time; ops[i].energy_j = dc.bytes * pj_b + dc.ops * pj_o + time_w * dc.time;
        }
    }
    /* decode token i attends to prompt + i + 1 positions (or its window's); costed at the mean over the tokens */
    double ctx_positions = (double)w->context_tokens;
    double kv_cached = 0.0;   /* cached K + V elements over all blocks that attend: rows x the positions each holds */
    double state_bytes = 0.0; /* the recurrent blocks' per-sequence state */
    int32_t last_q = -1, last_kv = -1; /* blocks usually share one attention shape: cost it once */
    double last_w = -1.0;
    ef_cost last_at = NO_COST, last_ap = NO_COST;
    for (int32_t l = 0; l < a->layers; l++) {
        int32_t q = kept_qkv[l][0] >= 0 ? kept_qkv[l][0] : x->full_q_rows;
        int32_t kk = kept_qkv[l][1] >= 0 ? kept_qkv[l][1] : x->full_kv_rows;
        int32_t vv = kept_qkv[l][2] >= 0 ? kept_qkv[l][2] : x->full_kv_rows;
        double W = blocks != NULL ? blocks[l].window_tokens : 0.0;
        int cached = l < a->layers - a->kv_shared_layers; /* shared blocks read another's */
        /* a windowed block's cache: its window plus one micro-batch, or the context when that is shorter */
        double held = (W > 0.0 && W + c->ubatch_tokens < ctx_positions) ? W + c->ubatch_tokens : ctx_positions;
        ef_cost at = NO_COST, ap = NO_COST;
        if (blocks != NULL && blocks[l].kind == EF_BLOCK_LATENT_ATTENTION) { /* validated: no Q/K/V; stated rows */
            attention_cost(x, decode_positions(w, W), blocks[l].query_rows, blocks[l].cache_rows, &at);
            attention_prefill_cost(x, w, blocks[l].query_rows, blocks[l].cache_rows, W, &ap);
            if (cached) kv_cached += blocks[l].cache_rows * held;
        } else if (blocks != NULL && blocks[l].kind != EF_BLOCK_ATTENTION) { /* validated: no Q/K/V, not KV-shared */
            state_cost(x, w, &blocks[l], &at, &ap);
            state_bytes += blocks[l].state_bytes;
        } else if (q > 0 && kk > 0 && vv > 0) { /* a block missing Q, K or V cannot attend: no operator, no cache */
            int32_t kv_rows = kk + vv; /* <= 2 x EF_MAX_DIM: fits */
            if (q != last_q || kv_rows != last_kv || W != last_w) {
                attention_cost(x, decode_positions(w, W), (double)q, (double)kv_rows, &last_at);
                attention_prefill_cost(x, w, (double)q, (double)kv_rows, W, &last_ap);
                last_q = q;
                last_kv = kv_rows;
                last_w = W;
            }
            at = last_at;
            ap = last_ap;
            if (cached) kv_cached += (double)kv_rows * held;
        }
        dec_bytes += at.bytes; dec_ops += at.ops; dec_time += at.time;
        pre_bytes += ap.bytes; pre_ops += ap.ops; pre_time += ap.time;
        if (ops != NULL) {
            ef_op_cost *o = &ops[n + (size_t)l];
            o->index = (int32_t)(n + (size_t)l); o->bound = at.bound; o->bytes = at.bytes; o->ops = at.ops;
            o->time_s = at.time; o->energy_j = at.bytes * pj_b + at.ops * pj_o + time_w * at.time;
        }
    }
    CHECK(dec_time > 0.0 && pre_time > 0.0, EF_ERR_RANGE, "structured pruning removed every operator: nothing left to run");
    double onset = d->thermal_onset_s, sf = d->thermal_sustained_fraction, G = (double)w->generated_tokens;
    double ttft = throttled(0.0, pre_time, onset, sf);
    double gen_time = throttled(ttft, G * dec_time, onset, sf);
    r->decode_tok_s = G / gen_time;
    r->decode_tok_s_sustained = sf / dec_time;
    r->prefill_tok_s = (double)w->prompt_tokens / ttft;
    r->ttft_s = ttft;
    r->energy_j_per_token = dec_bytes * pj_b + dec_ops * pj_o + time_w * gen_time / G;
    r->power_w = r->energy_j_per_token * r->decode_tok_s;
    r->prefill_energy_j = pre_bytes * pj_b + pre_ops * pj_o + time_w * ttft;

    double dim = (double)a->model_dim;
    double L = (double)a->layers;
    double kv = ceil(kv_cached * (double)w->kv_bits / 8.0);
    double ub = (double)w->prompt_tokens < c->ubatch_tokens ? (double)w->prompt_tokens : c->ubatch_tokens;
    /* fp32 activations of one ubatch: residual + normed + attention out (3 x dim), FFN gate and up
     * (2 x hidden), attention scores heads x ubatch x context, and the last token's logits. Full
     * shapes: an upper bound for pruned candidates. */
    double act = 4.0 * (ub * (3.0 * dim + 2.0 * (double)a->hidden_dim) + (double)a->heads * ub * (double)w->context_tokens + (double)a->vocab);
    /* engine fixed bytes + fp32 norm weights (2 per layer + final) */
    double runtime = c->runtime_fixed_bytes + 4.0 * (2.0 * L + 1.0) * dim;
    r->weight_bytes = weights;
    r->kv_cache_bytes = kv;
    r->activation_bytes = act;
    r->runtime_bytes = runtime;
    r->state_bytes = state_bytes;
    r->peak_memory_bytes = weights + kv + state_bytes + act + runtime;
    return EF_OK;
}

int ef_simulate(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                const ef_tensor_shape *shapes, size_t n_tensors,
                const ef_tensor_choice *choices, ef_result *out,
                ef_op_cost *ops, size_t ops_capacity, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    int st = validate_shared(dev, cal, wl, att, blocks, n_blocks, shapes, n_tensors, msg, cap);
    if (st != EF_OK) return st;
    CHECK(choices != NULL, EF_ERR_NULL, "choices are NULL");
    CHECK(out != NULL, EF_ERR_NULL, "result is NULL");
    if (ops != NULL) {
        size_t need = ef_op_count(att, n_tensors);
        CHECK(ops_capacity >= need, EF_ERR_LENGTH, "op breakdown capacity %zu < %zu operators", ops_capacity, need);
    }
    choice_view v = {choices, NULL, NULL, NULL};
    st = validate_view(shapes, n_tensors, &v, msg, cap);
    if (st != EF_OK) return st;
    ef_ctx x;
    make_ctx(dev, cal, wl, att, &x);
    return simulate_one(dev, cal, wl, att, n_blocks > 0 ? blocks : NULL, &x, shapes, n_tensors, &v, out, ops, NULL, msg, cap);
}

static int batch_impl(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                      const ef_attention *att, const ef_block *blocks, size_t n_blocks, const ef_tensor_shape *shapes, size_t n_tensors,
                      const choice_view *all, size_t n_candidates, double *out, int32_t *status, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    int st = validate_shared(dev, cal, wl, att, blocks, n_blocks, shapes, n_tensors, msg, cap);
    if (st != EF_OK) return st;
    CHECK(out != NULL || n_candidates == 0, EF_ERR_NULL, "output is NULL");
    CHECK(status != NULL || n_candidates == 0, EF_ERR_NULL, "status output is NULL");
    CHECK(n_candidates <= ((size_t)1 << 40) / n_tensors, EF_ERR_LENGTH, "n_candidates %zu too large", n_candidates);
    ef_ctx x;
    make_ctx(dev, cal, wl, att, &x);
    memo_entry memo[MEMO_SLOTS];
    memset(memo, 0, sizeof memo);
    int first_failure = 1;
    char scratch[256];
    for (size_t k = 0; k < n_candidates; k++) {
        size_t off = k * n_tensors;
        choice_view v = {all->ch ? all->ch + off : NULL, all->ci ? all->ci + EF_CHOICE_INTS * off : NULL,
                         all->ratio ? all->ratio + off : NULL, all->bytes ? all->bytes + off : NULL};
        ef_result r;
        int cst = simulate_one(dev, cal, wl, att, n_blocks > 0 ? blocks : NULL, &x, shapes, n_tensors, &v, &r, NULL, memo,
                               first_failure ? msg : scratch, first_failure ? cap : sizeof scratch);
        status[k] = cst;
        double *o = out + k * EF_RESULT_FIELDS;
        if (cst != EF_OK) {
            if (first_failure && msg != NULL && cap > 0) {
                char tmp[300];
                snprintf(tmp, sizeof tmp, "candidate %zu: %s", k, msg);
                snprintf(msg, cap, "%s", tmp);
            }
            first_failure = 0;
            for (int f = 0; f < EF_RESULT_FIELDS; f++) o[f] = NAN;
            continue;
        }
#define WRITE(table, name, field) o[EF_WIRE_##table##_##name] = r.field;
        EF_WIRE_RESULT(WRITE)
#undef WRITE
    }
    return EF_OK;
}

int ef_simulate_batch(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                      const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                      const ef_tensor_shape *shapes, size_t n_tensors,
                      const ef_tensor_choice *choices, size_t n_candidates,
                      double *out, int32_t *status, char *msg, size_t cap) {
    CHECK(choices != NULL || n_candidates == 0, EF_ERR_NULL, "choices are NULL");
    ef_tensor_choice dummy;
    choice_view v = {choices ? choices : &dummy, NULL, NULL, NULL};
    return batch_impl(dev, cal, wl, att, blocks, n_blocks, shapes, n_tensors, &v, n_candidates, out, status, msg, cap);
}

int ef_simulate_batch_flat(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                           const ef_attention *att, const ef_block *blocks, size_t n_blocks,
                           const ef_tensor_shape *shapes, size_t n_tensors,
                           const int32_t *choice_ints, const double *sparsity_ratios, const int64_t *weight_bytes,
                           size_t n_candidates, double *out, int32_t *status, char *msg, size_t cap) {
    CHECK((choice_ints != NULL && sparsity_ratios != NULL && weight_bytes != NULL) || n_candidates == 0, EF_ERR_NULL,
          "choice arrays are NULL");
    static const int32_t zi[EF_CHOICE_INTS] = {[EF_WIRE_CHOICE_RANK] = 1, [EF_WIRE_CHOICE_KEPT_ROWS] = 1, [EF_WIRE_CHOICE_KEPT_COLS] = 1};
    static const double zr[1] = {0};
    static const int64_t zb[1] = {1};
    choice_view v = {NULL, choice_ints ? choice_ints : zi, sparsity_ratios ? sparsity_ratios : zr, weight_bytes ? weight_bytes : zb};
    return batch_impl(dev, cal, wl, att, blocks, n_blocks, shapes, n_tensors, &v, n_candidates, out, status, msg, cap);
}

int ef_linear_cost(const ef_device *dev, const ef_backend_params *cal, const ef_workload *wl,
                   const ef_tensor_shape *shape, const ef_tensor_choice *choice, ef_op_cost *out,
                   char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(shape != NULL && choice != NULL && out != NULL, EF_ERR_NULL, "shape, choice or out is NULL");
    CHECK(shape->role == EF_ROLE_LINEAR, EF_ERR_RANGE, "ef_linear_cost needs role EF_ROLE_LINEAR, got %d", (int)shape->role);
    const ef_attention att = {1, 1, 1, 1, 1, 1, 0, 1, 0}; /* no attention: one tensor on its own */
    int st = validate_shared(dev, cal, wl, &att, NULL, 0, shape, 1, msg, cap);
    if (st != EF_OK) return st;
    st = validate_choice(shape, choice->format, choice->sparsity_kind, choice->sparsity_ratio, choice->rank, choice->weight_bytes,
                         choice->kept_rows, choice->kept_cols, 0, msg, cap);
    if (st != EF_OK) return st;
    ef_ctx x;
    make_ctx(dev, cal, wl, &att, &x);
    ef_cost dc, pc;
    kept_tensor_cost(&x, wl, 0, shape, choice->format, choice->sparsity_kind, choice->sparsity_ratio, choice->rank, choice->weight_bytes,
                     choice->kept_rows, choice->kept_cols, &dc, &pc);
    out->index = 0; out->bound = dc.bound; out->bytes = dc.bytes; out->ops = dc.ops; out->time_s = dc.time;
    double pj_op = dev->unit[wl->backend].pj_per_op;
    double active_w = dev->unit[wl->backend].active_w;
    out->energy_j = dc.bytes * dev->energy_pj_per_byte * 1e-12 + dc.ops * pj_op * 1e-12 + (dev->static_power_w + active_w) * dc.time;
    return EF_OK;
}
