/* rails.c - Rails (ActiveRecord): a row per applied version, read as a number (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"
#include "schema/version.h"

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    if (!version_digits_valid(r->ref))
        return requires_bad_ref(db, r, "a Rails version is the digits of the migration file name", err);
    requires_set_number(r);
    return 0;
}

static const char *const markers[] = {"db:migrate", NULL};

static const struct migration_tool rails = {
    .name = "rails",
    .list_order = 60,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.schema_migrations", [DB_ENGINE_MYSQL] = "schema_migrations"},
    .example = "20240101120000",
    .example_alt = ">=20240101120000",
    .ordered = true,
    .resolve = resolve,
    /* Rails: versions are to_i'd, so "001" is "1". */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric = $1::numeric), "
                  "  EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric >= $1::numeric), "
                  "  NULL, NULL, (SELECT max(version::numeric)::text FROM {T} WHERE version ~ '^[0-9]+$'), NULL, NULL",
              [DB_ENGINE_MYSQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE version REGEXP '^[0-9]+$' "
                  "    AND CAST(version AS DECIMAL(65, 0)) = CAST($1 AS DECIMAL(65, 0))), "
                  "  EXISTS (SELECT 1 FROM {T} WHERE version REGEXP '^[0-9]+$' "
                  "    AND CAST(version AS DECIMAL(65, 0)) >= CAST($1 AS DECIMAL(65, 0))), "
                  "  NULL, NULL, (SELECT CAST(max(CAST(version AS DECIMAL(65, 0))) AS CHAR) FROM {T} "
                  "    WHERE version REGEXP '^[0-9]+$'), NULL, NULL"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .latest_at_or_above = version_digits_at_or_above,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(rails);
