/* node_pg_migrate.c - node-pg-migrate: a row per applied migration (PostgreSQL only) (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"

static const char *const markers[] = {"node-pg-migrate", NULL};

static const struct migration_tool node_pg_migrate = {
    .name = "node-pg-migrate",
    .list_order = 130,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.pgmigrations"},
    .example = "1700000000001_add_email",
    .resolve = requires_resolve_name,
    /* node-pg-migrate stores the basename without extension. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1), false, NULL, NULL, l.name, NULL, l.t "
                  "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT name, " TOOL_PG_ISO("run_on") " AS t FROM {T} "
                  "  ORDER BY run_on DESC, id DESC LIMIT 1) l ON true"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(node_pg_migrate);
