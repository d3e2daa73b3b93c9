/* libFuzzer target for the JNI bridge (src/ef_jni.c): the code that unpacks Java arrays into the C
 * API's structs. A fake JNIEnv stands in for the JVM: arrays are plain buffers whose length the
 * fuzzer chooses (null, too short, too long, or right), and every Get/Set*ArrayRegion is bounds-checked
 * exactly as the JVM would (an out-of-range access there would be an ArrayIndexOutOfBoundsException in
 * Java: here it aborts, because the bridge promises to check every length before touching elements).
 *
 * Input: byte 0 picks the entry point (mod 3: simulateBatch, simulateOne, linearCost); bytes 1..12 pick each
 * array's length (0 = right length, 0xFF = null, otherwise right length plus a signed delta); byte 13
 * is the candidate count (signed); the rest are patches "array u8, element u16 (LE), 8 value bytes"
 * applied on top of a valid base input, so both valid and invalid values reach the simulator.
 * Oracles: no sanitizer report, no out-of-bounds array access, no exception left pending on success
 * paths with partial writes, and every string passed to NewStringUTF is NUL-terminated (ASan checks strlen).
 *
 * Build and run: fuzz/run-libfuzzer.sh SECONDS jni */
#include <jni.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edgefront_sim.h"
#include "edgefront_wire.h"

JNIEXPORT jstring JNICALL Java_org_edgefront_nativert_NativeBridge_simulateBatch(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jatt, jdoubleArray jblocks,
        jintArray jshapes, jdoubleArray jreads, jint jn_cand, jintArray jchoice, jdoubleArray jratio, jlongArray jbytes,
        jdoubleArray jout, jintArray jstatus);
JNIEXPORT void JNICALL Java_org_edgefront_nativert_NativeBridge_simulateOne(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jatt, jdoubleArray jblocks,
        jintArray jshapes, jdoubleArray jreads, jintArray jchoice, jdoubleArray jratio, jlongArray jbytes,
        jdoubleArray jout, jdoubleArray jops);
JNIEXPORT void JNICALL Java_org_edgefront_nativert_NativeBridge_linearCost(
        JNIEnv *env, jclass cls, jdoubleArray jdev, jdoubleArray jcal, jintArray jwl, jintArray jshape,
        jintArray jchoice, jdouble ratio, jlong bytes, jdoubleArray jout);

enum { K_DOUBLE, K_INT, K_LONG };
typedef struct { int kind; jsize len; void *data; } fake_array;

static int pending; /* a Java exception is pending */
static int dummy_object;

static size_t elem_size(int kind) { return kind == K_INT ? 4 : 8; }
static fake_array *arr(jarray a) { return (fake_array *)a; }

static void check_range(jarray a, jsize start, jsize len) {
    fake_array *f = arr(a);
    if (f == NULL) abort(); /* the JVM would throw NullPointerException: the bridge must check first */
    if (start < 0 || len < 0 || (int64_t)start + len > f->len) abort(); /* AIOOBE in Java */
}

static jsize JNICALL get_length(JNIEnv *env, jarray a) { (void)env; if (!a) abort(); return arr(a)->len; }
#define REGION(NAME, JT, KIND)                                                                              \
    static void JNICALL get_##NAME(JNIEnv *env, JT##Array a, jsize s, jsize l, JT *buf) {                    \
        (void)env; check_range(a, s, l); if (arr(a)->kind != KIND) abort();                                   \
        memcpy(buf, (char *)arr(a)->data + (size_t)s * sizeof(JT), (size_t)l * sizeof(JT));                   \
    }                                                                                                         \
    static void JNICALL set_##NAME(JNIEnv *env, JT##Array a, jsize s, jsize l, const JT *buf) {              \
        (void)env; check_range(a, s, l); if (arr(a)->kind != KIND) abort();                                   \
        memcpy((char *)arr(a)->data + (size_t)s * sizeof(JT), buf, (size_t)l * sizeof(JT));                   \
    }
