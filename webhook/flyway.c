/* flyway.c - the Flyway decision over the history rows, written to match the SQL of
 * schema-history.md B exactly: versions compare as Flyway's MigrationVersion (version.c), the
 * row with the highest installed_rank per version decides (DELETE and UNDO_* rows un-apply it,
 * failed rows are not applied), BASELINE rows cover every version at or below them. */
#include "flyway.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

/* Newest first; a NULL rank first, as in ORDER BY installed_rank DESC. */
static int newer_first(const struct flyway_row *a, const struct flyway_row *b)
{
    if (a->rank_null || b->rank_null)
        return (int)b->rank_null - (int)a->rank_null;
    return (a->rank < b->rank) - (a->rank > b->rank);
}

static int by_version(const void *pa, const void *pb)
{
    const struct flyway_row *a = pa, *b = pb;
    int c = version_flyway_compare(a->version, b->version);
    return c ? c : newer_first(a, b);
}

/* NULL descriptions group together, after every text (DISTINCT ON's order). */
static int compare_description(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a == NULL) - (b == NULL);
    return strcmp(a, b);
}

static int by_description(const void *pa, const void *pb)
{
    const struct flyway_row *a = pa, *b = pb;
    int c = compare_description(a->description, b->description);
    return c ? c : newer_first(a, b);
}

static void swap_rows(struct flyway_row *a, struct flyway_row *b)
{
    struct flyway_row t = *a;
    *a = *b;
    *b = t;
}

/* Moves the rows matching `keep` to the front; returns how many. */
static size_t partition(struct flyway_row *rows, size_t n, bool (*keep)(const struct flyway_row *))
{
    size_t front = 0;
    for (size_t i = 0; i < n; i++)
        if (keep(&rows[i]))
            swap_rows(&rows[front++], &rows[i]);
    return front;
}

static bool is_versioned(const struct flyway_row *r)
{
    return r->version != NULL && version_flyway_valid(r->version);
}

static bool is_repeatable(const struct flyway_row *r)
{
    return r->version == NULL;
}

static bool is_baseline(const char *type)
{
    return strcmp(type, "BASELINE") == 0 || strcmp(type, "SQL_BASELINE") == 0 || strcmp(type, "JDBC_BASELINE") == 0;
}

static void consider_failed(struct flyway_answer *out, const struct flyway_row *r, bool repeatable)
{
    if (out->failed && newer_first(r, out->failed) >= 0)
        return;
    out->failed = r;
    out->failed_repeatable = repeatable;
}

void flyway_decide(struct flyway_row *rows, size_t n, const char *required, struct flyway_answer *out)
{
    memset(out, 0, sizeof *out);
    size_t nv = partition(rows, n, is_versioned);
    size_t nr = partition(rows + nv, n - nv, is_repeatable);
    qsort(rows, nv, sizeof *rows, by_version);
    qsort(rows + nv, nr, sizeof *rows, by_description);

    /* Ascending versions; the first row of each group of equal versions is its newest. */
    for (size_t i = 0; i < nv; i++) {
        if (i > 0 && version_flyway_compare(rows[i - 1].version, rows[i].version) == 0)
            continue;
        const struct flyway_row *r = &rows[i];
        int c = version_flyway_compare(r->version, required);
        bool deleted = strcmp(r->type, "DELETE") == 0;
        if (r->success == 1 && !deleted && strncmp(r->type, "UNDO", 4) != 0) {
            if (c == 0 || (c > 0 && is_baseline(r->type)))
                out->applied = true;
            if (c >= 0)
                out->reached = true;
            out->latest = r;
        } else if (r->success == 0 && !deleted && c <= 0) {
            consider_failed(out, r, false);
        }
    }
    for (size_t i = nv; i < nv + nr; i++) {
        if (i > nv && compare_description(rows[i - 1].description, rows[i].description) == 0)
            continue;
        if (rows[i].success == 0)
            consider_failed(out, &rows[i], true);
    }
}
