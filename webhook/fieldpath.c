/* fieldpath.c - bounded JSON field paths. Keys that are not plain identifiers (annotation keys
 * such as "schemagate.io/requires", ConfigMap keys such as "flyway.conf") are written in
 * bracket form, ["flyway.conf"], so a path can always be read back unambiguously. */
#include "fieldpath.h"

#include <stdbool.h>
#include <string.h>

static void fieldpath_append_n(struct field_path *p, const char *s, size_t n)
{
    size_t room = FIELDPATH_MAX - 1 - p->len;
    if (n > room) {
        /* Cut, and mark the cut so nobody mistakes it for the whole path. */
        memcpy(p->text + p->len, s, room);
        p->len = FIELDPATH_MAX - 1;
        memcpy(p->text + p->len - 3, "...", 3);
    } else {
        memcpy(p->text + p->len, s, n);
        p->len += n;
    }
    p->text[p->len] = '\0';
}

static void fieldpath_append(struct field_path *p, const char *s)
{
    fieldpath_append_n(p, s, strlen(s));
}

void fieldpath_init(struct field_path *p, const char *root)
{
    p->len = 0;
    p->text[0] = '\0';
    if (root)
        fieldpath_append(p, root);
}

static bool fieldpath_is_identifier(const char *key)
{
    if (*key == '\0')
        return false;
    for (const char *c = key; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
                  (c != key && *c >= '0' && *c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

size_t fieldpath_push_key(struct field_path *p, const char *key)
{
    size_t mark = p->len;
    if (fieldpath_is_identifier(key)) {
        if (p->len > 0)
            fieldpath_append(p, ".");
        fieldpath_append(p, key);
        return mark;
    }
    fieldpath_append(p, "[\"");
    /* Runs without a quote or backslash go in at once; those two get a backslash. */
    const char *run = key;
    for (const char *c = key;; c++) {
        if (*c != '\0' && *c != '"' && *c != '\\')
            continue;
        fieldpath_append_n(p, run, (size_t)(c - run));
        if (*c == '\0')
            break;
        char escaped[2] = {'\\', *c};
        fieldpath_append_n(p, escaped, 2);
        run = c + 1;
    }
    fieldpath_append(p, "\"]");
    return mark;
}

size_t fieldpath_push_index(struct field_path *p, size_t index)
{
    size_t mark = p->len;
    char seg[32];   /* "[index]", digits written from the right */
    size_t at = sizeof seg;
    seg[--at] = ']';
    do {
        seg[--at] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0);
    seg[--at] = '[';
    fieldpath_append_n(p, seg + at, sizeof seg - at);
    return mark;
}

void fieldpath_pop(struct field_path *p, size_t mark)
{
    if (mark <= p->len) {
        p->len = mark;
        p->text[mark] = '\0';
    }
}
