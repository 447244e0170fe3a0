/* fieldpath.c - bounded JSON field paths. Keys that are not plain identifiers (annotation keys
 * such as "schemagate.io/requires", ConfigMap keys such as "flyway.conf") are written in
 * bracket form, ["flyway.conf"], so a path can always be read back unambiguously. */
#include "fieldpath.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void fieldpath_append(struct field_path *p, const char *s)
{
    size_t n = strlen(s);
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
    char one[3] = {0};
    for (const char *c = key; *c; c++) {
        if (*c == '"' || *c == '\\') {
            one[0] = '\\';
            one[1] = *c;
        } else {
            one[0] = *c;
            one[1] = '\0';
        }
        fieldpath_append(p, one);
    }
    fieldpath_append(p, "\"]");
    return mark;
}

size_t fieldpath_push_index(struct field_path *p, size_t index)
{
    size_t mark = p->len;
    char seg[32];
    snprintf(seg, sizeof seg, "[%zu]", index);
    fieldpath_append(p, seg);
    return mark;
}

void fieldpath_pop(struct field_path *p, size_t mark)
{
    if (mark <= p->len) {
        p->len = mark;
        p->text[mark] = '\0';
    }
}
