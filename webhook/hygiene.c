/* hygiene.c - migration-Job lint (DESIGN.md step 5). Every finding is a warning that names the
 * field and the fix in under ~120 characters; hygiene never denies. */
#include "hygiene.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

#define HYGIENE_TEXT_MAX 4096

/* Lower-cased image + command + args, space-separated, for substring matching. */
static void container_text(const cJSON *container, struct strbuf *sb)
{
    static const char *const fields[] = {"command", "args"};
    const cJSON *image = cJSON_GetObjectItemCaseSensitive(container, "image");
    if (cJSON_IsString(image))
        strbuf_puts(sb, image->valuestring);
    for (size_t f = 0; f < 2; f++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(container, fields[f]);
        const cJSON *item;
        cJSON_ArrayForEach(item, list) {
            if (cJSON_IsString(item)) {
                strbuf_putc(sb, ' ');
                strbuf_puts(sb, item->valuestring);
            }
        }
    }
    for (size_t i = 0; i < sb->len; i++)
        sb->data[i] = (char)tolower((unsigned char)sb->data[i]);
}

static bool text_has_any(const char *text, const char *const *needles)
{
    for (; *needles; needles++)
        if (strstr(text, *needles))
            return true;
    return false;
}

static const char *const migration_markers[] = {
    "flyway", "liquibase", "db:migrate", "manage.py migrate", "alembic upgrade",
    "goose ", "goose-", "/goose", "dbmate", "sqitch deploy", "migrate:latest", "node-pg-migrate",
    "prisma migrate", "atlas migrate", "migrate/migrate", "migrate -path", "migrate -source",
    "migrate -database", "golang-migrate", NULL,
};

bool hygiene_is_migration_container(const cJSON *container)
{
    struct strbuf sb;
    strbuf_init(&sb, HYGIENE_TEXT_MAX);
    container_text(container, &sb);
    bool yes = text_has_any(strbuf_cstr(&sb), migration_markers);
    strbuf_free(&sb);
    return yes;
}

static bool container_is_flyway(const cJSON *container)
{
    struct strbuf sb;
    strbuf_init(&sb, HYGIENE_TEXT_MAX);
    container_text(container, &sb);
    const char *text = strbuf_cstr(&sb);
    bool flyway = strstr(text, "flyway") != NULL;
    bool migrate = strstr(text, "migrate") != NULL;
    bool retries = strstr(text, "-connectretries") != NULL;
    strbuf_free(&sb);
    if (!flyway || !migrate || retries)
        return false;
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(container, "env");
    const cJSON *e;
    cJSON_ArrayForEach(e, env) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(name) && strcmp(name->valuestring, "FLYWAY_CONNECT_RETRIES") == 0)
            return false;
    }
    return true;
}

struct hygiene_scan {
    const struct check_context *ctx;
    struct verdict *v;
    double replicas;
    bool multi_pod;          /* DaemonSet, or replicas > 1 */
    bool is_job;             /* Job or CronJob */
    bool migration_seen;
};

static int hygiene_container(const struct container_view *c, void *arg)
{
    struct hygiene_scan *s = arg;
    if (!hygiene_is_migration_container(c->container))
        return 0;
    s->migration_seen = true;
    if (c->kind == CONTAINER_INIT && s->multi_pod) {
        if (s->replicas > 1)
            verdict_warn(s->v, "hygiene.init-container-migration",
                         "%s (%s) migrates in each of %.0f replicas; run it once in a Job "
                         "(pre-upgrade hook / PreSync)", c->path.text, c->name, s->replicas);
        else
            verdict_warn(s->v, "hygiene.init-container-migration",
                         "%s (%s) migrates on every node; run it once in a Job "
                         "(pre-upgrade hook / PreSync)", c->path.text, c->name);
    }
    if (container_is_flyway(c->container))
        verdict_warn(s->v, "hygiene.flyway-connect-retries",
                     "%s (%s): flyway without -connectRetries fails if the database is not up yet",
                     c->path.text, c->name);
    return 0;
}

