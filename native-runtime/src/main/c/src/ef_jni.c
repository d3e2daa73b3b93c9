/* JNI bridge for org.edgefront.nativert.NativeBridge: unpacks flat Java arrays into the C API's
 * structs, checks every array length first, and turns a failing status into a
 * NativeSimulatorException(status, message). Never exits; allocation failures become exceptions. */
#include <jni.h>
#include <stdlib.h>
#include <string.h>

#include "edgefront_sim.h"
#include "edgefront_wire.h"
#include "ef_jni_internal.h"
#include "org_edgefront_nativert_NativeBridge.h"

/* every array's length and slots come from edgefront_wire.h */
#define DEVICE_FIELDS EF_WIRE_DEVICE_FIELDS
#define CAL_FIELDS EF_WIRE_CALIBRATION_FIELDS
#define WORKLOAD_FIELDS EF_WIRE_WORKLOAD_FIELDS
#define ATTENTION_FIELDS EF_WIRE_ATTENTION_FIELDS
#define BLOCK_FIELDS EF_WIRE_BLOCK_FIELDS
#define SHAPE_FIELDS EF_WIRE_SHAPE_FIELDS
#define READS_FIELDS EF_WIRE_READS_FIELDS
#define CHOICE_INT_FIELDS EF_WIRE_CHOICE_FIELDS
#define OP_FIELDS EF_WIRE_OP_FIELDS
#define RESULT_FIELDS EF_WIRE_RESULT_FIELDS
#define CHUNK_CANDIDATES 256

_Static_assert(sizeof(jint) == sizeof(int32_t) && sizeof(jlong) == sizeof(int64_t) && sizeof(jdouble) == sizeof(double),
               "JNI primitive sizes match the C API's");

void ef_jni_throw(JNIEnv *env, int status, const char *msg) {
    if ((*env)->ExceptionCheck(env)) return;
    jclass cls = (*env)->FindClass(env, "org/edgefront/nativert/NativeSimulatorException");
    if (cls == NULL) return; /* NoClassDefFoundError pending */
    jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(ILjava/lang/String;)V");
    if (ctor == NULL) return;
    jstring jmsg = (*env)->NewStringUTF(env, msg);
    if (jmsg == NULL) return;
    jobject ex = (*env)->NewObject(env, cls, ctor, (jint)status, jmsg);
    if (ex != NULL) (*env)->Throw(env, (jthrowable)ex);
}

static int check_len(JNIEnv *env, jarray a, jsize need, const char *name) {
    if (a == NULL) {
        char m[128];
        snprintf(m, sizeof m, "%s is null", name);
        ef_jni_throw(env, EF_ERR_NULL, m);
        return 0;
    }
    jsize len = (*env)->GetArrayLength(env, a);
    if (len != need) {
        char m[160];
        snprintf(m, sizeof m, "%s has length %d, expected %d", name, (int)len, (int)need);
        ef_jni_throw(env, EF_ERR_LENGTH, m);
        return 0;
    }
    return 1;
}

typedef struct {
    ef_device dev;
    ef_backend_params cal;
    ef_workload wl;
    ef_attention att;
    ef_block *blocks; /* n_blocks of them (malloc'd; NULL when none): release with free_shared */
    size_t n_blocks;
} shared_inputs;

static void free_shared(shared_inputs *s) {
    free(s->blocks);
    s->blocks = NULL;
    s->n_blocks = 0;
}

