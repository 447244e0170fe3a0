/* history_cache.h - a short-lived, bounded cache of history answers per database, shared by
 * every request thread. Satisfied answers may live longer than unsatisfied ones, so a
 * migration that just finished is seen within cache_unsatisfied_ms. */
#ifndef SCHEMAGATE_HISTORY_CACHE_H
#define SCHEMAGATE_HISTORY_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

struct history_cache;

struct history_cache *history_cache_new(size_t databases);
void history_cache_free(struct history_cache *cache);

/* A fresh entry for (database index, key) into *out; false when absent or expired. */
bool history_cache_get(struct history_cache *cache, size_t database, const char *key,
                       struct history_result *out);
/* Stores an answer for ttl_ms (0 = do not store). */
void history_cache_put(struct history_cache *cache, size_t database, const char *key,
                       const struct history_result *result, long ttl_ms);

#endif
