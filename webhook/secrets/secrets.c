/* secrets.c - where credentials hide in an object (containers, init and ephemeral containers:
 * env, command, args, hooks, probes; annotations; ConfigMap data) and the one redacted denial
 * that names them. On UPDATE, findings already present at the same path in oldObject are
 * answered per secrets.on_existing (a warning by default). The judging lives in secretjudge.c. */
#include "secrets.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldpath.h"
#include "jsonarena.h"
#include "object.h"
#include "podspec.h"
#include "redact.h"
#include "secretref.h"
#include "secretshape.h"
#include "strbuf.h"

#define SECRETS_SHOWN 4            /* paths named in the message before "and N more" */
#define SECRETS_MESSAGE_SOFT_MAX 640
#define SECRETS_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

static void scan_object(const char *group, const char *kind, const cJSON *object, struct secret_findings *f,
                        int depth);

/* ---- argv vectors with a place per element ----------------------------------------------- */

#define ARGV_INLINE 32   /* elements held without an allocation */

struct argv_list {
    char **argv;                 /* borrowed from the JSON */
    struct argv_slot *slots;     /* where each element is */
    size_t count;
    size_t cap;
    bool failed;
    char *inline_argv[ARGV_INLINE];
    struct argv_slot inline_slots[ARGV_INLINE];
};

static void argv_list_init(struct argv_list *l)
{
    l->argv = l->inline_argv;
    l->slots = l->inline_slots;
    l->count = 0;
    l->cap = ARGV_INLINE;
    l->failed = false;
}

static void argv_list_add(struct argv_list *l, char *text, const char *key, size_t index)
{
    if (l->count == l->cap) {
        size_t cap = l->cap * 2;
        char **argv = malloc(cap * sizeof *argv);
        struct argv_slot *slots = malloc(cap * sizeof *slots);
        if (argv == NULL || slots == NULL) {
            free(argv);
            free(slots);
            l->failed = true;
            return;
        }
        memcpy(argv, l->argv, l->count * sizeof *argv);
        memcpy(slots, l->slots, l->count * sizeof *slots);
        if (l->argv != l->inline_argv) {
            free(l->argv);
            free(l->slots);
        }
        l->argv = argv;
        l->slots = slots;
        l->cap = cap;
    }
    l->argv[l->count] = text;
    l->slots[l->count] = (struct argv_slot){key, index};
    l->count++;
}

/* Appends the string items of `list` (the member `key`) with their places; returns how many. */
static size_t argv_list_take(struct argv_list *l, const cJSON *list, const char *key)
{
    if (!cJSON_IsArray(list))
        return 0;
    size_t index = 0, added = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (cJSON_IsString(item)) {
            argv_list_add(l, item->valuestring, key, index);
            added++;
        }
        index++;
    }
    return added;
}

static void argv_list_free(struct argv_list *l)
{
    if (l->argv != l->inline_argv) {
        free(l->argv);
        free(l->slots);
    }
    argv_list_init(l);
}

/* ---- containers -------------------------------------------------------------------------- */

struct container_scan {
    struct secret_findings *f;
    struct env_table env;
    const char *image;
};

static void scan_exec(struct container_scan *cs, const cJSON *exec, struct field_path *path)
{
    size_t mark = fieldpath_push_key(path, "exec");
    struct argv_list l;
    argv_list_init(&l);
    argv_list_take(&l, cJSON_GetObjectItemCaseSensitive(exec, "command"), "command");
    /* Kubernetes does not expand $(VAR) in exec handlers; the shell sees it as written. */
    struct scan_site site = {.path = path->text, .index = SIZE_MAX, .place = PLACE_COMMAND, .env = &cs->env,
                             .env_limit = SIZE_MAX, .k8s_expand = false};
    if (l.failed)
        cs->f->failed = true;
    else
        secretjudge_argv(cs->f, &site, l.argv, l.slots, l.count, true, cs->image);
    argv_list_free(&l);
    fieldpath_pop(path, mark);
}

