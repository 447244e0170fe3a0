/* flyway.c - Flyway: its descriptor (schema/tool.h) and its decision over the history rows.
 * PostgreSQL only scans the table; the rules are applied here, written to match the tool's
 * own SQL semantics exactly: versions compare as Flyway's MigrationVersion (version.c), the
 * row with the highest installed_rank per version decides (DELETE and UNDO_* rows un-apply it,
 * failed rows are not applied), BASELINE rows cover every version at or below them. */
#include "flyway.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "schema/history.h"
#include "schema/requires.h"
#include "schema/tool.h"
#include "schema/version.h"

enum row_kind { ROW_IGNORED, ROW_VERSIONED, ROW_REPEATABLE };

/* Per distinct (kind, key) the newest row, in an open-addressing table: O(rows), where sorting
 * by version cost ~70 µs for 200 rows. The key of a versioned row is its canonical version
 * ("01_10.0" -> "1.10"), so equal versions share a key; of a repeatable, its description. */
struct groups {
    size_t cap;                 /* a power of two, at least twice the rows */
    size_t *slot;               /* row index + 1; 0 = empty */
    const char **key;           /* per row; NULL for a NULL description */
    enum row_kind *kind;        /* per row */
    char *canonical;            /* storage for the versioned rows' keys */
};

/* Newest first; a NULL rank first, as in ORDER BY installed_rank DESC. */
static bool newer(const struct flyway_row *a, const struct flyway_row *b)
{
    if (a->rank_null || b->rank_null)
        return a->rank_null && !b->rank_null;
    return a->rank > b->rank;
}

static uint64_t key_hash(enum row_kind kind, const char *key)
{
    uint64_t h = 14695981039346656037ULL ^ (uint64_t)kind;     /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; p && *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return key ? h : h ^ 0x9e3779b97f4a7c15ULL;
}

static bool key_equal(const struct groups *g, size_t a, size_t b)
{
    if (g->kind[a] != g->kind[b])
        return false;
    if (g->key[a] == NULL || g->key[b] == NULL)
        return g->key[a] == g->key[b];
    return strcmp(g->key[a], g->key[b]) == 0;
}

static void groups_free(struct groups *g)
{
    free(g->slot);
    free(g->key);
    free(g->kind);
    free(g->canonical);
}

/* Already in canonical spelling (the usual case): no '_', no leading zeros, no trailing zero part. */
static bool canonical_already(const char *v)
{
    const char *part = v;
    for (const char *c = v;; c++) {
        if (*c == '_')
            return false;
        if (*c == '.' || *c == '\0') {
            if (part[0] == '0' && (c - part > 1 || (*c == '\0' && part != v)))
                return false;
            if (*c == '\0')
                return true;
            part = c + 1;
        }
    }
}

static int groups_build(struct groups *g, const struct flyway_row *rows, size_t n)
{
    memset(g, 0, sizeof *g);
    size_t text = 1;
    for (size_t i = 0; i < n; i++)
        text += rows[i].version ? strlen(rows[i].version) + 1 : 0;
    for (g->cap = 16; g->cap < 2 * n; g->cap *= 2)
        ;
    g->slot = calloc(g->cap, sizeof *g->slot);
    g->key = calloc(n + 1, sizeof *g->key);
    g->kind = calloc(n + 1, sizeof *g->kind);
    g->canonical = malloc(text);
    if (!g->slot || !g->key || !g->kind || !g->canonical) {
        groups_free(g);
        return -1;
    }
    char *at = g->canonical;
    for (size_t i = 0; i < n; i++) {
        const struct flyway_row *r = &rows[i];
        if (r->version == NULL) {
            g->kind[i] = ROW_REPEATABLE;
            g->key[i] = r->description;
        } else if (version_flyway_valid(r->version)) {
            g->kind[i] = ROW_VERSIONED;
            g->key[i] = r->version;
            if (!canonical_already(r->version)) {
                size_t len = strlen(r->version) + 1;     /* normalising never lengthens */
                version_flyway_normalize(r->version, at, len);
                g->key[i] = at;
                at += len;
            }
        } else {
            continue;          /* not a version Flyway writes: ignored, as the SQL did */
        }
        size_t h = (size_t)key_hash(g->kind[i], g->key[i]) & (g->cap - 1);
        while (g->slot[h] && !key_equal(g, g->slot[h] - 1, i))
            h = (h + 1) & (g->cap - 1);
        if (g->slot[h] == 0 || newer(r, &rows[g->slot[h] - 1]))
            g->slot[h] = i + 1;
    }
    return 0;
}

static bool is_baseline(const char *type)
{
    return strcmp(type, "BASELINE") == 0 || strcmp(type, "SQL_BASELINE") == 0 || strcmp(type, "JDBC_BASELINE") == 0;
}

static void consider_failed(struct flyway_answer *out, const struct flyway_row *r, bool repeatable)
{
    if (out->failed && !newer(r, out->failed))
        return;
    out->failed = r;
    out->failed_repeatable = repeatable;
}

