/* linemap.c - an open-addressing hash table from node addresses to lines. */
#include "linemap.h"

#include <stdint.h>
#include <stdlib.h>

struct line_slot {
    const void *node;   /* NULL: empty */
    int line;
};

struct line_map {
    struct line_slot *slots;
    size_t cap;         /* a power of two */
    size_t count;
};

static size_t slot_of(const void *node, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)node;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

struct line_map *line_map_create(void)
{
    struct line_map *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->cap = 256;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (m->slots == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

void line_map_free(struct line_map *m)
{
    if (m == NULL)
        return;
    free(m->slots);
    free(m);
}

static void insert(struct line_slot *slots, size_t cap, const void *node, int line, size_t *count)
{
    size_t i = slot_of(node, cap);
    while (slots[i].node != NULL && slots[i].node != node)
        i = (i + 1) & (cap - 1);
    if (slots[i].node == NULL)
        (*count)++;
    slots[i] = (struct line_slot){ node, line };
}

int line_map_put(struct line_map *m, const void *node, int line)
{
    if (node == NULL)
        return 0;
    if ((m->count + 1) * 2 > m->cap) {   /* keep it at most half full */
        size_t cap = m->cap * 2;
        struct line_slot *slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        size_t count = 0;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].node)
                insert(slots, cap, m->slots[i].node, m->slots[i].line, &count);
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
        m->count = count;
    }
    insert(m->slots, m->cap, node, line, &m->count);
    return 0;
}

int line_map_get(const struct line_map *m, const void *node)
{
    if (m == NULL || node == NULL)
        return 0;
    for (size_t i = slot_of(node, m->cap); m->slots[i].node != NULL; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].node == node)
            return m->slots[i].line;
    return 0;
}
