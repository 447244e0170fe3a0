/* dbmate.c - dbmate: a row per applied version, compared as the exact string (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"
#include "schema/version.h"

/* dbmate compares the exact string ("001" is not "1"), so nothing is normalised. */
static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    if (!version_digits_valid(r->ref))
        return requires_bad_ref(db, r, "a dbmate version is the leading digits of the file name", err);
    requires_set_version(r, r->ref);
    return 0;
}

static const char *const markers[] = {"dbmate", NULL};

static const struct migration_tool dbmate = {
    .name = "dbmate",
    .list_order = 50,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.schema_migrations", [DB_ENGINE_MYSQL] = "schema_migrations"},
    .example = "20240101120000",
    .example_alt = ">=20240101120000",
    .ordered = true,
    .resolve = resolve,
    /* dbmate: exact strings ("001" is not "1"); ">=" compares the digits numerically. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE version = $1), "
                  "  EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric >= $1::numeric), "
                  "  NULL, NULL, (SELECT max(version COLLATE \"C\") FROM {T}), NULL, NULL",
              [DB_ENGINE_MYSQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE BINARY version = $1), "
                  "  EXISTS (SELECT 1 FROM {T} WHERE version REGEXP '^[0-9]+$' "
                  "    AND CAST(version AS DECIMAL(65, 0)) >= CAST($1 AS DECIMAL(65, 0))), "
                  "  NULL, NULL, (SELECT version FROM {T} ORDER BY BINARY version DESC LIMIT 1), NULL, NULL"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .latest_at_or_above = version_text_at_or_above,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(dbmate);