int flyway_decide(const struct flyway_row *rows, size_t n, const char *required, struct flyway_answer *out)
{
    memset(out, 0, sizeof *out);
    const char *latest_key = NULL;
    struct groups g;
    if (groups_build(&g, rows, n) != 0)
        return -1;
    for (size_t s = 0; s < g.cap; s++) {
        if (g.slot[s] == 0)
            continue;
        size_t i = g.slot[s] - 1;
        const struct flyway_row *r = &rows[i];
        if (g.kind[i] == ROW_REPEATABLE) {
            if (r->success == 0)
                consider_failed(out, r, true);
            continue;
        }
        int c = version_flyway_compare(g.key[i], required);
        bool deleted = strcmp(r->type, "DELETE") == 0;
        if (r->success == 1 && !deleted && strncmp(r->type, "UNDO", 4) != 0) {
            if (c == 0 || (c > 0 && is_baseline(r->type)))
                out->applied = true;
            if (c >= 0)
                out->reached = true;
            if (out->latest == NULL || version_flyway_compare(g.key[i], latest_key) > 0) {
                out->latest = r;
                latest_key = g.key[i];
            }
        } else if (r->success == 0 && !deleted && c <= 0) {
            consider_failed(out, r, false);
        }
    }
    groups_free(&g);
    return 0;
}

/* ---------------------------------------------------------------- the descriptor ------- */

/* The rows' columns, in the query's order. */
enum { COL_RANK, COL_VERSION, COL_TYPE, COL_SUCCESS, COL_DESCRIPTION, COL_INSTALLED_AT, COL_COUNT };

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    if (!version_flyway_valid(r->ref))
        return requires_bad_ref(db, r, "a Flyway version is digits separated by '.' or '_'", err);
    char canonical[REQUIRES_PART_MAX];
    version_flyway_normalize(r->ref, canonical, sizeof canonical);
    requires_set_version(r, canonical);
    return 0;
}

static int reduce(const struct database_config *db, const struct requirement *r, const struct history_rows *res,
                  struct history_result *out, struct sg_error *err)
{
    int n = res->rows;
    struct flyway_row *rows = calloc(n > 0 ? (size_t)n : 1, sizeof *rows);
    if (rows == NULL)
        return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
    size_t kept = 0;
    for (int i = 0; i < n; i++) {
        struct flyway_row *row = &rows[kept];
        row->type = tool_cell(res, i, COL_TYPE);
        if (row->type == NULL)
            continue;          /* NULL <> 'SCHEMA' is not true: SQL would skip it too */
        const char *rank = tool_cell(res, i, COL_RANK);
        row->rank_null = rank == NULL;
        row->rank = rank ? strtoll(rank, NULL, 10) : 0;
        row->version = tool_cell(res, i, COL_VERSION);
        row->success = tool_cell(res, i, COL_SUCCESS) == NULL ? -1 : tool_cell_true(res, i, COL_SUCCESS);
        row->description = tool_cell(res, i, COL_DESCRIPTION);
        row->installed_at = tool_cell(res, i, COL_INSTALLED_AT);
        kept++;
    }
    struct flyway_answer a;
    if (flyway_decide(rows, kept, r->param[0], &a) != 0) {
        free(rows);
        return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
    }
    out->table_found = true;
    out->satisfied = r->at_least ? a.reached : a.applied;
    if (a.failed) {
        out->has_failed = true;
        tool_copy_text(a.failed_repeatable ? "(repeatable)" : a.failed->version, out->failed_version,
                       sizeof out->failed_version);
        tool_copy_text(a.failed->description, out->failed_description, sizeof out->failed_description);
    }
    if (a.latest) {
        out->has_latest = true;
        tool_copy_text(a.latest->version, out->latest_version, sizeof out->latest_version);
        tool_copy_text(a.latest->description, out->latest_description, sizeof out->latest_description);
        tool_copy_text(a.latest->installed_at, out->latest_at, sizeof out->latest_at);
    }
    free(rows);
    return 0;
}

static const char *const markers[] = {"flyway", NULL};

static const struct migration_tool flyway = {
    .name = "flyway",
    .list_order = 10,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.flyway_schema_history", [DB_ENGINE_MYSQL] = "flyway_schema_history"},
    .example = "1.10",
    .example_alt = ">=1.10",
    .ordered = true,
    .resolve = resolve,
    /* Every row but SCHEMA markers, decided in C above (the newest row per normalised
     * version, DELETE/UNDO_*, failed rows, baselines, repeatables): normalising and ordering
     * versions in SQL cost ~2 us of server CPU per row, scanning costs ~0.3. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT installed_rank, version, type, success, description, " TOOL_PG_ISO("installed_on") " FROM {T} "
                  "WHERE type <> 'SCHEMA'",
              [DB_ENGINE_MYSQL] =
                  "SELECT installed_rank, version, type, success, description, " TOOL_MY_ISO("installed_on") " FROM {T} "
                  "WHERE type <> 'SCHEMA'"},
    .params = tool_params_none,
    .columns = COL_COUNT,
    .reduce = reduce,
    .latest_at_or_above = version_flyway_at_or_above,
    .repair_hint = "fix it, run `flyway repair` (removes the failed row), then rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(flyway);
