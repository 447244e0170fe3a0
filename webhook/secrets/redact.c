/* redact.c - masking remembered credential values in outgoing text. Longest values are tried
 * first at each position, so a value that contains another is masked whole. */
#include "redact.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shellparse.h"

void redact_init(struct redact_set *r)
{
    memset(r, 0, sizeof *r);
}

void redact_free(struct redact_set *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->values[i]);
    free(r->values);
    free(r->lengths);
    strindex_free(&r->index);
    memset(r, 0, sizeof *r);
}

struct value_key {
    const struct redact_set *r;
    const char *value;
    size_t len;
};

static bool same_value(size_t item, const void *ctx)
{
    const struct value_key *k = ctx;
    return k->r->lengths[item] == k->len && memcmp(k->r->values[item], k->value, k->len) == 0;
}

void redact_add(struct redact_set *r, const char *value, size_t len)
{
    while (len > 0 && isspace((unsigned char)value[0]))
        value++, len--;
    while (len > 0 && isspace((unsigned char)value[len - 1]))
        len--;
    if (len < REDACT_MIN_LEN)
        return;
    char *copy = strndup(value, len);
    if (copy == NULL) {
        r->failed = true;
        return;
    }
    /* Shell-cooked text marks single-quoted dollars; the world sees a plain "$". */
    for (char *c = copy; *c; c++)
        if (*c == SHELL_LITERAL_DOLLAR)
            *c = '$';
    size_t n = strlen(copy);   /* strndup stops early at a NUL */
    uint64_t hash = strindex_hash(copy, n);
    struct value_key key = {r, copy, n};
    if (n < REDACT_MIN_LEN || strindex_find(&r->index, hash, same_value, &key) != STRINDEX_NONE) {
        free(copy);
        return;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        char **values = realloc(r->values, cap * sizeof *values);
        if (values == NULL) {
            free(copy);
            r->failed = true;
            return;
        }
        r->values = values;
        size_t *lengths = realloc(r->lengths, cap * sizeof *lengths);
        if (lengths == NULL) {
            free(copy);
            r->failed = true;
            return;
        }
        r->lengths = lengths;
        r->cap = cap;
    }
    if (strindex_add(&r->index, hash, r->count) != 0) {
        free(copy);
        r->failed = true;
        return;
    }
    r->values[r->count] = copy;
    r->lengths[r->count] = n;
    r->count++;
}

void redact_apply(const struct redact_set *r, const char *text, struct strbuf *out)
{
    if (r->failed) {
        strbuf_puts(out, "(message withheld: out of memory while redacting)");
        return;
    }
    size_t i = 0, n = strlen(text);
    size_t kept = 0;   /* text[kept..i) is copied as is once a mask or the end comes */
    bool opens[256] = {false};   /* the first bytes of the values: elsewhere none can start */
    for (size_t k = 0; k < r->count; k++)
        opens[(unsigned char)r->values[k][0]] = true;
    while (i < n) {
        if (!opens[(unsigned char)text[i]]) {
            i++;
            continue;
        }
        size_t best = 0;
        for (size_t k = 0; k < r->count; k++) {
            size_t len = r->lengths[k];
            if (len > best && len <= n - i && r->values[k][0] == text[i] && memcmp(text + i, r->values[k], len) == 0)
                best = len;
        }
        if (best > 0) {
            strbuf_append(out, text + kept, i - kept);
            strbuf_puts(out, REDACT_MASK);
            i += best;
            kept = i;
        } else {
            i++;
        }
    }
    strbuf_append(out, text + kept, n - kept);
}
