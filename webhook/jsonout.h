/* jsonout.h - writing JSON text straight into a strbuf: quoted, escaped strings and the
 * punctuation around them. Used where a cJSON tree would only be built to be printed once
 * (the AdmissionReview response, log lines). */
#ifndef SCHEMAGATE_JSONOUT_H
#define SCHEMAGATE_JSONOUT_H

#include <stdbool.h>

#include "strbuf.h"

/* Appends s as a JSON string: quotes, backslash and control characters escaped the way cJSON
 * escapes them; other bytes (UTF-8 included) as they are. NULL is written as "". */
void jsonout_string(struct strbuf *sb, const char *s);

/* Appends `"key":` with the key escaped; the caller adds the value and any comma. */
void jsonout_key(struct strbuf *sb, const char *key);

/* `"key":"value"` and `"key":true|false`, each preceded by a comma unless `first`. */
void jsonout_member_string(struct strbuf *sb, bool first, const char *key, const char *value);
void jsonout_member_bool(struct strbuf *sb, bool first, const char *key, bool value);

/* `,"key":["a","b"]` for `count` strings. */
void jsonout_member_strings(struct strbuf *sb, const char *key, char *const *items, size_t count);

#endif
