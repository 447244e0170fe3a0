/* gate.c - when the schema gate runs, what each answer means, and the words users see.
 * Runs on CREATE of an object with a pod spec that carries the annotation, and on UPDATE only
 * when the pod template or the requirement changed; the database is never touched otherwise. */
#include "gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "history.h"
#include "object.h"
#include "requires.h"
#include "strbuf.h"
#include "tool.h"

#define GATE_FIELD "metadata.annotations[\"" REQUIRES_ANNOTATION "\"]"
#define GATE_RUN_FIRST "run the migration Job first (Helm pre-upgrade hook, Argo CD PreSync / sync-wave -1)"

/* UPDATE: only a new pod template or a new requirement is a rollout. Scaling, label edits and
 * status writes leave both alone and never wait for the database. */
static bool rollout_changed(const struct check_context *ctx, const char *value)
{
    const struct admission_request *req = ctx->req;
    if (req->operation != OP_UPDATE || req->old_object == NULL)
        return true;
    const char *old_value = object_annotation(req->old_object, REQUIRES_ANNOTATION);
    if (old_value == NULL || strcmp(old_value, value) != 0)
        return true;
    const cJSON *now = podspec_template(req->group, req->kind, req->object);
    const cJSON *before = podspec_template(req->group, req->kind, req->old_object);
    if (now == NULL && before == NULL) {   /* a bare Pod: its spec is the template */
        struct pod_spec old_pod;
        now = ctx->pod.spec;
        before = podspec_find(req->group, req->kind, req->old_object, &old_pod) ? old_pod.spec : NULL;
    }
    return !cJSON_Compare(now, before, true);
}

/* Databases this namespace may use, for the unknown-database message. */
static void allowed_databases(const struct config *cfg, const char *ns, struct strbuf *sb)
{
    for (size_t i = 0; i < cfg->database_count; i++) {
        if (!config_list_matches(&cfg->databases[i].namespaces, ns))
            continue;
        if (sb->len)
            strbuf_puts(sb, ", ");
        strbuf_puts(sb, cfg->databases[i].name);
    }
    if (sb->len == 0)
        strbuf_puts(sb, "none");
}

struct gate_run {
    const struct check_context *ctx;
    struct verdict *v;
    enum sg_action static_action;  /* malformed or not allowed: independent of timing */
    enum sg_action state_action;   /* what the database says now */
    const char *prefix;            /* "would be denied now: " on a dry run that only warns */
    bool would_wait;               /* a lookup needs a database and this pass may not wait */
};

/* "1.9 (add_email_index, 2026-11-20T10:02:11Z)" */
static void describe_latest(const struct history_result *h, struct strbuf *sb)
{
    strbuf_puts(sb, h->latest_version);
    if (h->latest_description[0] && h->latest_at[0])
        strbuf_printf(sb, " (%s, %s)", h->latest_description, h->latest_at);
    else if (h->latest_description[0] || h->latest_at[0])
        strbuf_printf(sb, " (%s)", h->latest_description[0] ? h->latest_description : h->latest_at);
}

/* Is the latest applied version at or above the required one? Then the required version is a
 * hole (out of order, ignored, or deleted), which deserves saying. */
static bool latest_at_or_above(const struct database_config *db, const struct requirement *r,
                               const struct history_result *h)
{
    if (r->at_least || db->tool->latest_at_or_above == NULL)
        return false;
    return db->tool->latest_at_or_above(h->latest_version, r->param[0]);
}

static void report_state(struct gate_run *g, const struct database_config *db, const struct requirement *r,
                         const struct history_result *h)
{
    const char *tool = db->tool->name;
    struct strbuf sb;
    strbuf_init(&sb, 900);
    if (h->has_failed && db->tool->failed_is_dirty) {
        strbuf_printf(&sb, "the database is dirty at version %s (a migration failed or is still running); %s",
                      h->failed_version, db->tool->repair_hint);
        verdict_report(g->v, g->state_action, "schema.failed-migration", "%srequires %s (%s) but %s",
                       g->prefix, r->text, tool, strbuf_cstr(&sb));
    } else if (h->has_failed) {
        strbuf_printf(&sb, "migration %s", h->failed_version);
        if (h->failed_description[0])
            strbuf_printf(&sb, " (%s)", h->failed_description);
        strbuf_printf(&sb, " failed; %s", db->tool->repair_hint);
        verdict_report(g->v, g->state_action, "schema.failed-migration", "%srequires %s (%s) but %s",
                       g->prefix, r->text, tool, strbuf_cstr(&sb));
    } else if (!h->satisfied) {
        if (!h->table_found)
            strbuf_printf(&sb, "the history table %s does not exist yet (no migration has run)", db->table);
        else if (!h->has_latest)
            strbuf_printf(&sb, "no successful migration is recorded in %s", db->table);
        else {
            if (latest_at_or_above(db, r, h))
                strbuf_printf(&sb, "%s itself is not applied (out of order, ignored or removed) and ", r->ref);
            strbuf_puts(&sb, "the latest successful migration is ");
            describe_latest(h, &sb);
        }
        verdict_report(g->v, g->state_action, "schema.not-applied", "%srequires %s (%s) but %s; %s",
                       g->prefix, r->text, tool, strbuf_cstr(&sb), GATE_RUN_FIRST);
    }
    strbuf_free(&sb);
}