static void scan_http_headers(struct container_scan *cs, const cJSON *headers, struct field_path *path)
{
    size_t mark = fieldpath_push_key(path, "httpGet");
    fieldpath_push_key(path, "httpHeaders");
    size_t index = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, headers) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "name"));
        const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "value"));
        if (value) {
            struct scan_site site = {.path = path->text, .index = index, .leaf = "value", .place = PLACE_HEADER,
                                     .env = &cs->env, .env_limit = SIZE_MAX, .k8s_expand = false};
            secretjudge_named(cs->f, &site, "secrets.http-header", name ? name : "", value, strlen(value));
        }
        index++;
    }
    fieldpath_pop(path, mark);
}

/* A probe or lifecycle hook at container.k1[.k2]: exec commands and httpGet headers. Most
 * probes have neither, and then no path is built. */
static void scan_handler(struct container_scan *cs, const cJSON *handler, const struct field_path *container,
                         const char *k1, const char *k2)
{
    static const char *const names[] = {"exec", "httpGet"};
    const cJSON *found[2];
    secretref_members(handler, names, 2, found);
    const cJSON *exec = found[0];
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(found[1], "httpHeaders");
    if (!cJSON_IsObject(exec) && !cJSON_IsArray(headers))
        return;
    struct field_path path = *container;
    fieldpath_push_key(&path, k1);
    if (k2)
        fieldpath_push_key(&path, k2);
    if (cJSON_IsObject(exec))
        scan_exec(cs, exec, &path);
    if (cJSON_IsArray(headers))
        scan_http_headers(cs, headers, &path);
}

/* The container members the scan reads, found in one pass. */
enum { C_IMAGE, C_COMMAND, C_ARGS, C_LIFECYCLE, C_LIVENESS, C_READINESS, C_STARTUP, C_FIELDS };

static int scan_container(const struct container_view *c, void *arg)
{
    struct secret_findings *f = arg;
    static const char *const names[C_FIELDS] = {"image", "command", "args", "lifecycle", "livenessProbe",
                                                "readinessProbe", "startupProbe"};
    const cJSON *fields[C_FIELDS];
    secretref_members(c->container, names, C_FIELDS, fields);
    struct container_scan cs;   /* not zeroed: the env table's inline entries are 2 KB */
    cs.f = f;
    if (secretref_env_build(&cs.env, c->container, c->path.text) != 0)
        f->failed = true;
    cs.image = cJSON_GetStringValue(fields[C_IMAGE]);

    for (size_t i = 0; i < cs.env.count; i++) {
        const struct env_entry *e = &cs.env.items[i];
        if (e->source != ENV_LITERAL)
            continue;
        struct scan_site site = {.path = c->path.text, .key = "env", .index = e->index, .leaf = "value",
                                 .place = PLACE_ENV, .env = &cs.env, .env_limit = e->index, .k8s_expand = true};
        secretjudge_named(f, &site, "secrets.env-literal", e->name, e->value, strlen(e->value));
    }

    struct argv_list l;
    argv_list_init(&l);
    bool has_command = argv_list_take(&l, fields[C_COMMAND], "command") > 0;
    argv_list_take(&l, fields[C_ARGS], "args");
    struct scan_site site = {.path = c->path.text, .index = SIZE_MAX, .place = PLACE_COMMAND, .env = &cs.env,
                             .env_limit = SIZE_MAX, .k8s_expand = true};
    if (l.failed)
        f->failed = true;
    else
        secretjudge_argv(f, &site, l.argv, l.slots, l.count, has_command, cs.image);
    argv_list_free(&l);

    static const char *const hooks[] = {"postStart", "preStop"};
    for (size_t h = 0; h < 2 && fields[C_LIFECYCLE]; h++) {
        const cJSON *handler = cJSON_GetObjectItemCaseSensitive(fields[C_LIFECYCLE], hooks[h]);
        if (cJSON_IsObject(handler))
            scan_handler(&cs, handler, &c->path, "lifecycle", hooks[h]);
    }
    for (size_t p = C_LIVENESS; p <= C_STARTUP; p++) {
        if (cJSON_IsObject(fields[p]))
            scan_handler(&cs, fields[p], &c->path, names[p], NULL);
    }
    secretref_env_free(&cs.env);
    return 0;
}

