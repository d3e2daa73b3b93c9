/* Contract tests for the C library: valid inputs give finite results; every invalid input gives
 * a status and a message instead of a crash. Exit code 0 = all passed. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "edgefront_kernels.h"
#include "edgefront_sim.h"
#include "edgefront_wire.h"

static int failures = 0;
#define EXPECT(cond, what) do { if (!(cond)) { fprintf(stderr, "FAIL: %s (line %d)\n", what, __LINE__); failures++; } } while (0)

int main(void) {
    ef_device dev = {68e9, 8e9, 8, 20e9, 20, 1.5, 60, 0.7,
                     .unit = {[EF_BACKEND_CPU] = {200e9, 400e9, 800e9, 1, 3.0}, [EF_BACKEND_GPU] = {0, 0, 0, 2, 0},
                              [EF_BACKEND_NPU] = {0, 0, 30e12, 0.5, 0}}};
    ef_backend_params cal = {0.5, 0.3, 5e-6, 1.0, 8, 512, 100e6, 0, 0.5, 0, {0}, 0, 0, {0, 0}};
    ef_workload wl = {128, 64, 2048, 16, 4, EF_BACKEND_CPU};
    ef_attention att = {2, 8, 2, 64, 1024, 1000, 1, 512, 0};
    /* embedding + 2 layers x (q,k,v) */
    ef_tensor_shape shapes[7] = {{1000, 512, EF_ROLE_EMBEDDING, -1, EF_DENSE_READS}, {512, 512, EF_ROLE_ATTN_Q, 0, EF_DENSE_READS},
                                 {128, 512, EF_ROLE_ATTN_K, 0, EF_DENSE_READS}, {128, 512, EF_ROLE_ATTN_V, 0, EF_DENSE_READS},
                                 {512, 512, EF_ROLE_ATTN_Q, 1, EF_DENSE_READS}, {128, 512, EF_ROLE_ATTN_K, 1, EF_DENSE_READS},
                                 {128, 512, EF_ROLE_ATTN_V, 1, EF_DENSE_READS}};
    ef_tensor_choice ch[7];
    for (int i = 0; i < 7; i++) {
        int64_t w = (int64_t)shapes[i].rows * shapes[i].cols;
        ch[i] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, shapes[i].rows < shapes[i].cols ? shapes[i].rows : shapes[i].cols, w / 32 * 18,
                                   shapes[i].rows, shapes[i].cols};
    }
    ef_result r, rp_scratch;
    ef_op_cost ops[9];
    char msg[256];
    int st = ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &r, ops, 9, msg, sizeof msg);
    EXPECT(st == EF_OK, msg);
    EXPECT(isfinite(r.decode_tok_s) && r.decode_tok_s > 0, "decode tok/s positive");
    EXPECT(r.decode_tok_s <= r.decode_tok_s_sustained / dev.thermal_sustained_fraction * 1.000001, "throttled <= unthrottled");
    EXPECT(r.peak_memory_bytes == r.weight_bytes + r.kv_cache_bytes + r.state_bytes + r.activation_bytes + r.runtime_bytes, "memory sums");
    EXPECT(r.state_bytes == 0.0, "no blocks: no recurrent state");
    EXPECT(r.kv_cache_bytes == 2.0 * 2 * 2048 * 128 * 2, "kv bytes");

    /* KV sharing: the last block reads the first block's cache; it still attends (decode no faster) but holds none */
    ef_attention shared_att = att;
    shared_att.kv_shared_layers = 1;
    ef_result rs;
    EXPECT(ef_simulate(&dev, &cal, &wl, &shared_att, NULL, 0, shapes, 7, ch, &rs, NULL, 0, msg, sizeof msg) == EF_OK, msg);
    EXPECT(rs.kv_cache_bytes == r.kv_cache_bytes / 2.0, "a shared block holds no cache");
    EXPECT(rs.decode_tok_s == r.decode_tok_s && rs.weight_bytes == r.weight_bytes, "a shared block still attends");
    shared_att.kv_shared_layers = 2;
    EXPECT(ef_simulate(&dev, &cal, &wl, &shared_att, NULL, 0, shapes, 7, ch, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE
           && strstr(msg, "kv_shared_layers") != NULL, "every block sharing is refused by name");

    /* invalid inputs: each returns a status and a message */
    EXPECT(ef_simulate(NULL, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_NULL, "null device");
    ef_workload bad = wl; bad.backend = 7;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_ENUM, "bad backend");
    EXPECT(strstr(msg, "backend") != NULL, "message names backend");
    bad = wl; bad.backend = EF_BACKEND_GPU;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_UNSUPPORTED, "no gpu");
    bad = wl; bad.context_tokens = 100;
    EXPECT(ef_simulate(&dev, &cal, &bad, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "context too small");
    ef_device nan_dev = dev; nan_dev.dram_bytes_per_s = NAN;
    EXPECT(ef_simulate(&nan_dev, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "nan bandwidth");
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 0, ch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_LENGTH, "zero tensors");
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &r, ops, 3, msg, sizeof msg) == EF_ERR_LENGTH, "small op buffer");
    ef_tensor_choice badch[7];
    memcpy(badch, ch, sizeof ch);
    badch[3].format = 99;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_ENUM, "bad format");
    memcpy(badch, ch, sizeof ch);
    badch[2].weight_bytes = -5;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "negative bytes");
    memcpy(badch, ch, sizeof ch);
    badch[1].rank = 0;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &r, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "rank 0");

    /* batch: a bad candidate fails alone, good ones match the single call */
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &r, NULL, 0, NULL, 0) == EF_OK, "no message buffer");
    ef_tensor_choice batch[14];
    memcpy(batch, ch, sizeof ch);
    memcpy(batch + 7, badch, sizeof ch);
    double out[2 * EF_RESULT_FIELDS];
    int32_t status[2];
    st = ef_simulate_batch(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, batch, 2, out, status, msg, sizeof msg);
    EXPECT(st == EF_OK, "batch shared ok");
    EXPECT(status[0] == EF_OK && status[1] == EF_ERR_RANGE, "per-candidate status");
    EXPECT(out[0] == r.decode_tok_s, "batch equals single");
    EXPECT(strstr(msg, "candidate 1") != NULL, "batch message names candidate");

    /* the named wire (edgefront_wire.h): flat choice ints written by EF_WIRE_CHOICE name give the struct call's result,
       and every EF_WIRE_RESULT slot of the flat output holds the ef_result field of its name */
    int32_t flat_ints[7 * EF_WIRE_CHOICE_FIELDS];
    double flat_ratio[7];
    int64_t flat_bytes[7];
    for (int i = 0; i < 7; i++) {
#define WRITE_SLOT(table, name, field) flat_ints[EF_WIRE_CHOICE_FIELDS * i + EF_WIRE_##table##_##name] = ch[i].field;
        EF_WIRE_CHOICE(WRITE_SLOT)
#undef WRITE_SLOT
        flat_ratio[i] = ch[i].sparsity_ratio;
        flat_bytes[i] = ch[i].weight_bytes;
    }
    double flat_out[EF_WIRE_RESULT_FIELDS];
    int32_t flat_status = -1;
    st = ef_simulate_batch_flat(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, flat_ints, flat_ratio, flat_bytes, 1, flat_out, &flat_status, msg, sizeof msg);
    EXPECT(st == EF_OK && flat_status == EF_OK, "flat batch by wire names");
