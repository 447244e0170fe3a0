/* flyway.c - the Flyway decision over the history rows, written to match the SQL of
 * schema-history.md B exactly: versions compare as Flyway's MigrationVersion (version.c), the
 * row with the highest installed_rank per version decides (DELETE and UNDO_* rows un-apply it,
 * failed rows are not applied), BASELINE rows cover every version at or below them. */
#include "flyway.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

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
