/* EdgeFront reference weight kernels. See include/edgefront_kernels.h for the contract.
 * No allocation, no global mutable state, no exit/abort: every failure returns a status. */
#define _POSIX_C_SOURCE 199309L
#include "edgefront_kernels.h"
#include "edgefront_sim.h"
#include "ef_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_DIM ((int64_t)1 << 31)
#define MAX_BLOCK 256


/* ------------------------------------------------------------------ fp16 / bf16 */

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

uint16_t ef_k_f32_to_f16(float f) {
    uint32_t x = f2u(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return (uint16_t)(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u)); /* NaN / inf */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);                                /* overflow -> inf */
    if (ax < 0x38800000u) {                                                                  /* subnormal half */
        /* value = ax as float; half subnormal unit is 2^-24 */
        float v = u2f(ax) * 16777216.0f; /* scale by 2^24: now the integer count of units */
        uint32_t q = (uint32_t)v;
        float rem = v - (float)q;
        if (rem > 0.5f || (rem == 0.5f && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    uint32_t mant = ax & 0x7fffffu;
    int32_t exp = (int32_t)(ax >> 23) - 127 + 15;
    uint32_t h = ((uint32_t)exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++; /* carries into the exponent correctly */
    return (uint16_t)(sign | h);
}

float ef_k_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0) {
        float v = (float)mant * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    if (exp == 31) return u2f(sign | 0x7f800000u | (mant << 13));
    return u2f(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t ef_k_f32_to_bf16(float f) {
    uint32_t x = f2u(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
    uint32_t lsb = (x >> 16) & 1u;
    x += 0x7fffu + lsb;
    return (uint16_t)(x >> 16);
}

float ef_k_bf16_to_f32(uint16_t h) { return u2f((uint32_t)h << 16); }

static float rd16(const uint8_t *p) { return ef_k_f16_to_f32((uint16_t)(p[0] | (p[1] << 8))); }
static void wr16(uint8_t *p, float v) { uint16_t h = ef_k_f32_to_f16(v); p[0] = (uint8_t)h; p[1] = (uint8_t)(h >> 8); }

/* ------------------------------------------------------------------ bit streams (LSB first) */

static unsigned getb(const uint8_t *p, size_t bit, unsigned n) {
    size_t b = bit >> 3;
    unsigned s = (unsigned)(bit & 7u);
    unsigned v = (unsigned)p[b] >> s;
    if (s + n > 8) v |= (unsigned)p[b + 1] << (8 - s);
    return v & ((1u << n) - 1u);
}

static void putb(uint8_t *p, size_t bit, unsigned n, unsigned v) {
    for (unsigned i = 0; i < n; i++) {
        size_t k = bit + i;
        if ((v >> i) & 1u) p[k >> 3] |= (uint8_t)(1u << (k & 7u));
        else p[k >> 3] &= (uint8_t)~(1u << (k & 7u));
    }
}

static int clampi(long v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : (int)v); }
static long rnd(float v) { return lroundf(v); }

/* ------------------------------------------------------------------ format descriptions */

typedef struct {
    int32_t id;
    int block;      /* weights per block (0 = one group per row, generic only) */
    int block_bytes;
    int bits;       /* generic bits */
    int asym;
} kfmt;

static int is_generic(int32_t f) { return f >= EF_FMT_INT_BASE && f < EF_FMT_INT_BASE + 8; }

static int describe(int32_t format, int32_t group, int32_t asym, int64_t cols, kfmt *k, char *msg, size_t cap) {
    CHECK(cols >= 1 && cols < MAX_DIM, EF_ERR_RANGE, "cols %lld out of range", (long long)cols);
    memset(k, 0, sizeof *k);
    k->id = format;
    if (is_generic(format)) {
        CHECK(asym == 0 || asym == 1, EF_ERR_RANGE, "asymmetric must be 0 or 1, got %d", (int)asym);
        CHECK(group >= 0 && group <= 1 << 20, EF_ERR_RANGE, "group %d out of range [0, 2^20]", (int)group);
        k->bits = format - EF_FMT_INT_BASE + 1;
        k->asym = asym;
        k->block = group;
        k->block_bytes = group == 0 ? 0 : (k->bits * group + 7) / 8 + 2 * (1 + asym);
        return EF_OK;
    }
    ef_format_info info; /* blocks and bytes from the one format table */
    CHECK(ef_format_describe(format, &info) == EF_OK && info.generic_bits == 0, EF_ERR_ENUM, "format id %d unknown", (int)format);
    CHECK(format <= EF_FMT_Q6_K, EF_ERR_UNSUPPORTED, "format id %d has no reference kernel", (int)format);
    k->block = info.block_weights;
    k->block_bytes = info.block_bytes;
    if (k->block == 1) return EF_OK;
    CHECK(cols % k->block == 0, EF_ERR_RANGE, "format %d needs cols divisible by %d, got %lld", (int)format, k->block, (long long)cols);
    return EF_OK;
}

static int64_t row_bytes(const kfmt *k, int64_t cols) {
    if (!is_generic(k->id)) return cols / k->block * k->block_bytes;
    int sc = 2 * (1 + k->asym);
    if (k->block == 0) return ((int64_t)k->bits * cols + 7) / 8 + sc;
    int64_t full = cols / k->block, rest = cols % k->block;
    return full * k->block_bytes + (rest > 0 ? ((int64_t)k->bits * rest + 7) / 8 + sc : 0);
}

int ef_k_row_bytes(int32_t format, int32_t group, int32_t asymmetric, int64_t cols, int64_t *out, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(out != NULL, EF_ERR_NULL, "out is NULL");
    kfmt k;
    int st = describe(format, group, asymmetric, cols, &k, msg, cap);
    if (st != EF_OK) return st;
    *out = row_bytes(&k, cols);
    return EF_OK;
}

/* ------------------------------------------------------------------ block quantizers */

static float amax_of(const float *x, int n) { float m = 0; for (int i = 0; i < n; i++) { float a = fabsf(x[i]); if (a > m) m = a; } return m; }
static void minmax(const float *x, int n, float *lo, float *hi) {
    float a = x[0], b = x[0];
    for (int i = 1; i < n; i++) { if (x[i] < a) a = x[i]; if (x[i] > b) b = x[i]; }
    *lo = a; *hi = b;
}

/* Symmetric block with `bits`-bit codes q in [0, 2^bits), value = d (q - 2^(bits-1)); codes at `codes` bit offset 0. */
static void pack_sym(const float *x, int n, int bits, uint8_t *scale_at, uint8_t *codes) {
    int half = 1 << (bits - 1);
    float d = amax_of(x, n) / (float)(half - (bits > 1 ? 1 : 0));
    if (bits == 1) { /* sign code: the mean magnitude minimizes the squared error */
        double a = 0;
        for (int i = 0; i < n; i++) a += fabsf(x[i]);
        d = (float)(a / n);
    }
    wr16(scale_at, d);
    float dq = rd16(scale_at);
    float id = dq != 0.0f ? 1.0f / dq : 0.0f;
    for (int i = 0; i < n; i++) {
        unsigned q;
        if (bits == 1) q = x[i] >= 0.0f ? 1u : 0u; /* +-d */
        else q = (unsigned)clampi(rnd(x[i] * id) + half, 0, (1 << bits) - 1);
        putb(codes, (size_t)i * bits, (unsigned)bits, q);
    }
}

/* Asymmetric block: value = d q + m, m = block minimum. */
static void pack_asym(const float *x, int n, int bits, uint8_t *d_at, uint8_t *m_at, uint8_t *codes) {
    float lo, hi;
    minmax(x, n, &lo, &hi);
    int top = (1 << bits) - 1;
    wr16(d_at, (hi - lo) / (float)top);
    wr16(m_at, lo);
    float d = rd16(d_at), m = rd16(m_at);
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int i = 0; i < n; i++) putb(codes, (size_t)i * bits, (unsigned)bits, (unsigned)clampi(rnd((x[i] - m) * id), 0, top));
}

/* 6-bit fields packed LSB-first in 12 bytes (K-quant sub-block scales). */
static unsigned get6(const uint8_t *p, int i) { return getb(p, (size_t)i * 6, 6); }

/* Quantizes one 256-weight super-block, writes block_bytes bytes. */
static void pack_k(int32_t f, const float *x, uint8_t *o) {
    switch (f) {
    case EF_FMT_Q2_K: { /* scales[16] (lo nibble scale, hi nibble min), qs[64], d, dmin; value = d sc q - dmin mn */
        float s[16], mn[16], ms = 0, mm = 0;
        for (int j = 0; j < 16; j++) {
            float lo, hi;
            minmax(x + 16 * j, 16, &lo, &hi);
            if (lo > 0) lo = 0;
            s[j] = (hi - lo) / 3.0f; mn[j] = -lo;
            if (s[j] > ms) ms = s[j];
            if (mn[j] > mm) mm = mn[j];
        }
        wr16(o + 80, ms / 15.0f); wr16(o + 82, mm / 15.0f);
        float d = rd16(o + 80), dm = rd16(o + 82);
        for (int j = 0; j < 16; j++) {
            int sc = d > 0 ? clampi(rnd(s[j] / d), 0, 15) : 0, m = dm > 0 ? clampi(rnd(mn[j] / dm), 0, 15) : 0;
            o[j] = (uint8_t)(sc | (m << 4));
            float ds = d * (float)sc, mv = dm * (float)m;
            for (int i = 0; i < 16; i++) {
                int q = ds > 0 ? clampi(rnd((x[16 * j + i] + mv) / ds), 0, 3) : 0;
                putb(o + 16, (size_t)(16 * j + i) * 2, 2, (unsigned)q);
            }
        }
        return;
    }
    case EF_FMT_Q3_K: { /* hmask[32], qs[64], scales[12] (16 x 6-bit, offset 32), d; value = d (sc-32) (q-4) */
        float s[16], ms = 0;
        for (int j = 0; j < 16; j++) { s[j] = amax_of(x + 16 * j, 16) / 4.0f; if (s[j] > ms) ms = s[j]; }
        wr16(o + 108, ms / 31.0f);
        float d = rd16(o + 108);
        memset(o + 96, 0, 12);
        for (int j = 0; j < 16; j++) {
            int sc = d > 0 ? clampi(rnd(s[j] / d), 0, 31) : 0;
            putb(o + 96, (size_t)j * 6, 6, (unsigned)(sc + 32));
            float ds = d * (float)sc;
            for (int i = 0; i < 16; i++) {
                int q = ds > 0 ? clampi(rnd(x[16 * j + i] / ds) + 4, 0, 7) : 4;
                int k = 16 * j + i;
                putb(o, (size_t)k, 1, (unsigned)(q >> 2));
                putb(o + 32, (size_t)k * 2, 2, (unsigned)(q & 3));
            }
        }
        return;
    }
    case EF_FMT_Q4_K: case EF_FMT_Q5_K: { /* d, dmin, scales[12] (8 x (6-bit scale, 6-bit min)), [qh 32], qs[128] */
        int bits = f == EF_FMT_Q4_K ? 4 : 5, top = (1 << bits) - 1;
        uint8_t *qh = o + 16, *qs = o + (bits == 5 ? 48 : 16);
        float s[8], mn[8], ms = 0, mm = 0;
        for (int j = 0; j < 8; j++) {
            float lo, hi;
            minmax(x + 32 * j, 32, &lo, &hi);
            if (lo > 0) lo = 0;
            s[j] = (hi - lo) / (float)top; mn[j] = -lo;
            if (s[j] > ms) ms = s[j];
            if (mn[j] > mm) mm = mn[j];
        }
        wr16(o, ms / 63.0f); wr16(o + 2, mm / 63.0f);
        float d = rd16(o), dm = rd16(o + 2);
        memset(o + 4, 0, 12);
        for (int j = 0; j < 8; j++) {
            int sc = d > 0 ? clampi(rnd(s[j] / d), 0, 63) : 0, m = dm > 0 ? clampi(rnd(mn[j] / dm), 0, 63) : 0;
            putb(o + 4, (size_t)(2 * j) * 6, 6, (unsigned)sc);
            putb(o + 4, (size_t)(2 * j + 1) * 6, 6, (unsigned)m);
            float ds = d * (float)sc, mv = dm * (float)m;
            for (int i = 0; i < 32; i++) {
                int k = 32 * j + i;
                int q = ds > 0 ? clampi(rnd((x[k] + mv) / ds), 0, top) : 0;
                putb(qs, (size_t)k * 4, 4, (unsigned)(q & 15));
                if (bits == 5) putb(qh, (size_t)k, 1, (unsigned)(q >> 4));
            }
        }
        return;
    }
    case EF_FMT_Q6_K: default: { /* ql[128], qh[64], scales[16] int8, d; value = d sc (q - 32) */
        float s[16], ms = 0;
        for (int j = 0; j < 16; j++) { s[j] = amax_of(x + 16 * j, 16) / 31.0f; if (s[j] > ms) ms = s[j]; }
        wr16(o + 208, ms / 127.0f);
        float d = rd16(o + 208);
        for (int j = 0; j < 16; j++) {
            int sc = d > 0 ? clampi(rnd(s[j] / d), 0, 127) : 0;
            o[192 + j] = (uint8_t)(int8_t)sc;
            float ds = d * (float)sc;
            for (int i = 0; i < 16; i++) {
                int k = 16 * j + i;
                int q = ds > 0 ? clampi(rnd(x[k] / ds) + 32, 0, 63) : 32;
                putb(o, (size_t)k * 4, 4, (unsigned)(q & 15));
                putb(o + 128, (size_t)k * 2, 2, (unsigned)(q >> 4));
            }
        }
        return;
    }
    }
}

static void unpack_k(int32_t f, const uint8_t *o, float *y) {
    switch (f) {
    case EF_FMT_Q2_K: {
        float d = rd16(o + 80), dm = rd16(o + 82);
        for (int j = 0; j < 16; j++) {
            float ds = d * (float)(o[j] & 15), mv = dm * (float)(o[j] >> 4);
            for (int i = 0; i < 16; i++) { int k = 16 * j + i; y[k] = ds * (float)((o[16 + (k >> 2)] >> (2 * (k & 3))) & 3) - mv; }
        }
        return;
    }
    case EF_FMT_Q3_K: {
        float d = rd16(o + 108);
        for (int j = 0; j < 16; j++) {
            float ds = d * (float)((int)get6(o + 96, j) - 32);
            for (int i = 0; i < 16; i++) {
                int k = 16 * j + i;
                int q = (int)((o[32 + (k >> 2)] >> (2 * (k & 3))) & 3) | (int)(((o[k >> 3] >> (k & 7)) & 1) << 2);
                y[k] = ds * (float)(q - 4);
            }
        }
        return;
    }
    case EF_FMT_Q4_K: case EF_FMT_Q5_K: {
        int five = f == EF_FMT_Q5_K;
        const uint8_t *qh = o + 16, *qs = o + (five ? 48 : 16);
        float d = rd16(o), dm = rd16(o + 2);
        for (int j = 0; j < 8; j++) {
            float ds = d * (float)get6(o + 4, 2 * j), mv = dm * (float)get6(o + 4, 2 * j + 1);
            for (int i = 0; i < 32; i++) {
                int k = 32 * j + i;
                int q = (qs[k >> 1] >> (4 * (k & 1))) & 15;
                if (five) q |= ((qh[k >> 3] >> (k & 7)) & 1) << 4;
                y[k] = ds * (float)q - mv;
            }
        }
        return;
    }
    case EF_FMT_Q6_K: default: {
        float d = rd16(o + 208);
        for (int j = 0; j < 16; j++) {
            float ds = d * (float)(int8_t)o[192 + j];
            for (int i = 0; i < 16; i++) {
                int k = 16 * j + i;
                int q = ((o[k >> 1] >> (4 * (k & 1))) & 15) | (((o[128 + (k >> 2)] >> (2 * (k & 3))) & 3) << 4);
                y[k] = ds * (float)(q - 32);
            }
        }
        return;
    }
    }
}

/* One block (n weights) of a 32-block or generic format: pack / unpack. */
static void pack_block(const kfmt *k, const float *x, int n, uint8_t *o) {
    switch (k->id) {
    case EF_FMT_Q8_0: {
        wr16(o, amax_of(x, n) / 127.0f);
        float d = rd16(o), id = d != 0 ? 1.0f / d : 0.0f;
        for (int i = 0; i < n; i++) o[2 + i] = (uint8_t)(int8_t)clampi(rnd(x[i] * id), -127, 127);
        return;
    }
    case EF_FMT_Q4_0: pack_sym(x, n, 4, o, o + 2); return;
    case EF_FMT_Q4_1: pack_asym(x, n, 4, o, o + 2, o + 4); return;
    case EF_FMT_Q5_0: { /* d, qh[4], qs[16]: 5-bit code, value = d (q - 16) */
        wr16(o, amax_of(x, n) / 15.0f);
        float d = rd16(o), id = d != 0 ? 1.0f / d : 0.0f;
        for (int i = 0; i < n; i++) {
            unsigned q = (unsigned)clampi(rnd(x[i] * id) + 16, 0, 31);
            putb(o + 2, (size_t)i, 1, q >> 4);
            putb(o + 6, (size_t)i * 4, 4, q & 15u);
        }
        return;
    }
    case EF_FMT_Q5_1: { /* d, m, qh[4], qs[16] */
        float lo, hi;
        minmax(x, n, &lo, &hi);
        wr16(o, (hi - lo) / 31.0f); wr16(o + 2, lo);
        float d = rd16(o), m = rd16(o + 2), id = d != 0 ? 1.0f / d : 0.0f;
        for (int i = 0; i < n; i++) {
            unsigned q = (unsigned)clampi(rnd((x[i] - m) * id), 0, 31);
            putb(o + 4, (size_t)i, 1, q >> 4);
            putb(o + 8, (size_t)i * 4, 4, q & 15u);
        }
        return;
    }
    default: /* generic: scale [, zero], codes */
        memset(o, 0, (size_t)(2 * (1 + k->asym)) + ((size_t)k->bits * (size_t)n + 7) / 8);
        if (k->asym) pack_asym(x, n, k->bits, o, o + 2, o + 4);
        else pack_sym(x, n, k->bits, o, o + 2);
        return;
    }
}

static void unpack_block(const kfmt *k, const uint8_t *o, int n, float *y) {
    switch (k->id) {
    case EF_FMT_Q8_0: { float d = rd16(o); for (int i = 0; i < n; i++) y[i] = d * (float)(int8_t)o[2 + i]; return; }
    case EF_FMT_Q4_0: { float d = rd16(o); for (int i = 0; i < n; i++) y[i] = d * (float)((int)((o[2 + (i >> 1)] >> (4 * (i & 1))) & 15) - 8); return; }
    case EF_FMT_Q4_1: { float d = rd16(o), m = rd16(o + 2); for (int i = 0; i < n; i++) y[i] = d * (float)((o[4 + (i >> 1)] >> (4 * (i & 1))) & 15) + m; return; }
    case EF_FMT_Q5_0: {
        float d = rd16(o);
        for (int i = 0; i < n; i++) {
            int q = ((o[6 + (i >> 1)] >> (4 * (i & 1))) & 15) | (((o[2 + (i >> 3)] >> (i & 7)) & 1) << 4);
            y[i] = d * (float)(q - 16);
        }
        return;
    }
    case EF_FMT_Q5_1: {
        float d = rd16(o), m = rd16(o + 2);
        for (int i = 0; i < n; i++) {
            int q = ((o[8 + (i >> 1)] >> (4 * (i & 1))) & 15) | (((o[4 + (i >> 3)] >> (i & 7)) & 1) << 4);
            y[i] = d * (float)q + m;
        }
        return;
    }
    default: {
        float d = rd16(o);
        unsigned b = (unsigned)k->bits;
        if (k->asym) {
            float m = rd16(o + 2);
            for (int i = 0; i < n; i++) y[i] = d * (float)getb(o + 4, (size_t)i * b, b) + m;
        } else if (b == 1) {
            for (int i = 0; i < n; i++) y[i] = getb(o + 2, (size_t)i, 1) ? d : -d;
        } else {
            int half = 1 << (b - 1);
            for (int i = 0; i < n; i++) y[i] = d * (float)((int)getb(o + 2, (size_t)i * b, b) - half);
        }
        return;
    }
    }
}

/* Dot product with eight independent partial sums: no loop-carried add latency chain, and a fixed
 * summation order (no -ffast-math reassociation), so results are reproducible. */
static float dot(const float *a, const float *b, int64_t n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += a[i + k] * b[i + k];
    float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; i++) t += a[i] * b[i];
    return t;
}

/* The same dot product reading the weights straight from a packed float row (F32, F16 or BF16 stored
 * little-endian), converting each as it is loaded. Same values and summation order as dot() over a
 * staged copy, so results are bit-identical; but no round trip through a stack buffer, whose extra
 * stores made the out-of-cache F32 GEMV reach only ~7 GB/s where a read stream reaches ~23 GB/s on
 * the calibration host (BENCHMARKS.md, simulator section). */
static float ld_f32(const uint8_t *p) { float f; memcpy(&f, p, 4); return f; }
static float ld_bf16(const uint8_t *p) { return ef_k_bf16_to_f32((uint16_t)(p[0] | (p[1] << 8))); }
#define EF_DOT_PACKED(name, width, load)                                                   \
    static float name(const uint8_t *w, const float *b, int64_t n) {                       \
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                             \
        int64_t i = 0;                                                                     \
        for (; i + 8 <= n; i += 8)                                                         \
            for (int k = 0; k < 8; k++) s[k] += load(w + (width) * (i + k)) * b[i + k];    \
        float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));       \
        for (; i < n; i++) t += load(w + (width) * i) * b[i];                              \
        return t;                                                                          \
    }
