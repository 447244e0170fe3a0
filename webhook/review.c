/* review.c - AdmissionReview v1 in and out.
 * Parsing is strict about what the apiserver always sends (uid, kind, operation, object shape)
 * and lenient about what it may add, so a newer apiserver never breaks us. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonarena.h"
#include "jsonout.h"
#include "object.h"
#include "strbuf.h"
#include "verdict.h"

#define REVIEW_API_VERSION "admission.k8s.io/v1"
#define REVIEW_MESSAGE_MAX 4096

void review_free(struct admission_request *req)
{
    if (req->arena)
        json_arena_destroy(req->arena);
    else
        cJSON_Delete(req->root);
    memset(req, 0, sizeof *req);
}

static const char *string_field(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *string_value(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* out[i] = obj[names[i]] for every i, in one pass over obj's members (a request has a dozen, and
 * a lookup each would compare names along them again and again), by the rules of
 * cJSON_GetObjectItemCaseSensitive: the first member of a name counts, and a member without a
 * name (obj is an array) ends the search. */
static void find_members(const cJSON *obj, const char *const *names, size_t count, const cJSON **out)
{
    memset(out, 0, count * sizeof *out);
    for (const cJSON *m = obj ? obj->child : NULL; m != NULL && m->string != NULL; m = m->next)
        for (size_t i = 0; i < count; i++)
            if (out[i] == NULL && m->string[0] == names[i][0] && strcmp(m->string, names[i]) == 0) {
                out[i] = m;
                break;
            }
}

/* Fills the request from a parsed document; on error the caller frees the document. */
static int review_fill(cJSON *root, struct admission_request *req, struct sg_error *err)
{
    memset(req, 0, sizeof *req);
    if (!cJSON_IsObject(root))
        return sg_error_set(err, "body is not a JSON object; expected an AdmissionReview");
    enum { T_API, T_KIND, T_REQUEST, T_COUNT };
    static const char *const top_names[T_COUNT] = {"apiVersion", "kind", "request"};
    const cJSON *top[T_COUNT];
    find_members(root, top_names, T_COUNT, top);
    const char *api = string_value(top[T_API]);
    const char *kind = string_value(top[T_KIND]);
    if (kind == NULL || strcmp(kind, "AdmissionReview") != 0)
        return sg_error_set(err, "kind must be \"AdmissionReview\" (got %s%s%s)", kind ? "\"" : "",
                            kind ? kind : "none", kind ? "\"" : "");
    if (api == NULL || strcmp(api, REVIEW_API_VERSION) != 0)
        return sg_error_set(err, "apiVersion must be \"" REVIEW_API_VERSION "\" (got %s%s%s); "
                            "register the webhook with admissionReviewVersions: [\"v1\"]",
                            api ? "\"" : "", api ? api : "none", api ? "\"" : "");
    const cJSON *r = top[T_REQUEST];
    if (!cJSON_IsObject(r))
        return sg_error_set(err, "request is missing or not an object");

    enum {
        R_UID, R_KIND, R_OPERATION, R_NAMESPACE, R_DRY_RUN, R_OBJECT, R_OLD_OBJECT, R_NAME, R_USER, R_COUNT
    };
    static const char *const request_names[R_COUNT] = {
        "uid", "kind", "operation", "namespace", "dryRun", "object", "oldObject", "name", "userInfo",
    };
    const cJSON *f[R_COUNT];
    find_members(r, request_names, R_COUNT, f);
    req->uid = string_value(f[R_UID]);
    if (req->uid == NULL || req->uid[0] == '\0')
        return sg_error_set(err, "request.uid is missing or not a non-empty string");
    if (strlen(req->uid) > 128)
        return sg_error_set(err, "request.uid is longer than 128 characters");
    /* The response must repeat the uid exactly, and JSON text is UTF-8: a uid that is not cannot
     * be answered (the apiserver sends UUIDs). */
    if (!jsonout_utf8_valid(req->uid))
        return sg_error_set(err, "request.uid is not valid UTF-8; the apiserver sends a UUID such as "
                            "\"705ab4f5-6393-11e8-b7cc-42010a800002\"");

    const cJSON *k = f[R_KIND];
    if (!cJSON_IsObject(k))
        return sg_error_set(err, "request.kind is missing or not an object {group, version, kind}");
    static const char *const kind_names[3] = {"group", "version", "kind"};
    const cJSON *gvk[3];
    find_members(k, kind_names, 3, gvk);
    req->group = string_value(gvk[0]);
    req->version = string_value(gvk[1]);
    req->kind = string_value(gvk[2]);
    if (req->group == NULL)
        return sg_error_set(err, "request.kind.group is missing or not a string (\"\" for core)");
    if (req->version == NULL || req->version[0] == '\0')
        return sg_error_set(err, "request.kind.version is missing or not a non-empty string");
    if (req->kind == NULL || req->kind[0] == '\0')
        return sg_error_set(err, "request.kind.kind is missing or not a non-empty string");

    const char *op = string_value(f[R_OPERATION]);
    if (op == NULL)
        return sg_error_set(err, "request.operation is missing or not a string");
    if (strcmp(op, "CREATE") == 0)
        req->operation = OP_CREATE;
    else if (strcmp(op, "UPDATE") == 0)
        req->operation = OP_UPDATE;
    else if (strcmp(op, "DELETE") == 0)
        req->operation = OP_DELETE;
    else if (strcmp(op, "CONNECT") == 0)
        req->operation = OP_CONNECT;
    else
        return sg_error_set(err, "request.operation \"%.32s\" is not CREATE, UPDATE, DELETE or CONNECT", op);
    req->operation_name = op;

    const cJSON *v = f[R_NAMESPACE];
    if (v != NULL && !cJSON_IsString(v) && !cJSON_IsNull(v))
        return sg_error_set(err, "request.namespace must be a string");
    req->namespace_ = cJSON_IsString(v) ? v->valuestring : "";

    v = f[R_DRY_RUN];
    if (v != NULL && !cJSON_IsBool(v) && !cJSON_IsNull(v))
        return sg_error_set(err, "request.dryRun must be true or false");
    req->dry_run = cJSON_IsTrue(v);

    v = f[R_OBJECT];
    if (v != NULL && !cJSON_IsObject(v) && !cJSON_IsNull(v))
        return sg_error_set(err, "request.object must be an object or null");
    req->object = cJSON_IsObject(v) ? v : NULL;
    v = f[R_OLD_OBJECT];
    if (v != NULL && !cJSON_IsObject(v) && !cJSON_IsNull(v))
        return sg_error_set(err, "request.oldObject must be an object or null");
    req->old_object = cJSON_IsObject(v) ? v : NULL;

    if ((req->operation == OP_CREATE || req->operation == OP_UPDATE) && req->object == NULL)
        return sg_error_set(err, "request.object is required for %s", op);
    if (req->operation == OP_UPDATE && req->old_object == NULL)
        return sg_error_set(err, "request.oldObject is required for UPDATE");

    const cJSON *meta = req->object ? cJSON_GetObjectItemCaseSensitive(req->object, "metadata") : NULL;
    if (meta != NULL && !cJSON_IsObject(meta))
        return sg_error_set(err, "request.object.metadata must be an object");

    req->name = string_value(f[R_NAME]);
    if (req->name == NULL || req->name[0] == '\0') {
        /* CREATE with generateName has no name yet (Gatekeeper falls back the same way). */
        req->name = meta ? string_field(meta, "name") : NULL;
        if (req->name == NULL && meta)
            req->name = string_field(meta, "generateName");
        if (req->name == NULL)
            req->name = "";
    }

    const cJSON *user = f[R_USER];
    req->username = user ? string_field(user, "username") : NULL;
    if (req->username == NULL)
        req->username = "";
    req->root = root;
    return 0;
}

