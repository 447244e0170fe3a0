/* strbuf.c - growable, optionally bounded string buffer (see strbuf.h). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t limit)
{
    memset(sb, 0, sizeof *sb);
    sb->limit = limit;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->failed = false;
    if (sb->data)
        sb->data[0] = '\0';
}

static bool strbuf_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (extra > (size_t)-1 - sb->len - 1 || (sb->limit && sb->len + extra > sb->limit)) {
        sb->failed = true;
        return false;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *p = realloc(sb->data, cap);
    if (p == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void strbuf_presize(struct strbuf *sb, size_t n)
{
    if (sb->failed || n <= sb->cap || n == (size_t)-1 || (sb->limit && n > sb->limit))
        return;
    char *p = realloc(sb->data, n + 1);
    if (p == NULL)
        return;                    /* appends will try again and mark the failure */
    sb->data = p;
    sb->cap = n + 1;
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
    if (!strbuf_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        strbuf_append(sb, small, (size_t)n);
        return;
    }
    if (!strbuf_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *strbuf_room(struct strbuf *sb, size_t n)
{
    return strbuf_reserve(sb, n) ? sb->data + sb->len : NULL;
}

void strbuf_commit(struct strbuf *sb, size_t n)
{
    if (sb->failed || sb->data == NULL || n > sb->cap - sb->len - 1)
        return;
    sb->len += n;
    sb->data[sb->len] = '\0';
}

const char *strbuf_cstr(struct strbuf *sb)
{
    return sb->data && !sb->failed ? sb->data : "";
}

char *strbuf_take(struct strbuf *sb)
{
    char *p = NULL;
    if (!sb->failed) {
        p = sb->data ? sb->data : strdup("");
        sb->data = NULL;
    }
    strbuf_free(sb);
    sb->failed = false;
    return p;
}

int strbuf_read_stream(struct strbuf *sb, FILE *f)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !sb->failed)
        strbuf_append(sb, chunk, n);
    return ferror(f) ? -1 : 0;
}