/* Device, calibration and workload (every call), each slot by name. */
static int read_common(JNIEnv *env, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, shared_inputs *s) {
    if (!check_len(env, jdev, DEVICE_FIELDS, "device") || !check_len(env, jcal, CAL_FIELDS, "calibration")
        || !check_len(env, jwl, WORKLOAD_FIELDS, "workload"))
        return 0;
    double d[DEVICE_FIELDS], c[CAL_FIELDS];
    jint w[WORKLOAD_FIELDS];
    (*env)->GetDoubleArrayRegion(env, jdev, 0, DEVICE_FIELDS, d);
    (*env)->GetDoubleArrayRegion(env, jcal, 0, CAL_FIELDS, c);
    (*env)->GetIntArrayRegion(env, jwl, 0, WORKLOAD_FIELDS, w);
    if ((*env)->ExceptionCheck(env)) return 0;
#define READ(table, name, field) s->dev.field = d[EF_WIRE_##table##_##name];
    EF_WIRE_DEVICE(READ)
#undef READ
    for (int b = 0; b < EF_BACKEND_COUNT; b++) {
        const double *u = d + EF_WIRE_DEVICE_SCALARS + b * EF_WIRE_UNIT_FIELDS;
#define READ(table, name, field) s->dev.unit[b].field = u[EF_WIRE_##table##_##name];
        EF_WIRE_UNIT(READ)
#undef READ
    }
#define READ(table, name, field) s->cal.field = c[EF_WIRE_##table##_##name];
    EF_WIRE_CALIBRATION(READ)
#undef READ
    for (int f = 0; f < EF_FMT_COUNT; f++) s->cal.dequant_ops[f] = c[EF_WIRE_CALIBRATION_SCALARS + f];
    const double *tail = c + EF_WIRE_CALIBRATION_SCALARS + EF_FMT_COUNT;
#define READ(table, name, field) s->cal.field = tail[EF_WIRE_##table##_##name];
    EF_WIRE_CALIBRATION_TAIL(READ)
#undef READ
#define READ(table, name, field) s->wl.field = w[EF_WIRE_##table##_##name];
    EF_WIRE_WORKLOAD(READ)
#undef READ
    return 1;
}

/* A block kind that travelled as a double: a whole number in the enum's int range, else -1, which the library refuses
 * by name (casting NaN or an out-of-range double to an integer is undefined behaviour, so it is never done). */
static int32_t block_kind(double k) {
    return (k >= -1.0 && k <= 1e6 && k == (double)(int32_t)k) ? (int32_t)k : -1;
}

/* Device, calibration, workload, attention and the blocks (api 9: none, or EF_WIRE_BLOCK doubles per layer). On success
 * the caller releases *s with free_shared; on failure nothing is held and an exception is pending. */
static int read_shared(JNIEnv *env, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jatt, jdoubleArray jblocks,
                       shared_inputs *s) {
    s->blocks = NULL;
    s->n_blocks = 0;
    if (!read_common(env, jdev, jcal, jwl, s) || !check_len(env, jatt, ATTENTION_FIELDS, "attention")) return 0;
    jint a[ATTENTION_FIELDS];
    (*env)->GetIntArrayRegion(env, jatt, 0, ATTENTION_FIELDS, a);
    if ((*env)->ExceptionCheck(env)) return 0;
#define READ(table, name, field) s->att.field = a[EF_WIRE_##table##_##name];
    EF_WIRE_ATTENTION(READ)
#undef READ
    if (jblocks == NULL) { ef_jni_throw(env, EF_ERR_NULL, "blocks is null"); return 0; }
    jsize len = (*env)->GetArrayLength(env, jblocks);
    /* one block per layer, or none; the layer count itself is range-checked by the library */
    jsize layers = s->att.layers >= 1 && s->att.layers <= EF_MAX_LAYERS ? (jsize)s->att.layers : -1;
    if (len != 0 && (layers < 0 || len != layers * BLOCK_FIELDS)) {
        char m[160];
        snprintf(m, sizeof m, "blocks has length %d, expected 0 or %d per layer for %d layers", (int)len, BLOCK_FIELDS, (int)s->att.layers);
        ef_jni_throw(env, EF_ERR_LENGTH, m);
        return 0;
    }
    if (len == 0) return 1;
    size_t n = (size_t)len / BLOCK_FIELDS;
    double *b = malloc((size_t)len * sizeof *b);
    ef_block *blocks = malloc(n * sizeof *blocks);
    if (b == NULL || blocks == NULL) {
        free(b); free(blocks);
        ef_jni_throw(env, EF_ERR_LENGTH, "out of memory for the blocks");
        return 0;
    }
    (*env)->GetDoubleArrayRegion(env, jblocks, 0, len, b);
    if ((*env)->ExceptionCheck(env)) { free(b); free(blocks); return 0; }
    for (size_t l = 0; l < n; l++) {
        const double *r = b + BLOCK_FIELDS * l;
        blocks[l].kind = block_kind(r[EF_WIRE_BLOCK_KIND]);
        blocks[l].state_bytes = r[EF_WIRE_BLOCK_STATE_BYTES];
        blocks[l].state_ops = r[EF_WIRE_BLOCK_STATE_OPS];
        blocks[l].cache_rows = r[EF_WIRE_BLOCK_CACHE_ROWS];
        blocks[l].query_rows = r[EF_WIRE_BLOCK_QUERY_ROWS];
        blocks[l].window_tokens = r[EF_WIRE_BLOCK_WINDOW_TOKENS];
    }
    free(b);
    s->blocks = blocks;
    s->n_blocks = n;
    return 1;
}