int review_parse(char *body, size_t len, struct admission_request *req, struct sg_error *err)
{
    memset(req, 0, sizeof *req);
    if (len == 0)
        return sg_error_set(err, "empty body; expected an AdmissionReview JSON document");
    struct json_arena *arena = json_arena_create(len);
    if (arena == NULL)
        return sg_error_set(err, "out of memory");
    const char *end = NULL;
    cJSON *root = json_arena_parse_insitu(arena, body, len, &end);
    if (root == NULL) {
        size_t off = end && end >= body ? (size_t)(end - body) : 0;
        bool too_many = json_arena_node_limit_hit(arena);
        json_arena_destroy(arena);
        if (too_many)
            return sg_error_set(err, "body holds more than %u JSON values (schemagate's per-request limit, which "
                                "bounds its memory; stopped at byte %zu); a Kubernetes object is not expected to be "
                                "this dense: check what generated it, and split long lists across objects",
                                JSON_ARENA_NODES_MAX, off);
        return sg_error_set(err, "body is not valid JSON (error at byte %zu)", off);
    }
    /* Trailing garbage after the document means a broken client: refuse it too. */
    while (end && (size_t)(end - body) < len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && (size_t)(end - body) < len) {
        json_arena_destroy(arena);
        return sg_error_set(err, "body has data after the JSON document (byte %zu)", (size_t)(end - body));
    }
    if (review_fill(root, req, err) != 0) {
        json_arena_destroy(arena);
        memset(req, 0, sizeof *req);
        return -1;
    }
    req->arena = arena;
    return 0;
}

int review_from_document(cJSON *doc, struct admission_request *req, struct sg_error *err)
{
    return review_from_document_in(doc, "default", false, req, err);
}