EF_DOT_PACKED(dot_f32_packed, 4, ld_f32)
EF_DOT_PACKED(dot_f16_packed, 2, rd16)
EF_DOT_PACKED(dot_bf16_packed, 2, ld_bf16)

/* Walks one packed row block by block: calls fn(block floats, n, offset) after dequantizing. */
typedef struct { float *dst; const float *x; double acc; } row_sink;

static void row_blocks(const kfmt *k, const uint8_t *row, int64_t cols, row_sink *sink, int want_dot) {
    float buf[MAX_BLOCK];
    if (k->id == EF_FMT_F32 || k->id == EF_FMT_F16 || k->id == EF_FMT_BF16) {
        for (int64_t c = 0; c < cols; c += MAX_BLOCK) {
            int n = (int)(cols - c < MAX_BLOCK ? cols - c : MAX_BLOCK);
            if (want_dot) { /* chunks of MAX_BLOCK keep the summation order of the staged version */
                if (k->id == EF_FMT_F32) sink->acc += dot_f32_packed(row + 4 * c, sink->x + c, n);
                else if (k->id == EF_FMT_F16) sink->acc += dot_f16_packed(row + 2 * c, sink->x + c, n);
                else sink->acc += dot_bf16_packed(row + 2 * c, sink->x + c, n);
                continue;
            }
            if (k->id == EF_FMT_F32) memcpy(buf, row + 4 * c, (size_t)n * 4);
            else if (k->id == EF_FMT_F16) for (int i = 0; i < n; i++) buf[i] = rd16(row + 2 * (c + i));
            else for (int i = 0; i < n; i++) buf[i] = ef_k_bf16_to_f32((uint16_t)(row[2 * (c + i)] | (row[2 * (c + i) + 1] << 8)));
            if (want_dot) sink->acc += dot(buf, sink->x + c, n);
            else memcpy(sink->dst + c, buf, (size_t)n * 4);
        }
        return;
    }
    int64_t blk = k->block == 0 ? cols : k->block;
    const uint8_t *p = row;
    int generic = is_generic(k->id);
    int sc = 2 * (1 + k->asym);
    for (int64_t c = 0; c < cols; c += blk) {
        int64_t n = cols - c < blk ? cols - c : blk;
        if (!generic && n == 256) unpack_k(k->id, p, buf);
        if (generic && n > MAX_BLOCK) {
            /* long groups (per-row or > 256): dequantize in chunks of MAX_BLOCK codes sharing the scale */
            float d = rd16(p), m = k->asym ? rd16(p + 2) : 0.0f;
            unsigned b = (unsigned)k->bits;
            int half = 1 << (b - 1);
            for (int64_t i0 = 0; i0 < n; i0 += MAX_BLOCK) {
                int m2 = (int)(n - i0 < MAX_BLOCK ? n - i0 : MAX_BLOCK);
                for (int i = 0; i < m2; i++) {
                    unsigned q = getb(p + sc, (size_t)(i0 + i) * b, b);
                    buf[i] = k->asym ? d * (float)q + m : (b == 1 ? (q ? d : -d) : d * (float)((int)q - half));
                }
                if (want_dot) sink->acc += dot(buf, sink->x + c + i0, m2);
                else memcpy(sink->dst + c + i0, buf, (size_t)m2 * 4);
            }
            p += ((size_t)b * (size_t)n + 7) / 8 + (size_t)sc;
            continue;
        }
        if (generic || n != 256) unpack_block(k, p, (int)n, buf);
        if (want_dot) sink->acc += dot(buf, sink->x + c, n);
        else memcpy(sink->dst + c, buf, (size_t)n * 4);
        p += generic ? ((size_t)k->bits * (size_t)n + 7) / 8 + (size_t)sc : (size_t)k->block_bytes;
    }
}

