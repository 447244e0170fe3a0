/* jsonarena.h - per-request memory for a parsed AdmissionReview: a strict JSON parser that builds
 * the same tree cJSON would, with every node and string in one bump arena released in one go
 * (no malloc/free per value; about half the instructions of cJSON's parse, bench/RESULTS.md). */
#ifndef SCHEMAGATE_JSONARENA_H
#define SCHEMAGATE_JSONARENA_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct json_arena;

/* At most this many JSON values (objects, arrays, members, elements: one cJSON node each, 64
 * bytes) per arena, so one request's tree stays under 16 MiB however dense its text: 3 MiB of
 * `"",` would otherwise be a million nodes. Real objects have about one value per 19 bytes
 * (a 3 MiB object: ~165k values). */
#define JSON_ARENA_NODES_MAX 262144u

/* An arena sized for parsing `input_len` bytes of JSON in one chunk (0: a default size), so a
 * typical request needs a single allocation. NULL on out of memory. */
struct json_arena *json_arena_create(size_t input_len);
/* Frees the arena and every tree parsed into it; big chunks are unmapped, so their memory goes
 * back to the system at once. */
void json_arena_destroy(struct json_arena *arena);

/* Replaces the arena's budget of values (JSON_ARENA_NODES_MAX) by max_nodes, before its first
 * parse: `schemagate review` reads a whole `kubectl get -A -o json` List as one value, whose
 * input is bounded on its own. */
void json_arena_set_node_limit(struct json_arena *arena, size_t max_nodes);

/* True when a parse into this arena failed because the text holds more than
 * JSON_ARENA_NODES_MAX values (json_arena_parse then returns NULL with *end where it stopped). */
bool json_arena_node_limit_hit(const struct json_arena *arena);

/* Parses the JSON value at the start of text[0..len) (no NUL terminator needed) into the arena:
 * the tree cJSON_ParseWithLengthOpts(text, len, end, 0) builds, readable with every cJSON
 * function that does not modify or free it. The tree belongs to the arena: release it with
 * json_arena_destroy, never with cJSON_Delete (cJSON_Duplicate gives an ordinary copy).
 * Stricter than cJSON (RFC 8259): rejects leading zeros, "1." and "-.5", control characters
 * in strings and as whitespace, \u0000 and \u escapes with bad hex (cJSON turns both into a
 * string-ending NUL); like cJSON it rejects unpaired surrogates and more than 1000 nested
 * containers. Bytes >= 0x80 are kept as they are (UTF-8 is not validated, as in cJSON); a
 * leading UTF-8 byte order mark is skipped as cJSON does. On success *end points just after
 * the value (following whitespace not consumed); on error returns NULL with *end at the
 * offending byte. The text is copied into the arena once and parsed there in place. */
cJSON *json_arena_parse(struct json_arena *arena, const char *text, size_t len, const char **end);

/* json_arena_parse without the copy, for a caller that owns a writable buffer it no longer
 * needs as text: the same tree, acceptance and *end, but the tree's strings live in text[0..len)
 * itself (escapes decoded in place, each NUL-terminated over its closing quote), so text must
 * outlive the tree. Bytes after the parsed value are left alone; on error the strings before
 * the error may already be rewritten. */
cJSON *json_arena_parse_insitu(struct json_arena *arena, char *text, size_t len, const char **end);

#endif
