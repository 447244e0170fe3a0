/* docstream.h - the input of `schemagate review`: a text holding a stream of Kubernetes objects,
 * as JSON (one value after another, as `jq -c '.items[]'` prints) or YAML (documents separated
 * by `---`), split into cJSON documents, each with the line it starts on. */
#ifndef SCHEMAGATE_DOCSTREAM_H
#define SCHEMAGATE_DOCSTREAM_H

#include <stdbool.h>
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

/* Where a document (or one item of a List) handed over by docstream_each stands. */
struct doc_pos {
    int document;   /* 0-based among the stream's non-empty documents */
    int item;       /* 0-based index in the split array (a List's items); -1 for a whole document */
    int line;       /* 1-based line where its value starts */
};

/* Takes one document, or one item, of a stream: json is the callee's (cJSON_Delete it).
 * Nonzero stops the stream (the callee sets err). */
typedef int (*doc_fn)(void *ctx, cJSON *json, const struct doc_pos *pos, struct sg_error *err);

/* The array of doc whose elements are to be handed over one by one instead of doc (a List's
 * items), or NULL for doc as a whole. */
typedef cJSON *(*doc_split_fn)(const cJSON *doc);

/* Where the values of a stream's documents were read. YAML records every value's line as it
 * reads it. JSON does too when starts is NULL (docstream_parse); with starts set, only the
 * document, its members and their elements get theirs (a List's items: their own lines), with
 * where their text starts, and doc_lines_complete reads the lines of everything below a node
 * from the text when a finding needs them: a List of thousands of objects is not mapped value
 * by value up front (a table of millions of entries, missing the cache on every insert). */
struct doc_lines {
    struct line_map *lines;    /* node -> line */
    struct line_map *starts;   /* NULL, or node -> 1 + offset of its value in text (JSON) */
    const char *text;          /* set by docstream_each: the text the offsets are in */
    size_t len;
    bool per_document;         /* forget each document's lines once it has been handed over */
};

/* Every value below node (node included) gets its line, if node's text start is known (JSON
 * read with starts); else nothing changes. -1 on out of memory. */
int doc_lines_complete(struct doc_lines *dl, const cJSON *node);
/* Forgets the lines and starts recorded so far (O(1)), e.g. after each document. */
void doc_lines_clear(struct doc_lines *dl);

/* Reads text's documents one at a time, as docstream_parse splits them, and hands each to fn
 * as soon as it is read, so no more than one document's tree is held at once; with split, a
 * document split returns an array of is handed over element by element instead (a JSON List's
 * items each copied out of the parsed text on their own, so the List is never copied whole).
 * When dl is set, the lines of the values are recorded there (as struct doc_lines says) before
 * fn sees them; text must stay valid while fn runs. -1 with err on a parse error (the documents
 * before it were handed over) or when fn returns nonzero. The work is linear in len. */
int docstream_each(const char *text, size_t len, struct doc_lines *dl, doc_split_fn split, doc_fn fn,
                   void *ctx, struct sg_error *err);

/* Splits text into its documents. JSON when the first character is '{' or '[' (parsed with the
 * server's strict parser, jsonarena), else YAML (yamldoc.c). Both refuse duplicate keys (the
 * cluster would keep the last, schemagate judge the first). Empty documents (nothing, only
 * comments, or null) are skipped, so a stream may hold no document at all. On error returns -1
 * with err naming the line, and out holds nothing. */
int docstream_parse(const char *text, size_t len, struct doc_list *out, struct sg_error *err);

/* Exactly one document: docstream_parse, then an error for none ("empty") or a second one. */
cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err);

#endif