static int check_dims(int64_t rows, int64_t cols, char *msg, size_t cap) {
    CHECK(rows >= 1 && rows < MAX_DIM && cols >= 1 && cols < MAX_DIM, EF_ERR_RANGE, "shape %lld x %lld out of range",
           (long long)rows, (long long)cols);
    CHECK((double)rows * (double)cols < 9e15, EF_ERR_RANGE, "shape too large");
    return EF_OK;
}

int ef_k_pack(int32_t format, int32_t group, int32_t asym, const float *src, int64_t rows, int64_t cols,
              uint8_t *dst, int64_t dst_len, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(src != NULL && dst != NULL, EF_ERR_NULL, "src or dst is NULL");
    int st = check_dims(rows, cols, msg, cap);
    if (st != EF_OK) return st;
    kfmt k;
    if ((st = describe(format, group, asym, cols, &k, msg, cap)) != EF_OK) return st;
    int64_t rb = row_bytes(&k, cols);
    CHECK(dst_len >= rb * rows, EF_ERR_LENGTH, "dst has %lld bytes, need %lld", (long long)dst_len, (long long)(rb * rows));
    for (int64_t r = 0; r < rows; r++) {
        const float *x = src + r * cols;
        uint8_t *o = dst + r * rb;
        if (format == EF_FMT_F32) { memcpy(o, x, (size_t)cols * 4); continue; }
        if (format == EF_FMT_F16 || format == EF_FMT_BF16) {
            for (int64_t c = 0; c < cols; c++) {
                uint16_t h = format == EF_FMT_F16 ? ef_k_f32_to_f16(x[c]) : ef_k_f32_to_bf16(x[c]);
                o[2 * c] = (uint8_t)h; o[2 * c + 1] = (uint8_t)(h >> 8);
            }
            continue;
        }
        int64_t blk = k.block == 0 ? cols : k.block;
        int sc = 2 * (1 + k.asym);
        for (int64_t c = 0; c < cols; c += blk) {
            int64_t n = cols - c < blk ? cols - c : blk;
            if (!is_generic(format)) {
                if (k.block == 256) pack_k(format, x + c, o);
                else pack_block(&k, x + c, (int)n, o);
                o += k.block_bytes;
            } else {
                size_t nb = ((size_t)k.bits * (size_t)n + 7) / 8 + (size_t)sc;
                memset(o, 0, nb);
                if (k.asym) pack_asym(x + c, (int)n, k.bits, o, o + 2, o + 4);
                else pack_sym(x + c, (int)n, k.bits, o, o + 2);
                o += nb;
            }
        }
    }
    return EF_OK;
}

