/* casefile.c - the wrapping of a test case into an AdmissionReview and the check of a response
 * against the case's `expect` (tests/cases/README.md), in one place for every runner. */
#include "casefile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static const char *string_member(const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue(member(obj, key));
}

static cJSON *malformed(char *why, size_t why_size, const char *text)
{
    if (why_size)
        snprintf(why, why_size, "%s", text);
    return NULL;
}

/* Adds item under key; on failure deletes it. False when item is NULL or adding fails. */
static bool add_item(cJSON *obj, const char *key, cJSON *item)
{
    if (item == NULL)
        return false;
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool add_string(cJSON *obj, const char *key, const char *value)
{
    return cJSON_AddStringToObject(obj, key, value) != NULL;
}

/* The request.kind of an object: group and version split at the slash of apiVersion. */
static cJSON *group_version_kind(const char *api, const char *kind)
{
    const char *slash = strchr(api, '/');
    char *group = strndup(api, slash ? (size_t)(slash - api) : 0);
    cJSON *k = cJSON_CreateObject();
    bool ok = group && k && add_string(k, "group", group) && add_string(k, "version", slash ? slash + 1 : api) &&
              add_string(k, "kind", kind);
    free(group);
    if (!ok) {
        cJSON_Delete(k);
        return NULL;
    }
    return k;
}

cJSON *casefile_review(const cJSON *doc, const char *uid, char *why, size_t why_size)
{
    if (why_size)
        why[0] = '\0';
    if (!cJSON_IsObject(doc))
        return malformed(why, why_size, "a case is a JSON object");
    const cJSON *review = member(doc, "review");
    const cJSON *object = member(doc, "object");
    if (review && object)
        return malformed(why, why_size, "a case gives \"object\" or \"review\", not both");
    if (review) {
        if (!cJSON_IsObject(review))
            return malformed(why, why_size, "\"review\" is not an object");
        cJSON *copy = cJSON_Duplicate(review, 1);
        return copy ? copy : malformed(why, why_size, "out of memory");
    }
    if (!cJSON_IsObject(object))
        return malformed(why, why_size, "a case needs an \"object\" (or a \"review\")");
    const char *api = string_member(object, "apiVersion");
    const char *kind = string_member(object, "kind");
    if (api == NULL || kind == NULL)
        return malformed(why, why_size, "the object has no string \"apiVersion\" and \"kind\"; give a \"review\"");
    const cJSON *ns_item = member(doc, "namespace");
    const cJSON *op_item = member(doc, "operation");
    const cJSON *dry_item = member(doc, "dry_run");
    if (ns_item && !cJSON_IsString(ns_item))
        return malformed(why, why_size, "\"namespace\" is not a string");
    if (op_item && !cJSON_IsString(op_item))
        return malformed(why, why_size, "\"operation\" is not a string");
    if (dry_item && !cJSON_IsBool(dry_item))
        return malformed(why, why_size, "\"dry_run\" is not true or false");

    /* The case's namespace wins, even ""; an empty metadata.namespace is an unset one, as in
     * Kubernetes, and the request then carries "default". */
    const cJSON *meta = member(object, "metadata");
    const char *ns = cJSON_GetStringValue(ns_item);
    if (ns == NULL) {
        ns = string_member(meta, "namespace");
        if (ns == NULL || *ns == '\0')
            ns = "default";
    }
    const char *name = string_member(meta, "name");
    const char *op = cJSON_GetStringValue(op_item);
    const cJSON *old = member(doc, "old_object");

    cJSON *r = cJSON_CreateObject();
    bool ok = r && add_string(r, "uid", uid ? uid : CASEFILE_DEFAULT_UID) &&
              add_item(r, "kind", group_version_kind(api, kind)) && add_string(r, "name", name ? name : "") &&
              add_string(r, "namespace", ns) && add_string(r, "operation", op ? op : "CREATE") &&
              cJSON_AddBoolToObject(r, "dryRun", cJSON_IsTrue(dry_item)) != NULL &&
              add_item(r, "object", cJSON_Duplicate(object, 1)) &&
              add_item(r, "oldObject", old ? cJSON_Duplicate(old, 1) : cJSON_CreateNull());
    cJSON *root = ok ? cJSON_CreateObject() : NULL;
    if (root == NULL || !add_string(root, "apiVersion", "admission.k8s.io/v1") ||
        !add_string(root, "kind", "AdmissionReview")) {
        cJSON_Delete(r);
        cJSON_Delete(root);
        return malformed(why, why_size, "out of memory");
    }
    if (!add_item(root, "request", r)) {   /* r is deleted by add_item */
        cJSON_Delete(root);
        return malformed(why, why_size, "out of memory");
    }
    return root;
}

/* ---- problem lines ---- */

struct lines {
    char *text;
    size_t len, cap;
    int count;
    bool failed;
};

/* Appends one problem line; newlines inside it become spaces so it stays one line. */
static void __attribute__((format(printf, 2, 3))) line_add(struct lines *l, const char *fmt, ...)
{
    if (l->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        l->failed = true;
        return;
    }
    size_t need = l->len + (size_t)n + 2;
    if (need > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < need)
            cap *= 2;
        char *grown = realloc(l->text, cap);
        if (grown == NULL) {
            l->failed = true;
            return;
        }
        l->text = grown;
        l->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(l->text + l->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (char *p = l->text + l->len; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    l->len += (size_t)n;
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
    l->count++;
}

/* Every occurrence of needle in text replaced by repl, in a new string (NULL: out of memory). */
static char *replace_all(const char *text, const char *needle, const char *repl)
{
    size_t nlen = strlen(needle), rlen = strlen(repl), hits = 0;
    for (const char *p = strstr(text, needle); nlen && p; p = strstr(p + nlen, needle))
        hits++;
    size_t len = strlen(text);
    size_t out_len = rlen >= nlen ? len + hits * (rlen - nlen) : len - hits * (nlen - rlen);
    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;
    char *w = out;
    const char *r = text;
    for (const char *p = nlen ? strstr(r, needle) : NULL; p; p = strstr(r, needle)) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, repl, rlen);
        w += rlen;
        r = p + nlen;
    }
    strcpy(w, r);
    return out;
}

/* text with every planted secret of the case replaced (a new string; NULL: out of memory). */
static char *withhold_secrets(const cJSON *doc, const char *text)
{
    char *out = strdup(text);
    const cJSON *secrets = member(member(doc, "expect"), "secrets");
    const cJSON *s;
    if (cJSON_IsArray(secrets)) {
        cJSON_ArrayForEach(s, secrets) {
            if (out == NULL)
                break;
            if (!cJSON_IsString(s) || s->valuestring[0] == '\0')
                continue;
            char *next = replace_all(out, s->valuestring, "<withheld>");
            free(out);
            out = next;
        }
    }
    return out;
}

char *casefile_excerpt(const cJSON *doc, const char *response, size_t max)
{
    char *out = withhold_secrets(doc, response ? response : "");
    if (out && strlen(out) > max)
        out[max] = '\0';
    return out;
}

static const char *const list_keys[] = {"paths", "message", "warnings", "rules", "secrets"};

/* The expect list under key, or NULL when absent or malformed (a malformed one is a problem). */
static const cJSON *expect_list(const cJSON *expect, const char *key, struct lines *l)
{
    const cJSON *list = member(expect, key);
    if (list == NULL)
        return NULL;
    bool ok = cJSON_IsArray(list);
    const cJSON *item;
    if (ok) {
        cJSON_ArrayForEach(item, list)
            ok = ok && cJSON_IsString(item) && item->valuestring[0] != '\0';
    }
    if (!ok) {
        line_add(l, "case: expect.%s is not a list of non-empty strings", key);
        return NULL;
    }
    return list;
}

/* The expect list under key when it is well formed, else NULL (check_expect_shape reports it). */
static const cJSON *valid_list(const cJSON *expect, const char *key)
{
    struct lines discard = {.failed = true};   /* line_add writes nothing into a failed list */
    return expect_list(expect, key, &discard);
}

/* The case's own mistakes: a missing or mistyped key, or one the format does not know. */
static void check_expect_shape(const cJSON *expect, struct lines *l)
{
    if (!cJSON_IsBool(member(expect, "allowed")))
        line_add(l, "case: expect.allowed is not true or false");
    const cJSON *nw = member(expect, "no_warnings");
    if (nw && !cJSON_IsBool(nw))
        line_add(l, "case: expect.no_warnings is not true or false");
    const cJSON *item;
    cJSON_ArrayForEach(item, expect) {
        bool known = strcmp(item->string, "allowed") == 0 || strcmp(item->string, "no_warnings") == 0;
        for (size_t i = 0; i < sizeof list_keys / sizeof *list_keys; i++)
            known = known || strcmp(item->string, list_keys[i]) == 0;
        if (!known)
            line_add(l, "case: expect has an unknown key \"%s\"", item->string);
    }
    for (size_t i = 0; i < sizeof list_keys / sizeof *list_keys; i++)
        (void)expect_list(expect, list_keys[i], l);
}

static bool some_warning_contains(const cJSON *warnings, const char *needle)
{
    const cJSON *w;
    cJSON_ArrayForEach(w, warnings)
        if (cJSON_IsString(w) && strstr(w->valuestring, needle))
            return true;
    return false;
}

/* The checks on a parsed response. */
static void check_response(const cJSON *expect, const cJSON *root, casefile_rule_fn *rule_fired, void *arg,
                           struct lines *l)
{
    if (!cJSON_IsObject(root)) {
        line_add(l, "response is not a JSON object");
        return;
    }
    const char *api = string_member(root, "apiVersion");
    const char *kind = string_member(root, "kind");
    if (api == NULL || strcmp(api, "admission.k8s.io/v1") != 0 || kind == NULL || strcmp(kind, "AdmissionReview") != 0)
        line_add(l, "response envelope is not apiVersion admission.k8s.io/v1, kind AdmissionReview");
    const cJSON *resp = member(root, "response");
    if (!cJSON_IsObject(resp)) {
        line_add(l, "response has no \"response\" object");
        return;
    }
    const cJSON *allowed = member(resp, "allowed");
    const cJSON *want = member(expect, "allowed");
    if (!cJSON_IsBool(allowed))
        line_add(l, "response.allowed is missing or not true or false");
    else if (cJSON_IsBool(want) && cJSON_IsTrue(allowed) != cJSON_IsTrue(want))
        line_add(l, "%s", cJSON_IsTrue(allowed) ? "allowed, expected denied" : "denied, expected allowed");

    const cJSON *status = member(resp, "status");
    const cJSON *message_item = member(status, "message");
    if (message_item && !cJSON_IsString(message_item))
        line_add(l, "response.status.message is not a string");
    const char *message = cJSON_GetStringValue(message_item);
    if (cJSON_IsFalse(allowed)) {
        const cJSON *code = member(status, "code");
        if (!cJSON_IsNumber(code) || code->valueint != 403)
            line_add(l, "denial without status.code 403");
    }
    const cJSON *warnings = member(resp, "warnings");
    int nwarn = 0;
    if (warnings) {
        bool ok = cJSON_IsArray(warnings);
        const cJSON *w;
        if (ok) {
            cJSON_ArrayForEach(w, warnings) {
                ok = ok && cJSON_IsString(w);
                nwarn++;
            }
        }
        if (!ok) {
            line_add(l, "response.warnings is not a list of strings");
            warnings = NULL;
            nwarn = 0;
        }
    }

    const cJSON *item;
    bool want_denied = cJSON_IsFalse(want);
    cJSON_ArrayForEach(item, valid_list(expect, "paths")) {
        if (want_denied && (message == NULL || strstr(message, item->valuestring) == NULL))
            line_add(l, "field path %s is not in the denial message", item->valuestring);
        else if (!want_denied && !some_warning_contains(warnings, item->valuestring))
            line_add(l, "field path %s is in no warning", item->valuestring);
    }
    cJSON_ArrayForEach(item, valid_list(expect, "message")) {
        if (message == NULL || strstr(message, item->valuestring) == NULL)
            line_add(l, "message lacks \"%s\"", item->valuestring);
    }
    cJSON_ArrayForEach(item, valid_list(expect, "warnings")) {
        if (!some_warning_contains(warnings, item->valuestring))
            line_add(l, "no warning contains \"%s\"", item->valuestring);
    }
    if (cJSON_IsTrue(member(expect, "no_warnings")) && nwarn > 0)
        line_add(l, "unexpected warnings (%d), the first: %s", nwarn,
                 cJSON_GetStringValue(cJSON_GetArrayItem(warnings, 0)));
    if (rule_fired) {
        cJSON_ArrayForEach(item, valid_list(expect, "rules")) {
            if (!rule_fired(item->valuestring, arg))
                line_add(l, "rule %s did not fire", item->valuestring);
        }
    }
}

int casefile_check(const cJSON *doc, const char *response, casefile_rule_fn *rule_fired, void *arg,
                   char **problems)
{
    struct lines l = {0};
    *problems = NULL;
    if (response == NULL)
        response = "";
    const cJSON *expect = member(doc, "expect");
    if (!cJSON_IsObject(expect)) {
        line_add(&l, "case: no \"expect\" object");
    } else {
        check_expect_shape(expect, &l);
        int index = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, valid_list(expect, "secrets")) {
            if (strstr(response, item->valuestring))
                line_add(&l, "planted secret expect.secrets[%d] appears in the response", index);
            index++;
        }
        cJSON *root = cJSON_Parse(response);
        if (root == NULL)
            line_add(&l, "response is not JSON");
        else
            check_response(expect, root, rule_fired, arg, &l);
        cJSON_Delete(root);
    }
    if (l.failed) {
        free(l.text);
        return -1;
    }
    /* A problem line may quote the response (a warning): the secrets stay withheld there too. */
    char *text = withhold_secrets(doc, l.text ? l.text : "");
    free(l.text);
    if (text == NULL)
        return -1;
    *problems = text;
    return l.count;
}
