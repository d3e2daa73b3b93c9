/* ef_jni_internal.h - helpers shared by the JNI sources; not part of the public API. */
#ifndef EF_JNI_INTERNAL_H
#define EF_JNI_INTERNAL_H

#include <jni.h>

/* Throws NativeSimulatorException(status, msg) unless an exception is already pending. */
void ef_jni_throw(JNIEnv *env, int status, const char *msg);

#endif
