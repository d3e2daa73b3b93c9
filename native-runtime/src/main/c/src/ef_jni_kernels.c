/* JNI bridge for org.edgefront.nativert.KernelBridge (reference kernels). Arrays are pinned with
 * Get/ReleasePrimitiveArrayCritical around the C call only (no JNI calls in between); every length is
 * passed to the C API, which checks it. A failing status becomes NativeSimulatorException. */
#include <jni.h>
#include <stdio.h>

#include "edgefront_kernels.h"
#include "edgefront_sim.h"
#include "ef_jni_internal.h"
#include "org_edgefront_nativert_KernelBridge.h"


static jsize len_of(JNIEnv *env, jarray a) { return a == NULL ? 0 : (*env)->GetArrayLength(env, a); }

#define MSG_CAP 256

/* Pins up to four arrays (NULL entries skipped); returns 0 and throws when one is NULL or cannot be pinned. */
typedef struct { jarray arr[4]; void *ptr[4]; int n; } pins;

static int pin(JNIEnv *env, pins *p, jarray a, const char *name) {
    if (a == NULL) {
        char m[64];
        snprintf(m, sizeof m, "%s is null", name);
        ef_jni_throw(env, EF_ERR_NULL, m);
        return 0;
    }
    p->arr[p->n] = a;
    p->ptr[p->n] = NULL;
    p->n++;
    return 1;
}

static int pin_all(JNIEnv *env, pins *p) {
    for (int i = 0; i < p->n; i++) {
        p->ptr[i] = (*env)->GetPrimitiveArrayCritical(env, p->arr[i], NULL);
        if (p->ptr[i] == NULL) {
            for (int j = i - 1; j >= 0; j--) (*env)->ReleasePrimitiveArrayCritical(env, p->arr[j], p->ptr[j], JNI_ABORT);
            ef_jni_throw(env, EF_ERR_LENGTH, "cannot pin a Java array");
            return 0;
        }
    }
    return 1;
}

static void unpin_all(JNIEnv *env, pins *p, int write_last) {
    for (int i = p->n - 1; i >= 0; i--)
        (*env)->ReleasePrimitiveArrayCritical(env, p->arr[i], p->ptr[i], (write_last && i == p->n - 1) ? 0 : JNI_ABORT);
}

/* Releases the pins (writing the output array back only on success) and throws on a failure status. */
static void finish(JNIEnv *env, pins *p, int st, const char *msg) {
    unpin_all(env, p, st == EF_OK);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
}

JNIEXPORT jlong JNICALL Java_org_edgefront_nativert_KernelBridge_rowBytes(JNIEnv *env, jclass c, jint f, jint g, jint a, jlong cols) {
    (void)c;
    char msg[MSG_CAP];
    int64_t out = 0;
    int st = ef_k_row_bytes(f, g, a, cols, &out, msg, sizeof msg);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
    return (jlong)out;
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_pack(JNIEnv *env, jclass c, jint f, jint g, jint a, jfloatArray src,
                                                                     jint rows, jint cols, jbyteArray dst) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, src, "src") || !pin(env, &p, dst, "dst")) return;
    jsize sl = len_of(env, src), dl = len_of(env, dst);
    if ((int64_t)rows * cols > sl) { ef_jni_throw(env, EF_ERR_LENGTH, "src shorter than rows x cols"); return; }
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_pack(f, g, a, p.ptr[0], rows, cols, p.ptr[1], dl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_unpack(JNIEnv *env, jclass c, jint f, jint g, jint a, jbyteArray src,
                                                                       jint rows, jint cols, jfloatArray dst) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, src, "src") || !pin(env, &p, dst, "dst")) return;
    jsize sl = len_of(env, src), dl = len_of(env, dst);
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_unpack(f, g, a, p.ptr[0], sl, rows, cols, p.ptr[1], dl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_gemv(JNIEnv *env, jclass c, jint f, jint g, jint a, jbyteArray w,
                                                                     jint rows, jint cols, jfloatArray x, jfloatArray y) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, w, "w") || !pin(env, &p, x, "x") || !pin(env, &p, y, "y")) return;
    jsize wl = len_of(env, w), xl = len_of(env, x), yl = len_of(env, y);
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_gemv(f, g, a, p.ptr[0], wl, rows, cols, p.ptr[1], xl, p.ptr[2], yl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT jlong JNICALL Java_org_edgefront_nativert_KernelBridge_sparseBytes(JNIEnv *env, jclass c, jint k, jint n, jint m,
                                                                             jfloatArray src, jint rows, jint cols) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, src, "src")) return 0;
    if ((int64_t)rows * cols > len_of(env, src)) { ef_jni_throw(env, EF_ERR_LENGTH, "src shorter than rows x cols"); return 0; }
    if (!pin_all(env, &p)) return 0;
    char msg[MSG_CAP];
    int64_t out = 0;
    int st = ef_k_sparse_bytes(k, n, m, p.ptr[0], rows, cols, &out, msg, sizeof msg);
    unpin_all(env, &p, 0);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
    return (jlong)out;
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_sparsePack(JNIEnv *env, jclass c, jint k, jint n, jint m,
                                                                           jfloatArray src, jint rows, jint cols, jbyteArray dst) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, src, "src") || !pin(env, &p, dst, "dst")) return;
    if ((int64_t)rows * cols > len_of(env, src)) { ef_jni_throw(env, EF_ERR_LENGTH, "src shorter than rows x cols"); return; }
    jsize dl = len_of(env, dst);
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_sparse_pack(k, n, m, p.ptr[0], rows, cols, p.ptr[1], dl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_sparseUnpack(JNIEnv *env, jclass c, jint k, jint n, jint m,
                                                                             jbyteArray src, jint rows, jint cols, jfloatArray dst) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, src, "src") || !pin(env, &p, dst, "dst")) return;
    jsize sl = len_of(env, src), dl = len_of(env, dst);
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_sparse_unpack(k, n, m, p.ptr[0], sl, rows, cols, p.ptr[1], dl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT void JNICALL Java_org_edgefront_nativert_KernelBridge_sparseGemv(JNIEnv *env, jclass c, jint k, jint n, jint m,
                                                                           jbyteArray w, jint rows, jint cols, jfloatArray x,
                                                                           jfloatArray y) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, w, "w") || !pin(env, &p, x, "x") || !pin(env, &p, y, "y")) return;
    jsize wl = len_of(env, w), xl = len_of(env, x), yl = len_of(env, y);
    if (!pin_all(env, &p)) return;
    char msg[MSG_CAP];
    int st = ef_k_sparse_gemv(k, n, m, p.ptr[0], wl, rows, cols, p.ptr[1], xl, p.ptr[2], yl, msg, sizeof msg);
    finish(env, &p, st, msg);
}