REGION(double, jdouble, K_DOUBLE)
REGION(int, jint, K_INT)
REGION(long, jlong, K_LONG)

static jint *JNICALL get_int_elements(JNIEnv *env, jintArray a, jboolean *copy) {
    (void)env; if (!a) abort();
    if (copy) *copy = JNI_TRUE;
    jint *p = malloc((size_t)arr(a)->len * sizeof(jint) + 1);
    memcpy(p, arr(a)->data, (size_t)arr(a)->len * sizeof(jint));
    return p;
}
static void JNICALL release_int_elements(JNIEnv *env, jintArray a, jint *p, jint mode) { (void)env; (void)a; (void)mode; free(p); }
static jboolean JNICALL exception_check(JNIEnv *env) { (void)env; return pending ? JNI_TRUE : JNI_FALSE; }
static jclass JNICALL find_class(JNIEnv *env, const char *n) { (void)env; (void)strlen(n); return (jclass)&dummy_object; }
static jmethodID JNICALL get_method_id(JNIEnv *env, jclass c, const char *n, const char *s) { (void)env; (void)c; (void)n; (void)s; return (jmethodID)&dummy_object; }
static jstring JNICALL new_string_utf(JNIEnv *env, const char *s) { (void)env; (void)strlen(s); return (jstring)&dummy_object; }
static jobject JNICALL new_object(JNIEnv *env, jclass c, jmethodID m, ...) {
    va_list ap; va_start(ap, m);
    (void)va_arg(ap, jint);
    jstring msg = va_arg(ap, jstring);
    va_end(ap);
    (void)env; (void)c;
    if (msg == NULL) abort();
    return (jobject)&dummy_object;
}
static jint JNICALL throw_(JNIEnv *env, jthrowable t) { (void)env; (void)t; pending = 1; return 0; }

/* arrays the bridge allocates itself (NewIntArray); freed after each input */
static fake_array made[8];
static int n_made;
static jintArray JNICALL new_int_array(JNIEnv *env, jsize len) {
    (void)env;
    if (len < 0 || n_made == 8) abort();
    made[n_made] = (fake_array){K_INT, len, calloc((size_t)len + 1, sizeof(jint))};
    return (jintArray)&made[n_made++];
}

/* Array order: 0 device, 1 cal, 2 workload, 3 attention, 4 shapes, 5 choice ints, 6 ratios, 7 bytes, 8 out, 9 status/ops,
 * 10 reads, 11 blocks */
