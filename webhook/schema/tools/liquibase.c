/* liquibase.c - Liquibase: references are tags or changesets (id, author, file) (schema/tool.h). */
#include "schema/tool.h"

#include <string.h>

#include "schema/requires.h"

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    if (strncmp(r->ref, "tag:", 4) == 0 && r->ref[4] != '\0') {
        r->kind = REF_LIQUIBASE_TAG;
        requires_set_param(r, 0, r->ref + 4, strlen(r->ref + 4));
        return 0;
    }
    if (strncmp(r->ref, "changeset:", 10) != 0)
        return requires_bad_ref(db, r, "a Liquibase reference starts with tag: or changeset:", err);
    const char *id = r->ref + 10;
    const char *s1 = strstr(id, "::");
    const char *s2 = s1 ? strstr(s1 + 2, "::") : NULL;
    if (s1 == NULL || s2 == NULL || s1 == id || s2 == s1 + 2 || s2[2] == '\0')
        return requires_bad_ref(db, r, "a changeset is written changeset:<id>::<author>::<file>", err);
    r->kind = REF_LIQUIBASE_CHANGESET;
    requires_set_param(r, 0, id, (size_t)(s1 - id));
    requires_set_param(r, 1, s1 + 2, (size_t)(s2 - s1 - 2));
    requires_set_param(r, 2, s2 + 2, strlen(s2 + 2));
    return 0;
}

static int params(const struct database_config *db, const struct requirement *r, const char **out)
{
    (void)db;
    out[0] = r->kind == REF_LIQUIBASE_TAG ? "tag" : "changeset";
    out[1] = r->param[0];
    out[2] = r->param[1];
    out[3] = r->param[2];
    return 4;
}

static const char *const markers[] = {"liquibase", NULL};

static const struct migration_tool liquibase = {
    .name = "liquibase",
    .list_order = 20,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.databasechangelog", [DB_ENGINE_MYSQL] = "DATABASECHANGELOG"},
    .example = "tag:v2.3.0",
    .example_alt = "changeset:<id>::<author>::<file>",
    .resolve = resolve,
    /* Liquibase: $1 'tag' or 'changeset'. FAILED/SKIPPED never reach the table; rollback
     * deletes rows, so a row is an applied changeset. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT CASE WHEN $1 = 'tag' THEN EXISTS (SELECT 1 FROM {T} WHERE tag = $2) "
                  "  ELSE EXISTS (SELECT 1 FROM {T} WHERE id = $2 AND author = $3 AND filename = $4 "
                  "               AND exectype IN ('EXECUTED', 'RERAN', 'MARK_RAN')) END, "
                  "  false, NULL, NULL, l.v, l.d, l.t "
                  "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT "
                  "  CASE WHEN $1 = 'tag' THEN 'tag:' || tag ELSE id END AS v, "
                  "  coalesce(description, comments) AS d, " TOOL_PG_ISO("dateexecuted") " AS t FROM {T} "
                  "  WHERE $1 <> 'tag' OR tag IS NOT NULL ORDER BY dateexecuted DESC, orderexecuted DESC LIMIT 1) l ON true",
              [DB_ENGINE_MYSQL] =
                  "SELECT CASE WHEN $1 = 'tag' THEN EXISTS (SELECT 1 FROM {T} WHERE BINARY tag = $2) "
                  "  ELSE EXISTS (SELECT 1 FROM {T} WHERE BINARY id = $2 AND BINARY author = $3 AND BINARY filename = $4 "
                  "               AND exectype IN ('EXECUTED', 'RERAN', 'MARK_RAN')) END, "
                  "  false, NULL, NULL, l.v, l.d, l.t "
                  "FROM (SELECT 1) one LEFT JOIN (SELECT "
                  "  CASE WHEN $1 = 'tag' THEN CONCAT('tag:', tag) ELSE id END AS v, "
                  "  coalesce(description, comments) AS d, " TOOL_MY_ISO("dateexecuted") " AS t FROM {T} "
                  "  WHERE $1 <> 'tag' OR tag IS NOT NULL ORDER BY dateexecuted DESC, orderexecuted DESC LIMIT 1) l ON true"},
    .params = params,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(liquibase);