int ef_k_unpack(int32_t format, int32_t group, int32_t asym, const uint8_t *src, int64_t src_len,
                int64_t rows, int64_t cols, float *dst, int64_t dst_len, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(src != NULL && dst != NULL, EF_ERR_NULL, "src or dst is NULL");
    int st = check_dims(rows, cols, msg, cap);
    if (st != EF_OK) return st;
    kfmt k;
    if ((st = describe(format, group, asym, cols, &k, msg, cap)) != EF_OK) return st;
    int64_t rb = row_bytes(&k, cols);
    CHECK(src_len >= rb * rows, EF_ERR_LENGTH, "src has %lld bytes, need %lld", (long long)src_len, (long long)(rb * rows));
    CHECK(dst_len >= rows * cols, EF_ERR_LENGTH, "dst has %lld floats, need %lld", (long long)dst_len, (long long)(rows * cols));
    for (int64_t r = 0; r < rows; r++) {
        row_sink s = {dst + r * cols, NULL, 0};
        row_blocks(&k, src + r * rb, cols, &s, 0);
    }
    return EF_OK;
}

int ef_k_gemv(int32_t format, int32_t group, int32_t asym, const uint8_t *w, int64_t w_len,
              int64_t rows, int64_t cols, const float *x, int64_t x_len, float *y, int64_t y_len, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(w != NULL && x != NULL && y != NULL, EF_ERR_NULL, "w, x or y is NULL");
    int st = check_dims(rows, cols, msg, cap);
    if (st != EF_OK) return st;
    kfmt k;
    if ((st = describe(format, group, asym, cols, &k, msg, cap)) != EF_OK) return st;
    int64_t rb = row_bytes(&k, cols);
    CHECK(w_len >= rb * rows, EF_ERR_LENGTH, "w has %lld bytes, need %lld", (long long)w_len, (long long)(rb * rows));
    CHECK(x_len >= cols && y_len >= rows, EF_ERR_LENGTH, "x has %lld (need %lld), y has %lld (need %lld)",
           (long long)x_len, (long long)cols, (long long)y_len, (long long)rows);
    for (int64_t r = 0; r < rows; r++) {
        row_sink s = {NULL, x, 0};
        row_blocks(&k, w + r * rb, cols, &s, 1);
        y[r] = (float)s.acc;
    }
    return EF_OK;
}

