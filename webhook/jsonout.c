/* jsonout.c - JSON text into a strbuf: the escaping cJSON_Print uses, without building a
 * tree first. A string is measured, then written straight into room reserved for it. */
#include "jsonout.h"

#include <string.h>

size_t jsonout_utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;   /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;   /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F;   /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;   /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

bool jsonout_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = jsonout_utf8_seq(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

void jsonout_string(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    size_t need = len < ((size_t)-1 - 2) / 6 ? 6 * len + 2 : (size_t)-1;   /* all \u00XX, quoted */
    if (sb->limit != 0 && (need == (size_t)-1 || sb->len + need > sb->limit)) {
        need = 2;   /* near a bounded buffer's limit: the exact length, so it fails only when it must */
        for (const unsigned char *q = p; *q; q++) {
            size_t n = *q >= 0x80 ? jsonout_utf8_seq(q) : 1;
            if (*q >= 0x80) {
                need += n ? n : 6;   /* a stray byte is written as \ufffd */
                q += n ? n - 1 : 0;
                continue;
            }
            need += *q >= 0x20 && *q != '"' && *q != '\\' ? 1 : strchr("\"\\\b\f\n\r\t", *q) ? 2 : 6;
        }
    }
    char *out = strbuf_room(sb, need);
    if (out == NULL)
        return;
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    *o++ = '"';
    for (; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t n = jsonout_utf8_seq(p);
            if (n == 0) {
                memcpy(o, "\\ufffd", 6);   /* 6 bytes, as the reservation allows per byte */
                o += 6;
            } else {
                memcpy(o, p, n);
                o += n;
                p += n - 1;
            }
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    strbuf_commit(sb, (size_t)(o - out));
}

void jsonout_key(struct strbuf *sb, const char *key)
{
    jsonout_string(sb, key);
    strbuf_putc(sb, ':');
}

void jsonout_member_string(struct strbuf *sb, bool first, const char *key, const char *value)
{
    if (!first)
        strbuf_putc(sb, ',');
    jsonout_key(sb, key);
    jsonout_string(sb, value);
}

void jsonout_member_bool(struct strbuf *sb, bool first, const char *key, bool value)
{
    if (!first)
        strbuf_putc(sb, ',');
    jsonout_key(sb, key);
    strbuf_puts(sb, value ? "true" : "false");
}

void jsonout_member_strings(struct strbuf *sb, const char *key, char *const *items, size_t count)
{
    strbuf_putc(sb, ',');
    jsonout_key(sb, key);
    strbuf_putc(sb, '[');
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            strbuf_putc(sb, ',');
        jsonout_string(sb, items[i]);
    }
    strbuf_putc(sb, ']');
}
