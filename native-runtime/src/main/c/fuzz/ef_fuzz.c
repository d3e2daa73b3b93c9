/* Fuzz target for the simulator's input decoding and validation.
 *
 * libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude src/ef_sim.c fuzz/ef_fuzz.c -lm
 *             ./a.out fuzz/corpus
 * Without clang, fuzz/ef_fuzz_main.c drives the same entry point with seeded random mutations
 * (gcc -fsanitize=address,undefined; see that file).
 *
 * The input bytes are read as the raw C structs (so NaN, infinities, negative counts and huge lengths
 * all occur) followed by a tensor count, shapes and choices, then (api 9) a block count and the ef_blocks. Property checked: the library never
 * crashes, and whenever it returns EF_OK every output is finite and non-negative. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edgefront_sim.h"

#define MAX_FUZZ_TENSORS 64
#define MAX_FUZZ_CANDIDATES 4
#define MAX_FUZZ_BLOCKS 8

static void check_result(const double *o) {
    for (int f = 0; f < EF_RESULT_FIELDS; f++) {
        if (!isfinite(o[f]) || o[f] < 0.0) abort(); /* fuzz oracle: a reported success must be a usable number */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ef_device dev;
    ef_backend_params cal;
    ef_workload wl;
    ef_attention att;
    size_t need = sizeof dev + sizeof cal + sizeof wl + sizeof att + 2;
    if (size < need) return 0;
    memcpy(&dev, data, sizeof dev); data += sizeof dev;
    memcpy(&cal, data, sizeof cal); data += sizeof cal;
    memcpy(&wl, data, sizeof wl); data += sizeof wl;
    memcpy(&att, data, sizeof att); data += sizeof att;
    size_t n = 1 + data[0] % MAX_FUZZ_TENSORS;
    size_t nc = 1 + data[1] % MAX_FUZZ_CANDIDATES;
    data += 2;
    size -= need;
    ef_tensor_shape shapes[MAX_FUZZ_TENSORS];
    ef_tensor_choice ch[MAX_FUZZ_TENSORS * MAX_FUZZ_CANDIDATES];
    memset(shapes, 0, sizeof shapes);
    memset(ch, 0, sizeof ch);
    size_t sb = n * sizeof(ef_tensor_shape), cb = nc * n * sizeof(ef_tensor_choice);
    memcpy(shapes, data, size < sb ? size : sb);
    if (size > sb) memcpy(ch, data + sb, size - sb < cb ? size - sb : cb);
    /* the blocks after the choices: a count (any, so lengths that disagree with attention.layers occur) and the structs */
    ef_block blocks[MAX_FUZZ_BLOCKS];
    memset(blocks, 0, sizeof blocks);
    size_t nb = 0;
    if (size > sb + cb) {
        nb = data[sb + cb] % (MAX_FUZZ_BLOCKS + 1);
        size_t rest = size - sb - cb - 1;
        memcpy(blocks, data + sb + cb + 1, rest < sizeof blocks ? rest : sizeof blocks);
    }

    ef_result r;
    ef_op_cost ops[MAX_FUZZ_TENSORS + 64];
    char msg[128];
    size_t cap = (att.layers >= 1 && att.layers <= 64) ? n + (size_t)att.layers : 0;
    int st = ef_simulate(&dev, &cal, &wl, &att, nb ? blocks : NULL, nb, shapes, n, ch, &r, cap ? ops : NULL, cap, msg, sizeof msg);
    if (st == EF_OK) check_result(&r.decode_tok_s);
    else if (msg[0] == '\0') abort(); /* every failure comes with a message */

    double out[MAX_FUZZ_CANDIDATES * EF_RESULT_FIELDS];
    int32_t status[MAX_FUZZ_CANDIDATES];
    st = ef_simulate_batch(&dev, &cal, &wl, &att, nb ? blocks : NULL, nb, shapes, n, ch, nc, out, status, msg, sizeof msg);
    if (st == EF_OK) {
        for (size_t k = 0; k < nc; k++) if (status[k] == EF_OK) check_result(out + k * EF_RESULT_FIELDS);
    }
    return 0;
}