#define N_ARR 12
static const int KINDS_BATCH[N_ARR] = {K_DOUBLE, K_DOUBLE, K_INT, K_INT, K_INT, K_INT, K_DOUBLE, K_LONG, K_DOUBLE, K_INT, K_DOUBLE, K_DOUBLE};
static const int KINDS_ONE[N_ARR] = {K_DOUBLE, K_DOUBLE, K_INT, K_INT, K_INT, K_INT, K_DOUBLE, K_LONG, K_DOUBLE, K_DOUBLE, K_DOUBLE, K_DOUBLE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < N_ARR + 2) return 0;
    int mode = data[0] % 3, one = mode != 0;
    int ncand = (int8_t)data[N_ARR + 1];
    const int n_t = 4;
    /* edgefront_wire.h order: device scalars, then (fp32, fp16, int8, pJ/op, active W) per backend */
    const double dev[EF_WIRE_DEVICE_FIELDS] = {68e9, 8e9, 8, 20e9, 40, 1.2, 90, 0.65, 200e9, 400e9, 800e9, 2, 3.0,
                                               0, 4e12, 0, 0.8, 4.0, 0, 0, 30e12, 0.3, 1.0};
    /* calibration scalars, then per-format dequantization ops and the tail terms (0 = library default) */
    const double cal[EF_WIRE_CALIBRATION_FIELDS] = {0.5, 0.3, 5e-6, 1.0, 8, 512, 100e6, 0, 0.3, 0};
    const int32_t wl[EF_WIRE_WORKLOAD_FIELDS] = {128, 64, 2048, 16, 4, EF_BACKEND_CPU};
    const int32_t att[EF_WIRE_ATTENTION_FIELDS] = {2, 8, 2, 64, 1024, 1000, 0, 512};
    /* (kind, state bytes, state ops, cache rows, query rows, window) per layer: block 0 attends (it holds Q and K) within
       512 tokens, block 1 is a short convolution */
    const double blocks[2 * EF_WIRE_BLOCK_FIELDS] = {EF_BLOCK_ATTENTION, 0, 0, 0, 0, 512, EF_BLOCK_SHORT_CONV, 6144, 2048, 0, 0, 0};
    /* (rows, cols, role, layer): embedding, layer-0 Q and K, LM head */
    const int32_t shapes[16] = {1000, 512, 1, -1, 512, 512, 3, 0, 128, 512, 4, 0, 1000, 512, 2, -1};
    /* (format, sparsity kind, rank, kept rows, kept cols) per tensor, unpruned */
    const int32_t choice[20] = {EF_FMT_Q4_0, 0, 512, 1000, 512, EF_FMT_Q4_0, 0, 512, 512, 512, EF_FMT_Q4_0, 0, 128, 128, 512,
                                EF_FMT_Q4_0, 0, 512, 1000, 512};
    const int64_t bytes[4] = {1000LL * 512 / 32 * 18, 512LL * 512 / 32 * 18, 128LL * 512 / 32 * 18, 1000LL * 512 / 32 * 18};
    int nc = one ? 1 : (ncand < 0 ? 0 : ncand);
    jsize right[N_ARR] = {EF_WIRE_DEVICE_FIELDS, EF_WIRE_CALIBRATION_FIELDS, EF_WIRE_WORKLOAD_FIELDS, EF_WIRE_ATTENTION_FIELDS,
                          EF_WIRE_SHAPE_FIELDS * n_t, EF_WIRE_CHOICE_FIELDS * n_t * nc, n_t * nc, n_t * nc,
                          one ? EF_WIRE_RESULT_FIELDS : EF_WIRE_RESULT_FIELDS * nc, one ? (jsize)(EF_WIRE_OP_FIELDS * (n_t + 2)) : nc,
                          EF_WIRE_READS_FIELDS * n_t, 2 * EF_WIRE_BLOCK_FIELDS};
    if (mode == 2) { right[4] = EF_WIRE_SHAPE_FIELDS; right[5] = EF_WIRE_CHOICE_FIELDS; right[8] = EF_WIRE_OP_FIELDS; } /* linearCost: one shape, one choice, one op */
    fake_array store[N_ARR];
    jarray handles[N_ARR];
    for (int i = 0; i < N_ARR; i++) {
        int kind = one ? KINDS_ONE[i] : KINDS_BATCH[i];
        uint8_t code = data[1 + i];
        jsize len = right[i];
        if (code != 0 && code != 0xFF) len += (int8_t)code;
        if (len < 0) len = 0;
        store[i] = (fake_array){kind, len, calloc((size_t)len + 1, elem_size(kind))};
        handles[i] = code == 0xFF ? NULL : (jarray)&store[i];
    }
    /* valid base values, then the fuzzer's patches */
    for (int i = 0; i < EF_WIRE_DEVICE_FIELDS && i < store[0].len; i++) ((double *)store[0].data)[i] = dev[i];
    for (int i = 0; i < EF_WIRE_CALIBRATION_FIELDS && i < store[1].len; i++) ((double *)store[1].data)[i] = cal[i];
    for (int i = 0; i < EF_WIRE_WORKLOAD_FIELDS && i < store[2].len; i++) ((int32_t *)store[2].data)[i] = wl[i];
    for (int i = 0; i < EF_WIRE_ATTENTION_FIELDS && i < store[3].len; i++) ((int32_t *)store[3].data)[i] = att[i];
    for (int i = 0; i < store[4].len; i++) ((int32_t *)store[4].data)[i] = shapes[i % 16];
    for (int i = 0; i < store[5].len; i++) ((int32_t *)store[5].data)[i] = choice[i % 20];
    for (int i = 0; i < store[7].len; i++) ((int64_t *)store[7].data)[i] = bytes[i % 4];
    for (int i = 0; i < store[11].len; i++) ((double *)store[11].data)[i] = blocks[i % (2 * EF_WIRE_BLOCK_FIELDS)];
    /* reads: dense, except the LM head's decode slice (half its rows, 2 more eighths per micro-batch) */
    for (int i = 0; i < store[10].len; i++) ((double *)store[10].data)[i] = (i % EF_WIRE_READS_FIELDS) == EF_WIRE_READS_PREFILL_EXTRA_UNITS ? 0.0 : 1.0;
    if (store[10].len == EF_WIRE_READS_FIELDS * n_t) {
        double *lm = (double *)store[10].data + EF_WIRE_READS_FIELDS * 3;
        lm[EF_WIRE_READS_DECODE_ROWS_FRACTION] = 0.5;
        lm[EF_WIRE_READS_READ_UNIT_FRACTION] = 0.125;
        lm[EF_WIRE_READS_PREFILL_EXTRA_UNITS] = 2.0;
    }
    if (mode == 2 && store[4].len >= EF_WIRE_SHAPE_FIELDS) ((int32_t *)store[4].data)[EF_WIRE_SHAPE_ROLE] = EF_ROLE_LINEAR; /* linearCost wants a plain linear */
    for (size_t p = N_ARR + 2; p + 11 <= size; p += 11) {
        int a = data[p] % N_ARR;
        uint16_t e = (uint16_t)(data[p + 1] | data[p + 2] << 8);
        if (store[a].len == 0) continue;
        e %= (uint16_t)(store[a].len > 65535 ? 65535 : store[a].len);
        memcpy((char *)store[a].data + (size_t)e * elem_size(store[a].kind), data + p + 3, elem_size(store[a].kind));
    }

    struct JNINativeInterface_ table;
    memset(&table, 0, sizeof table);
    table.GetArrayLength = get_length;
    table.GetDoubleArrayRegion = get_double; table.SetDoubleArrayRegion = set_double;
    table.GetIntArrayRegion = get_int; table.SetIntArrayRegion = set_int;
    table.GetLongArrayRegion = get_long; table.SetLongArrayRegion = set_long;
    table.GetIntArrayElements = get_int_elements; table.ReleaseIntArrayElements = release_int_elements;
    table.ExceptionCheck = exception_check; table.FindClass = find_class; table.GetMethodID = get_method_id;
    table.NewStringUTF = new_string_utf; table.NewObject = new_object; table.Throw = throw_;
    table.NewIntArray = new_int_array;
    JNIEnv env = &table;
    pending = 0;
    n_made = 0;
    if (mode == 2) {
        double ratio = 0.0;
        int64_t bytes = 1000LL * 512 / 32 * 18;
        if (size >= N_ARR + 2 + 16) { memcpy(&ratio, data + size - 16, 8); memcpy(&bytes, data + size - 8, 8); }
        Java_org_edgefront_nativert_NativeBridge_linearCost(&env, NULL, handles[0], handles[1], handles[2], handles[4], handles[5],
                                                            ratio, (jlong)bytes, handles[8]);
    } else if (one) {
        Java_org_edgefront_nativert_NativeBridge_simulateOne(&env, NULL, handles[0], handles[1], handles[2], handles[3], handles[11],
                                                             handles[4], handles[10], handles[5], handles[6], handles[7], handles[8], handles[9]);
    } else {
        Java_org_edgefront_nativert_NativeBridge_simulateBatch(&env, NULL, handles[0], handles[1], handles[2], handles[3], handles[11],
                                                               handles[4], handles[10], (jint)ncand, handles[5], handles[6], handles[7], handles[8],
                                                               handles[9]);
    }
    for (int i = 0; i < N_ARR; i++) free(store[i].data);
    for (int i = 0; i < n_made; i++) free(made[i].data);
    return 0;
}
