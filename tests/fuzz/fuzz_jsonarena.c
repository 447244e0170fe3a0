/* fuzz_jsonarena.c - libFuzzer harness for the request parser (webhook/jsonarena.c): no crash or
 * sanitizer report on any input; whatever it accepts, cJSON accepts too with the same tree and
 * the same end; json_arena_parse_insitu on an exact-size copy agrees with json_arena_parse; a
 * refusal for too many values happens only past JSON_ARENA_NODES_MAX. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tree.h"
#include "jsonarena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct json_arena *arena = json_arena_create(size);
    assert(arena != NULL);
    const char *end = NULL;
    cJSON *tree = json_arena_parse(arena, text, size, &end);
    assert(tree != NULL || !json_arena_node_limit_hit(arena) || size / 2 >= JSON_ARENA_NODES_MAX);
    if (tree != NULL) {
        const char *cjson_end = NULL;
        cJSON *theirs = cJSON_ParseWithLengthOpts(text, size, &cjson_end, 0);
        assert(theirs != NULL);
        assert(cjson_end == end);
        assert(fuzz_same_tree(tree, theirs));
        cJSON_Delete(theirs);
    }
    char *copy = malloc(size ? size : 1);
    assert(copy != NULL);
    memcpy(copy, data, size);
    struct json_arena *arena2 = json_arena_create(size);
    assert(arena2 != NULL);
    const char *end2 = NULL;
    cJSON *tree2 = json_arena_parse_insitu(arena2, copy, size, &end2);
    assert((tree2 != NULL) == (tree != NULL));
    if (size > 0)
        assert(end2 - copy == end - text);
    if (tree)
        assert(fuzz_same_tree(tree, tree2));
    json_arena_destroy(arena2);
    free(copy);
    json_arena_destroy(arena);
    return 0;
}
