/* error.h - the one way schemagate reports a recoverable error.
 * A function that can fail takes a `struct sg_error *` and fills it with a sentence a user can
 * act on (what, where, what to do). Messages never carry secret values. */
#ifndef SCHEMAGATE_ERROR_H
#define SCHEMAGATE_ERROR_H

#include <stddef.h>

#define SG_ERROR_MAX 1024

struct sg_error {
    char message[SG_ERROR_MAX];
};

/* Sets the message (printf-style); a NULL err is allowed and ignored. Returns -1 so callers
 * can write `return sg_error_set(err, ...);`. */
int sg_error_set(struct sg_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes the existing message with more context ("config.json:12: " + message). */
int sg_error_prefix(struct sg_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
