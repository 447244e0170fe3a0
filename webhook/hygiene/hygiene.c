/* hygiene.c - migration-Job lint (README "Development": the request flow, step 5). Every finding is a warning that names the
 * field and the fix in under ~120 characters; hygiene never denies. */
#include "hygiene.h"

#include <stdio.h>
#include <string.h>

#include "object.h"
#include "podspec.h"
#include "schema/tool.h"
#include "secrets/secretref.h"

#define HYGIENE_TEXT_MAX 4096   /* a longer image + command line is not judged (reads as "") */

/* Lower-cased image + command + args, space-separated, for substring matching. Built once per
 * container on the stack; a text past HYGIENE_TEXT_MAX is left empty. */
struct container_text {
    size_t len;
    bool over;
    char data[HYGIENE_TEXT_MAX + 1];
};

static void text_append(struct container_text *t, const char *s)
{
    if (t->over)
        return;
    size_t n = strlen(s);
    if (n > HYGIENE_TEXT_MAX - t->len) {
        t->over = true;
        t->len = 0;
        return;
    }
    char *out = t->data + t->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    t->len += n;
}

/* The members the lint reads, found in one walk over the container. */
enum { F_IMAGE, F_COMMAND, F_ARGS, F_COUNT };

static void container_fields(const cJSON *container, const cJSON **fields)
{
    static const char *const names[F_COUNT] = {"image", "command", "args"};
    secretref_members(container, names, F_COUNT, fields);
}

static void container_text(const cJSON *const *fields, struct container_text *t)
{
    t->len = 0;
    t->over = false;
    if (cJSON_IsString(fields[F_IMAGE]))
        text_append(t, fields[F_IMAGE]->valuestring);
    for (size_t f = F_COMMAND; f <= F_ARGS; f++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, fields[f]) {
            if (cJSON_IsString(item)) {
                text_append(t, " ");
                text_append(t, item->valuestring);
            }
        }
    }
    t->data[t->len] = '\0';
}

/* Whether s starts with `word` (lower-case letters), ignoring ASCII case; stops at s's NUL. */
static bool starts_with_fold(const char *s, const char *word)
{
    for (; *word; s++, word++)
        if ((*s | 0x20) != *word)
            return false;
    return true;
}

/* The stems (lower-case letters): the one list stem_start is built from. */
static const char *const stem_words[] = {"alembic", "dbmate", "flyway", "goose", "liquibase", "migrat",
                                         "sqitch"};
#define STEM_COUNT (sizeof stem_words / sizeof stem_words[0])

/* stem_start[c]: the stems whose first letter is c in either case (bit k for stem_words[k]);
 * STEM_END for byte 0, which ends the string. Filled once, before main runs (single-threaded),
 * and only read after. */
enum { STEM_END = 0x80 };
_Static_assert(STEM_COUNT < 8, "a byte of stem_start holds every stem and STEM_END");
static unsigned char stem_start[256];

__attribute__((constructor)) static void stem_start_build(void)
{
    stem_start[0] = STEM_END;
    for (size_t k = 0; k < STEM_COUNT; k++) {
        unsigned char c = (unsigned char)stem_words[k][0];
        stem_start[c] |= (unsigned char)(1u << k);
        stem_start[c & ~0x20u] |= (unsigned char)(1u << k);   /* the upper-case letter */
    }
}

static bool string_has_stem(const char *s)
{
    for (;; s++) {
        unsigned k = stem_start[(unsigned char)*s];
        if (k == 0)
            continue;
        if (k == STEM_END)
            return false;
        for (; k != 0; k &= k - 1)
            if (starts_with_fold(s + 1, stem_words[__builtin_ctz(k)] + 1))
                return true;
    }
}

/* Every tool's migration markers contain one of the stems above (hygiene_markers_check holds
 * it at start-up), and no stem holds a space, so a stem in the joined text lies inside one
 * string: one pass over the strings as they are (no copy, any case) tells whether a marker can
 * match at all. */
