/*
 * edgefront_kernels.h - EdgeFront reference weight kernels (C API).
 *
 * Plain, portable C reference implementations of every weight format the simulator models: pack
 * (quantize floats), unpack (dequantize to floats) and GEMV (y = W x, W stored packed, row-major,
 * rows = outputs, cols = inputs), plus unstructured and N:M sparse storage with their GEMVs, and a
 * STREAM-like copy kernel. They exist to check the simulator's cost model on the host
 * (edgefront calibrate-host), not to be fast: each GEMV dequantizes one block to floats and takes
 * its dot product with x, one thread.
 *
 * Storage sizes equal space.WeightFormat's exact bytes (e.g. Q4_0 = 18 bytes per 32 weights,
 * Q4_K = 144 per 256, int4g128 = 64 + 2 bytes per 128). The bit layouts inside a block are
 * EdgeFront's own (scale first, then codes LSB-first), not llama.cpp's byte order.
 *
 * Formats are ef_format ids (edgefront_sim.h); for the generic ids (EF_FMT_INT_BASE + bits - 1)
 * `group` is the group size (0 = one group per row) and `asymmetric` adds an fp16 zero point (the kernels take
 * the symmetric id plus this flag; the simulator's EF_FMT_INT_ASYM_BASE ids are not kernel ids).
 * Like the simulator, no function exits, aborts or allocates; every length is checked against the
 * buffers' stated lengths and a status (ef_status) with a message comes back. Thread-safe.
 */
#ifndef EDGEFRONT_KERNELS_H
#define EDGEFRONT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of one packed row of `cols` weights (format must apply: K-quants need cols % 256 == 0, etc.). */
int ef_k_row_bytes(int32_t format, int32_t group, int32_t asymmetric, int64_t cols, int64_t *out,
                   char *msg, size_t msg_capacity);

/** Quantizes rows x cols floats (row-major) into dst (dst_len >= rows x row bytes). */
int ef_k_pack(int32_t format, int32_t group, int32_t asymmetric, const float *src, int64_t rows, int64_t cols,
              uint8_t *dst, int64_t dst_len, char *msg, size_t msg_capacity);

/** Dequantizes packed weights (src_len >= rows x row bytes) into rows x cols floats. */
int ef_k_unpack(int32_t format, int32_t group, int32_t asymmetric, const uint8_t *src, int64_t src_len,
                int64_t rows, int64_t cols, float *dst, int64_t dst_len, char *msg, size_t msg_capacity);

/** y[rows] = W x[cols] with W packed. */
int ef_k_gemv(int32_t format, int32_t group, int32_t asymmetric, const uint8_t *w, int64_t w_len,
              int64_t rows, int64_t cols, const float *x, int64_t x_len, float *y, int64_t y_len,
              char *msg, size_t msg_capacity);

/**
 * Sparse storage, fp16 values. kind EF_SPARSE_UNSTRUCTURED: per row a bitmap of ceil(cols/8) bytes
 * (all rows' bitmaps first), then the non-zero values row by row; pack keeps the non-zeros of src.
 * kind EF_SPARSE_NM (n of every m consecutive weights, cols % m == 0, 1 <= n < m <= 16): per row
 * n fp16 values per group, then the kept positions as ceil(log2 m)-bit indices (LSB-first);
 * pack keeps the n largest magnitudes of each group.
 * ef_k_sparse_bytes gives the packed size of src.
 */
int ef_k_sparse_bytes(int32_t kind, int32_t n, int32_t m, const float *src, int64_t rows, int64_t cols,
                      int64_t *out, char *msg, size_t msg_capacity);
int ef_k_sparse_pack(int32_t kind, int32_t n, int32_t m, const float *src, int64_t rows, int64_t cols,
                     uint8_t *dst, int64_t dst_len, char *msg, size_t msg_capacity);
int ef_k_sparse_unpack(int32_t kind, int32_t n, int32_t m, const uint8_t *src, int64_t src_len,
                       int64_t rows, int64_t cols, float *dst, int64_t dst_len, char *msg, size_t msg_capacity);
int ef_k_sparse_gemv(int32_t kind, int32_t n, int32_t m, const uint8_t *w, int64_t w_len, int64_t rows,
                     int64_t cols, const float *x, int64_t x_len, float *y, int64_t y_len, char *msg,
                     size_t msg_capacity);

/**
 * Times `reps` GEMVs (after one untimed warm-up) and writes the fastest, seconds. sparse_kind
 * EF_SPARSE_NONE uses (format, group, asymmetric); otherwise the sparse kernel with (n, m).
 */
int ef_k_time_gemv(int32_t format, int32_t group, int32_t asymmetric, int32_t sparse_kind, int32_t n, int32_t m,
                   const uint8_t *w, int64_t w_len, int64_t rows, int64_t cols, const float *x, int64_t x_len,
                   float *y, int64_t y_len, int32_t reps, double *best_seconds, char *msg, size_t msg_capacity);

/** STREAM-like copy b = a of n floats, `reps` times; writes the best bytes/s (read + write counted). */
int ef_k_stream_copy(const float *a, float *b, int64_t n, int32_t reps, double *bytes_per_s, char *msg,
                     size_t msg_capacity);

/** Read-only stream: sums n floats (eight partial sums, like the GEMV kernels' dot), `reps` times; writes the
 *  best bytes/s read. What one thread of the reference GEMVs can stream, unlike the copy (which also writes). */
int ef_k_stream_read(const float *a, int64_t n, int32_t reps, double *bytes_per_s, char *msg, size_t msg_capacity);

/** Core clock as one thread runs it: times a chain of `adds` dependent one-cycle integer additions (eight per loop
 *  trip, so the loop's own counter runs beside the chain), `reps` times, and writes the best additions per second.
 *  Needs x86-64 or AArch64 (inline assembly keeps the chain from being folded); elsewhere EF_ERR_UNSUPPORTED. Why:
 *  a virtual machine's /proc/cpuinfo lists the base clock while the core runs at its boost clock. */
int ef_k_clock_hz(int64_t adds, int32_t reps, double *hz, char *msg, size_t msg_capacity);

/** IEEE binary16 / bfloat16 conversions used by the kernels (round to nearest even). */
uint16_t ef_k_f32_to_f16(float f);
float ef_k_f16_to_f32(uint16_t h);
uint16_t ef_k_f32_to_bf16(float f);
float ef_k_bf16_to_f32(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif /* EDGEFRONT_KERNELS_H */