static void check_requirement(struct gate_run *g, struct requirement *r)
{
    const struct config *cfg = g->ctx->cfg;
    const char *ns = g->ctx->req->namespace_;
    struct sg_error err = {{0}};
    const struct database_config *db = config_find_database(cfg, r->database);
    if (db == NULL) {
        struct strbuf names;
        strbuf_init(&names, 512);
        allowed_databases(cfg, ns, &names);
        verdict_report(g->v, g->static_action, "schema.unknown-database",
                       GATE_FIELD ": \"%s\" names database \"%s\", which schemagate does not know; "
                       "databases namespace %s may use: %s", r->text, r->database, ns, strbuf_cstr(&names));
        strbuf_free(&names);
        return;
    }
    if (!config_list_matches(&db->namespaces, ns)) {
        verdict_report(g->v, g->static_action, "schema.namespace-not-allowed",
                       GATE_FIELD ": database \"%s\" may not be used from namespace %s; the platform "
                       "team lists allowed namespaces in databases.%s.namespaces", db->name, ns, db->name);
        return;
    }
    if (requires_resolve(db, r, &err) != 0) {
        verdict_report(g->v, g->static_action, "schema.bad-requirement", GATE_FIELD ": %s", err.message);
        return;
    }
    if (g->state_action == SG_ACTION_OFF)
        return;
    struct history_result h;
    memset(&h, 0, sizeof h);
    int rc;
    if (g->ctx->history == NULL)
        rc = sg_error_set(&err, "database %s unreachable (this process has no database access)", db->name);
    else if (g->ctx->deadline == NULL)
        rc = g->ctx->history->lookup(g->ctx->history, db, r, NULL, &h, &err);
    else if (deadline_ms_left(g->ctx->deadline) <= 0)
        rc = sg_error_set(&err, "database %s unreachable (no time left in the %ld ms budget)", db->name,
                          g->ctx->budget_ms);
    else
        rc = g->ctx->history->lookup(g->ctx->history, db, r, g->ctx->deadline, &h, &err);
    if (rc == HISTORY_WOULD_WAIT) {
        g->would_wait = true;   /* decided again where waiting is allowed */
        return;
    }
    if (rc != 0) {
        if (db->allow_when_unreachable)
            verdict_warn(g->v, "schema.unreachable", "%s; allowed without checking %s (on_unreachable: allow)",
                         err.message, r->text);
        else
            verdict_report(g->v, g->state_action, "schema.unreachable",
                           "%s%s; cannot check %s (on_unreachable: deny); retry once the database is reachable",
                           g->prefix, err.message, r->text);
        return;
    }
    report_state(g, db, r, &h);
}

void gate_check(const struct check_context *ctx, struct verdict *v)
{
    const struct config *cfg = ctx->cfg;
    if (cfg->schema.action == SG_ACTION_OFF || !ctx->has_pod_spec)
        return;
    const char *value = object_annotation(ctx->req->object, REQUIRES_ANNOTATION);
    if (value == NULL || !rollout_changed(ctx, value))
        return;
    struct gate_run g = {.ctx = ctx, .v = v, .prefix = ""};
    g.static_action = cfg->schema.action;
    g.state_action = cfg->schema.action;
    if (ctx->req->dry_run) {
        g.state_action = cfg->schema.dry_run_action;
        if (g.state_action == SG_ACTION_OFF)
            g.static_action = SG_ACTION_OFF;
        if (g.state_action == SG_ACTION_WARN && cfg->schema.action == SG_ACTION_DENY)
            g.prefix = "would be denied now: ";
    }
    if (g.static_action == SG_ACTION_OFF && g.state_action == SG_ACTION_OFF)
        return;
    struct requirement_list *list = calloc(1, sizeof *list);
    if (list == NULL) {
        v->failed = true;
        return;
    }
    struct sg_error err = {{0}};
    if (requires_parse(value, list, &err) != 0)
        verdict_report(v, g.static_action, "schema.bad-requirement", GATE_FIELD ": %s", err.message);
    else
        for (size_t i = 0; i < list->count && !g.would_wait; i++)
            check_requirement(&g, &list->items[i]);
    free(list);
    if (g.would_wait)
        v->needs_database = true;
}
