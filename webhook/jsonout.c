/* jsonout.c - JSON text into a strbuf: the escaping cJSON_Print uses, without building a
 * tree first. Runs of plain bytes are appended in one call. */
#include "jsonout.h"

#include <stdio.h>
#include <string.h>

void jsonout_string(struct strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    const char *run = s ? s : "";
    const unsigned char *p = (const unsigned char *)run;
    for (;; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_append(sb, run, (size_t)((const char *)p - run));
        if (c == '\0')
            break;
        char esc[8];
        switch (c) {
        case '"': strbuf_append(sb, "\\\"", 2); break;
        case '\\': strbuf_append(sb, "\\\\", 2); break;
        case '\b': strbuf_append(sb, "\\b", 2); break;
        case '\f': strbuf_append(sb, "\\f", 2); break;
        case '\n': strbuf_append(sb, "\\n", 2); break;
        case '\r': strbuf_append(sb, "\\r", 2); break;
        case '\t': strbuf_append(sb, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            strbuf_append(sb, esc, 6);
        }
        run = (const char *)p + 1;
    }
    strbuf_putc(sb, '"');
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
