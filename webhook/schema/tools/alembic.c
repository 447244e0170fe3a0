/* alembic.c - Alembic: the table keeps only the heads; ancestry comes from the config (schema/tool.h). */
#include "schema/tool.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "schema/history.h"
#include "schema/requires.h"

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_ALEMBIC_REVISION;
    if (strlen(r->ref) > 32)
        return requires_bad_ref(db, r, "an Alembic revision id is at most 32 characters", err);
    requires_set_param(r, 0, r->ref, strlen(r->ref));
    return 0;
}

/* X holds when X is a head or an ancestor of one, by the down_revision graph the config gives
 * ("alembic_down_revisions"). */
static bool reaches(const struct database_config *db, const char *from, const char *target, int depth)
{
    if (strcmp(from, target) == 0)
        return true;
    if (depth > 10000)
        return false;
    for (size_t i = 0; i < db->alembic_edge_count; i++)
        if (strcmp(db->alembic_edges[i].revision, from) == 0 &&
            reaches(db, db->alembic_edges[i].down_revision, target, depth + 1))
            return true;
    return false;
}

static bool satisfied(const struct database_config *db, const char *heads, const char *target)
{
    char *copy = strdup(heads);
    if (copy == NULL)
        return false;
    bool found = false;
    char *save = NULL;
    for (char *h = strtok_r(copy, ",", &save); h && !found; h = strtok_r(NULL, ",", &save))
        found = reaches(db, h, target, 0);
    free(copy);
    return found;
}

/* The query lists the heads as the latest version; whether the revision is applied is decided here. */
static int reduce(const struct database_config *db, const struct requirement *r, const struct history_rows *rows,
                  struct history_result *out, struct sg_error *err)
{
    tool_reduce_summary(db, r, rows, out, err);
    if (out->has_latest)
        out->satisfied = satisfied(db, tool_cell(rows, 0, SUMMARY_LATEST_VERSION), r->param[0]);
    return 0;
}

static const char *const markers[] = {"alembic upgrade", NULL};

static const struct migration_tool alembic = {
    .name = "alembic",
    .list_order = 80,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.alembic_version", [DB_ENGINE_MYSQL] = "alembic_version"},
    .example = "ae1027a6acf",
    .takes_down_revisions = true,
    .resolve = resolve,
    /* Alembic: the table holds only heads; ancestry is resolved in C from the config. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT false, false, NULL, NULL, "
                  "  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM {T}), NULL, NULL",
              [DB_ENGINE_MYSQL] =
                  "SELECT false, false, NULL, NULL, "
                  "  (SELECT GROUP_CONCAT(version_num ORDER BY BINARY version_num SEPARATOR ',') FROM {T}), NULL, NULL"},
    .params = tool_params_none,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = reduce,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(alembic);
