/* Contract tests for the C library: valid inputs give finite results; every invalid input gives
 * a status and a message instead of a crash. Exit code 0 = all passed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "edgefront_sim.h"

static int failures = 0;
#define EXPECT(cond, what) do { if (!(cond)) { fprintf(stderr, "FAIL: %s (line %d)\n", what, __LINE__); failures++; } } while (0)

int main(void) {
    ef_device dev = {68e9, 8e9, 8, 20e9, 200e9, 400e9, 800e9, 0, 0, 0, 30e12, 20, 1, 2, 0.5, 1.5, 60, 0.7, 3.0, 0, 0};
    ef_backend_params cal = {0.5, 0.3, 5e-6, 1.0, 8, 512, 100e6, 0, 0.5, 0};
    ef_workload wl = {128, 64, 2048, 16, 4, EF_BACKEND_CPU};
    ef_attention att = {2, 8, 2, 64, 1024, 1000, 1};
    /* embedding + 2 layers x (q,k,v) */
    ef_tensor_shape shapes[7] = {{1000, 512, EF_ROLE_EMBEDDING}, {512, 512, 0}, {128, 512, 0}, {128, 512, 0},
                                 {512, 512, 0}, {128, 512, 0}, {128, 512, 0}};
    ef_tensor_choice ch[7];
    for (int i = 0; i < 7; i++) {
        int64_t w = (int64_t)shapes[i].rows * shapes[i].cols;
        ch[i] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, shapes[i].rows < shapes[i].cols ? shapes[i].rows : shapes[i].cols, w / 32 * 18};
    }
    ef_result r;
    ef_op_cost ops[9];
    char msg[256];
    int st = ef_simulate(&dev, &cal, &wl, &att, shapes, 7, ch, &r, ops, 9, msg, sizeof msg);
    EXPECT(st == EF_OK, msg);
    EXPECT(isfinite(r.decode_tok_s) && r.decode_tok_s > 0, "decode tok/s positive");
    EXPECT(r.decode_tok_s <= r.decode_tok_s_sustained / dev.thermal_sustained_fraction * 1.000001, "throttled <= unthrottled");
    EXPECT(r.peak_memory_bytes == r.weight_bytes + r.kv_cache_bytes + r.activation_bytes + r.runtime_bytes, "memory sums");
    EXPECT(r.kv_cache_bytes == 2.0 * 2 * 2048 * 128 * 2, "kv bytes");

    /* invalid inputs: each returns a status and a message */
    EXPECT(ef_simulate(NULL, &cal, &wl, &att, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_NULL, "null device");
    ef_workload bad = wl; bad.backend = 7;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_ENUM, "bad backend");
    EXPECT(strstr(msg, "backend") != NULL, "message names backend");
    bad = wl; bad.backend = EF_BACKEND_GPU;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_UNSUPPORTED, "no gpu");
    bad = wl; bad.context_tokens = 100;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "context too small");
    ef_device nan_dev = dev; nan_dev.dram_bytes_per_s = NAN;
    EXPECT(ef_simulate(&nan_dev, &cal, &wl, &att, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "nan bandwidth");
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 0, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_LENGTH, "zero tensors");
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 7, ch, &r, ops, 3, msg, sizeof msg) == EF_ERR_LENGTH, "small op buffer");
    ef_tensor_choice badch[7];
    memcpy(badch, ch, sizeof ch);
    badch[3].format = 99;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_ENUM, "bad format");
    memcpy(badch, ch, sizeof ch);
    badch[2].weight_bytes = -5;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "negative bytes");
    memcpy(badch, ch, sizeof ch);
    badch[1].rank = 0;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "rank 0");

    /* batch: a bad candidate fails alone, good ones match the single call */
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, shapes, 7, ch, &r, NULL, 0, NULL, 0) == EF_OK, "no message buffer");
    ef_tensor_choice batch[14];
    memcpy(batch, ch, sizeof ch);
    memcpy(batch + 7, badch, sizeof ch);
    double out[2 * EF_RESULT_FIELDS];
    int32_t status[2];
    st = ef_simulate_batch(&dev, &cal, &wl, &att, shapes, 7, batch, 2, out, status, msg, sizeof msg);
    EXPECT(st == EF_OK, "batch shared ok");
    EXPECT(status[0] == EF_OK && status[1] == EF_ERR_RANGE, "per-candidate status");
    EXPECT(out[0] == r.decode_tok_s, "batch equals single");
    EXPECT(strstr(msg, "candidate 1") != NULL, "batch message names candidate");

    if (failures == 0) printf("ef_sim_test: all passed (%s)\n", ef_version());
    return failures == 0 ? 0 : 1;
}
