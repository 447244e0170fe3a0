/* redact.h - the one redaction routine. Every text schemagate builds from an admitted object
 * (denials, warnings, log lines) passes through redact_apply with the credential values the
 * scan found, so a value can never come back out, even inside a key, a name or a label. */
#ifndef SCHEMAGATE_REDACT_H
#define SCHEMAGATE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"
#include "strindex.h"

/* Values shorter than this are not masked (they would shred ordinary words). */
#define REDACT_MIN_LEN 3
#define REDACT_MASK "***"

struct redact_set {
    char **values;
    size_t *lengths;  /* strlen of each value */
    size_t count;
    size_t cap;
    struct strindex index;   /* values by hash: a script can bring tens of thousands */
    bool failed;     /* out of memory: redact_apply then withholds the whole text */
};

void redact_init(struct redact_set *r);
void redact_free(struct redact_set *r);

/* Remembers a credential value (copied; surrounding blanks trimmed). */
void redact_add(struct redact_set *r, const char *value, size_t len);

/* Appends text to out with every remembered value replaced by REDACT_MASK. */
void redact_apply(const struct redact_set *r, const char *text, struct strbuf *out);

#endif
