/* prisma.c - Prisma: a row per attempt of a migration (retries and roll-backs kept) (schema/tool.h). */
#include "schema/tool.h"

#include "schema/requires.h"

static const char *const markers[] = {"prisma migrate", NULL};

static const struct migration_tool prisma = {
    .name = "prisma",
    .list_order = 110,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public._prisma_migrations", [DB_ENGINE_MYSQL] = "_prisma_migrations"},
    .example = "20240101120000_init",
    .resolve = requires_resolve_name,
    /* Prisma: done = finished and not rolled back (a retry adds a row with the same name);
     * unfinished and not rolled back = failed (or running; deploy refuses either way). */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "WITH ok AS (SELECT migration_name COLLATE \"C\" AS n, finished_at FROM {T} "
                  "  WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL), "
                  "bad AS (SELECT migration_name COLLATE \"C\" AS n FROM {T} WHERE finished_at IS NULL "
                  "  AND rolled_back_at IS NULL AND migration_name COLLATE \"C\" <= $1 COLLATE \"C\" ORDER BY 1 DESC LIMIT 1), "
                  "top AS (SELECT * FROM ok ORDER BY n DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE n = $1 COLLATE \"C\"), false, (SELECT n FROM bad), NULL, "
                  "  (SELECT n FROM top), NULL, (SELECT " TOOL_PG_ISO("finished_at") " FROM top)",
              [DB_ENGINE_MYSQL] =
                  "WITH ok AS (SELECT BINARY migration_name AS n, finished_at FROM {T} "
                  "  WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL), "
                  "bad AS (SELECT BINARY migration_name AS n FROM {T} WHERE finished_at IS NULL "
                  "  AND rolled_back_at IS NULL AND BINARY migration_name <= BINARY $1 ORDER BY 1 DESC LIMIT 1), "
                  "top AS (SELECT * FROM ok ORDER BY n DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE n = BINARY $1), false, (SELECT CAST(n AS CHAR) FROM bad), NULL, "
                  "  (SELECT CAST(n AS CHAR) FROM top), NULL, (SELECT " TOOL_MY_ISO("finished_at") " FROM top)"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "run `prisma migrate resolve --rolled-back <name>` (or --applied), then "
                   "`prisma migrate deploy`",
    .markers = markers,
};
MIGRATION_TOOL(prisma);