/* ---- ConfigMaps -------------------------------------------------------------------------- */

static void scan_configmap(const cJSON *object, struct secret_findings *f)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(object, "data")) {
        if (!cJSON_IsString(item) || item->string == NULL)
            continue;
        struct scan_site site = {.path = "data", .key = item->string, .index = SIZE_MAX, .place = PLACE_CONFIGMAP,
                                 .env_limit = SIZE_MAX};
        secretjudge_named(f, &site, "secrets.configmap", item->string, item->valuestring, strlen(item->valuestring));
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(object, "binaryData")) {
        if (!cJSON_IsString(item) || item->string == NULL)
            continue;
        size_t len = strlen(item->valuestring);
        char *decoded = malloc(len / 4 * 3 + 8);
        if (decoded == NULL) {
            f->failed = true;
            return;
        }
        long n = secretshape_base64_decode(item->valuestring, len, decoded, len / 4 * 3 + 8);
        /* Binary content (no text) holds nothing our shapes can read. */
        if (n > 0 && memchr(decoded, '\0', (size_t)n) == NULL) {
            struct scan_site site = {.path = "binaryData", .key = item->string, .index = SIZE_MAX,
                                     .place = PLACE_CONFIGMAP, .env_limit = SIZE_MAX};
            secretjudge_named(f, &site, "secrets.configmap", item->string, decoded, (size_t)n);
        }
        free(decoded);
    }
}

/* ---- annotations ------------------------------------------------------------------------- */

/* Findings inside a parsed last-applied-configuration, reported at the annotation. */
static void scan_copy(const cJSON *copy, const char *path, struct secret_findings *f, int depth)
{
    const char *api = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(copy, "apiVersion"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(copy, "kind"));
    if (api && kind) {
        char group[128];
        object_split_api_version(api, group, sizeof group, NULL, 0);
        struct secret_findings inner;
        secretjudge_init(&inner);
        if (!(strcmp(group, "") == 0 && strcmp(kind, "Secret") == 0))
            scan_object(group, kind, copy, &inner, depth + 1);
        for (size_t i = 0; i < inner.count; i++) {
            char label[FIELDPATH_MAX + 16];
            snprintf(label, sizeof label, "copy of %s", inner.items[i].path);
            secretjudge_add(f, path, inner.items[i].rule, label, PLACE_ANNOTATION, inner.items[i].default_looking);
        }
        for (size_t i = 0; i < inner.redact.count; i++)
            redact_add(&f->redact, inner.redact.values[i], inner.redact.lengths[i]);
        for (size_t i = 0; i < inner.value_count; i++)
            secretjudge_note_value(f, path, inner.values[i].value_hash);
        if (inner.failed || inner.redact.failed)
            f->failed = true;
        if (inner.too_dense)
            f->too_dense = true;
        secretjudge_free(&inner);
    }
}

/* The copy is parsed into a private arena (one allocation, freed at once); what the arena's
 * stricter parser refuses, cJSON may still read, so that is tried next, as before, unless the
 * arena refused it for holding more than JSON_ARENA_NODES_MAX values. */
static void scan_last_applied(const char *text, const char *path, struct secret_findings *f, int depth)
{
    size_t len = strlen(text);
    struct json_arena *arena = json_arena_create(len);
    const char *end = NULL;
    const cJSON *copy = arena ? json_arena_parse(arena, text, len, &end) : NULL;
    cJSON *owned = NULL;
    if (copy == NULL && arena && json_arena_node_limit_hit(arena)) {
        /* Too dense to read within the per-request bound (cJSON would allocate per value, with
         * no bound at all): an unread copy must not pass for a clean one. */
        f->too_dense = true;
        json_arena_destroy(arena);
        return;
    }
    if (copy == NULL)
        copy = owned = cJSON_Parse(text);
    if (cJSON_IsObject(copy))
        scan_copy(copy, path, f, depth);
    cJSON_Delete(owned);
    json_arena_destroy(arena);
}

