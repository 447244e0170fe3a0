/* yamldoc.h - a YAML stream read with libyaml into cJSON documents: the tree the same objects'
 * JSON gives (scalars typed by the YAML 1.2 core schema), anchors and aliases expanded within a
 * bound, `<<` merge keys, and refusals with their line for what JSON cannot hold. */
#ifndef SCHEMAGATE_YAMLDOC_H
#define SCHEMAGATE_YAMLDOC_H

#include <stddef.h>

#include "docstream.h"
#include "error.h"

/* Nesting and alias expansion limits (an alias bomb is refused, not expanded). */
#define YAMLDOC_MAX_DEPTH 64
#define YAMLDOC_MAX_ALIAS_NODES 1000000u

/* Hands the stream's non-empty documents to fn one by one, as each ends, and when lines is set
 * records there the line of every value first; -1 with err ("line L, column C: ...") on error
 * (the documents before it were handed over) or when fn returns nonzero. */
typedef int (*yamldoc_fn)(void *ctx, cJSON *json, int line, struct sg_error *err);
int yamldoc_parse_stream(const char *text, size_t len, struct line_map *lines, yamldoc_fn fn, void *ctx,
                         struct sg_error *err);

#endif
