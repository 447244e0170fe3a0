/* requires.c - parsing `schemagate.io/requires`. Strict: a malformed value is a denial that
 * says what is wrong and shows a correct example, never a silent pass. The database name is
 * only a key into the config; nothing in the annotation can point the webhook at a host. */
#include "requires.h"

#include <stdio.h>
#include <string.h>

#include "version.h"

/* Each tool's reference forms: an example, and an alternative form where there is one. */
static const char *const examples[TOOL_COUNT][2] = {
    [TOOL_FLYWAY] = {"1.10", ">=1.10"},
    [TOOL_LIQUIBASE] = {"tag:v2.3.0", "changeset:<id>::<author>::<file>"},
    [TOOL_GOLANG_MIGRATE] = {"20240101120000", NULL},
    [TOOL_GOOSE] = {"20240101120000", ">=20240101120000"},
    [TOOL_DBMATE] = {"20240101120000", ">=20240101120000"},
    [TOOL_RAILS] = {"20240101120000", ">=20240101120000"},
    [TOOL_ATLAS] = {"20240101120000", ">=20240101120000"},
    [TOOL_ALEMBIC] = {"ae1027a6acf", NULL},
    [TOOL_DJANGO] = {"shop:0002_add_price", NULL},
    [TOOL_SQITCH] = {"@v1.0", "add_users"},
    [TOOL_PRISMA] = {"20240101120000_init", NULL},
    [TOOL_KNEX] = {"20240101120000_add_email", "20240101120000_add_email.js"},
    [TOOL_NODE_PG_MIGRATE] = {"1700000000001_add_email", NULL},
    [TOOL_SEQUELIZE] = {"20240101000000-add-email.js", "20240101000000-add-email"},
};

