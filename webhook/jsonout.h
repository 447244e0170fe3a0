/* jsonout.h - writing JSON text straight into a strbuf: quoted, escaped strings and the
 * punctuation around them. Used where a cJSON tree would only be built to be printed once
 * (the AdmissionReview response, log lines). */
#ifndef SCHEMAGATE_JSONOUT_H
#define SCHEMAGATE_JSONOUT_H

#include <stdbool.h>

#include "strbuf.h"

/* Appends s as a JSON string: quotes, backslash and control characters escaped the way cJSON
 * escapes them; well-formed UTF-8 as it is; every byte that is not part of a well-formed UTF-8
 * sequence (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF) as \ufffd, so
 * the output is always valid UTF-8 JSON whatever the input. NULL is written as "". */
void jsonout_string(struct strbuf *sb, const char *s);

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 when s[0] does not start one. s[0]
 * must not be NUL; the sequence ends at the first byte that does not continue it. */
size_t jsonout_utf8_seq(const unsigned char *s);

/* True when the whole NUL-terminated s is well-formed UTF-8. */
bool jsonout_utf8_valid(const char *s);

/* Appends `"key":` with the key escaped; the caller adds the value and any comma. */
void jsonout_key(struct strbuf *sb, const char *key);

/* `"key":"value"` and `"key":true|false`, each preceded by a comma unless `first`. */
void jsonout_member_string(struct strbuf *sb, bool first, const char *key, const char *value);
void jsonout_member_bool(struct strbuf *sb, bool first, const char *key, bool value);

/* `,"key":["a","b"]` for `count` strings. */
void jsonout_member_strings(struct strbuf *sb, const char *key, char *const *items, size_t count);

#endif