/* nginx.ingress.kubernetes.io/auth-secret: basic-auth, ...-tls-secret: ns/name: annotations
 * whose key (kl bytes) ends in "secret" and whose value is a Kubernetes object name point at a
 * Secret. */
static bool annotation_names_secret(const char *key, size_t kl, const char *value)
{
    if (kl < 6 || (key[kl - 1] | 0x20) != 't' || strcasecmp(key + kl - 6, "secret") != 0 || value[0] == '\0')
        return false;
    size_t slashes = 0;
    for (const char *c = value; *c; c++) {
        if (*c == '/')
            slashes++;
        else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
            return false;
    }
    return slashes <= 1 && value[0] != '-' && value[0] != '/';
}

static void scan_annotations(const cJSON *metadata, const char *prefix, struct secret_findings *f, int depth)
{
    const cJSON *annotations = cJSON_GetObjectItemCaseSensitive(metadata, "annotations");
    if (!cJSON_IsObject(annotations))
        return;
    struct field_path path;
    fieldpath_init(&path, prefix);
    fieldpath_push_key(&path, "annotations");
    for (const cJSON *item = annotations->child; item != NULL; item = item->next) {
        if ((item->type & 0xFF) != cJSON_String || item->string == NULL)
            continue;
        const char *key = item->string;
        /* Helm's checksum/secret is a hash of a Secret, not the Secret. */
        if (key[0] == 'c' && strncmp(key, "checksum/", 9) == 0)
            continue;
        size_t kl = strlen(key);
        if (kl == sizeof SECRETS_LAST_APPLIED - 1 && memcmp(key, SECRETS_LAST_APPLIED, kl) == 0) {
            if (depth == 0) {
                size_t m = fieldpath_push_key(&path, key);
                scan_last_applied(item->valuestring, path.text, f, depth);
                fieldpath_pop(&path, m);
            }
        } else if (!annotation_names_secret(key, kl, item->valuestring)) {
            const char *slash = memrchr(key, '/', kl);
            struct scan_site site = {.path = path.text, .key = key, .index = SIZE_MAX, .place = PLACE_ANNOTATION,
                                     .env_limit = SIZE_MAX};
            secretjudge_named(f, &site, "secrets.annotation", slash ? slash + 1 : key, item->valuestring,
                             strlen(item->valuestring));
        }
    }
}

/* ---- objects ----------------------------------------------------------------------------- */

static void scan_object(const char *group, const char *kind, const cJSON *object, struct secret_findings *f,
                        int depth)
{
    bool core = group == NULL || group[0] == '\0';
    if (core && strcmp(kind, "ConfigMap") == 0)
        scan_configmap(object, f);
    struct pod_spec pod;
    if (podspec_find(group, kind, object, &pod))
        podspec_foreach_container(&pod, scan_container, f);
    scan_annotations(cJSON_GetObjectItemCaseSensitive(object, "metadata"), "metadata", f, depth);
    if (strcmp(kind, "CronJob") == 0) {
        const cJSON *jt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(object, "spec"),
                                                           "jobTemplate");
        scan_annotations(cJSON_GetObjectItemCaseSensitive(jt, "metadata"), "spec.jobTemplate.metadata", f, depth);
    }
    if (pod.template_metadata)
        scan_annotations(pod.template_metadata, pod.template_metadata_path, f, depth);
}

void secrets_scan(const char *group, const char *kind, const cJSON *object, struct secret_findings *out)
{
    if (kind == NULL || !cJSON_IsObject(object))
        return;
    if ((group == NULL || group[0] == '\0') && strcmp(kind, "Secret") == 0)
        return;   /* that is where credentials belong */
    scan_object(group, kind, object, out, 0);
}

/* ---- the verdict ------------------------------------------------------------------------- */

