/* Standalone driver for ef_fuzz.c where libFuzzer is not available: starts from the corpus seed (a
 * valid input) and applies seeded random byte, double and int mutations.
 *   gcc -O1 -g -fsanitize=address,undefined -Iinclude src/ef_sim.c fuzz/ef_fuzz.c fuzz/ef_fuzz_main.c -lm
 *   ./a.out ITERATIONS SEED [corpus-out-dir]
 * Writes the seed input to corpus-out-dir/seed-valid.bin when given. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgefront_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;
static uint64_t next(void) { /* xorshift64*: explicit seed, reproducible */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 100000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) | 1 : 88172645463325252ULL;
    ef_device dev = {68e9, 8e9, 8, 20e9, 40, 1.2, 90, 0.65,
                     .unit = {[EF_BACKEND_CPU] = {200e9, 400e9, 800e9, 2, 3.0}, [EF_BACKEND_GPU] = {0, 4e12, 0, 0.8, 4.0},
                              [EF_BACKEND_NPU] = {0, 0, 30e12, 0.3, 1.0}}};
    ef_backend_params cal = {0.5, 0.3, 5e-6, 1.0, 8, 512, 100e6, 0, 0.3, 0, {0}, 0, 0, {0, 0}};
    ef_workload wl = {128, 64, 2048, 16, 4, EF_BACKEND_CPU};
    ef_attention att = {2, 8, 2, 64, 1024, 1000, 0, 512, 0};
    /* the LM head read as a mixture of experts would be: half its rows per decode token, 2 more eighths per micro-batch */
    ef_tensor_shape shapes[4] = {{1000, 512, EF_ROLE_EMBEDDING, -1, EF_DENSE_READS}, {512, 512, EF_ROLE_ATTN_Q, 0, EF_DENSE_READS},
                                 {128, 512, EF_ROLE_ATTN_K, 0, EF_DENSE_READS}, {1000, 512, EF_ROLE_LM_HEAD, -1, 0.5, 1.0, 0.125, 2.0}};
    /* candidate 0 unpruned; candidate 1 keeps half the K rows and removes layer 0's Q */
    ef_tensor_choice ch[8];
    for (int i = 0; i < 4; i++) {
        ch[i] = (ef_tensor_choice){EF_FMT_Q4_0, 0, 0.0, 512 < shapes[i].rows ? 512 : shapes[i].rows, (int64_t)shapes[i].rows * 512 / 32 * 18,
                                   shapes[i].rows, 512};
        ch[4 + i] = ch[i];
    }
    ch[5] = (ef_tensor_choice){EF_FMT_Q4_0, 0, 0.0, 0, 0, 0, 0};
    ch[6] = (ef_tensor_choice){EF_FMT_Q4_0, 0, 0.0, 64, 64 * 512 / 32 * 18, 64, 512};
    /* block 0 attends (its Q and K are above), block 1 is a short convolution with a 6 KiB state */
    ef_block blocks[2] = {{EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 0.0}, {EF_BLOCK_SHORT_CONV, 6144.0, 2048.0, 0.0, 0.0, 0.0}};
    uint8_t seed[2048]; /* the inputs are about 1.3 KiB */
    size_t off = 0;
    memcpy(seed + off, &dev, sizeof dev); off += sizeof dev;
    memcpy(seed + off, &cal, sizeof cal); off += sizeof cal;
    memcpy(seed + off, &wl, sizeof wl); off += sizeof wl;
    memcpy(seed + off, &att, sizeof att); off += sizeof att;
    seed[off++] = 3; /* 4 tensors */
    seed[off++] = 1; /* 2 candidates */
    memcpy(seed + off, shapes, sizeof shapes); off += sizeof shapes;
    memcpy(seed + off, ch, sizeof ch); off += sizeof ch;
    seed[off++] = 2; /* 2 blocks */
    memcpy(seed + off, blocks, sizeof blocks); off += sizeof blocks;
    if (argc > 3) {
        char path[512];
        snprintf(path, sizeof path, "%s/seed-valid.bin", argv[3]);
        FILE *f = fopen(path, "wb");
        if (f) { fwrite(seed, 1, off, f); fclose(f); }
    }
    static const double specials[] = {0.0, -0.0, -1.0, 1e-300, 1e300, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 0.5, 1.0, 2.0, 1e12};
    static const int32_t ispecials[] = {0, -1, 1, 2, 3, 7, 16, 31, 32, 64, 4096, 65536, 1 << 24, 2147483647, -2147483647 - 1};
    uint8_t buf[2048];
    for (long it = 0; it < iters; it++) {
        memcpy(buf, seed, off);
        int muts = 1 + (int)(next() % 4);
        for (int m = 0; m < muts; m++) {
            size_t pos = next() % off;
            switch (next() % 3) {
            case 0: buf[pos] = (uint8_t)next(); break;
            case 1: { size_t p = (pos / 8) * 8; if (p + 8 <= off) { double v = specials[next() % 12]; memcpy(buf + p, &v, 8); } break; }
            default: { size_t p = (pos / 4) * 4; if (p + 4 <= off) { int32_t v = ispecials[next() % 15]; memcpy(buf + p, &v, 4); } break; }
            }
        }
        size_t len = (next() % 8 == 0) ? next() % off : off; /* sometimes truncated */
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("ef_fuzz: %ld inputs, no crash, every OK result finite\n", iters);
    return 0;
}