/* ------------------------------------------------------------------ sparse */

static int idx_bits(int m) { int b = 0; while ((1 << b) < m) b++; return b; }

static int check_sparse(int32_t kind, int32_t n, int32_t m, int64_t rows, int64_t cols, char *msg, size_t cap) {
    int st = check_dims(rows, cols, msg, cap);
    if (st != EF_OK) return st;
    CHECK(kind == EF_SPARSE_UNSTRUCTURED || kind == EF_SPARSE_NM, EF_ERR_ENUM, "sparsity kind %d is not 1 (unstructured) or 2 (N:M)", (int)kind);
    if (kind == EF_SPARSE_NM) {
        CHECK(m >= 2 && m <= 16 && n >= 1 && n < m, EF_ERR_RANGE, "N:M needs 1 <= n < m <= 16, got %d:%d", (int)n, (int)m);
        CHECK(cols % m == 0, EF_ERR_RANGE, "N:M needs cols %lld divisible by m %d", (long long)cols, (int)m);
    }
    return EF_OK;
}

static int64_t nm_row_bytes(int n, int m, int64_t cols) {
    int64_t kept = cols / m * n;
    return kept * 2 + (kept * idx_bits(m) + 7) / 8;
}

int ef_k_sparse_bytes(int32_t kind, int32_t n, int32_t m, const float *src, int64_t rows, int64_t cols,
                      int64_t *out, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(out != NULL && src != NULL, EF_ERR_NULL, "src or out is NULL");
    int st = check_sparse(kind, n, m, rows, cols, msg, cap);
    if (st != EF_OK) return st;
    if (kind == EF_SPARSE_NM) { *out = rows * nm_row_bytes(n, m, cols); return EF_OK; }
    int64_t nnz = 0;
    for (int64_t i = 0; i < rows * cols; i++) nnz += src[i] != 0.0f;
    *out = rows * ((cols + 7) / 8) + 2 * nnz;
    return EF_OK;
}

