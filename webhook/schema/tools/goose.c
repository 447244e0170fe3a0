/* goose.c - goose: a row per apply or rollback, the newest per version decides (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"
#include "schema/version.h"

static const char *const markers[] = {"goose ", "goose-", "/goose", NULL};

static const struct migration_tool goose = {
    .name = "goose",
    .list_order = 40,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.goose_db_version", [DB_ENGINE_MYSQL] = "goose_db_version"},
    .example = "20240101120000",
    .example_alt = ">=20240101120000",
    .ordered = true,
    .resolve = requires_resolve_bigint,
    /* goose: the newest row (by id) per version decides; version 0 is the table's own row. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "WITH latest AS (SELECT DISTINCT ON (version_id) version_id, is_applied, tstamp FROM {T} "
                  "  ORDER BY version_id, id DESC), "
                  "ok AS (SELECT * FROM latest WHERE is_applied AND version_id <> 0), "
                  "top AS (SELECT * FROM ok ORDER BY version_id DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE version_id = $1::bigint), "
                  "  EXISTS (SELECT 1 FROM ok WHERE version_id >= $1::bigint), NULL, NULL, "
                  "  (SELECT version_id::text FROM top), NULL, (SELECT " TOOL_PG_ISO("tstamp") " FROM top)",
              [DB_ENGINE_MYSQL] =
                  "WITH latest AS (SELECT version_id, is_applied, tstamp FROM (SELECT version_id, is_applied, tstamp, "
                  "    ROW_NUMBER() OVER (PARTITION BY version_id ORDER BY id DESC) AS rn FROM {T}) x WHERE rn = 1), "
                  "ok AS (SELECT * FROM latest WHERE is_applied AND version_id <> 0), "
                  "top AS (SELECT * FROM ok ORDER BY version_id DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE version_id = CAST($1 AS SIGNED)), "
                  "  EXISTS (SELECT 1 FROM ok WHERE version_id >= CAST($1 AS SIGNED)), NULL, NULL, "
                  "  (SELECT CAST(version_id AS CHAR) FROM top), NULL, (SELECT " TOOL_MY_ISO("tstamp") " FROM top)"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .latest_at_or_above = version_digits_at_or_above,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(goose);
