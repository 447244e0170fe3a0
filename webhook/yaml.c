/* yaml.c - JSON input for `schemagate review` (YAML is being added; see yaml.h). */
#include "yaml.h"

static int line_at(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len) {
        sg_error_set(err, "input is empty");
        return NULL;
    }
    if (text[i] != '{' && text[i] != '[') {
        sg_error_set(err, "line %d: input is not JSON; YAML input is not supported by this build, "
                     "convert it with `kubectl create --dry-run=client -o json -f FILE`", line_at(text, i));
        return NULL;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc == NULL) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        sg_error_set(err, "line %d: not valid JSON", line_at(text, off));
    }
    return doc;
}
