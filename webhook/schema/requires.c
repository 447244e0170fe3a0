/* requires.c - parsing `schemagate.io/requires`. Strict: a malformed value is a denial that
 * says what is wrong and shows a correct example, never a silent pass. The database name is
 * only a key into the config; nothing in the annotation can point the webhook at a host. */
#include "requires.h"

#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "version.h"

void requires_example(const struct database_config *db, char *out, size_t n)
{
    const struct migration_tool *t = db->tool;
    if (t->example_alt)
        snprintf(out, n, "\"%s@%s\" or \"%s@%s\"", db->name, t->example, db->name, t->example_alt);
    else
        snprintf(out, n, "\"%s@%s\"", db->name, t->example);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool database_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Refs are names from file systems and tags: printable, no spaces, no separators. */
static bool ref_chars_valid(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == ',' || *s == '"' || *s == '\\')
            return false;
    return true;
}

static int parse_item(const char *item, size_t len, size_t index, struct requirement *r, struct sg_error *err)
{
    memset(r, 0, sizeof *r);
    if (len >= sizeof r->text)
        return sg_error_set(err, "item %zu is longer than %zu characters; write <database>@<ref>, "
                            "e.g. \"orders@1.10\"", index, sizeof r->text - 1);
    memcpy(r->text, item, len);
    r->text[len] = '\0';
    const char *at = strchr(r->text, '@');
    if (at == NULL)
        return sg_error_set(err, "item %zu \"%s\" has no '@'; write <database>@<ref>, e.g. "
                            "\"orders@1.10\"", index, r->text);
    size_t dlen = (size_t)(at - r->text);
    if (dlen == 0 || dlen >= sizeof r->database)
        return sg_error_set(err, "item %zu \"%s\" needs a database name (1-63 characters) before "
                            "the '@', e.g. \"orders@1.10\"", index, r->text);
    for (size_t i = 0; i < dlen; i++)
        if (!database_char(r->text[i]))
            return sg_error_set(err, "item %zu \"%s\": the database name may only use a-z, 0-9, '-' "
                                "and '_' (a name from the webhook's config, never a DSN), e.g. "
                                "\"orders@1.10\"", index, r->text);
    memcpy(r->database, r->text, dlen);
    const char *ref = at + 1;
    if (strncmp(ref, ">=", 2) == 0) {
        r->at_least = true;
        ref += 2;
    }
    if (ref[0] == '\0' || !ref_chars_valid(ref))
        return sg_error_set(err, "item %zu \"%s\" needs a reference after the '@' without spaces or "
                            "quotes, e.g. \"%s@1.10\"", index, r->text, r->database);
    /* Cut short, a long name could match another migration that shares its first bytes. */
    size_t rlen = strlen(ref);
    if (rlen >= sizeof r->ref)
        return sg_error_set(err, "item %zu \"%s@%.32s...\": the reference after the '@' is %zu characters, "
                            "longer than the %zu this webhook compares; name a migration whose version or name "
                            "is at most %zu characters, e.g. \"%s@1.10\"",
                            index, r->database, ref, rlen, sizeof r->ref - 1, sizeof r->ref - 1, r->database);
    memcpy(r->ref, ref, rlen + 1);
    return 0;
}

int requires_parse(const char *value, struct requirement_list *out, struct sg_error *err)
{
    out->count = 0;
    const char *p = value;
    size_t index = 0;
    for (;;) {
        while (is_space(*p))
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && is_space(end[-1]))
            end--;
        index++;
        if (end == start)
            return sg_error_set(err, "item %zu is empty; write comma-separated <database>@<ref> items, "
                                "e.g. \"orders@1.10, billing@tag:v2.3.0\"", index);
        if (out->count == REQUIRES_MAX_ITEMS)
            return sg_error_set(err, "more than %d requirements; list only the migrations this "
                                "workload needs, e.g. \"orders@1.10\"", REQUIRES_MAX_ITEMS);
        if (parse_item(start, (size_t)(end - start), index, &out->items[out->count], err) != 0)
            return -1;
        out->count++;
        if (*p == '\0')
            return 0;
        p++;
    }
}

/* ---------------------------------------------------------------- for the tools ------- */

int requires_bad_ref(const struct database_config *db, const struct requirement *r, const char *why,
                     struct sg_error *err)
{
    char example[2 * REQUIRES_PART_MAX];
    requires_example(db, example, sizeof example);
    return sg_error_set(err, "\"%s\": %s for %s (tool %s); write e.g. %s", r->text, why, db->name,
                        db->tool->name, example);
}

void requires_set_param(struct requirement *r, int i, const char *s, size_t n)
{
    if (n >= sizeof r->param[i])
        n = sizeof r->param[i] - 1;
    memcpy(r->param[i], s, n);
    r->param[i][n] = '\0';
}

void requires_set_version(struct requirement *r, const char *canonical)
{
    r->kind = REF_VERSION;
    requires_set_param(r, 0, canonical, strlen(canonical));
    snprintf(r->cache_key, sizeof r->cache_key, "%s%s", r->at_least ? ">=" : "", canonical);
}

void requires_set_number(struct requirement *r)
{
    char canonical[REQUIRES_PART_MAX];
    snprintf(canonical, sizeof canonical, "%s", r->ref + strspn(r->ref, "0"));
    if (canonical[0] == '\0')
        snprintf(canonical, sizeof canonical, "0");
    requires_set_version(r, canonical);
}

int requires_resolve_bigint(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    if (!version_bigint_valid(r->ref))
        return requires_bad_ref(db, r, "the version is a whole number (bigint)", err);
    requires_set_number(r);
    return 0;
}

int requires_resolve_name(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    (void)db;
    (void)err;
    r->kind = REF_NAME;
    requires_set_param(r, 0, r->ref, strlen(r->ref));
    return 0;
}

int requires_resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    snprintf(r->cache_key, sizeof r->cache_key, "%s", r->ref);
    if (r->at_least && !db->tool->ordered)
        return requires_bad_ref(db, r, "\">=\" needs ordered versions; name the migration itself", err);
    return db->tool->resolve(db, r, err);
}
