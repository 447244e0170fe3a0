/* yaml.h - input for `schemagate review`: JSON, or YAML as kubectl writes it (block mappings
 * and sequences, plain/quoted scalars, block scalars, comments, one document), into cJSON. */
#ifndef SCHEMAGATE_YAML_H
#define SCHEMAGATE_YAML_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

/* Parses JSON when the text starts with '{' or '[', else YAML. Errors name the line. */
cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err);

#endif