static bool fields_have_stem(const cJSON *const *fields)
{
    if (cJSON_IsString(fields[F_IMAGE]) && string_has_stem(fields[F_IMAGE]->valuestring))
        return true;
    for (size_t f = F_COMMAND; f <= F_ARGS; f++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, fields[f]) {
            if (cJSON_IsString(item) && string_has_stem(item->valuestring))
                return true;
        }
    }
    return false;
}

int hygiene_markers_check(struct sg_error *err)
{
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++)
        for (const char *const *m = (*t)->markers; m && *m; m++) {
            bool lower = true;
            for (const char *c = *m; *c; c++)
                lower = lower && !(*c >= 'A' && *c <= 'Z');
            if (!lower || !string_has_stem(*m))
                return sg_error_set(err, "migration tool \"%s\": hygiene marker \"%s\" must be lower case "
                                    "and contain one of hygiene's stems", (*t)->name, *m);
        }
    return 0;
}

/* A migration tool's marker (schema/tool.h: each tool lists what its containers show). */
static bool text_has_marker(const char *text)
{
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++)
        for (const char *const *m = (*t)->markers; *m; m++)
            if (strstr(text, *m))
                return true;
    return false;
}

/* Fills *t (when a stem is there) and answers whether the container runs a migration. */
static bool fields_are_migration(const cJSON *const *fields, struct container_text *t)
{
    if (!fields_have_stem(fields))
        return false;
    container_text(fields, t);
    return text_has_marker(t->data);
}

bool hygiene_is_migration_container(const cJSON *container)
{
    const cJSON *fields[F_COUNT];
    container_fields(container, fields);
    struct container_text t;
    return fields_are_migration(fields, &t);
}

static bool container_is_flyway(const cJSON *container, const struct container_text *t)
{
    bool flyway = strstr(t->data, "flyway") != NULL;
    bool migrate = strstr(t->data, "migrate") != NULL;
    bool retries = strstr(t->data, "-connectretries") != NULL;
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
    const cJSON *fields[F_COUNT];
    container_fields(c->container, fields);
    struct container_text t;
    if (!fields_are_migration(fields, &t))
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
    if (container_is_flyway(c->container, &t))
        verdict_warn(s->v, "hygiene.flyway-connect-retries",
                     "%s (%s): flyway without -connectRetries fails if the database is not up yet",
                     c->path.text, c->name);
    return 0;
}

static void hygiene_hooks(const struct check_context *ctx, struct verdict *v)
{
    const char *helm = object_annotation(ctx->req->object, "helm.sh/hook");
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
    const char *argo = object_annotation(ctx->req->object, "argocd.argoproj.io/hook");
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
        !object_annotation(ctx->req->object, "helm.sh/hook-delete-policy"))
        verdict_warn(v, "hygiene.job-ttl",
                     "spec.ttlSecondsAfterFinished unset: finished migration Jobs pile up and "
                     "block re-runs under the same name");
}

/* Whether any container of the pod runs a migration, without the walk's field paths. */
static bool any_migration_container(const struct pod_spec *pod)
{
    static const enum container_kind kinds[] = {CONTAINER_INIT, CONTAINER_APP, CONTAINER_EPHEMERAL};
    const char *names[3];
    const cJSON *lists[3];
    for (size_t k = 0; k < 3; k++)
        names[k] = podspec_container_field(kinds[k]);
    secretref_members(pod->spec, names, 3, lists);
    for (size_t k = 0; k < 3; k++) {
        const cJSON *list = lists[k];
        if (!cJSON_IsArray(list))
            continue;
        const cJSON *c;
        cJSON_ArrayForEach(c, list) {
            if (cJSON_IsObject(c) && hygiene_is_migration_container(c))
                return true;
        }
    }
    return false;
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
    if (!any_migration_container(&ctx->pod))
        return;   /* the common case: no container paths to build */
    podspec_foreach_container(&ctx->pod, hygiene_container, &s);
    if (s.migration_seen && s.is_job) {
        hygiene_hooks(ctx, v);
        hygiene_job_limits(ctx, v);
    }
}
