/* fuzz_tree.h - an ordered deep comparison of two cJSON trees for the fuzz harnesses. Unlike
 * cJSON_Compare, which looks each key of one object up by name in the other (the first match),
 * it walks members in order, so an object with duplicate keys ({"a":1,"a":2}, which cJSON's
 * parser accepts) equals its own reprint instead of failing as a false positive. */
#ifndef SCHEMAGATE_FUZZ_TREE_H
#define SCHEMAGATE_FUZZ_TREE_H

#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

static inline bool fuzz_same_tree(const cJSON *a, const cJSON *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp(a->string, b->string) != 0))
        return false;
    switch (a->type & 0xFF) {
    case cJSON_String:
    case cJSON_Raw:
        return a->valuestring && b->valuestring && strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;   /* cJSON prints doubles so they read back exactly */
    case cJSON_Array:
    case cJSON_Object: {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!fuzz_same_tree(x, y))
                return false;
        return x == NULL && y == NULL;
    }
    default:
        return true;   /* false, true, null */
    }
}

#endif
