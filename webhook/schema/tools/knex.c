/* knex.c - Knex: a row per applied migration file (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"

static const char *const markers[] = {"migrate:latest", NULL};

static const struct migration_tool knex = {
    .name = "knex",
    .list_order = 120,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.knex_migrations", [DB_ENGINE_MYSQL] = "knex_migrations"},
    .example = "20240101120000_add_email",
    .example_alt = "20240101120000_add_email.js",
    .resolve = requires_resolve_name,
    /* Knex stores the file name with its extension; accept the name either way. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1 OR regexp_replace(name, '\\.(c|m)?(js|ts)$', '') = $1), "
                  "  false, NULL, NULL, l.name, NULL, l.t "
                  "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT name, " TOOL_PG_ISO("migration_time") " AS t FROM {T} "
                  "  ORDER BY id DESC LIMIT 1) l ON true",
              [DB_ENGINE_MYSQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE BINARY name = $1 OR BINARY REGEXP_REPLACE(name, '[.](c|m)?(js|ts)$', '') = $1), "
                  "  false, NULL, NULL, l.name, NULL, l.t "
                  "FROM (SELECT 1) one LEFT JOIN (SELECT name, " TOOL_MY_ISO("migration_time") " AS t FROM {T} "
                  "  ORDER BY id DESC LIMIT 1) l ON true"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(knex);
