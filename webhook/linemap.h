/* linemap.h - the input line of parsed values: a map from a cJSON node (by address) to the
 * 1-based line it was read from, so findings about a field can point at its line. Filled by
 * the YAML reader and for JSON input by docstream.c; nodes not in the map have no line. */
#ifndef SCHEMAGATE_LINEMAP_H
#define SCHEMAGATE_LINEMAP_H

#include <stddef.h>

struct line_map;

struct line_map *line_map_create(void);   /* NULL on out of memory */
void line_map_free(struct line_map *m);
/* Records node's line (a later put for the same node replaces it); -1 on out of memory. */
int line_map_put(struct line_map *m, const void *node, int line);
/* The recorded line, 0 when none (or m is NULL). */
int line_map_get(const struct line_map *m, const void *node);
/* Forgets every entry in O(1) (the table keeps its size), so a stream read document by document
 * keeps one document's lines at a time, not the whole stream's. */
void line_map_clear(struct line_map *m);

#endif