int ef_k_sparse_pack(int32_t kind, int32_t n, int32_t m, const float *src, int64_t rows, int64_t cols,
                     uint8_t *dst, int64_t dst_len, char *msg, size_t cap) {
    int64_t need;
    int st = ef_k_sparse_bytes(kind, n, m, src, rows, cols, &need, msg, cap);
    if (st != EF_OK) return st;
    CHECK(dst != NULL, EF_ERR_NULL, "dst is NULL");
    CHECK(dst_len >= need, EF_ERR_LENGTH, "dst has %lld bytes, need %lld", (long long)dst_len, (long long)need);
    if (kind == EF_SPARSE_UNSTRUCTURED) {
        int64_t bm = (cols + 7) / 8;
        memset(dst, 0, (size_t)(rows * bm));
        uint8_t *v = dst + rows * bm;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++) {
                float f = src[r * cols + c];
                if (f != 0.0f) { dst[r * bm + (c >> 3)] |= (uint8_t)(1u << (c & 7)); wr16(v, f); v += 2; }
            }
        return EF_OK;
    }
    int ib = idx_bits(m);
    int64_t rb = nm_row_bytes(n, m, cols), kept = cols / m * n;
    for (int64_t r = 0; r < rows; r++) {
        uint8_t *o = dst + r * rb, *idx = o + kept * 2;
        memset(idx, 0, (size_t)(rb - kept * 2));
        int64_t slot = 0;
        for (int64_t g = 0; g < cols; g += m) {
            const float *x = src + r * cols + g;
            unsigned used = 0;
            int pos[16];
            for (int t = 0; t < n; t++) { /* n largest magnitudes, kept in position order below */
                int best = -1;
                for (int i = 0; i < m; i++) if (!((used >> i) & 1u) && (best < 0 || fabsf(x[i]) > fabsf(x[best]))) best = i;
                used |= 1u << best;
            }
            int c = 0;
            for (int i = 0; i < m; i++) if ((used >> i) & 1u) pos[c++] = i;
            for (int t = 0; t < n; t++, slot++) {
                wr16(o + 2 * slot, x[pos[t]]);
                putb(idx, (size_t)slot * ib, (unsigned)ib, (unsigned)pos[t]);
            }
        }
    }
    return EF_OK;
}