/* One tensor's shape from its ints (EF_WIRE_SHAPE) and its read fractions (EF_WIRE_READS; NULL = a dense tensor). */
static ef_tensor_shape shape_at(const jint *r, const double *reads) {
    ef_tensor_shape t = {0, 0, 0, 0, EF_DENSE_READS};
#define READ(table, name, field) t.field = r[EF_WIRE_##table##_##name];
    EF_WIRE_SHAPE(READ)
#undef READ
    if (reads != NULL) {
#define READ(table, name, field) t.field = reads[EF_WIRE_##table##_##name];
        EF_WIRE_READS(READ)
#undef READ
    }
    return t;
}

/* One choice from its ints (EF_WIRE_CHOICE), ratio and bytes. */
static ef_tensor_choice choice_at(const jint *c, double ratio, int64_t bytes) {
    ef_tensor_choice t;
#define READ(table, name, field) t.field = c[EF_WIRE_##table##_##name];
    EF_WIRE_CHOICE(READ)
#undef READ
    t.sparsity_ratio = ratio;
    t.weight_bytes = bytes;
    return t;
}

/* The tensors: EF_WIRE_SHAPE ints and EF_WIRE_READS doubles per tensor, both lengths checked first. */
static ef_tensor_shape *read_shapes(JNIEnv *env, jintArray jshapes, jdoubleArray jreads, size_t *n_out) {
    if (jshapes == NULL) { ef_jni_throw(env, EF_ERR_NULL, "shapes is null"); return NULL; }
    jsize len = (*env)->GetArrayLength(env, jshapes);
    if (len < SHAPE_FIELDS || len % SHAPE_FIELDS != 0) {
        char m[128];
        snprintf(m, sizeof m, "shapes has length %d, not a positive multiple of %d", (int)len, SHAPE_FIELDS);
        ef_jni_throw(env, EF_ERR_LENGTH, m);
        return NULL;
    }
    size_t n = (size_t)len / SHAPE_FIELDS;
    if ((double)n * READS_FIELDS > 2147483647.0) { ef_jni_throw(env, EF_ERR_LENGTH, "too many tensors for Java arrays"); return NULL; }
    if (!check_len(env, jreads, (jsize)(n * READS_FIELDS), "reads")) return NULL;
    jint *raw = malloc(n * SHAPE_FIELDS * sizeof *raw);
    double *reads = malloc(n * READS_FIELDS * sizeof *reads);
    ef_tensor_shape *shapes = malloc(n * sizeof *shapes);
    if (raw == NULL || reads == NULL || shapes == NULL) {
        free(raw); free(reads); free(shapes);
        ef_jni_throw(env, EF_ERR_LENGTH, "out of memory for tensor shapes");
        return NULL;
    }
    (*env)->GetIntArrayRegion(env, jshapes, 0, (jsize)(n * SHAPE_FIELDS), raw);
    (*env)->GetDoubleArrayRegion(env, jreads, 0, (jsize)(n * READS_FIELDS), reads);
    if ((*env)->ExceptionCheck(env)) { free(raw); free(reads); free(shapes); return NULL; }
    for (size_t i = 0; i < n; i++) shapes[i] = shape_at(raw + SHAPE_FIELDS * i, reads + READS_FIELDS * i);
    free(raw);
    free(reads);
    *n_out = n;
    return shapes;
}

