/* findingline.c - from a finding's field path back to the line it was read from. */
#include "findingline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_MAX 256

/* The start of the first field path in message: a top-level field name at a word start. */
static const char *path_start(const char *message)
{
    static const char *const roots[] = { "spec", "metadata", "data", "stringData", "binaryData", NULL };
    for (const char *s = message; *s; s++) {
        if (s != message && !(s[-1] == ' ' || s[-1] == '(' || s[-1] == '"'))
            continue;
        for (const char *const *r = roots; *r; r++) {
            size_t n = strlen(*r);
            if (strncmp(s, *r, n) == 0 && (s[n] == '.' || s[n] == '['))
                return s;
        }
    }
    return NULL;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Reads one segment at *s into key (a name) or *index (a [N]); advances *s. false at the end. */
static bool next_segment(const char **s, char *key, size_t n, long *index)
{
    const char *p = *s;
    *index = -1;
    key[0] = '\0';
    if (*p == '.')
        p++;
    if (ident_char(*p)) {
        size_t len = 0;
        while (ident_char(*p) && len + 1 < n)
            key[len++] = *p++;
        key[len] = '\0';
    } else if (p[0] == '[' && p[1] == '"') {
        p += 2;
        size_t len = 0;
        while (*p && *p != '"' && len + 1 < n) {
            if (*p == '\\' && p[1])
                p++;
            key[len++] = *p++;
        }
        key[len] = '\0';
        if (p[0] != '"' || p[1] != ']')
            return false;
        p += 2;
    } else if (p[0] == '[' && p[1] >= '0' && p[1] <= '9') {
        char *end;
        *index = strtol(p + 1, &end, 10);
        if (*end != ']')
            return false;
        p = end + 1;
    } else {
        return false;
    }
    *s = p;
    return true;
}

int finding_line(const cJSON *object, const char *message, const struct line_map *lines)
{
    int line = line_map_get(lines, object);
    const char *s = path_start(message);
    const cJSON *node = object;
    char key[SEGMENT_MAX];
    long index;
    while (s && node && next_segment(&s, key, sizeof key, &index)) {
        node = index >= 0 ? (cJSON_IsArray(node) && index < (long)cJSON_GetArraySize(node)
                                 ? cJSON_GetArrayItem(node, (int)index) : NULL)
                          : cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, key) : NULL;
        int l = line_map_get(lines, node);
        if (l > 0)
            line = l;
    }
    return line;
}
