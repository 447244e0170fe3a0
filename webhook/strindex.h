/* strindex.h - a hash index over items the caller keeps in its own array (findings by path,
 * redaction values): the caller hashes a key, asks for the item with that hash that its own
 * comparison accepts, and adds an item's index after appending it. Keeps "have I seen this?"
 * checks constant-time where a request can bring tens of thousands of items. */
#ifndef SCHEMAGATE_STRINDEX_H
#define SCHEMAGATE_STRINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strindex_slot {
    uint64_t hash;
    size_t item;    /* item + 1; 0 = empty */
};

struct strindex {
    struct strindex_slot *slots;
    size_t cap;     /* a power of two, or 0 */
    size_t used;
};

#define STRINDEX_NONE SIZE_MAX

void strindex_init(struct strindex *ix);
void strindex_free(struct strindex *ix);

uint64_t strindex_hash(const char *s, size_t len);

/* The first indexed item with this hash for which same(item, ctx) is true, or STRINDEX_NONE. */
size_t strindex_find(const struct strindex *ix, uint64_t hash, bool (*same)(size_t item, const void *ctx),
                     const void *ctx);

/* Indexes item under hash. Returns 0, or -1 when out of memory (the index is then unchanged). */
int strindex_add(struct strindex *ix, uint64_t hash, size_t item);

#endif