JNIEXPORT jstring JNICALL Java_org_edgefront_nativert_NativeBridge_version(JNIEnv *env, jclass cls) {
    (void)cls;
    return (*env)->NewStringUTF(env, ef_version());
}

JNIEXPORT jint JNICALL Java_org_edgefront_nativert_NativeBridge_apiVersion(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return ef_api_version();
}

JNIEXPORT jint JNICALL Java_org_edgefront_nativert_NativeBridge_resultFields(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    return RESULT_FIELDS;
}

/* The wire layout's names (edgefront_wire.h), for WireLayout's check at load: one section per table,
 * "device=A,B,;unit=...;backend=CPU,...;calibration=...;dequant_ops=32;calibration_tail=...;workload=...;attention=...;
 * shape=...;choice=...;result=...;op=...;format_info=...;fields=device:23,calibration:46,..." (the last section the
 * whole-array lengths). NULL (with an exception) when the text does not fit. */
#define WIRE_NAME(table, name, field) #name ","
#define WIRE_BACKEND(name, id, host) #name ","
JNIEXPORT jstring JNICALL Java_org_edgefront_nativert_NativeBridge_wireLayout(JNIEnv *env, jclass cls) {
    (void)cls;
    char text[4096];
    int len = snprintf(text, sizeof text,
                       "device=%s;unit=%s;backend=%s;calibration=%s;dequant_ops=%d;calibration_tail=%s;workload=%s;attention=%s;"
                       "block=%s;shape=%s;reads=%s;choice=%s;result=%s;op=%s;format_info=%s;"
                       "fields=device:%d,calibration:%d,workload:%d,attention:%d,block:%d,shape:%d,reads:%d,choice:%d,result:%d,op:%d,format_info:%d",
                       EF_WIRE_DEVICE(WIRE_NAME), EF_WIRE_UNIT(WIRE_NAME), EF_BACKEND_TABLE(WIRE_BACKEND), EF_WIRE_CALIBRATION(WIRE_NAME),
                       EF_FMT_COUNT, EF_WIRE_CALIBRATION_TAIL(WIRE_NAME), EF_WIRE_WORKLOAD(WIRE_NAME), EF_WIRE_ATTENTION(WIRE_NAME),
                       EF_WIRE_BLOCK(WIRE_NAME), EF_WIRE_SHAPE(WIRE_NAME), EF_WIRE_READS(WIRE_NAME), EF_WIRE_CHOICE(WIRE_NAME), EF_WIRE_RESULT(WIRE_NAME),
                       EF_WIRE_OP(WIRE_NAME), EF_WIRE_FORMAT_INFO(WIRE_NAME), EF_WIRE_DEVICE_FIELDS, EF_WIRE_CALIBRATION_FIELDS, EF_WIRE_WORKLOAD_FIELDS,
                       EF_WIRE_ATTENTION_FIELDS, EF_WIRE_BLOCK_FIELDS, EF_WIRE_SHAPE_FIELDS, EF_WIRE_READS_FIELDS, EF_WIRE_CHOICE_FIELDS,
                       EF_WIRE_RESULT_FIELDS, EF_WIRE_OP_FIELDS, EF_WIRE_FORMAT_INFO_FIELDS);
    if (len < 0 || (size_t)len >= sizeof text) {
        ef_jni_throw(env, EF_ERR_LENGTH, "wire layout text does not fit its buffer");
        return NULL;
    }
    return (*env)->NewStringUTF(env, text);
}

/* The format table (edgefront_formats.h): EF_WIRE_FORMAT_INFO doubles per id 0..EF_FMT_COUNT-1 (an id that is no format
 * is all zeros). Java compares it with its registry at load. */
