/* docstream.h - the input of `schemagate review`: a text holding a stream of Kubernetes objects,
 * as JSON (one value after another, as `jq -c '.items[]'` prints) or YAML (documents separated
 * by `---`), split into cJSON documents, each with the line it starts on. */
#ifndef SCHEMAGATE_DOCSTREAM_H
#define SCHEMAGATE_DOCSTREAM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "jsonarena.h"
#include "linemap.h"

/* Values one JSON value of a stream may hold (the server's own budget is JSON_ARENA_NODES_MAX
 * per request): a List of thousands of objects, as `kubectl get -A -o json` prints it, is one
 * value. The input itself is bounded (REVIEW_INPUT_MAX), and so is the tree. */
#define DOCSTREAM_JSON_NODES_MAX (8u * JSON_ARENA_NODES_MAX)

struct doc {
    cJSON *json;   /* owned (ordinary cJSON, freed with cJSON_Delete) */
    int line;      /* 1-based line where the document's value starts */
};

struct doc_list {
    struct doc *items;
    size_t count;
    size_t cap;
    struct line_map *lines;   /* owned: the line of every value (YAML and JSON alike) */
};

/* Appends doc (taking ownership: deleted on failure); -1 with err set when out of memory. */
int doc_list_add(struct doc_list *l, cJSON *json, int line, struct sg_error *err);
void doc_list_free(struct doc_list *l);

/* Takes one document of a stream from docstream_each: json is the callee's (cJSON_Delete it),
 * line the line its value starts on. Nonzero stops the stream (the callee sets err). */
typedef int (*doc_fn)(void *ctx, cJSON *json, int line, struct sg_error *err);

/* Reads text's documents one at a time, as docstream_parse splits them, and hands each to fn
 * as soon as it is read, so no more than one document's tree is held at once. When lines is
 * set, the line of every value of a document is recorded there before fn sees it (fn may
 * line_map_clear it: entries of documents already handed over are not needed again). -1 with
 * err on a parse error (the documents before it were handed over) or when fn returns nonzero.
 * The work is linear in len. */
int docstream_each(const char *text, size_t len, struct line_map *lines, doc_fn fn, void *ctx,
                   struct sg_error *err);

/* Splits text into its documents. JSON when the first character is '{' or '[' (parsed with the
 * server's strict parser, jsonarena), else YAML (yamldoc.c). Both refuse duplicate keys (the
 * cluster would keep the last, schemagate judge the first). Empty documents (nothing, only
 * comments, or null) are skipped, so a stream may hold no document at all. On error returns -1
 * with err naming the line, and out holds nothing. */
int docstream_parse(const char *text, size_t len, struct doc_list *out, struct sg_error *err);

/* Exactly one document: docstream_parse, then an error for none ("empty") or a second one. */
cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err);

#endif
