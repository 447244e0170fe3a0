/* jsonarena.h - per-request memory for a parsed AdmissionReview. cJSON makes about three
 * allocations per JSON value; served from one bump arena and released in one go, the parse
 * costs a fraction of what ~2000 malloc/free pairs per 16 KB request cost (bench/RESULTS.md). */
#ifndef SCHEMAGATE_JSONARENA_H
#define SCHEMAGATE_JSONARENA_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct json_arena;

/* NULL on out of memory. */
struct json_arena *json_arena_create(void);
/* Frees the arena and every tree parsed into it. */
void json_arena_destroy(struct json_arena *arena);

/* cJSON_ParseWithLengthOpts with every allocation taken from the arena. The tree belongs to the
 * arena: release it with json_arena_destroy, never with cJSON_Delete. */
cJSON *json_arena_parse(struct json_arena *arena, const char *text, size_t len, const char **end);

#endif