int review_from_document_in(cJSON *doc, const char *default_namespace, bool cluster_scoped,
                            struct admission_request *req, struct sg_error *err)
{
    memset(req, 0, sizeof *req);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return sg_error_set(err, "input is not a JSON object; expected an AdmissionReview or a Kubernetes object");
    }
    const char *kind = string_field(doc, "kind");
    if (kind && strcmp(kind, "AdmissionReview") == 0) {
        if (review_fill(doc, req, err) != 0) {
            cJSON_Delete(doc);
            memset(req, 0, sizeof *req);
            return -1;
        }
        return 0;
    }
    const char *api = string_field(doc, "apiVersion");
    if (kind == NULL || api == NULL) {
        cJSON_Delete(doc);
        return sg_error_set(err, "input has no \"kind\" and \"apiVersion\"; expected an AdmissionReview "
                            "or a Kubernetes object such as `kubectl create ... -o json` writes");
    }
    if (strcmp(kind, "List") == 0) {
        cJSON_Delete(doc);
        return sg_error_set(err, "input is a List; review one object at a time "
                            "(e.g. split with `kubectl ... -o json | jq -c '.items[]'`)");
    }
    char group[128], version[64];
    object_split_api_version(api, group, sizeof group, version, sizeof version);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    const char *ns = meta ? string_field(meta, "namespace") : NULL;
    const char *name = meta ? string_field(meta, "name") : NULL;

    cJSON *review = cJSON_CreateObject();
    cJSON *r = review ? cJSON_AddObjectToObject(review, "request") : NULL;
    cJSON *k = r ? cJSON_AddObjectToObject(r, "kind") : NULL;
    bool ok = k && cJSON_AddStringToObject(review, "apiVersion", REVIEW_API_VERSION) &&
              cJSON_AddStringToObject(review, "kind", "AdmissionReview") &&
              cJSON_AddStringToObject(r, "uid", "schemagate-review-offline") &&
              cJSON_AddStringToObject(k, "group", group) &&
              cJSON_AddStringToObject(k, "version", version) &&
              cJSON_AddStringToObject(k, "kind", kind) &&
              cJSON_AddStringToObject(r, "name", name ? name : "") &&
              cJSON_AddStringToObject(r, "namespace", cluster_scoped ? "" : ns ? ns : default_namespace) &&
              cJSON_AddStringToObject(r, "operation", "CREATE") &&
              cJSON_AddFalseToObject(r, "dryRun") && cJSON_AddNullToObject(r, "oldObject");
    if (!ok) {
        cJSON_Delete(review);
        cJSON_Delete(doc);
        return sg_error_set(err, "out of memory wrapping the object");
    }
    cJSON_AddItemToObject(r, "object", doc);
    if (review_fill(review, req, err) != 0) {
        cJSON_Delete(review);
        memset(req, 0, sizeof *req);
        return -1;
    }
    return 0;
}

void review_describe_object(const struct admission_request *req, char *out, size_t n)
{
    const char *name = req->name[0] ? req->name : "(unnamed)";
    if (req->namespace_[0])
        snprintf(out, n, "%s %s/%s", req->kind, req->namespace_, name);
    else
        snprintf(out, n, "%s %s", req->kind, name);
}

/* "schemagate denied Job shop/x: reason one; reason two" - bounded so a pathological object
 * cannot produce a megabyte of status message. */
static void review_denial_message(const struct admission_request *req, const struct verdict *v,
                                  struct strbuf *sb)
{
    char object[320];
    review_describe_object(req, object, sizeof object);
    strbuf_printf(sb, "schemagate denied %s: ", object);
    if (v->denials.count == 0)
        strbuf_puts(sb, "internal error while recording the decision; retry, and report it if it persists");
    for (size_t i = 0; i < v->denials.count; i++) {
        if (i > 0)
            strbuf_puts(sb, "; ");
        if (sb->len + strlen(v->denials.items[i]) > REVIEW_MESSAGE_MAX) {
            strbuf_printf(sb, "and %zu more", v->denials.count - i);
            break;
        }
        strbuf_puts(sb, v->denials.items[i]);
    }
}

char *review_response_json(const struct admission_request *req, const struct verdict *v)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_presize(&sb, 512);   /* an answer without warnings fits; more grows the buffer */
    strbuf_puts(&sb, "{");
    jsonout_member_string(&sb, true, "apiVersion", REVIEW_API_VERSION);
    jsonout_member_string(&sb, false, "kind", "AdmissionReview");
    strbuf_puts(&sb, ",\"response\":{");
    jsonout_member_string(&sb, true, "uid", req->uid);
    jsonout_member_bool(&sb, false, "allowed", !verdict_denied(v));
    if (verdict_denied(v)) {
        struct strbuf message;
        strbuf_init(&message, REVIEW_MESSAGE_MAX + 256);
        review_denial_message(req, v, &message);
        if (message.failed)
            sb.failed = true;
        strbuf_puts(&sb, ",\"status\":{\"code\":403");
        jsonout_member_string(&sb, false, "reason", "Forbidden");
        jsonout_member_string(&sb, false, "message", strbuf_cstr(&message));
        strbuf_putc(&sb, '}');
        strbuf_free(&message);
    }
    if (v->warnings.count > 0)
        jsonout_member_strings(&sb, "warnings", v->warnings.items, v->warnings.count);
    strbuf_puts(&sb, "}}");
    return strbuf_take(&sb);
}

char *review_error_json(int status, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_putc(&sb, '{');
    jsonout_member_string(&sb, true, "error", message);
    strbuf_printf(&sb, ",\"code\":%d}", status);
    return strbuf_take(&sb);
}
