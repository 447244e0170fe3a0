/* jsonarena.c - a bump allocator behind cJSON's allocation hooks.
 * cJSON's hooks are process-wide, so the arena to allocate from is found through a thread-local
 * pointer that is set only for the duration of json_arena_parse on that thread; every other
 * cJSON call, on any thread, falls through to malloc/free unchanged. */
#include "jsonarena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_FIRST_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u

struct arena_chunk {
    struct arena_chunk *next;
    size_t size;   /* usable bytes after the header */
    size_t used;
};

struct json_arena {
    struct arena_chunk *chunks;   /* newest first */
    size_t next_size;
};

/* The arena json_arena_parse is filling on this thread, NULL otherwise (request-scoped
 * scratch state, not shared between threads). */
static _Thread_local struct json_arena *active_arena;

static size_t header_size(void)
{
    return (sizeof(struct arena_chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static bool arena_owns(const struct json_arena *a, const void *p)
{
    for (const struct arena_chunk *c = a->chunks; c; c = c->next) {
        const char *base = (const char *)c + header_size();
        if ((const char *)p >= base && (const char *)p < base + c->size)
            return true;
    }
    return false;
}

static void *arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_chunk *c = a->chunks;
    if (c == NULL || c->size - c->used < n) {
        size_t size = a->next_size;
        while (size < n)
            size *= 2;
        c = malloc(header_size() + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
        a->next_size = size * 2;
    }
    void *p = (char *)c + header_size() + c->used;
    c->used += n;
    return p;
}

static void *hook_malloc(size_t n)
{
    return active_arena ? arena_alloc(active_arena, n) : malloc(n);
}

static void hook_free(void *p)
{
    /* cJSON frees a half-built tree when a parse fails: inside the arena that is a no-op. */
    if (active_arena && arena_owns(active_arena, p))
        return;
    free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = {.malloc_fn = hook_malloc, .free_fn = hook_free};
    cJSON_InitHooks(&hooks);
}

struct json_arena *json_arena_create(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_hooks);
    struct json_arena *a = calloc(1, sizeof *a);
    if (a)
        a->next_size = ARENA_FIRST_CHUNK;
    return a;
}

void json_arena_destroy(struct json_arena *a)
{
    if (a == NULL)
        return;
    struct arena_chunk *c = a->chunks;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

cJSON *json_arena_parse(struct json_arena *a, const char *text, size_t len, const char **end)
{
    active_arena = a;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, end, 0);
    active_arena = NULL;
    return root;
}
