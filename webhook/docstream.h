/* docstream.h - the input of `schemagate review`: a text holding a stream of Kubernetes objects,
 * as JSON (one value after another, as `jq -c '.items[]'` prints) or YAML (documents separated
 * by `---`), split into cJSON documents, each with the line it starts on. */
#ifndef SCHEMAGATE_DOCSTREAM_H
#define SCHEMAGATE_DOCSTREAM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "linemap.h"

struct doc {
    cJSON *json;   /* owned (ordinary cJSON, freed with cJSON_Delete) */
    int line;      /* 1-based line where the document's value starts */
};

struct doc_list {
    struct doc *items;
    size_t count;
    size_t cap;
    struct line_map *lines;   /* owned: the line of every value read from YAML; NULL for JSON */
};

/* Appends doc (taking ownership: deleted on failure); -1 with err set when out of memory. */
int doc_list_add(struct doc_list *l, cJSON *json, int line, struct sg_error *err);
void doc_list_free(struct doc_list *l);

/* Splits text into its documents. JSON when the first character is '{' or '[' (parsed with the
 * server's strict parser, jsonarena), else YAML (yamldoc.c). Both refuse duplicate keys (the
 * cluster would keep the last, schemagate judge the first). Empty documents (nothing, only
 * comments, or null) are skipped, so a stream may hold no document at all. On error returns -1
 * with err naming the line, and out holds nothing. */
int docstream_parse(const char *text, size_t len, struct doc_list *out, struct sg_error *err);

/* Exactly one document: docstream_parse, then an error for none ("empty") or a second one. */
cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err);

#endif