static const char *place_advice(enum finding_place place)
{
    switch (place) {
    case PLACE_ENV:
        return "use valueFrom.secretKeyRef or envFrom.secretRef";
    case PLACE_COMMAND:
        return "pass it as $(VAR) with VAR from valueFrom.secretKeyRef or envFrom.secretRef, or read a file "
               "mounted from a Secret";
    case PLACE_HEADER:
        return "probe headers cannot reference a Secret; use an exec probe that reads a file mounted from a Secret";
    case PLACE_CONFIGMAP:
        return "move it to a Secret (envFrom.secretRef or a mounted Secret file) and leave a ${VAR} placeholder "
               "in the ConfigMap";
    case PLACE_ANNOTATION:
        return "remove it from the annotation and keep it in a Secret";
    }
    return "keep it in a Secret";
}

static const char *place_rule(enum finding_place place)
{
    if (place == PLACE_CONFIGMAP)
        return "secrets.configmap";
    if (place == PLACE_ANNOTATION)
        return "secrets.annotation";
    return NULL;
}

static void put_label(struct strbuf *sb, const char *label)
{
    for (const char *c = label; *c; c++)
        strbuf_putc(sb, (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
}

/* Reports the findings for which `pick[i]` is true (all of them when pick is NULL) as one
 * message. `existing`: they were already in the object before this update. */
static void secrets_report(struct secret_findings *f, const bool *pick, bool existing, enum sg_action action,
                           struct verdict *v)
{
    size_t count = 0;
    for (size_t i = 0; i < f->count; i++)
        count += !pick || pick[i];
    if (count == 0)
        return;
    struct strbuf msg;
    strbuf_init(&msg, 0);
    strbuf_printf(&msg, "%splaintext credential%s in ", existing ? "pre-existing " : "", count > 1 ? "s" : "");
    size_t shown = 0, i = 0;
    for (; i < f->count && shown < SECRETS_SHOWN; i++) {
        if (pick && !pick[i])
            continue;
        if (shown > 0 && msg.len > SECRETS_MESSAGE_SOFT_MAX)
            break;
        const struct secret_finding *it = &f->items[i];
        strbuf_printf(&msg, "%s%s (", shown ? ", " : "", it->path);
        put_label(&msg, it->label);
        strbuf_puts(&msg, it->default_looking ? ", a default-looking value that is still the real one)" : ")");
        shown++;
    }
    if (shown < count)
        strbuf_printf(&msg, " and %zu more", count - shown);
    if (existing)
        strbuf_puts(&msg, "; already in the object before this update, so it is allowed, but it stays readable "
                          "to anyone who can read the object");
    bool advised[PLACE_ANNOTATION + 1] = {false};
    for (size_t k = 0; k < f->count; k++) {
        enum finding_place p = f->items[k].place;
        if ((!pick || pick[k]) && !advised[p]) {
            advised[p] = true;
            strbuf_printf(&msg, "; %s", place_advice(p));
        }
    }
    struct strbuf out;
    strbuf_init(&out, 0);
    redact_apply(&f->redact, strbuf_cstr(&msg), &out);
    if (msg.failed || out.failed) {
        v->failed = true;
    } else {
        const char *text = strbuf_cstr(&out);
        /* The same message under every rule that fired: the verdict keeps one copy of it. */
        for (size_t k = 0; k < f->count; k++) {
            if (pick && !pick[k])
                continue;
            verdict_report(v, action, f->items[k].rule, "%s", text);
            const char *pr = place_rule(f->items[k].place);
            if (pr)
                verdict_report(v, action, pr, "%s", text);
        }
    }
    strbuf_free(&msg);
    strbuf_free(&out);
}

static int value_order(const void *a, const void *b)
{
    const struct finding_value *x = a, *y = b;
    if (x->path_hash != y->path_hash)
        return x->path_hash < y->path_hash ? -1 : 1;
    if (x->value_hash != y->value_hash)
        return x->value_hash < y->value_hash ? -1 : 1;
    return 0;
}

/* existing[i] = finding i of `now` is pre-existing: every credential value seen at its path
 * was seen at the same path in `old`. Sorting keeps this O(n log n) in the findings. Returns
 * 0, or -1 when out of memory. */
static int mark_existing(const struct secret_findings *now, struct secret_findings *old, bool *existing)
{
    struct finding_value *mine = NULL;
    if (now->value_count > 0) {
        mine = malloc(now->value_count * sizeof *mine);
        if (mine == NULL)
            return -1;
        memcpy(mine, now->values, now->value_count * sizeof *mine);
        qsort(mine, now->value_count, sizeof *mine, value_order);
    }
    if (old->value_count > 0)
        qsort(old->values, old->value_count, sizeof *old->values, value_order);
    for (size_t i = 0; i < now->count; i++) {
        struct finding_value key = {secretjudge_hash(now->items[i].path, strlen(now->items[i].path)), 0};
        /* The first value at this path in the sorted list, then each one after it. */
        size_t lo = 0, hi = now->value_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (mine[mid].path_hash < key.path_hash)
                lo = mid + 1;
            else
                hi = mid;
        }
        bool all = lo < now->value_count && mine[lo].path_hash == key.path_hash;
        for (size_t k = lo; all && k < now->value_count && mine[k].path_hash == key.path_hash; k++)
            all = old->value_count > 0 &&
                  bsearch(&mine[k], old->values, old->value_count, sizeof *old->values, value_order) != NULL;
        existing[i] = all;
    }
    free(mine);
    return 0;
}

void secrets_check(const struct check_context *ctx, struct verdict *v)
{
    const struct config *cfg = ctx->cfg;
    const struct admission_request *req = ctx->req;
    if (cfg->secrets.action == SG_ACTION_OFF || req->object == NULL)
        return;
    if (config_list_matches(&cfg->secrets.exempt_namespaces, req->namespace_))
        return;
    char workload[512];
    snprintf(workload, sizeof workload, "%s/%s", req->namespace_, req->name);
    if (config_list_matches(&cfg->secrets.exempt_workloads, workload))
        return;
    struct secret_findings f;
    secretjudge_init(&f);
    secrets_scan(req->group, req->kind, req->object, &f);
    if (f.too_dense)   /* a copy too dense to read must not pass for a clean one */
        verdict_report(v, cfg->secrets.action, "secrets.annotation",
                       "the " SECRETS_LAST_APPLIED " annotation holds more than %u JSON values, more than "
                       "schemagate reads in one request (the bound on its memory); apply the object with "
                       "server-side apply (kubectl apply --server-side), which does not write that annotation, "
                       "or shorten its lists", JSON_ARENA_NODES_MAX);
    if (f.failed) {
        v->failed = true;   /* an incomplete scan must not pass for a clean one */
    } else if (f.count > 0 && req->operation == OP_UPDATE && req->old_object != NULL &&
               cfg->secrets.on_existing == SG_ACTION_WARN) {
        /* On UPDATE, a credential already at the same path in oldObject is not this change's
         * doing: it is answered with a warning, and anything new or changed as configured. */
        struct secret_findings old;
        secretjudge_init(&old);
        secrets_scan(req->group, req->kind, req->old_object, &old);
        bool *existing = calloc(f.count, sizeof *existing);
        bool *fresh = calloc(f.count, sizeof *fresh);
        if (old.failed || existing == NULL || fresh == NULL || mark_existing(&f, &old, existing) != 0) {
            v->failed = true;
        } else {
            for (size_t i = 0; i < f.count; i++)
                fresh[i] = !existing[i];
            secrets_report(&f, fresh, false, cfg->secrets.action, v);
            secrets_report(&f, existing, true, SG_ACTION_WARN, v);
        }
        free(existing);
        free(fresh);
        secretjudge_free(&old);
    } else {
        secrets_report(&f, NULL, false, cfg->secrets.action, v);
    }
    secretjudge_free(&f);
}
