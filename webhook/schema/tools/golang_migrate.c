/* golang_migrate.c - golang-migrate: one row holds the version and a dirty flag (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"

static const char *const markers[] = {
    "migrate/migrate", "migrate -path", "migrate -source",
    "migrate -database", "golang-migrate", NULL,
};

static const struct migration_tool golang_migrate = {
    .name = "golang-migrate",
    .list_order = 30,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.schema_migrations", [DB_ENGINE_MYSQL] = "schema_migrations"},
    .example = "20240101120000",
    .ordered = true,
    .resolve = requires_resolve_bigint,
    /* golang-migrate: one row, no history; dirty = a step failed or is running. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT NOT m.dirty AND m.version >= $1::bigint, NOT m.dirty AND m.version >= $1::bigint, "
                  "  CASE WHEN m.dirty THEN m.version::text END, NULL, "
                  "  CASE WHEN NOT m.dirty THEN m.version::text END, NULL, NULL "
                  "FROM (SELECT 1) one LEFT JOIN (SELECT version, dirty FROM {T} LIMIT 1) m ON true",
              [DB_ENGINE_MYSQL] =
                  "SELECT NOT m.dirty AND m.version >= CAST($1 AS SIGNED), NOT m.dirty AND m.version >= CAST($1 AS SIGNED), "
                  "  CASE WHEN m.dirty THEN CAST(m.version AS CHAR) END, NULL, "
                  "  CASE WHEN NOT m.dirty THEN CAST(m.version AS CHAR) END, NULL, NULL "
                  "FROM (SELECT 1) one LEFT JOIN (SELECT version, dirty FROM {T} LIMIT 1) m ON true"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .failed_is_dirty = true,
    .repair_hint = "fix the database by hand, run `migrate force <last good version>`, then rerun the "
                   "migration Job",
    .markers = markers,
};
MIGRATION_TOOL(golang_migrate);