static const char *annotation(const cJSON *object, const char *key)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
    const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ann, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void hygiene_hooks(const struct check_context *ctx, struct verdict *v)
{
    const char *helm = annotation(ctx->req->object, "helm.sh/hook");
    if (helm) {
        bool pre_upgrade = strstr(helm, "pre-upgrade") != NULL;
        bool pre_install = strstr(helm, "pre-install") != NULL;
        if (strstr(helm, "post-install") || strstr(helm, "post-upgrade"))
            verdict_warn(v, "hygiene.post-hook-migration",
                         "helm.sh/hook \"%.40s\" runs the migration after the new pods start; use "
                         "pre-install,pre-upgrade", helm);
        else if (pre_upgrade && !pre_install)
            verdict_warn(v, "hygiene.pre-upgrade-only",
                         "helm.sh/hook has pre-upgrade without pre-install: the first install "
                         "starts pods before the schema exists");
    }
    const char *argo = annotation(ctx->req->object, "argocd.argoproj.io/hook");
    if (argo && (strstr(argo, "PostSync") || strstr(argo, "SyncFail")))
        verdict_warn(v, "hygiene.post-hook-migration",
                     "argocd.argoproj.io/hook \"%.20s\" runs the migration after the app; use "
                     "PreSync", argo);
}

static void hygiene_job_limits(const struct check_context *ctx, struct verdict *v)
{
    bool cron = strcmp(ctx->req->kind, "CronJob") == 0;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ctx->req->object, "spec");
    const char *prefix = "spec";
    if (cron) {
        const cJSON *jt = cJSON_GetObjectItemCaseSensitive(spec, "jobTemplate");
        spec = cJSON_GetObjectItemCaseSensitive(jt, "spec");
        prefix = "spec.jobTemplate.spec";
    }
    if (!cJSON_IsObject(spec))
        return;
    /* The apiserver defaults backoffLimit to 6 before validating webhooks see the Job, so
     * "unset" arrives as 6: warn on anything above a deliberate small retry count. */
    const cJSON *backoff = cJSON_GetObjectItemCaseSensitive(spec, "backoffLimit");
    double retries = cJSON_IsNumber(backoff) ? backoff->valuedouble : 6;
    if (retries > 3)
        verdict_warn(v, "hygiene.job-backoff-limit",
                     "%s.backoffLimit is %.0f: a failing migration is re-run %.0f times; set 0-2",
                     prefix, retries, retries);
    if (!cJSON_GetObjectItemCaseSensitive(spec, "activeDeadlineSeconds"))
        verdict_warn(v, "hygiene.job-deadline",
                     "%s.activeDeadlineSeconds unset: a hung migration holds its lock forever",
                     prefix);
    if (!cron && !cJSON_GetObjectItemCaseSensitive(spec, "ttlSecondsAfterFinished") &&
        !annotation(ctx->req->object, "helm.sh/hook-delete-policy"))
        verdict_warn(v, "hygiene.job-ttl",
                     "spec.ttlSecondsAfterFinished unset: finished migration Jobs pile up and "
                     "block re-runs under the same name");
}

void hygiene_check(const struct check_context *ctx, struct verdict *v)
{
    if (ctx->cfg->hygiene.action == SG_ACTION_OFF || !ctx->has_pod_spec)
        return;
    /* Re-applying an unchanged object must not repeat the same advice on every UPDATE
     * (scaling, labels): lint on CREATE and when the pod template changed. */
    if (ctx->req->operation == OP_UPDATE) {
        const cJSON *now = podspec_template(ctx->req->group, ctx->req->kind, ctx->req->object);
        const cJSON *before = podspec_template(ctx->req->group, ctx->req->kind, ctx->req->old_object);
        if (now && before && cJSON_Compare(now, before, 1))
            return;
    }
    const char *kind = ctx->req->kind;
    struct hygiene_scan s = {.ctx = ctx, .v = v, .replicas = 1};
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ctx->req->object, "spec");
    const cJSON *replicas = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
    if (cJSON_IsNumber(replicas))
        s.replicas = replicas->valuedouble;
    s.multi_pod = strcmp(kind, "DaemonSet") == 0 ||
                  (s.replicas > 1 && (strcmp(kind, "Deployment") == 0 || strcmp(kind, "StatefulSet") == 0 ||
                                      strcmp(kind, "ReplicaSet") == 0 || strcmp(kind, "Rollout") == 0 ||
                                      strcmp(kind, "ReplicationController") == 0));
    s.is_job = strcmp(kind, "Job") == 0 || strcmp(kind, "CronJob") == 0;
    podspec_foreach_container(&ctx->pod, hygiene_container, &s);
    if (s.migration_seen && s.is_job) {
        hygiene_hooks(ctx, v);
        hygiene_job_limits(ctx, v);
    }
}
