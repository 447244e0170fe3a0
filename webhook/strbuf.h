/* strbuf.h - the one growable string buffer.
 * Appends never fail loudly: on allocation failure or when the buffer would pass its limit the
 * buffer is marked `failed` and further appends are ignored, so callers check once at the end. */
#ifndef SCHEMAGATE_STRBUF_H
#define SCHEMAGATE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct strbuf {
    char *data;     /* NUL-terminated when len > 0 or after strbuf_cstr */
    size_t len;
    size_t cap;
    size_t limit;   /* 0 = unbounded */
    bool failed;
};

void strbuf_init(struct strbuf *sb, size_t limit);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Sizes the buffer for `n` bytes in one allocation when the final size is known in advance
 * (a Content-Length), instead of growing by doubling. A size past the limit is ignored here and
 * fails at append time. */
void strbuf_presize(struct strbuf *sb, size_t n);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For writers that produce text in place: room for up to `n` more bytes after the contents
 * (NULL when the buffer failed or cannot grow), then strbuf_commit with how many were written. */
char *strbuf_room(struct strbuf *sb, size_t n);
void strbuf_commit(struct strbuf *sb, size_t n);
/* Appends everything `stream` holds until its end. Returns -1 on a read error, 0
 * otherwise; passing the limit shows as `failed`, as for any append. */
int strbuf_read_stream(struct strbuf *sb, FILE *stream);
/* Returns the contents as a C string ("" for an empty buffer); valid until the next append. */
const char *strbuf_cstr(struct strbuf *sb);
/* Hands the allocation to the caller (NULL if failed); the buffer is left empty. */
char *strbuf_take(struct strbuf *sb);

#endif
