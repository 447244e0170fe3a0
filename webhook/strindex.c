/* strindex.c - open addressing with linear probing over (hash, item) pairs; the table doubles
 * at half load, so a probe sequence stays short and an insert is amortised constant time. */
#include "strindex.h"

#include <stdlib.h>

void strindex_init(struct strindex *ix)
{
    ix->slots = NULL;
    ix->cap = 0;
    ix->used = 0;
}

void strindex_free(struct strindex *ix)
{
    free(ix->slots);
    strindex_init(ix);
}

uint64_t strindex_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

size_t strindex_find(const struct strindex *ix, uint64_t hash, bool (*same)(size_t item, const void *ctx),
                     const void *ctx)
{
    if (ix->cap == 0)
        return STRINDEX_NONE;
    size_t mask = ix->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const struct strindex_slot *s = &ix->slots[i];
        if (s->item == 0)
            return STRINDEX_NONE;
        if (s->hash == hash && same(s->item - 1, ctx))
            return s->item - 1;
    }
}

static void place(struct strindex_slot *slots, size_t cap, uint64_t hash, size_t item_plus_one)
{
    size_t mask = cap - 1;
    size_t i = (size_t)hash & mask;
    while (slots[i].item != 0)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].item = item_plus_one;
}

int strindex_add(struct strindex *ix, uint64_t hash, size_t item)
{
    if ((ix->used + 1) * 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 16;
        if (cap < ix->cap)
            return -1;
        struct strindex_slot *slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i].item != 0)
                place(slots, cap, ix->slots[i].hash, ix->slots[i].item);
        free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
    }
    place(ix->slots, ix->cap, hash, item + 1);
    ix->used++;
    return 0;
}
