/* version.c - version ordering for the schema gate, written to match the tools' own code
 * (Flyway's own MigrationVersion.tokenize/compareTo; Rails to_i and
 * golang-migrate ParseUint for digit strings). Parts are compared as decimal strings, so
 * they have no size limit, exactly like Flyway's BigInteger parts. */
#include "version.h"

#include <string.h>

bool version_digits_valid(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return false;
    for (const char *c = text; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return true;
}

bool version_bigint_valid(const char *text)
{
    if (!version_digits_valid(text))
        return false;
    size_t len = strlen(text);
    return len < 19 || (len == 19 && strcmp(text, "9223372036854775807") <= 0);
}

bool version_flyway_valid(const char *text)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return false;
    for (const char *c = text; *c; c++) {
        if (*c >= '0' && *c <= '9')
            continue;
        if ((*c == '.' || *c == '_') && c[1] >= '0' && c[1] <= '9')
            continue;
        return false;
    }
    return true;
}

/* The next numeric part of a version: its significant digits (leading zeros skipped) and
 * where the part after it starts. Returns false at the end of the text. */
static bool next_part(const char **at, const char **digits, size_t *len)
{
    const char *p = *at;
    if (*p == '\0')
        return false;
    while (*p == '0' && p[1] >= '0' && p[1] <= '9')
        p++;
    const char *start = p;
    while (*p >= '0' && *p <= '9')
        p++;
    *digits = start;
    *len = (size_t)(p - start);
    if (*len == 1 && *start == '0')
        *len = 0;             /* "0" and "000" are the number zero */
    *at = (*p == '.' || *p == '_') ? p + 1 : p;
    return true;
}

static int compare_parts(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return alen < blen ? -1 : 1;
    int c = memcmp(a, b, alen);
    return (c > 0) - (c < 0);
}

int version_digits_compare(const char *a, const char *b)
{
    const char *da, *db;
    size_t la, lb;
    next_part(&a, &da, &la);
    next_part(&b, &db, &lb);
    return compare_parts(da, la, db, lb);
}

int version_flyway_compare(const char *a, const char *b)
{
    /* Missing parts count as zero, which is the same as dropping trailing zero parts. */
    for (;;) {
        const char *da = "", *db = "";
        size_t la = 0, lb = 0;
        bool more_a = next_part(&a, &da, &la);
        bool more_b = next_part(&b, &db, &lb);
        if (!more_a && !more_b)
            return 0;
        int c = compare_parts(da, la, db, lb);
        if (c != 0)
            return c;
    }
}

void version_flyway_normalize(const char *text, char *out, size_t n)
{
    size_t len = 0, keep = 0;   /* keep: length up to the last non-zero part */
    const char *digits;
    size_t dlen;
    if (n == 0)
        return;
    out[0] = '\0';
    while (next_part(&text, &digits, &dlen)) {
        size_t need = (len ? 1 : 0) + (dlen ? dlen : 1);
        if (len + need + 1 > n) {
            out[0] = '\0';
            return;
        }
        if (len)
            out[len++] = '.';
        if (dlen) {
            memcpy(out + len, digits, dlen);
            len += dlen;
            keep = len;
        } else {
            out[len++] = '0';
        }
    }
    if (keep == 0)
        keep = 1;             /* "0", "0.0" -> "0" */
    out[keep] = '\0';
}

bool version_flyway_at_or_above(const char *latest, const char *required)
{
    return version_flyway_valid(latest) && version_flyway_compare(latest, required) >= 0;
}

bool version_digits_at_or_above(const char *latest, const char *required)
{
    return version_digits_valid(latest) && version_digits_compare(latest, required) >= 0;
}

bool version_text_at_or_above(const char *latest, const char *required)
{
    return strcmp(latest, required) >= 0;
}