JNIEXPORT jdoubleArray JNICALL Java_org_edgefront_nativert_NativeBridge_formatTable(JNIEnv *env, jclass cls) {
    (void)cls;
    double t[EF_FMT_COUNT * EF_WIRE_FORMAT_INFO_FIELDS];
    for (int f = 0; f < EF_FMT_COUNT; f++) {
        struct { int present; ef_format_info info; } row;
        memset(&row, 0, sizeof row);
        row.present = ef_format_describe(f, &row.info) == EF_OK;
        double *r = t + EF_WIRE_FORMAT_INFO_FIELDS * f;
#define WRITE(table, name, field) r[EF_WIRE_##table##_##name] = (double)row.field;
        EF_WIRE_FORMAT_INFO(WRITE)
#undef WRITE
    }
    jdoubleArray out = (*env)->NewDoubleArray(env, EF_FMT_COUNT * EF_WIRE_FORMAT_INFO_FIELDS);
    if (out != NULL) (*env)->SetDoubleArrayRegion(env, out, 0, EF_FMT_COUNT * EF_WIRE_FORMAT_INFO_FIELDS, t);
    return out;
}

/* One result (EF_WIRE_RESULT) and operators (EF_WIRE_OP) into flat doubles. */
static void write_result(const ef_result *r, double *o) {
#define WRITE(table, name, field) o[EF_WIRE_##table##_##name] = (double)r->field;
    EF_WIRE_RESULT(WRITE)
#undef WRITE
}

static void write_op(const ef_op_cost *op, double *o) {
#define WRITE(table, name, field) o[EF_WIRE_##table##_##name] = (double)op->field;
    EF_WIRE_OP(WRITE)
#undef WRITE
}

