/* fuzz_yaml.c - libFuzzer harness for the review input reader (webhook/docstream.c and
 * webhook/yamldoc.c over libyaml): no crash, no leak, no sanitizer report on any input; every
 * error names a line; every accepted document prints as JSON that reads back equal, member by
 * member in order (fuzz_tree.h). Build and run with tests/fuzz/run.sh. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docstream.h"
#include "fuzz_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_error err = {{0}};
    cJSON *doc = yaml_or_json_parse((const char *)data, size, &err);
    if (doc == NULL) {
        assert(strncmp(err.message, "line ", 5) == 0 || strncmp(err.message, "input is empty", 14) == 0);
        return 0;
    }
    char *json = cJSON_PrintUnformatted(doc);
    if (json) {
        struct sg_error err2 = {{0}};
        cJSON *again = yaml_or_json_parse(json, strlen(json), &err2);
        /* Scalars at the root are not JSON objects; only collections must read back. */
        if (cJSON_IsObject(doc) || cJSON_IsArray(doc)) {
            assert(again != NULL);
            assert(fuzz_same_tree(doc, again));
        }
        cJSON_Delete(again);
        free(json);
    }
    cJSON_Delete(doc);
    return 0;
}
