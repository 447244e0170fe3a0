/* history_cache.c - a fixed number of entries per database under one mutex each: lookups are
 * a linear scan of a few dozen keys, cheaper than the hash of a map, and memory is bounded
 * whatever requirements workloads write. When full, the entry that expires first goes. */
#include "history_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_ENTRIES 64

struct cache_entry {
    char key[REQUIRES_PART_MAX + 4];
    long long expires_ms;      /* CLOCK_MONOTONIC; 0 = empty */
    struct history_result result;
};

struct cache_shard {
    pthread_mutex_t lock;
    struct cache_entry entries[CACHE_ENTRIES];
};

struct history_cache {
    size_t count;
    struct cache_shard *shards;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct history_cache *history_cache_new(size_t databases)
{
    struct history_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL)
        return NULL;
    cache->count = databases;
    cache->shards = calloc(databases ? databases : 1, sizeof *cache->shards);
    if (cache->shards == NULL) {
        free(cache);
        return NULL;
    }
    for (size_t i = 0; i < databases; i++)
        pthread_mutex_init(&cache->shards[i].lock, NULL);
    return cache;
}

void history_cache_free(struct history_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < cache->count; i++)
        pthread_mutex_destroy(&cache->shards[i].lock);
    free(cache->shards);
    free(cache);
}

bool history_cache_get(struct history_cache *cache, size_t database, const char *key,
                       struct history_result *out)
{
    if (database >= cache->count)
        return false;
    struct cache_shard *s = &cache->shards[database];
    long long now = now_ms();
    bool hit = false;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        struct cache_entry *e = &s->entries[i];
        if (e->expires_ms > now && strcmp(e->key, key) == 0) {
            *out = e->result;
            hit = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

void history_cache_put(struct history_cache *cache, size_t database, const char *key,
                       const struct history_result *result, long ttl_ms)
{
    if (database >= cache->count || ttl_ms <= 0 || strlen(key) >= sizeof cache->shards[0].entries[0].key)
        return;
    struct cache_shard *s = &cache->shards[database];
    long long now = now_ms();
    pthread_mutex_lock(&s->lock);
    struct cache_entry *slot = NULL, *oldest = &s->entries[0];
    for (size_t i = 0; i < CACHE_ENTRIES && slot == NULL; i++) {
        struct cache_entry *e = &s->entries[i];
        if (strcmp(e->key, key) == 0)
            slot = e;
        else if (e->expires_ms < oldest->expires_ms)
            oldest = e;        /* empty and expired entries sort first */
    }
    if (slot == NULL)
        slot = oldest;
    strcpy(slot->key, key);
    slot->expires_ms = now + ttl_ms;
    slot->result = *result;
    pthread_mutex_unlock(&s->lock);
}
