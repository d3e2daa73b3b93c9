// Test oracle for EdgeFront's GGUF decoders (GgmlDecodersOracleTest, tag "llamacpp"): quantizes seeded
// pseudo-random rows to every ggml type with ggml's own ggml_quantize_chunk and decodes them with ggml's own
// to_float (dequantize_row_*), writing TYPE.blocks (the raw blocks) and TYPE.f32 (ggml's floats) for the Java
// decoders to be compared against bit for bit. Linked against llama.cpp's libggml-base.a; nothing copied.
// Usage: ggml_oracle OUT_DIR ROWS COLS
//        ggml_oracle --gguf FILE OUT_DIR   (every tensor of a GGUF decoded by ggml into OUT_DIR/NAME.f32)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "gguf.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return ((state >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static int write_file(const char *dir, const char *name, const char *ext, const void *data, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); return 1; }
    int bad = fwrite(data, 1, n, f) != n;
    return fclose(f) != 0 || bad;
}

static int dump_gguf(const char *file, const char *dir) {
    struct ggml_context *ctx = NULL;
    struct gguf_init_params params = {false, &ctx};
    struct gguf_context *g = gguf_init_from_file(file, params);
    if (!g) { fprintf(stderr, "cannot read %s\n", file); return 1; }
    for (int64_t i = 0; i < gguf_get_n_tensors(g); i++) {
        const char *name = gguf_get_tensor_name(g, i);
        struct ggml_tensor *t = ggml_get_tensor(ctx, name);
        int64_t n = ggml_nelements(t);
        float *y = malloc(sizeof(float) * n);
        if (t->type == GGML_TYPE_F32) memcpy(y, t->data, sizeof(float) * n);
        else ggml_get_type_traits(t->type)->to_float(t->data, y, n);
        if (write_file(dir, name, "f32", y, sizeof(float) * n)) return 1;
        printf("%s %s\n", name, ggml_type_name(t->type));
        free(y);
    }
    gguf_free(g);
    ggml_free(ctx);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--gguf") == 0) return dump_gguf(argv[2], argv[3]);
    if (argc != 4) { fprintf(stderr, "usage: %s OUT_DIR ROWS COLS\n", argv[0]); return 2; }
    const int64_t rows = atoll(argv[2]), cols = atoll(argv[3]);
    if (rows < 1 || cols < 256 || cols % 256 != 0) { fprintf(stderr, "COLS must be a positive multiple of 256\n"); return 2; }
    float *x = malloc(sizeof(float) * rows * cols), *y = malloc(sizeof(float) * rows * cols);
    float *imatrix = malloc(sizeof(float) * cols);
    for (int64_t r = 0; r < rows; r++) {
        double scale = 0.02 * (1 + r % 7);  // rows of different magnitudes
        for (int64_t c = 0; c < cols; c++) {
            double g = sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
            if (uniform() < 0.01) g *= 8;     // a few outliers
            if (uniform() < 0.01) g = 0;      // and exact zeros
            x[r * cols + c] = (float) (g * scale);
        }
    }
    for (int64_t c = 0; c < cols; c++) imatrix[c] = (float) (0.5 + uniform());
    const enum ggml_type types[] = {GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0,
        GGML_TYPE_Q5_1, GGML_TYPE_Q8_0, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K,
        GGML_TYPE_IQ2_XXS, GGML_TYPE_IQ2_XS, GGML_TYPE_IQ3_XXS, GGML_TYPE_IQ1_S, GGML_TYPE_IQ4_NL, GGML_TYPE_IQ3_S,
        GGML_TYPE_IQ2_S, GGML_TYPE_IQ4_XS, GGML_TYPE_IQ1_M, GGML_TYPE_TQ1_0, GGML_TYPE_TQ2_0, GGML_TYPE_MXFP4};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        enum ggml_type type = types[t];
        size_t bytes = ggml_row_size(type, cols) * rows;
        void *q = malloc(bytes);
        ggml_quantize_init(type);
        size_t wrote = ggml_quantize_chunk(type, x, q, 0, rows, cols, imatrix);
        if (wrote != bytes) { fprintf(stderr, "%s: wrote %zu of %zu bytes\n", ggml_type_name(type), wrote, bytes); return 1; }
        ggml_get_type_traits(type)->to_float(q, y, rows * cols);
        if (write_file(argv[1], ggml_type_name(type), "blocks", q, bytes) || write_file(argv[1], ggml_type_name(type), "f32", y, sizeof(float) * rows * cols)) return 1;
        printf("%s %zu\n", ggml_type_name(type), bytes);
        free(q);
    }
    return 0;
}
