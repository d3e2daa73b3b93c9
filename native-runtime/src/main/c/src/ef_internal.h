/* ef_internal.h - helpers shared by the simulator and kernel sources; not part of the public API. */
#ifndef EF_INTERNAL_H
#define EF_INTERNAL_H

#include <stddef.h>

/* Writes the printf-style message into msg (when given) and returns status: every failure path uses it. */
int ef_fail(char *msg, size_t cap, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Returns ef_fail(msg, cap, status, ...) from the calling function (which has msg and cap) unless cond holds. */
#define CHECK(cond, status, ...) do { if (!(cond)) return ef_fail(msg, cap, status, __VA_ARGS__); } while (0)

#endif
