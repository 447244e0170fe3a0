/* sqitch.c - sqitch: its registry schema (changes, tags, events), per project (schema/tool.h). */
#include "schema/tool.h"

#include <string.h>

#include "config.h"
#include "schema/history.h"
#include "schema/requires.h"

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = r->ref[0] == '@' ? REF_SQITCH_TAG : REF_SQITCH_CHANGE;
    if (r->kind == REF_SQITCH_TAG && r->ref[1] == '\0')
        return requires_bad_ref(db, r, "a sqitch tag needs a name after '@'", err);
    requires_set_param(r, 0, r->ref, strlen(r->ref));
    return 0;
}

static int params(const struct database_config *db, const struct requirement *r, const char **out)
{
    out[0] = db->project ? db->project : "";
    out[1] = r->param[0];
    out[2] = r->kind == REF_SQITCH_TAG ? "tag" : "change";
    return 3;
}

/* sqitch keeps no order between changes: a failed deploy matters when the requirement is not
 * met, not after it. */
static int reduce(const struct database_config *db, const struct requirement *r, const struct history_rows *rows,
                  struct history_result *out, struct sg_error *err)
{
    tool_reduce_summary(db, r, rows, out, err);
    if (out->satisfied)
        out->has_failed = false;
    return 0;
}

static const char *const markers[] = {"sqitch deploy", NULL};

static const struct migration_tool sqitch = {
    .name = "sqitch",
    .list_order = 100,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "sqitch.changes", [DB_ENGINE_MYSQL] = "sqitch.changes"},
    .example = "@v1.0",
    .example_alt = "add_users",
    .resolve = resolve,
    /* sqitch: $1 project ('' = any), $2 the tag ("@v1.0") or change, $3 'tag' or 'change'.
     * Rows in changes/tags are what is deployed now; a last event 'fail' is a failed deploy. */
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT CASE WHEN $3 = 'tag' "
                  "    THEN EXISTS (SELECT 1 FROM {S}.tags WHERE tag = $2 AND ($1 = '' OR project = $1)) "
                  "    ELSE EXISTS (SELECT 1 FROM {S}.changes WHERE change = $2 AND ($1 = '' OR project = $1)) END, "
                  "  false, CASE WHEN e.event = 'fail' THEN e.change END, NULL, l.v, l.note, l.t "
                  "FROM (SELECT 1) one "
                  "LEFT JOIN LATERAL (SELECT event, change FROM {S}.events WHERE $1 = '' OR project = $1 "
                  "  ORDER BY committed_at DESC LIMIT 1) e ON true "
                  "LEFT JOIN LATERAL (SELECT v, note, " TOOL_PG_ISO("committed_at") " AS t FROM ("
                  "    SELECT tag AS v, note, committed_at FROM {S}.tags WHERE $3 = 'tag' AND ($1 = '' OR project = $1) "
                  "    UNION ALL SELECT change, note, committed_at FROM {S}.changes "
                  "      WHERE $3 <> 'tag' AND ($1 = '' OR project = $1)) x "
                  "  ORDER BY committed_at DESC LIMIT 1) l ON true",
              [DB_ENGINE_MYSQL] =
                  "SELECT CASE WHEN $3 = 'tag' "
                  "    THEN EXISTS (SELECT 1 FROM {S}.tags WHERE BINARY tag = $2 AND ($1 = '' OR BINARY project = $1)) "
                  "    ELSE EXISTS (SELECT 1 FROM {S}.changes WHERE BINARY `change` = $2 AND ($1 = '' OR BINARY project = $1)) END, "
                  "  false, CASE WHEN e.event = 'fail' THEN e.`change` END, NULL, l.v, l.note, l.t "
                  "FROM (SELECT 1) one "
                  "LEFT JOIN (SELECT event, `change` FROM {S}.events WHERE $1 = '' OR BINARY project = $1 "
                  "  ORDER BY committed_at DESC LIMIT 1) e ON true "
                  "LEFT JOIN (SELECT v, note, " TOOL_MY_ISO("committed_at") " AS t FROM ("
                  "    SELECT tag AS v, note, committed_at FROM {S}.tags WHERE $3 = 'tag' AND ($1 = '' OR BINARY project = $1) "
                  "    UNION ALL SELECT `change`, note, committed_at FROM {S}.changes "
                  "      WHERE $3 <> 'tag' AND ($1 = '' OR BINARY project = $1)) x "
                  "  ORDER BY committed_at DESC LIMIT 1) l ON true"},
    .params = params,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = reduce,
    .repair_hint = "fix the change, then rerun `sqitch deploy`",
    .markers = markers,
};
MIGRATION_TOOL(sqitch);