void requires_example(const struct database_config *db, char *out, size_t n)
{
    const char *const *e = examples[db->tool < TOOL_COUNT ? db->tool : TOOL_FLYWAY];
    if (e[1])
        snprintf(out, n, "\"%s@%s\" or \"%s@%s\"", db->name, e[0], db->name, e[1]);
    else
        snprintf(out, n, "\"%s@%s\"", db->name, e[0]);
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
    snprintf(r->ref, sizeof r->ref, "%s", ref);
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

/* ---------------------------------------------------------------- per tool -------------- */

static int bad_ref(const struct database_config *db, const struct requirement *r, const char *why,
                   struct sg_error *err)
{
    char example[2 * REQUIRES_PART_MAX];
    requires_example(db, example, sizeof example);
    return sg_error_set(err, "\"%s\": %s for %s (tool %s); write e.g. %s", r->text, why, db->name,
                        config_tool_name(db->tool), example);
}

static void set_param(struct requirement *r, int i, const char *s, size_t n)
{
    if (n >= sizeof r->param[i])
        n = sizeof r->param[i] - 1;
    memcpy(r->param[i], s, n);
    r->param[i][n] = '\0';
}

static int resolve_version(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    char canonical[REQUIRES_PART_MAX];
    switch (db->tool) {
    case TOOL_FLYWAY:
        if (!version_flyway_valid(r->ref))
            return bad_ref(db, r, "a Flyway version is digits separated by '.' or '_'", err);
        version_flyway_normalize(r->ref, canonical, sizeof canonical);
        break;
    case TOOL_GOLANG_MIGRATE:
    case TOOL_GOOSE:
        if (!version_digits_valid(r->ref) || strlen(r->ref) > 19 ||
            (strlen(r->ref) == 19 && strcmp(r->ref, "9223372036854775807") > 0))
            return bad_ref(db, r, "the version is a whole number (bigint)", err);
        snprintf(canonical, sizeof canonical, "%s", r->ref + strspn(r->ref, "0"));
        if (canonical[0] == '\0')
            snprintf(canonical, sizeof canonical, "0");
        break;
    case TOOL_RAILS:
        if (!version_digits_valid(r->ref))
            return bad_ref(db, r, "a Rails version is the digits of the migration file name", err);
        snprintf(canonical, sizeof canonical, "%s", r->ref + strspn(r->ref, "0"));
        if (canonical[0] == '\0')
            snprintf(canonical, sizeof canonical, "0");
        break;
    case TOOL_DBMATE:
        /* dbmate compares the exact string ("001" is not "1"), so nothing is normalised. */
        if (!version_digits_valid(r->ref))
            return bad_ref(db, r, "a dbmate version is the leading digits of the file name", err);
        snprintf(canonical, sizeof canonical, "%s", r->ref);
        break;
    default: /* atlas: a file's version prefix, compared as an exact string */
        if (r->ref[0] < '0' || r->ref[0] > '9' || strspn(r->ref, "0123456789.") != strlen(r->ref))
            return bad_ref(db, r, "an Atlas version is the digits before the file name's '_'", err);
        snprintf(canonical, sizeof canonical, "%s", r->ref);
        break;
    }
    set_param(r, 0, canonical, strlen(canonical));
    snprintf(r->cache_key, sizeof r->cache_key, "%s%s", r->at_least ? ">=" : "", canonical);
    return 0;
}

static int resolve_liquibase(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    if (strncmp(r->ref, "tag:", 4) == 0 && r->ref[4] != '\0') {
        r->kind = REF_LIQUIBASE_TAG;
        set_param(r, 0, r->ref + 4, strlen(r->ref + 4));
        return 0;
    }
    if (strncmp(r->ref, "changeset:", 10) != 0)
        return bad_ref(db, r, "a Liquibase reference starts with tag: or changeset:", err);
    const char *id = r->ref + 10;
    const char *s1 = strstr(id, "::");
    const char *s2 = s1 ? strstr(s1 + 2, "::") : NULL;
    if (s1 == NULL || s2 == NULL || s1 == id || s2 == s1 + 2 || s2[2] == '\0')
        return bad_ref(db, r, "a changeset is written changeset:<id>::<author>::<file>", err);
    r->kind = REF_LIQUIBASE_CHANGESET;
    set_param(r, 0, id, (size_t)(s1 - id));
    set_param(r, 1, s1 + 2, (size_t)(s2 - s1 - 2));
    set_param(r, 2, s2 + 2, strlen(s2 + 2));
    return 0;
}

static int resolve_django(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_DJANGO;
    const char *colon = strchr(r->ref, ':');
    if (colon == NULL) {
        if (db->project == NULL)
            return bad_ref(db, r, "a Django migration is written app:name (no default app "
                           "\"project\" is configured)", err);
        set_param(r, 0, db->project, strlen(db->project));
        set_param(r, 1, r->ref, strlen(r->ref));
    } else {
        if (colon == r->ref || colon[1] == '\0' || strchr(colon + 1, ':'))
            return bad_ref(db, r, "a Django migration is written app:name", err);
        set_param(r, 0, r->ref, (size_t)(colon - r->ref));
        set_param(r, 1, colon + 1, strlen(colon + 1));
    }
    snprintf(r->cache_key, sizeof r->cache_key, "%s:%s", r->param[0], r->param[1]);
    return 0;
}

int requires_resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    snprintf(r->cache_key, sizeof r->cache_key, "%s", r->ref);
    bool ordered = db->tool == TOOL_FLYWAY || db->tool == TOOL_GOLANG_MIGRATE || db->tool == TOOL_GOOSE ||
                   db->tool == TOOL_DBMATE || db->tool == TOOL_RAILS || db->tool == TOOL_ATLAS;
    if (r->at_least && !ordered)
        return bad_ref(db, r, "\">=\" needs ordered versions; name the migration itself", err);
    switch (db->tool) {
    case TOOL_FLYWAY:
    case TOOL_GOLANG_MIGRATE:
    case TOOL_GOOSE:
    case TOOL_DBMATE:
    case TOOL_RAILS:
    case TOOL_ATLAS:
        return resolve_version(db, r, err);
    case TOOL_LIQUIBASE:
        return resolve_liquibase(db, r, err);
    case TOOL_DJANGO:
        return resolve_django(db, r, err);
    case TOOL_SQITCH:
        r->kind = r->ref[0] == '@' ? REF_SQITCH_TAG : REF_SQITCH_CHANGE;
        if (r->kind == REF_SQITCH_TAG && r->ref[1] == '\0')
            return bad_ref(db, r, "a sqitch tag needs a name after '@'", err);
        set_param(r, 0, r->ref, strlen(r->ref));
        return 0;
    case TOOL_ALEMBIC:
        r->kind = REF_ALEMBIC_REVISION;
        if (strlen(r->ref) > 32)
            return bad_ref(db, r, "an Alembic revision id is at most 32 characters", err);
        set_param(r, 0, r->ref, strlen(r->ref));
        return 0;
    case TOOL_PRISMA:
    case TOOL_KNEX:
    case TOOL_NODE_PG_MIGRATE:
    case TOOL_SEQUELIZE:
    case TOOL_COUNT:
        break;
    }
    r->kind = REF_NAME;
    set_param(r, 0, r->ref, strlen(r->ref));
    return 0;
}