JNIEXPORT jdouble JNICALL Java_org_edgefront_nativert_KernelBridge_timeGemv(JNIEnv *env, jclass c, jint f, jint g, jint a, jint kind,
                                                                            jint n, jint m, jbyteArray w, jint rows, jint cols,
                                                                            jfloatArray x, jfloatArray y, jint reps) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, w, "w") || !pin(env, &p, x, "x") || !pin(env, &p, y, "y")) return 0;
    jsize wl = len_of(env, w), xl = len_of(env, x), yl = len_of(env, y);
    if (!pin_all(env, &p)) return 0;
    char msg[MSG_CAP];
    double best = 0;
    int st = ef_k_time_gemv(f, g, a, kind, n, m, p.ptr[0], wl, rows, cols, p.ptr[1], xl, p.ptr[2], yl, reps, &best, msg, sizeof msg);
    finish(env, &p, st, msg);
    return best;
}

JNIEXPORT jdouble JNICALL Java_org_edgefront_nativert_KernelBridge_streamCopy(JNIEnv *env, jclass c, jfloatArray a, jfloatArray b, jint reps) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, a, "a") || !pin(env, &p, b, "b")) return 0;
    jsize al = len_of(env, a), bl = len_of(env, b);
    if (al != bl) { ef_jni_throw(env, EF_ERR_LENGTH, "a and b differ in length"); return 0; }
    if (!pin_all(env, &p)) return 0;
    char msg[MSG_CAP];
    double bw = 0;
    int st = ef_k_stream_copy(p.ptr[0], p.ptr[1], al, reps, &bw, msg, sizeof msg);
    finish(env, &p, st, msg);
    return bw;
}

JNIEXPORT jdouble JNICALL Java_org_edgefront_nativert_KernelBridge_streamRead(JNIEnv *env, jclass c, jfloatArray a, jint reps) {
    (void)c;
    pins p = {.n = 0};
    if (!pin(env, &p, a, "a")) return 0;
    jsize al = len_of(env, a);
    if (!pin_all(env, &p)) return 0;
    char msg[MSG_CAP];
    double bw = 0;
    int st = ef_k_stream_read(p.ptr[0], al, reps, &bw, msg, sizeof msg);
    unpin_all(env, &p, 0);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
    return bw;
}

JNIEXPORT jdouble JNICALL Java_org_edgefront_nativert_KernelBridge_clockHz(JNIEnv *env, jclass c, jlong adds, jint reps) {
    (void)c;
    char msg[MSG_CAP];
    double hz = 0;
    int st = ef_k_clock_hz(adds, reps, &hz, msg, sizeof msg);
    if (st != EF_OK) ef_jni_throw(env, st, msg);
    return hz;
}
