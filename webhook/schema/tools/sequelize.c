/* sequelize.c - Sequelize (umzug): a row per applied migration file, no time (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"

static const char *const markers[] = {"sequelize db:migrate", NULL};

static const struct migration_tool sequelize = {
    .name = "sequelize",
    .list_order = 140,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.\"SequelizeMeta\"", [DB_ENGINE_MYSQL] = "SequelizeMeta"},
    .example = "20240101000000-add-email.js",
    .example_alt = "20240101000000-add-email",
    .resolve = requires_resolve_name,
    /* Sequelize (umzug) stores the file name with its extension and no time. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1 OR regexp_replace(name, '\\.(c|m)?(js|ts)$', '') = $1), "
                  "  false, NULL, NULL, (SELECT max(name COLLATE \"C\") FROM {T}), NULL, NULL",
              [DB_ENGINE_MYSQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE BINARY name = $1 OR BINARY REGEXP_REPLACE(name, '[.](c|m)?(js|ts)$', '') = $1), "
                  "  false, NULL, NULL, (SELECT name FROM {T} ORDER BY BINARY name DESC LIMIT 1), NULL, NULL"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(sequelize);