/* Unpack (dot = 0, into dst row) or dot with x (dot = 1) of one sparse row; advances *vals for unstructured. */
static double sparse_row(int32_t kind, int n, int m, const uint8_t *w, int64_t rows, int64_t cols, int64_t r,
                         const uint8_t **vals, const float *x, float *dst) {
    double acc = 0;
    if (kind == EF_SPARSE_UNSTRUCTURED) {
        const uint8_t *bm = w + r * ((cols + 7) / 8);
        const uint8_t *v = *vals;
        (void)rows;
        for (int64_t c0 = 0; c0 < cols; c0 += 8) {
            unsigned byte = bm[c0 >> 3];
            while (byte) {
                int b = __builtin_ctz(byte);
                byte &= byte - 1;
                float f = rd16(v);
                v += 2;
                if (x) acc += f * x[c0 + b];
                else dst[c0 + b] = f;
            }
        }
        *vals = v;
        return acc;
    }
    int ib = idx_bits(m);
    int64_t rb = nm_row_bytes(n, m, cols), kept = cols / m * n;
    const uint8_t *o = w + r * rb, *idx = o + kept * 2;
    float s = 0;
    for (int64_t slot = 0; slot < kept; slot++) {
        int64_t c = slot / n * m + getb(idx, (size_t)slot * ib, (unsigned)ib);
        float f = rd16(o + 2 * slot);
        if (x) s += f * x[c];
        else dst[c] = f;
    }
    return s;
}

int ef_k_sparse_unpack(int32_t kind, int32_t n, int32_t m, const uint8_t *src, int64_t src_len,
                       int64_t rows, int64_t cols, float *dst, int64_t dst_len, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(src != NULL && dst != NULL, EF_ERR_NULL, "src or dst is NULL");
    int st = check_sparse(kind, n, m, rows, cols, msg, cap);
    if (st != EF_OK) return st;
    CHECK(dst_len >= rows * cols, EF_ERR_LENGTH, "dst has %lld floats, need %lld", (long long)dst_len, (long long)(rows * cols));
    if (kind == EF_SPARSE_NM) {
        CHECK(src_len >= rows * nm_row_bytes(n, m, cols), EF_ERR_LENGTH, "src has %lld bytes, need %lld", (long long)src_len,
               (long long)(rows * nm_row_bytes(n, m, cols)));
    } else {
        int64_t bm = rows * ((cols + 7) / 8);
        CHECK(src_len >= bm, EF_ERR_LENGTH, "src has %lld bytes, bitmaps need %lld", (long long)src_len, (long long)bm);
        int64_t nnz = 0;
        for (int64_t i = 0; i < bm; i++) nnz += __builtin_popcount(src[i]);
        CHECK(src_len >= bm + 2 * nnz, EF_ERR_LENGTH, "src has %lld bytes, bitmaps and values need %lld", (long long)src_len,
               (long long)(bm + 2 * nnz));
    }
    memset(dst, 0, (size_t)(rows * cols) * sizeof(float));
    const uint8_t *vals = src + rows * ((cols + 7) / 8);
    for (int64_t r = 0; r < rows; r++) sparse_row(kind, n, m, src, rows, cols, r, &vals, NULL, dst + r * cols);
    return EF_OK;
}

static int sparse_gemv_checked(int32_t kind, int32_t n, int32_t m, const uint8_t *w, int64_t w_len, int64_t rows,
                               int64_t cols, const float *x, int64_t x_len, float *y, int64_t y_len, char *msg, size_t cap,
                               int64_t *nnz_out) {
    CHECK(w != NULL && x != NULL && y != NULL, EF_ERR_NULL, "w, x or y is NULL");
    int st = check_sparse(kind, n, m, rows, cols, msg, cap);
    if (st != EF_OK) return st;
    CHECK(x_len >= cols && y_len >= rows, EF_ERR_LENGTH, "x or y too short");
    if (kind == EF_SPARSE_NM) {
        CHECK(w_len >= rows * nm_row_bytes(n, m, cols), EF_ERR_LENGTH, "w has %lld bytes, need %lld", (long long)w_len,
               (long long)(rows * nm_row_bytes(n, m, cols)));
    } else {
        int64_t bm = rows * ((cols + 7) / 8), nnz = 0;
        CHECK(w_len >= bm, EF_ERR_LENGTH, "w has %lld bytes, bitmaps need %lld", (long long)w_len, (long long)bm);
        if (nnz_out == NULL || *nnz_out < 0) {
            for (int64_t i = 0; i < bm; i++) nnz += __builtin_popcount(w[i]);
            if (nnz_out) *nnz_out = nnz;
        } else nnz = *nnz_out;
        CHECK(w_len >= bm + 2 * nnz, EF_ERR_LENGTH, "w has %lld bytes, need %lld", (long long)w_len, (long long)(bm + 2 * nnz));
    }
    return EF_OK;
}

static void sparse_gemv_run(int32_t kind, int32_t n, int32_t m, const uint8_t *w, int64_t rows, int64_t cols, const float *x, float *y) {
    const uint8_t *vals = w + rows * ((cols + 7) / 8);
    for (int64_t r = 0; r < rows; r++) y[r] = (float)sparse_row(kind, n, m, w, rows, cols, r, &vals, x, NULL);
}

