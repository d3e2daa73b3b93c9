// Reference bytes from llama.cpp's own quantizers, for EdgeFront's bit-exactness tests (tag "llamacpp",
// space's Iq4QuantizerOracleTest): reads ROWS x COLS little-endian float32 weights, quantizes them with ggml's
// ggml_quantize_chunk (what llama-quantize calls; no importance matrix) to TYPE, and writes the blocks to OUT.blocks
// and ggml's own dequantization of them (to_float) to OUT.f32; prints the FNV-1a 64 hash of the blocks.
// Linked against the libggml-base.a that tools/llama-cpp/build.sh builds; nothing of llama.cpp is copied.
//
// Build: cc -O1 -I$CACHE/llama.cpp-3.22.1/src/ggml/include quantize-golden.c \
//           $CACHE/llama.cpp-3.22.1/build/ggml/src/libggml-base.a -fopenmp -lm -lpthread -lstdc++ -o quantize-golden
// Usage: quantize-golden TYPE IN.f32 ROWS COLS OUT      (TYPE as ggml names it: iq4_nl, iq4_xs, q4_K, ...)
// Exit: 0 written; 2 bad arguments or input; 1 I/O error.
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); return 1; }
    int bad = fwrite(data, 1, n, f) != n;
    return (fclose(f) != 0 || bad) ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s TYPE IN.f32 ROWS COLS OUT\n", argv[0]); return 2; }
    int type = -1;
    for (int t = 0; t < GGML_TYPE_COUNT; t++) {
        const char *name = ggml_type_name((enum ggml_type) t);
        if (name && strcmp(name, argv[1]) == 0) { type = t; break; }
    }
    if (type < 0) { fprintf(stderr, "unknown ggml type '%s'\n", argv[1]); return 2; }
    char *end = NULL;
    long long rows = strtoll(argv[3], &end, 10);
    if (*end || rows < 1 || rows > (1 << 20)) { fprintf(stderr, "ROWS '%s' is not 1..2^20\n", argv[3]); return 2; }
    long long cols = strtoll(argv[4], &end, 10);
    int64_t block = ggml_blck_size((enum ggml_type) type);
    if (*end || cols < 1 || cols > (1 << 20) || cols % block != 0) {
        fprintf(stderr, "COLS '%s' is not a multiple of %s's block of %" PRId64 " up to 2^20\n", argv[4], argv[1], block);
        return 2;
    }
    if (ggml_quantize_requires_imatrix((enum ggml_type) type)) { fprintf(stderr, "%s needs an importance matrix\n", argv[1]); return 2; }

    size_t n = (size_t) rows * (size_t) cols;
    float *x = malloc(n * sizeof(float));
    float *y = malloc(n * sizeof(float));
    size_t row_bytes = ggml_row_size((enum ggml_type) type, cols);
    uint8_t *q = malloc((size_t) rows * row_bytes);
    if (!x || !y || !q) { fprintf(stderr, "out of memory\n"); return 1; }

    FILE *in = fopen(argv[2], "rb");
    if (!in) { perror(argv[2]); return 1; }
    size_t got = fread(x, sizeof(float), n, in);
    int extra = fgetc(in) != EOF;
    fclose(in);
    if (got != n || extra) { fprintf(stderr, "%s holds %s than %zu floats\n", argv[2], extra ? "more" : "fewer", n); return 2; }

    ggml_quantize_init((enum ggml_type) type);
    size_t written = ggml_quantize_chunk((enum ggml_type) type, x, q, 0, rows, cols, NULL);
    if (written != (size_t) rows * row_bytes) { fprintf(stderr, "ggml wrote %zu bytes, expected %zu\n", written, (size_t) rows * row_bytes); return 1; }
    ggml_get_type_traits((enum ggml_type) type)->to_float(q, y, (int64_t) n);

    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
    for (size_t i = 0; i < written; i++) { h ^= q[i]; h *= 0x100000001b3ull; }

    char path[4096];
    snprintf(path, sizeof path, "%s.blocks", argv[5]);
    if (write_file(path, q, written)) return 1;
    snprintf(path, sizeof path, "%s.f32", argv[5]);
    if (write_file(path, y, n * sizeof(float))) return 1;
    printf("%s %lld x %lld: %zu bytes, fnv1a64 %" PRId64 "\n", argv[1], rows, cols, written, (int64_t) h);
    free(x);
    free(y);
    free(q);
    return 0;
}