/* simulateBatch once the shared inputs are read (the caller releases them). */
static jstring simulate_batch(JNIEnv *env, const shared_inputs *sp, jintArray jshapes, jdoubleArray jreads, jint jn_cand,
                              jintArray jchoice, jdoubleArray jratio, jlongArray jbytes, jdoubleArray jout, jintArray jstatus) {
    const shared_inputs s = *sp;
    if (jn_cand < 0) { ef_jni_throw(env, EF_ERR_RANGE, "candidate count is negative"); return NULL; }
    size_t n = 0;
    ef_tensor_shape *shapes = read_shapes(env, jshapes, jreads, &n);
    if (shapes == NULL) return NULL;
    size_t nc = (size_t)jn_cand;
    /* all lengths are checked before any element is touched; products fit in jsize or fail */
    if ((double)nc * (double)n * CHOICE_INT_FIELDS > 2147483647.0 || (double)nc * RESULT_FIELDS > 2147483647.0) {
        free(shapes);
        ef_jni_throw(env, EF_ERR_LENGTH, "batch too large for Java arrays");
        return NULL;
    }
    if (!check_len(env, jchoice, (jsize)(nc * n * CHOICE_INT_FIELDS), "choice ints")
        || !check_len(env, jratio, (jsize)(nc * n), "sparsity ratios")
        || !check_len(env, jbytes, (jsize)(nc * n), "weight bytes")
        || !check_len(env, jout, (jsize)(nc * RESULT_FIELDS), "output")
        || !check_len(env, jstatus, (jsize)nc, "status")) {
        free(shapes);
        return NULL;
    }
    /* Copy chunks out of the Java arrays (no critical regions: other threads keep allocating freely)
     * and hand the flat arrays to the core without conversion. */
    size_t chunk = CHUNK_CANDIDATES;
    jint *ci = malloc(chunk * n * CHOICE_INT_FIELDS * sizeof *ci);
    jdouble *cr = malloc(chunk * n * sizeof *cr);
    jlong *cb = malloc(chunk * n * sizeof *cb);
    double *out = malloc(chunk * RESULT_FIELDS * sizeof *out);
    int32_t *st = malloc(chunk * sizeof *st);
    if (ci == NULL || cr == NULL || cb == NULL || out == NULL || st == NULL) {
        free(ci); free(cr); free(cb); free(out); free(st); free(shapes);
        ef_jni_throw(env, EF_ERR_LENGTH, "out of memory for the batch buffer");
        return NULL;
    }
    char msg[512];
    char first_msg[600];
    first_msg[0] = '\0';
    int failed = 0;
    int shared_status = EF_OK;
    for (size_t base = 0; base < nc && shared_status == EF_OK; base += chunk) {
        size_t m = nc - base < chunk ? nc - base : chunk;
        size_t off = base * n;
        (*env)->GetIntArrayRegion(env, jchoice, (jsize)(off * CHOICE_INT_FIELDS), (jsize)(m * n * CHOICE_INT_FIELDS), ci);
        (*env)->GetDoubleArrayRegion(env, jratio, (jsize)off, (jsize)(m * n), cr);
        (*env)->GetLongArrayRegion(env, jbytes, (jsize)off, (jsize)(m * n), cb);
        if ((*env)->ExceptionCheck(env)) break;
        shared_status = ef_simulate_batch_flat(&s.dev, &s.cal, &s.wl, &s.att, s.blocks, s.n_blocks, shapes, n, (const int32_t *)ci, cr,
                                               (const int64_t *)cb, m, out, st, msg, sizeof msg);
        if (shared_status != EF_OK) break;
        for (size_t k = 0; k < m; k++) {
            if (st[k] != EF_OK && !failed) {
                failed = 1;
                snprintf(first_msg, sizeof first_msg, "batch offset %zu: %s", base, msg);
            }
        }
        (*env)->SetDoubleArrayRegion(env, jout, (jsize)(base * RESULT_FIELDS), (jsize)(m * RESULT_FIELDS), out);
        (*env)->SetIntArrayRegion(env, jstatus, (jsize)base, (jsize)m, (const jint *)st);
    }
    free(ci); free(cr); free(cb); free(out); free(st); free(shapes);
    if ((*env)->ExceptionCheck(env)) return NULL;
    if (shared_status != EF_OK) {
        ef_jni_throw(env, shared_status, msg);
        return NULL;
    }
    return failed ? (*env)->NewStringUTF(env, first_msg) : NULL;
}

JNIEXPORT jstring JNICALL Java_org_edgefront_nativert_NativeBridge_simulateBatch(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jatt, jdoubleArray jblocks,
        jintArray jshapes, jdoubleArray jreads, jint jn_cand, jintArray jchoice, jdoubleArray jratio, jlongArray jbytes,
        jdoubleArray jout, jintArray jstatus) {
    (void)cls;
    shared_inputs s;
    if (!read_shared(env, jdev, jcal, jwl, jatt, jblocks, &s)) return NULL;
    jstring r = simulate_batch(env, &s, jshapes, jreads, jn_cand, jchoice, jratio, jbytes, jout, jstatus);
    free_shared(&s);
    return r;
}

