/* error.c - filling `struct sg_error` messages, bounded and always NUL-terminated. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sg_error_set(struct sg_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

int sg_error_prefix(struct sg_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return -1;
    char prefix[SG_ERROR_MAX];
    char old[SG_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%s%s", prefix, old);
    return -1;
}
