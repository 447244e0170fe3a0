/* django.c - Django: a row per applied migration, named app:name (schema/tool.h). */
#include "schema/tool.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "schema/requires.h"

static int resolve(const struct database_config *db, struct requirement *r, struct sg_error *err)
{
    r->kind = REF_DJANGO;
    const char *colon = strchr(r->ref, ':');
    if (colon == NULL) {
        if (db->project == NULL)
            return requires_bad_ref(db, r, "a Django migration is written app:name (no default app "
                                    "\"project\" is configured)", err);
        requires_set_param(r, 0, db->project, strlen(db->project));
        requires_set_param(r, 1, r->ref, strlen(r->ref));
    } else {
        if (colon == r->ref || colon[1] == '\0' || strchr(colon + 1, ':'))
            return requires_bad_ref(db, r, "a Django migration is written app:name", err);
        requires_set_param(r, 0, r->ref, (size_t)(colon - r->ref));
        requires_set_param(r, 1, colon + 1, strlen(colon + 1));
    }
    snprintf(r->cache_key, sizeof r->cache_key, "%s:%s", r->param[0], r->param[1]);
    return 0;
}

static int params(const struct database_config *db, const struct requirement *r, const char **out)
{
    (void)db;
    out[0] = r->param[0];
    out[1] = r->param[1];
    return 2;
}

static const char *const markers[] = {"manage.py migrate", NULL};

static const struct migration_tool django = {
    .name = "django",
    .list_order = 90,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.django_migrations", [DB_ENGINE_MYSQL] = "django_migrations"},
    .example = "shop:0002_add_price",
    .resolve = resolve,
    .query = {[DB_ENGINE_POSTGRESQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE app = $1 AND name = $2), false, NULL, NULL, l.v, NULL, l.t "
                  "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT app || ':' || name AS v, " TOOL_PG_ISO("applied") " AS t "
                  "  FROM {T} WHERE app = $1 ORDER BY applied DESC, id DESC LIMIT 1) l ON true",
              [DB_ENGINE_MYSQL] =
                  "SELECT EXISTS (SELECT 1 FROM {T} WHERE BINARY app = $1 AND BINARY name = $2), false, NULL, NULL, l.v, NULL, l.t "
                  "FROM (SELECT 1) one LEFT JOIN (SELECT CONCAT(app, ':', name) AS v, " TOOL_MY_ISO("applied") " AS t "
                  "  FROM {T} WHERE BINARY app = $1 ORDER BY applied DESC, id DESC LIMIT 1) l ON true"},
    .params = params,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "fix it and rerun the migration Job",
    .markers = markers,
};
MIGRATION_TOOL(django);
