/* linemap.c - an open-addressing hash table from node addresses to lines. Entries carry the
 * table's generation: line_map_clear starts a new one, and older entries count as empty. */
#include "linemap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct line_slot {
    const void *node;   /* empty unless gen is the table's and node is set */
    int line;
    unsigned gen;
};

struct line_map {
    struct line_slot *slots;
    size_t cap;         /* a power of two */
    size_t count;       /* entries of the current generation */
    unsigned gen;       /* never 0: calloc'd slots are empty */
};

static size_t slot_of(const void *node, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)node;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static int live(const struct line_slot *s, unsigned gen)
{
    return s->gen == gen && s->node != NULL;
}

struct line_map *line_map_create(void)
{
    struct line_map *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->cap = 256;
    m->gen = 1;
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

void line_map_clear(struct line_map *m)
{
    if (m == NULL)
        return;
    m->count = 0;
    if (++m->gen == 0) {   /* wrapped: no slot may keep a generation that comes round again */
        memset(m->slots, 0, m->cap * sizeof *m->slots);
        m->gen = 1;
    }
}

static void insert(struct line_slot *slots, size_t cap, unsigned gen, const void *node, int line, size_t *count)
{
    size_t i = slot_of(node, cap);
    while (live(&slots[i], gen) && slots[i].node != node)
        i = (i + 1) & (cap - 1);
    if (!live(&slots[i], gen))
        (*count)++;
    slots[i] = (struct line_slot){ node, line, gen };
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
            if (live(&m->slots[i], m->gen))
                insert(slots, cap, m->gen, m->slots[i].node, m->slots[i].line, &count);
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
        m->count = count;
    }
    insert(m->slots, m->cap, m->gen, node, line, &m->count);
    return 0;
}

int line_map_get(const struct line_map *m, const void *node)
{
    if (m == NULL || node == NULL)
        return 0;
    for (size_t i = slot_of(node, m->cap); live(&m->slots[i], m->gen); i = (i + 1) & (m->cap - 1))
        if (m->slots[i].node == node)
            return m->slots[i].line;
    return 0;
}
