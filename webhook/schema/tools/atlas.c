/* atlas.c - Atlas: a row per migration file, partial files and baselines included (schema/tool.h). */
#include "schema/tool.h"

#include <string.h>

#include "schema/requires.h"
#include "schema/version.h"

/* A file's version prefix, compared as an exact string. */
static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_VERSION;
    if (r->ref[0] < '0' || r->ref[0] > '9' || strspn(r->ref, "0123456789.") != strlen(r->ref))
        return requires_bad_ref(db, r, "an Atlas version is the digits before the file name's '_'", err);
    requires_set_version(r, r->ref);
    return 0;
}

static const char *const markers[] = {"atlas migrate", NULL};

static const struct migration_tool atlas = {
    .name = "atlas",
    .list_order = 70,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "atlas_schema_revisions.atlas_schema_revisions", [DB_ENGINE_MYSQL] = "atlas_schema_revisions"},
    .example = "20240101120000",
    .example_alt = ">=20240101120000",
    .ordered = true,
    .resolve = resolve,
    /* Atlas: lexicographic versions; applied < total or an error = partial; type bit 1 = a
     * baseline; the cloud identifier row is not a migration. The error text is not shown
     * (it can quote data). */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "WITH r AS (SELECT version COLLATE \"C\" AS v, type, applied, total, error, description, executed_at "
                  "  FROM {T} WHERE version <> '.atlas_cloud_identifier'), "
                  "ok AS (SELECT * FROM r WHERE applied = total AND coalesce(error, '') = ''), "
                  "bad AS (SELECT * FROM r WHERE (applied <> total OR coalesce(error, '') <> '') AND v <= $1 COLLATE \"C\" "
                  "  ORDER BY v DESC LIMIT 1), "
                  "top AS (SELECT * FROM ok ORDER BY v DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE v = $1 COLLATE \"C\") "
                  "    OR EXISTS (SELECT 1 FROM ok WHERE (type & 1) = 1 AND v >= $1 COLLATE \"C\"), "
                  "  EXISTS (SELECT 1 FROM ok WHERE v >= $1 COLLATE \"C\"), "
                  "  (SELECT v FROM bad), (SELECT applied || ' of ' || total || ' statements applied' "
                  "    || CASE WHEN coalesce(error, '') <> '' THEN ', error recorded' ELSE '' END FROM bad), "
                  "  (SELECT v FROM top), (SELECT description FROM top), (SELECT " TOOL_PG_ISO("executed_at") " FROM top)",
              [DB_ENGINE_MYSQL] =
                  "WITH r AS (SELECT BINARY version AS v, type, applied, total, error, description, executed_at "
                  "  FROM {T} WHERE version <> '.atlas_cloud_identifier'), "
                  "ok AS (SELECT * FROM r WHERE applied = total AND coalesce(error, '') = ''), "
                  "bad AS (SELECT * FROM r WHERE (applied <> total OR coalesce(error, '') <> '') AND v <= BINARY $1 "
                  "  ORDER BY v DESC LIMIT 1), "
                  "top AS (SELECT * FROM ok ORDER BY v DESC LIMIT 1) "
                  "SELECT EXISTS (SELECT 1 FROM ok WHERE v = BINARY $1) "
                  "    OR EXISTS (SELECT 1 FROM ok WHERE (type & 1) = 1 AND v >= BINARY $1), "
                  "  EXISTS (SELECT 1 FROM ok WHERE v >= BINARY $1), "
                  "  (SELECT CAST(v AS CHAR) FROM bad), (SELECT CONCAT(applied, ' of ', total, ' statements applied', "
                  "    CASE WHEN coalesce(error, '') <> '' THEN ', error recorded' ELSE '' END) FROM bad), "
                  "  (SELECT CAST(v AS CHAR) FROM top), (SELECT description FROM top), "
                  "  (SELECT " TOOL_MY_ISO("executed_at") " FROM top)"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .latest_at_or_above = version_text_at_or_above,
    .repair_hint = "fix the file and rerun `atlas migrate apply` (it resumes the partial file)",
    .markers = markers,
};
MIGRATION_TOOL(atlas);