/* simulateOne once the shared inputs are read (the caller releases them). */
static void simulate_one_op(JNIEnv *env, const shared_inputs *sp, jintArray jshapes, jdoubleArray jreads, jintArray jchoice,
                            jdoubleArray jratio, jlongArray jbytes, jdoubleArray jout, jdoubleArray jops) {
    const shared_inputs s = *sp;
    size_t n = 0;
    ef_tensor_shape *shapes = read_shapes(env, jshapes, jreads, &n);
    if (shapes == NULL) return;
    size_t nops = ef_op_count(&s.att, n);
    if (!check_len(env, jchoice, (jsize)(n * CHOICE_INT_FIELDS), "choice ints")
        || !check_len(env, jratio, (jsize)n, "sparsity ratios")
        || !check_len(env, jbytes, (jsize)n, "weight bytes")
        || !check_len(env, jout, RESULT_FIELDS, "output")
        || (s.att.layers >= 1 && !check_len(env, jops, (jsize)(nops * OP_FIELDS), "op breakdown"))) {
        free(shapes);
        return;
    }
    ef_tensor_choice *ch = malloc(n * sizeof *ch);
    ef_op_cost *ops = malloc(nops * sizeof *ops);
    jint *ci = malloc(n * CHOICE_INT_FIELDS * sizeof *ci);
    jdouble *cr = malloc(n * sizeof *cr);
    jlong *cb = malloc(n * sizeof *cb);
    double *opsflat = malloc(nops * OP_FIELDS * sizeof *opsflat);
    if (!ch || !ops || !ci || !cr || !cb || !opsflat) {
        free(ch); free(ops); free(ci); free(cr); free(cb); free(opsflat); free(shapes);
        ef_jni_throw(env, EF_ERR_LENGTH, "out of memory");
        return;
    }
    (*env)->GetIntArrayRegion(env, jchoice, 0, (jsize)(n * CHOICE_INT_FIELDS), ci);
    (*env)->GetDoubleArrayRegion(env, jratio, 0, (jsize)n, cr);
    (*env)->GetLongArrayRegion(env, jbytes, 0, (jsize)n, cb);
    for (size_t i = 0; i < n; i++) ch[i] = choice_at(ci + CHOICE_INT_FIELDS * i, cr[i], cb[i]);
    ef_result r;
    char msg[512];
    int st = ef_simulate(&s.dev, &s.cal, &s.wl, &s.att, s.blocks, s.n_blocks, shapes, n, ch, &r, ops, nops, msg, sizeof msg);
    if (st == EF_OK) {
        double o[RESULT_FIELDS];
        write_result(&r, o);
        (*env)->SetDoubleArrayRegion(env, jout, 0, RESULT_FIELDS, o);
        for (size_t i = 0; i < nops; i++) write_op(&ops[i], opsflat + OP_FIELDS * i);
        (*env)->SetDoubleArrayRegion(env, jops, 0, (jsize)(nops * OP_FIELDS), opsflat);
    }
    free(ch); free(ops); free(ci); free(cr); free(cb); free(opsflat); free(shapes);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_NativeBridge_simulateOne(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jatt, jdoubleArray jblocks,
        jintArray jshapes, jdoubleArray jreads, jintArray jchoice, jdoubleArray jratio, jlongArray jbytes,
        jdoubleArray jout, jdoubleArray jops) {
    (void)cls;
    shared_inputs s;
    if (!read_shared(env, jdev, jcal, jwl, jatt, jblocks, &s)) return;
    simulate_one_op(env, &s, jshapes, jreads, jchoice, jratio, jbytes, jout, jops);
    free_shared(&s);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_NativeBridge_linearCost(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jshape,
        jintArray jchoice, jdouble ratio, jlong bytes, jdoubleArray jout) {
    (void)cls;
    shared_inputs s;
    if (!read_common(env, jdev, jcal, jwl, &s)) return;
    if (!check_len(env, jshape, SHAPE_FIELDS, "shape") || !check_len(env, jchoice, CHOICE_INT_FIELDS, "choice ints")
        || !check_len(env, jout, OP_FIELDS, "output")) return;
    jint sh[SHAPE_FIELDS], ci[CHOICE_INT_FIELDS];
    (*env)->GetIntArrayRegion(env, jshape, 0, SHAPE_FIELDS, sh);
    (*env)->GetIntArrayRegion(env, jchoice, 0, CHOICE_INT_FIELDS, ci);
    if ((*env)->ExceptionCheck(env)) return;
    ef_tensor_shape shape = shape_at(sh, NULL);
    ef_tensor_choice ch = choice_at(ci, ratio, bytes);
    ef_op_cost op;
    char msg[256];
    int st = ef_linear_cost(&s.dev, &s.cal, &s.wl, &shape, &ch, &op, msg, sizeof msg);
    if (st != EF_OK) { ef_jni_throw(env, st, msg); return; }
    double o[OP_FIELDS];
    write_op(&op, o);
    (*env)->SetDoubleArrayRegion(env, jout, 0, OP_FIELDS, o);
}