#define CHECK_SLOT(table, name, field) EXPECT(flat_out[EF_WIRE_##table##_##name] == r.field, "wire slot " #table "." #name " holds ef_result." #field);
    EF_WIRE_RESULT(CHECK_SLOT)
#undef CHECK_SLOT
    /* each table lists its struct's fields in struct order: a slot's index is its field's position */
#define AT_DEVICE(table, name, field) EXPECT(offsetof(ef_device, field) == EF_WIRE_##table##_##name * sizeof(double), "device." #name);
#define AT_UNIT(table, name, field) EXPECT(offsetof(ef_compute_unit, field) == EF_WIRE_##table##_##name * sizeof(double), "unit." #name);
#define AT_CAL(table, name, field) EXPECT(offsetof(ef_backend_params, field) == EF_WIRE_##table##_##name * sizeof(double), "calibration." #name);
#define AT_TAIL(table, name, field) EXPECT(offsetof(ef_backend_params, field) \
    == (EF_WIRE_CALIBRATION_SCALARS + EF_FMT_COUNT + EF_WIRE_##table##_##name) * sizeof(double), "calibration tail." #name);
#define AT_WORKLOAD(table, name, field) EXPECT(offsetof(ef_workload, field) == EF_WIRE_##table##_##name * sizeof(int32_t), "workload." #name);
#define AT_ATTENTION(table, name, field) EXPECT(offsetof(ef_attention, field) == EF_WIRE_##table##_##name * sizeof(int32_t), "attention." #name);
#define AT_SHAPE(table, name, field) EXPECT(offsetof(ef_tensor_shape, field) == EF_WIRE_##table##_##name * sizeof(int32_t), "shape." #name);
#define AT_READS(table, name, field) EXPECT(offsetof(ef_tensor_shape, field) \
    == EF_WIRE_SHAPE_FIELDS * sizeof(int32_t) + EF_WIRE_##table##_##name * sizeof(double), "reads." #name);
#define AT_RESULT(table, name, field) EXPECT(offsetof(ef_result, field) == EF_WIRE_##table##_##name * sizeof(double), "result." #name);
    EF_WIRE_DEVICE(AT_DEVICE)
    EF_WIRE_UNIT(AT_UNIT)
    EF_WIRE_CALIBRATION(AT_CAL)
    EF_WIRE_CALIBRATION_TAIL(AT_TAIL)
    EF_WIRE_WORKLOAD(AT_WORKLOAD)
    EF_WIRE_ATTENTION(AT_ATTENTION)
#define AT_BLOCK(table, name, field) EXPECT(offsetof(ef_block, field) == EF_WIRE_##table##_##name * sizeof(double), "block." #name);
    EF_WIRE_BLOCK(AT_BLOCK)
    EF_WIRE_SHAPE(AT_SHAPE)
    EF_WIRE_READS(AT_READS)
    EF_WIRE_RESULT(AT_RESULT)
    EXPECT(EF_WIRE_RESULT_FIELDS == EF_RESULT_FIELDS && EF_WIRE_CHOICE_FIELDS == EF_CHOICE_INTS, "wire counts are the API's");
    EXPECT(EF_WIRE_DEVICE_FIELDS == EF_WIRE_DEVICE_SCALARS + EF_BACKEND_COUNT * EF_WIRE_UNIT_FIELDS, "device = scalars + a unit per backend");

    /* structured pruning (api 3): kept shapes validated, removed tensors and attention cost nothing */
    memcpy(badch, ch, sizeof ch);
    badch[2].kept_rows = 129;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &rp_scratch, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "kept rows > rows");
    EXPECT(strstr(msg, "tensor 2") != NULL && strstr(msg, "kept rows 129") != NULL, msg);
    memcpy(badch, ch, sizeof ch);
    badch[2].kept_cols = 0;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &rp_scratch, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "rows > 0, cols 0");
    EXPECT(strstr(msg, "tensor 2") != NULL && strstr(msg, "both") != NULL, msg);
    memcpy(badch, ch, sizeof ch);
    badch[3].kept_rows = 0; badch[3].kept_cols = 0; /* removed, but rank and bytes still set */
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, badch, &rp_scratch, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "removed with bytes");
    memcpy(batch, ch, sizeof ch);
    memcpy(batch + 7, ch, sizeof ch);
    batch[7 + 5].kept_rows = -1;
    st = ef_simulate_batch(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, batch, 2, out, status, msg, sizeof msg);
    EXPECT(st == EF_OK && status[0] == EF_OK && status[1] == EF_ERR_RANGE, "bad kept shape fails its candidate alone");
    EXPECT(strstr(msg, "candidate 1") != NULL && strstr(msg, "tensor 5") != NULL, msg);
    /* layer 1 loses Q, K and V: no attention operator, no KV cache, half the KV bytes */
    ef_tensor_choice pr[7];
    memcpy(pr, ch, sizeof ch);
    for (int i = 4; i < 7; i++) pr[i] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 0, 0, 0, 0};
    ef_result rp;
    ef_op_cost pops[9];
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, pr, &rp, pops, 9, msg, sizeof msg) == EF_OK, msg);
    EXPECT(rp.kv_cache_bytes == r.kv_cache_bytes / 2, "kv cache halves");
    EXPECT(pops[8].bound == EF_BOUND_NONE && pops[8].time_s == 0.0 && pops[8].bytes == 0.0, "no attention op in the pruned layer");
    EXPECT(pops[5].bound == EF_BOUND_NONE && pops[5].time_s == 0.0, "removed tensor costs nothing");
    EXPECT(pops[7].bound != EF_BOUND_NONE && pops[7].time_s == ops[7].time_s, "layer 0 attention unchanged");
    EXPECT(rp.decode_tok_s > r.decode_tok_s && rp.weight_bytes < r.weight_bytes, "pruning speeds up and shrinks");
    /* half the KV heads of layer 0: its attention reads half the cache */
    memcpy(pr, ch, sizeof ch);
    for (int i = 2; i < 4; i++) { pr[i].kept_rows = 64; pr[i].rank = 64; pr[i].weight_bytes = 64 * 512 / 32 * 18; }
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, pr, &rp, pops, 9, msg, sizeof msg) == EF_OK, msg);
    EXPECT(fabs(pops[7].bytes - ops[7].bytes / 2) < 1e-6 * ops[7].bytes && pops[7].ops == ops[7].ops, "kept kv heads shrink the cache read");
    EXPECT(rp.kv_cache_bytes == r.kv_cache_bytes * 3 / 4, "kv cache 3/4");
    /* everything removed: nothing to run is an error, not an infinite speed */
    for (int i = 0; i < 7; i++) pr[i] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 0, 0, 0, 0};
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, pr, &rp, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "all removed");
    /* shapes: a second Q in a layer, or a Q without a layer, are rejected */
    ef_tensor_shape badsh[7];
    memcpy(badsh, shapes, sizeof shapes);
    badsh[4].layer = 0;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, badsh, 7, ch, &rp, NULL, 0, msg, sizeof msg) == EF_ERR_LENGTH, "duplicate Q");
    badsh[4].layer = -1;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, badsh, 7, ch, &rp, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "Q without layer");
    badsh[4].layer = 2;
    EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, badsh, 7, ch, &rp, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "layer out of range");

    /* per-format dequantization costs of the backend and the float path */
    ef_backend_params cal2 = cal;
    cal2.dequant_ops[EF_FMT_Q4_0] = 50.0;
    cal2.dequant_to_float = 1.0;
    ef_result r2;
    EXPECT(ef_simulate(&dev, &cal2, &wl, &att, NULL, 0, shapes, 7, ch, &r2, NULL, 0, msg, sizeof msg) == EF_OK, "per-format costs accepted");
    cal2.dequant_ops[EF_FMT_Q4_0] = -1.0;
    EXPECT(ef_simulate(&dev, &cal2, &wl, &att, NULL, 0, shapes, 7, ch, &r2, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "negative dequant cost");
    cal2.dequant_ops[EF_FMT_Q4_0] = 0.0;
    cal2.dequant_to_float = 0.5;
    EXPECT(ef_simulate(&dev, &cal2, &wl, &att, NULL, 0, shapes, 7, ch, &r2, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "dequant_to_float not 0/1");
    ef_op_cost oc;
    ef_tensor_shape lin = {512, 512, EF_ROLE_LINEAR, 0, EF_DENSE_READS};
    ef_tensor_choice lc = {EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 512, 512 * 512 / 32 * 18, 512, 512};
    EXPECT(ef_linear_cost(&dev, &cal, &wl, &lin, &lc, &oc, msg, sizeof msg) == EF_OK && oc.time_s > 0, "linear cost");

    /* api 4 kernel-shape terms: serial memory + compute, per-scale cost of generic groups, sparse kernel cost */
    {
        ef_backend_params k = cal;
        ef_op_cost a, b;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &lc, &a, msg, sizeof msg) == EF_OK, "api4 base");
        k.memory_compute_serial = 1.0;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &lc, &b, msg, sizeof msg) == EF_OK, "serial accepted");
        EXPECT(b.time_s > a.time_s, "serial memory and compute add");
        k.memory_compute_serial = 0.5;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &lc, &b, msg, sizeof msg) == EF_ERR_RANGE, "serial not 0/1");
        k.memory_compute_serial = 0.0;
        /* int4 with groups of 32 (sym: 1 scale, asym: 2 per group): 512 x 512 / 32 groups */
        ef_tensor_choice g32 = {EF_FMT_INT_BASE + 3, EF_SPARSE_NONE, 0.0, 512, 512 * 512 / 32 * 18, 512, 512};
        ef_tensor_choice g32a = {EF_FMT_INT_ASYM_BASE + 3, EF_SPARSE_NONE, 0.0, 512, 512 * 512 / 32 * 20, 512, 512};
        ef_op_cost s0, s1, s2;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &g32, &s0, msg, sizeof msg) == EF_OK, "int4g32 base");
        k.dequant_ops_per_scale = 10.0;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &g32, &s1, msg, sizeof msg) == EF_OK, "per-scale accepted");
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &g32a, &s2, msg, sizeof msg) == EF_OK, "per-scale asym");
        double groups = 512.0 * 512.0 / 32.0;
        EXPECT(fabs(s1.ops - s0.ops - 10.0 * groups) < 1e-6 * s1.ops, "one scale per symmetric group");
        ef_backend_params k0 = k;
        k0.dequant_ops_per_scale = 0.0;
        ef_op_cost s3;
        EXPECT(ef_linear_cost(&dev, &k0, &wl, &lin, &g32a, &s3, msg, sizeof msg) == EF_OK, "asym id accepted");
        EXPECT(fabs(s2.ops - s3.ops - 20.0 * groups) < 1e-6 * s2.ops, "scale and zero point per asymmetric group");
        EXPECT(ef_format_dequant_ops(EF_FMT_INT_ASYM_BASE + 3) > ef_format_dequant_ops(EF_FMT_INT_BASE + 3), "zero point costs extra");
        EXPECT(ef_format_uses_int8(EF_FMT_COUNT) == -1, "no id past the last");
        {
            /* api 7: named ids after the generic ones; the per-scale term stays a generic-only cost */
            ef_format_info iq;
            EXPECT(ef_format_describe(EF_FMT_IQ2_XXS, &iq) == EF_OK && iq.block_weights == 256 && iq.block_bytes == 66
                   && iq.generic_bits == 0, "IQ2_XXS: 66 bytes per 256");
            EXPECT(ef_format_describe(EF_FMT_TQ1_0, &iq) == EF_OK && iq.block_bytes == 54, "TQ1_0: 54 bytes per 256");
            EXPECT(ef_format_uses_int8(EF_FMT_NAMED2_BASE) == 1, "first named id after the generic ones runs on int8");
            ef_tensor_choice iq2 = {EF_FMT_IQ2_XXS, EF_SPARSE_NONE, 0.0, 512, 512 * 512 / 256 * 66, 512, 512};
            ef_op_cost q0, q1;
            ef_backend_params kq = k;
            kq.dequant_ops_per_scale = 0.0;
            EXPECT(ef_linear_cost(&dev, &kq, &wl, &lin, &iq2, &q0, msg, sizeof msg) == EF_OK, "IQ2_XXS costed");
            kq.dequant_ops_per_scale = 10.0;
            EXPECT(ef_linear_cost(&dev, &kq, &wl, &lin, &iq2, &q1, msg, sizeof msg) == EF_OK && q1.ops == q0.ops,
                   "no per-scale term for a named id past the generic ones");
        }
        k.dequant_ops_per_scale = -1.0;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &g32, &s1, msg, sizeof msg) == EF_ERR_RANGE, "negative per-scale cost");
        k.dequant_ops_per_scale = 0.0;
        /* unstructured 50%: profiled kernel multiplies stored weights only, at its own cost per stored weight */
        ef_tensor_choice sp = {EF_FMT_F16, EF_SPARSE_UNSTRUCTURED, 0.5, 512, 512 * 512 / 8 + 512 * 256 * 2, 512, 512};
        k.sparse_ops[0] = 7.0;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &sp, &s1, msg, sizeof msg) == EF_OK, "sparse ops accepted");
        EXPECT(fabs(s1.ops - (2.0 + 7.0) * 512.0 * 256.0) < 1e-6 * s1.ops, "sparse kernel ops per stored weight");
        k.sparse_ops[1] = 1e5;
        EXPECT(ef_linear_cost(&dev, &k, &wl, &lin, &sp, &s1, msg, sizeof msg) == EF_ERR_RANGE, "sparse ops out of range");
    }
    EXPECT(ef_linear_cost(&dev, &cal, &wl, &lin, &lc, NULL, msg, sizeof msg) == EF_ERR_NULL, "linear cost NULL out");

    /* mixture of experts (api 6): a tensor stacking 8 experts of 128 rows, 2 active, decodes as its 256-row slice,
       holds all 8 in memory, and prefill reads 3 more experts per micro-batch, one GEMV each */
    {
        ef_tensor_shape moe[8], act[8];
        memcpy(moe, shapes, sizeof shapes);
        moe[7] = (ef_tensor_shape){1024, 512, EF_ROLE_LINEAR, 1, 0.25, 1.0, 0.125, 0.0};
        memcpy(act, moe, sizeof moe);
        act[7] = (ef_tensor_shape){256, 512, EF_ROLE_LINEAR, 1, EF_DENSE_READS};
        ef_tensor_choice mc[8], ac[8];
        memcpy(mc, ch, sizeof ch);
        memcpy(ac, ch, sizeof ch);
        mc[7] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 512, 1024 * 512 / 32 * 18, 1024, 512};
        ac[7] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 256, 256 * 512 / 32 * 18, 256, 512};
        ef_result rm, ra, rx;
        ef_op_cost om[10], oa[10];
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, moe, 8, mc, &rm, om, 10, msg, sizeof msg) == EF_OK, msg);
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, act, 8, ac, &ra, oa, 10, msg, sizeof msg) == EF_OK, msg);
        EXPECT(om[7].bytes == oa[7].bytes && om[7].ops == oa[7].ops && om[7].time_s == oa[7].time_s, "decode runs the active slice");
        EXPECT(rm.decode_tok_s == ra.decode_tok_s && rm.ttft_s == ra.ttft_s, "no extra units: same as the active tensor");
        EXPECT(rm.weight_bytes == ra.weight_bytes + 768.0 * 512 / 32 * 18, "memory holds every expert");
        moe[7].prefill_extra_units = 3.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, moe, 8, mc, &rx, NULL, 0, msg, sizeof msg) == EF_OK, msg);
        /* 3 GEMVs of one 128 x 512 expert per micro-batch (128 prompt tokens, ubatch 512: one), inside the tensor's
           own operator: no launch overhead of their own (1.8.1) */
        ef_tensor_shape one = {128, 512, EF_ROLE_LINEAR, 0, EF_DENSE_READS};
        ef_tensor_choice oc1 = {EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 128, 128 * 512 / 32 * 18, 128, 512};
        ef_op_cost expert;
        EXPECT(ef_linear_cost(&dev, &cal, &wl, &one, &oc1, &expert, msg, sizeof msg) == EF_OK, msg);
        EXPECT(cal.op_overhead_s > 0.0, "the check below needs a launch overhead to leave out");
        EXPECT(fabs(rx.ttft_s - (ra.ttft_s + 3.0 * (expert.time_s - cal.op_overhead_s))) <= 1e-12 * rx.ttft_s,
               "prefill adds one GEMV per extra expert, without its launch");
        EXPECT(rx.decode_tok_s == ra.decode_tok_s && rx.weight_bytes == rm.weight_bytes, "extra units touch prefill only");
        ef_tensor_shape bad[8];
        memcpy(bad, moe, sizeof moe);
        bad[7].decode_rows_fraction = 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, bad, 8, mc, &rx, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "zero read fraction");
        bad[7].decode_rows_fraction = 0.5;
        bad[7].decode_cols_fraction = 0.5;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, bad, 8, mc, &rx, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "rows and cols both sliced");
        bad[7].decode_cols_fraction = 1.0;
        bad[7].prefill_extra_units = 5.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, bad, 8, mc, &rx, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "more than the tensor"),
               "a micro-batch cannot read more than the tensor");
        bad[7].prefill_extra_units = 0.0 / 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, bad, 8, mc, &rx, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "NaN units");
    }

    /* hybrid blocks (api 9): block 0 attends, block 1 is a short convolution holding 4 KiB of state; it has no attention
       operator and no KV cache, its decode operator reads and writes its state, and the state does not grow with context */
    {
        ef_tensor_shape hs[5];
        memcpy(hs, shapes, 4 * sizeof shapes[0]);
        hs[4] = (ef_tensor_shape){1536, 512, EF_ROLE_LINEAR, 1, EF_DENSE_READS}; /* the convolution block's input projection */
        ef_tensor_choice hc[5];
        memcpy(hc, ch, 4 * sizeof ch[0]);
        hc[4] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 512, 1536 * 512 / 32 * 18, 1536, 512};
        ef_block hb[2] = {{EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 0.0}, {EF_BLOCK_SHORT_CONV, 4096.0, 1024.0, 0.0, 0.0, 0.0}};
        ef_result rh, rw;
        ef_op_cost oh[7];
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, hb, 2, hs, 5, hc, &rh, oh, 7, msg, sizeof msg) == EF_OK, msg);
        EXPECT(rh.kv_cache_bytes == 2048.0 * 256 * 2, "only the attention block holds a KV cache (K + V rows 256, 2048 positions, 2 bytes)");
        EXPECT(rh.state_bytes == 4096.0, "the convolution block holds its state");
        EXPECT(rh.peak_memory_bytes == rh.weight_bytes + rh.kv_cache_bytes + rh.state_bytes + rh.activation_bytes + rh.runtime_bytes,
               "state counted in peak memory");
        EXPECT(oh[6].bytes == 2.0 * 4096.0 && oh[6].ops == 1024.0 && oh[6].bound != EF_BOUND_NONE, "a decode token reads and writes the state");
        EXPECT(oh[5].bytes > 0.0 && oh[5].bound != EF_BOUND_NONE, "block 0 still attends");
        ef_workload longer = wl;
        longer.context_tokens = 4096;
        EXPECT(ef_simulate(&dev, &cal, &longer, &att, hb, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_OK, msg);
        EXPECT(rw.state_bytes == rh.state_bytes && rw.kv_cache_bytes == 2.0 * rh.kv_cache_bytes, "state is independent of context, the cache is not");
        /* prefill: the state update once per prompt token, the state read and written once per micro-batch */
        ef_workload twice = wl;
        twice.prompt_tokens = 256;
        ef_block heavy[2] = {hb[0], {EF_BLOCK_LINEAR_ATTENTION, 4096.0, 4e9, 0.0, 0.0, 0.0}};
        ef_result p1, p2;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, heavy, 2, hs, 5, hc, &p1, NULL, 0, msg, sizeof msg) == EF_OK, msg);
        EXPECT(ef_simulate(&dev, &cal, &twice, &att, heavy, 2, hs, 5, hc, &p2, NULL, 0, msg, sizeof msg) == EF_OK, msg);
        EXPECT(p2.ttft_s < 2.2 * p1.ttft_s, "a compute-heavy state update grows linearly with the prompt, not quadratically");
        double hout[EF_RESULT_FIELDS];
        int32_t hst;
        EXPECT(ef_simulate_batch(&dev, &cal, &wl, &att, hb, 2, hs, 5, hc, 1, hout, &hst, msg, sizeof msg) == EF_OK && hst == EF_OK, msg);
        EXPECT(hout[EF_WIRE_RESULT_DECODE_TOK_S] == rh.decode_tok_s && hout[EF_WIRE_RESULT_STATE_BYTES] == rh.state_bytes, "batch equals single");

        /* every inconsistent block description is refused by name */
        ef_block bad[2];
        memcpy(bad, hb, sizeof hb);
        bad[1].kind = 7;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_ENUM && strstr(msg, "block 1"), "unknown kind");
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, hb, 1, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_LENGTH, "one block for two layers");
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_NULL, "NULL blocks with a count");
        memcpy(bad, hb, sizeof hb);
        bad[0].state_bytes = 16.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "an attention block holds no state");
        memcpy(bad, hb, sizeof hb);
        bad[1].state_bytes = 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "a recurrent block holds some");
        bad[1].state_bytes = 0.0 / 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "NaN state");
        memcpy(bad, hb, sizeof hb);
        bad[0].kind = EF_BLOCK_LINEAR_ATTENTION;
        bad[0].state_bytes = 4096.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "without attention"),
               "Q/K/V in a block that does not attend");
        ef_attention sh = att;
        sh.kv_shared_layers = 1;
        EXPECT(ef_simulate(&dev, &cal, &wl, &sh, hb, 2, hs, 5, hc, &rw, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "kv_shared_layers"),
               "a recurrent block cannot be KV-shared");
    }

    /* latent attention (api 11): block 1 states its cache and query rows; it caches cache_rows per position whatever its
       projections, and its attention operator costs like an attention block of kept Q rows query_rows and K + V rows
       cache_rows (block 0's own Q/K/V in the shapes above give 512 Q and 256 K + V rows) */
    {
        ef_tensor_shape ls[5];
        memcpy(ls, shapes, 4 * sizeof shapes[0]);
        ls[4] = (ef_tensor_shape){576, 512, EF_ROLE_LINEAR, 1, EF_DENSE_READS}; /* block 1's kv_a_mqa: latent + rope key */
        ef_tensor_choice lc[5];
        memcpy(lc, ch, 4 * sizeof ch[0]);
        lc[4] = (ef_tensor_choice){EF_FMT_Q4_0, EF_SPARSE_NONE, 0.0, 512, 576 * 512 / 32 * 18, 576, 512};
        ef_block lb[2] = {{EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 0.0}, {EF_BLOCK_LATENT_ATTENTION, 0.0, 0.0, 72.0, 128.0, 0.0}};
        ef_block same[2] = {lb[0], {EF_BLOCK_LATENT_ATTENTION, 0.0, 0.0, 256.0, 512.0, 0.0}};
        ef_result rl, rs;
        ef_op_cost ol[7], os[7];
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, lb, 2, ls, 5, lc, &rl, ol, 7, msg, sizeof msg) == EF_OK, msg);
        EXPECT(rl.kv_cache_bytes == 2048.0 * (256 + 72) * 2, "the latent block caches its 72 stated rows per position beside block 0's 256");
        EXPECT(rl.state_bytes == 0.0, "a latent block holds no state");
        EXPECT(ol[6].bytes > 0.0 && ol[6].bytes < ol[5].bytes && ol[6].bound != EF_BOUND_NONE, "its attention reads its smaller cache");
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, same, 2, ls, 5, lc, &rs, os, 7, msg, sizeof msg) == EF_OK, msg);
        EXPECT(os[6].bytes == os[5].bytes && os[6].ops == os[5].ops && os[6].time_s == os[5].time_s,
               "stating block 0's own rows costs exactly what its Q/K/V tensors give");
        ef_block bad[2];
        memcpy(bad, lb, sizeof lb);
        bad[1].cache_rows = 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, ls, 5, lc, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "latent"),
               "a latent block states its cache rows");
        memcpy(bad, lb, sizeof lb);
        bad[1].query_rows = 0.0 / 0.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, ls, 5, lc, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "NaN query rows");
        memcpy(bad, lb, sizeof lb);
        bad[0].cache_rows = 64.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, ls, 5, lc, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "only a latent"),
               "an attention block derives its rows from Q/K/V");
        memcpy(bad, lb, sizeof lb);
        bad[1].state_bytes = 8.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, ls, 5, lc, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "a latent block holds no state");
        ef_tensor_shape qk[5];
        memcpy(qk, ls, sizeof ls);
        qk[4].role = EF_ROLE_ATTN_K;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, lb, 2, qk, 5, lc, &rs, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "latent-attention"),
               "a latent block's projections carry no Q/K/V role");
    }

    /* sliding windows (api 11): block 1 attends within 64 tokens. Its cache holds the window plus one micro-batch (64 +
       the calibration's 512) of the 2048 positions; its decode reads at most 64 positions; a window wider than the context
       changes nothing */
    {
        ef_block wb[2] = {{EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 0.0}, {EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 64.0}};
        ef_block wide[2] = {wb[0], {EF_BLOCK_ATTENTION, 0.0, 0.0, 0.0, 0.0, 1e6}};
        ef_result rwin, rfull, rwide;
        ef_op_cost ow[9], of[9];
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, wb, 2, shapes, 7, ch, &rwin, ow, 9, msg, sizeof msg) == EF_OK, msg);
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, NULL, 0, shapes, 7, ch, &rfull, of, 9, msg, sizeof msg) == EF_OK, msg);
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, wide, 2, shapes, 7, ch, &rwide, NULL, 0, msg, sizeof msg) == EF_OK, msg);
        EXPECT(rfull.kv_cache_bytes == 2048.0 * 256 * 2 * 2, "two full blocks cache every position");
        EXPECT(rwin.kv_cache_bytes == (2048.0 + 64 + cal.ubatch_tokens) * 256 * 2, "the windowed block holds its window and a micro-batch");
        EXPECT(ow[7].bytes == of[7].bytes && ow[8].bytes < of[8].bytes, "only block 1's decode reads less");
        EXPECT(ow[8].bytes == 64.0 * 256 * 2, "a prompt beyond the window: every generated token reads exactly the window");
        EXPECT(rwin.ttft_s < rfull.ttft_s && rwin.decode_tok_s > rfull.decode_tok_s, "prefill and decode both read less");
        EXPECT(rwide.kv_cache_bytes == rfull.kv_cache_bytes && rwide.decode_tok_s == rfull.decode_tok_s && rwide.ttft_s == rfull.ttft_s,
               "a window beyond the context is the whole context");
        ef_block bad[2];
        memcpy(bad, wb, sizeof wb);
        bad[1].window_tokens = 2.5;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, shapes, 7, ch, &rwin, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE && strstr(msg, "window"),
               "a window is whole tokens");
        bad[1].window_tokens = -1.0;
        EXPECT(ef_simulate(&dev, &cal, &wl, &att, bad, 2, shapes, 7, ch, &rwin, NULL, 0, msg, sizeof msg) == EF_ERR_RANGE, "negative window");
    }

    /* reference kernels: round trip, GEMV, and every bad input a status, never a crash */
    float w[2 * 256], u[2 * 256], x[256], y[2];
    for (int i = 0; i < 512; i++) w[i] = (float)((i * 37 % 101) - 50) / 50.0f;
    for (int i = 0; i < 256; i++) x[i] = (float)(i % 7) - 3.0f;
    uint8_t packed[2 * 144];
    int64_t rb = 0;
    EXPECT(ef_k_row_bytes(EF_FMT_Q4_K, 0, 0, 256, &rb, msg, sizeof msg) == EF_OK && rb == 144, "Q4_K row bytes");
    EXPECT(ef_k_pack(EF_FMT_Q4_K, 0, 0, w, 2, 256, packed, sizeof packed, msg, sizeof msg) == EF_OK, "Q4_K pack");
    EXPECT(ef_k_unpack(EF_FMT_Q4_K, 0, 0, packed, sizeof packed, 2, 256, u, 512, msg, sizeof msg) == EF_OK, "Q4_K unpack");
    double err = 0;
    for (int i = 0; i < 512; i++) err = fmax(err, fabs(u[i] - w[i]));
    EXPECT(err < 0.1, "Q4_K round trip within a quantization step");
    EXPECT(ef_k_gemv(EF_FMT_Q4_K, 0, 0, packed, sizeof packed, 2, 256, x, 256, y, 2, msg, sizeof msg) == EF_OK, "Q4_K gemv");
    double ref = 0;
    for (int i = 0; i < 256; i++) ref += (double)u[i] * x[i];
    EXPECT(fabs(ref - y[0]) < 1e-3, "gemv equals dot of unpacked row");
    EXPECT(ef_k_pack(EF_FMT_Q4_K, 0, 0, w, 2, 256, packed, sizeof packed - 1, msg, sizeof msg) == EF_ERR_LENGTH, "short dst");
    EXPECT(ef_k_pack(EF_FMT_Q4_K, 0, 0, w, 2, 100, packed, sizeof packed, msg, sizeof msg) == EF_ERR_RANGE, "cols not a block multiple");
    EXPECT(ef_k_pack(EF_FMT_COUNT, 0, 0, w, 2, 256, packed, sizeof packed, msg, sizeof msg) == EF_ERR_ENUM, "unknown format");
    EXPECT(ef_k_pack(EF_FMT_IQ2_XXS, 0, 0, w, 2, 256, packed, sizeof packed, msg, sizeof msg) == EF_ERR_UNSUPPORTED, "a lattice i-quant has no reference kernel");
    EXPECT(ef_k_pack(EF_FMT_IQ4_NL, 0, 0, w, 2, 256, packed, sizeof packed, msg, sizeof msg) == EF_ERR_UNSUPPORTED, "a format without a reference kernel");
    EXPECT(ef_k_pack(EF_FMT_INT_BASE + 3, -5, 0, w, 2, 256, packed, sizeof packed, msg, sizeof msg) == EF_ERR_RANGE, "negative group");
    EXPECT(ef_k_gemv(EF_FMT_Q4_K, 0, 0, NULL, 0, 2, 256, x, 256, y, 2, msg, sizeof msg) == EF_ERR_NULL, "NULL weights");
    EXPECT(ef_k_gemv(EF_FMT_Q4_K, 0, 0, packed, sizeof packed, 2, 256, x, 255, y, 2, msg, sizeof msg) == EF_ERR_LENGTH, "short x");
    EXPECT(ef_k_unpack(EF_FMT_F32, 0, 0, packed, 8, -1, 2, u, 512, msg, sizeof msg) == EF_ERR_RANGE, "negative rows");
    uint8_t sp[64] = {0xff, 0xff};
    EXPECT(ef_k_sparse_unpack(EF_SPARSE_UNSTRUCTURED, 0, 0, sp, 3, 1, 16, u, 512, msg, sizeof msg) == EF_ERR_LENGTH,
           "bitmap claims more values than stored");
    EXPECT(ef_k_sparse_gemv(EF_SPARSE_NM, 4, 4, sp, 64, 1, 16, x, 256, y, 2, msg, sizeof msg) == EF_ERR_RANGE, "n must be < m");
    EXPECT(ef_k_sparse_pack(7, 2, 4, w, 1, 16, sp, 64, msg, sizeof msg) == EF_ERR_ENUM, "unknown sparsity kind");

    if (failures == 0) printf("ef_sim_test: all passed (%s)\n", ef_version());
    return failures == 0 ? 0 : 1;
}