int ef_k_sparse_gemv(int32_t kind, int32_t n, int32_t m, const uint8_t *w, int64_t w_len, int64_t rows,
                     int64_t cols, const float *x, int64_t x_len, float *y, int64_t y_len, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    int st = sparse_gemv_checked(kind, n, m, w, w_len, rows, cols, x, x_len, y, y_len, msg, cap, NULL);
    if (st != EF_OK) return st;
    sparse_gemv_run(kind, n, m, w, rows, cols, x, y);
    return EF_OK;
}

/* ------------------------------------------------------------------ timing */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int ef_k_time_gemv(int32_t format, int32_t group, int32_t asym, int32_t sparse_kind, int32_t n, int32_t m,
                   const uint8_t *w, int64_t w_len, int64_t rows, int64_t cols, const float *x, int64_t x_len,
                   float *y, int64_t y_len, int32_t reps, double *best, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(best != NULL, EF_ERR_NULL, "best_seconds is NULL");
    CHECK(reps >= 1 && reps <= 1000000, EF_ERR_RANGE, "reps %d out of range [1, 1e6]", (int)reps);
    double b = INFINITY;
    if (sparse_kind == EF_SPARSE_NONE) {
        for (int i = 0; i <= reps; i++) {
            double t0 = now_s();
            int st = ef_k_gemv(format, group, asym, w, w_len, rows, cols, x, x_len, y, y_len, msg, cap);
            double t = now_s() - t0;
            if (st != EF_OK) return st;
            if (i > 0 && t < b) b = t;
        }
    } else {
        int64_t nnz = -1;
        int st = sparse_gemv_checked(sparse_kind, n, m, w, w_len, rows, cols, x, x_len, y, y_len, msg, cap, &nnz);
        if (st != EF_OK) return st;
        for (int i = 0; i <= reps; i++) {
            double t0 = now_s();
            sparse_gemv_run(sparse_kind, n, m, w, rows, cols, x, y);
            double t = now_s() - t0;
            if (i > 0 && t < b) b = t;
        }
    }
    *best = b;
    return EF_OK;
}

int ef_k_stream_copy(const float *a, float *b, int64_t n, int32_t reps, double *bytes_per_s, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(a != NULL && b != NULL && bytes_per_s != NULL, EF_ERR_NULL, "a, b or bytes_per_s is NULL");
    CHECK(n >= 1 && n < MAX_DIM * 4, EF_ERR_RANGE, "n %lld out of range", (long long)n);
    CHECK(reps >= 1 && reps <= 100000, EF_ERR_RANGE, "reps %d out of range", (int)reps);
    double best = INFINITY;
    for (int i = 0; i <= reps; i++) {
        double t0 = now_s();
        for (int64_t j = 0; j < n; j++) b[j] = a[j];
        double t = now_s() - t0;
        if (i > 0 && t < best) best = t;
    }
    *bytes_per_s = 2.0 * 4.0 * (double)n / best;
    return EF_OK;
}

int ef_k_stream_read(const float *a, int64_t n, int32_t reps, double *bytes_per_s, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(a != NULL && bytes_per_s != NULL, EF_ERR_NULL, "a or bytes_per_s is NULL");
    CHECK(n >= 8 && n < MAX_DIM * 4, EF_ERR_RANGE, "n %lld out of range", (long long)n);
    CHECK(reps >= 1 && reps <= 100000, EF_ERR_RANGE, "reps %d out of range", (int)reps);
    double best = INFINITY;
    volatile float sink = 0.0f; /* keeps the sums alive */
    for (int i = 0; i <= reps; i++) {
        double t0 = now_s();
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int64_t j = 0; j + 8 <= n; j += 8)
            for (int k = 0; k < 8; k++) s[k] += a[j + k];
        double t = now_s() - t0;
        sink = sink + s[0] + s[7];
        if (i > 0 && t < best) best = t;
    }
    *bytes_per_s = 4.0 * (double)(n / 8 * 8) / best;
    return EF_OK;
}

/* One dependent register-register addition per cycle. Not an immediate: Intel's cores since Golden Cove fold chains of
 * add-immediate in the renamer and ran this chain at 4-5 additions per cycle (a "16 GHz" clock); the step comes from a
 * volatile read, so its value is unknown until run time. */
#if defined(__x86_64__)
#define EF_ADD1(x, s) __asm__ volatile("add %1, %0" : "+r"(x) : "r"(s))
#elif defined(__aarch64__)
#define EF_ADD1(x, s) __asm__ volatile("add %0, %0, %1" : "+r"(x) : "r"(s))
#endif

int ef_k_clock_hz(int64_t adds, int32_t reps, double *hz, char *msg, size_t cap) {
    if (msg != NULL && cap > 0) msg[0] = '\0';
    CHECK(hz != NULL, EF_ERR_NULL, "hz is NULL");
    CHECK(adds >= 8 && adds <= ((int64_t)1 << 40), EF_ERR_RANGE, "adds %lld out of range", (long long)adds);
    CHECK(reps >= 1 && reps <= 100000, EF_ERR_RANGE, "reps %d out of range", (int)reps);
#if defined(EF_ADD1)
    double best = INFINITY;
    uint64_t x = 0;
    volatile uint64_t one = 1;
    uint64_t s = one;
    for (int i = 0; i <= reps; i++) {
        double t0 = now_s();
        for (int64_t j = 0; j < adds / 8; j++) {
            EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s); EF_ADD1(x, s);
        }
        double t = now_s() - t0;
        if (i > 0 && t < best) best = t;
    }
    CHECK(x == (uint64_t)(adds / 8) * 8 * (uint64_t)(reps + 1), EF_ERR_RANGE, "the addition chain lost a step");
    CHECK(best > 0, EF_ERR_RANGE, "the timer did not advance");
    *hz = (double)(adds / 8 * 8) / best;
    return EF_OK;
#else
    CHECK(0, EF_ERR_UNSUPPORTED, "no clock measurement for this architecture");
#endif
}
