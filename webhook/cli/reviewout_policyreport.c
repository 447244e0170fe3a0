/* reviewout_policyreport.c - `-o policyreport`: the results as wgpolicyk8s.io/v1alpha2 reports,
 * one PolicyReport per namespace and one ClusterPolicyReport for cluster-scoped objects, in a
 * v1 List (`kubectl apply -f -` takes it). Each object gives a result per finding (fail for a
 * denial, warn for a warning) or one pass; at most REVIEWOUT_POLICYREPORT_MAX_RESULTS results
 * per report (the summary counts them all). Unusable inputs have no resource: stderr has them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "reviewout.h"

#define POLICYREPORT_API "wgpolicyk8s.io/v1alpha2"
#define POLICYREPORT_NAME "schemagate-review"
#define POLICYREPORT_POLICY "schemagate"

struct report {
    const char *namespace_;   /* "" for the ClusterPolicyReport */
    cJSON *doc;
    cJSON *results;
    size_t kept, omitted;
    size_t pass, fail, warn;
};

static int ns_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cJSON *new_report(const char *ns)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *meta = doc && cJSON_AddStringToObject(doc, "apiVersion", POLICYREPORT_API) &&
                  cJSON_AddStringToObject(doc, "kind", ns[0] ? "PolicyReport" : "ClusterPolicyReport")
                ? cJSON_AddObjectToObject(doc, "metadata") : NULL;
    cJSON *labels = meta && cJSON_AddStringToObject(meta, "name", POLICYREPORT_NAME)
                  ? cJSON_AddObjectToObject(meta, "labels") : NULL;
    bool ok = labels &&
              (ns[0] == '\0' || cJSON_AddStringToObject(meta, "namespace", ns)) &&
              cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by", "schemagate") &&
              cJSON_AddArrayToObject(doc, "results");
    if (!ok) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static bool add_result(struct report *rep, const struct review_result *res, const char *rule,
                       const char *result, const char *message, long long now)
{
    if (strcmp(result, "pass") == 0) rep->pass++;
    else if (strcmp(result, "fail") == 0) rep->fail++;
    else rep->warn++;
    if (rep->kept >= REVIEWOUT_POLICYREPORT_MAX_RESULTS) {
        rep->omitted++;
        return true;
    }
    char category[64];
    review_rule_family(rule, category, sizeof category);
    cJSON *r = cJSON_CreateObject();
    if (r == NULL || !cJSON_AddItemToArray(rep->results, r))
        return reviewout_drop(r);
    rep->kept++;
    cJSON *resources = cJSON_AddArrayToObject(r, "resources");
    cJSON *ref = cJSON_CreateObject();
    if (!resources || !ref || !cJSON_AddItemToArray(resources, ref))
        return reviewout_drop(ref);
    cJSON *ts = cJSON_AddObjectToObject(r, "timestamp");
    char text[1100];
    snprintf(text, sizeof text, "%.1024s", message);
    return cJSON_AddStringToObject(r, "source", "schemagate") &&
           cJSON_AddStringToObject(r, "policy", POLICYREPORT_POLICY) &&
           cJSON_AddStringToObject(r, "rule", rule) &&
           cJSON_AddStringToObject(r, "category", category) &&
           cJSON_AddStringToObject(r, "result", result) &&
           cJSON_AddStringToObject(r, "severity", strcmp(result, "fail") == 0 ? "high"
                                                  : strcmp(result, "warn") == 0 ? "medium" : "info") &&
           cJSON_AddBoolToObject(r, "scored", 1) &&
           cJSON_AddStringToObject(r, "message", text) &&
           ts && cJSON_AddNumberToObject(ts, "seconds", (double)now) &&
           cJSON_AddNumberToObject(ts, "nanos", 0) &&
           cJSON_AddStringToObject(ref, "apiVersion", res->api_version) &&
           cJSON_AddStringToObject(ref, "kind", res->kind) &&
           cJSON_AddStringToObject(ref, "name", res->name) &&
           (res->namespace_[0] == '\0' || cJSON_AddStringToObject(ref, "namespace", res->namespace_));
}

static bool fill_report(struct report *rep, const struct review_results *r, long long now)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct review_result *res = &r->items[i];
        if (res->outcome == OUTCOME_ERROR || strcmp(res->namespace_, rep->namespace_) != 0)
            continue;
        const struct verdict *v = &res->verdict;
        bool ok = true;
        for (size_t k = 0; ok && k < v->denials.count; k++)
            ok = add_result(rep, res, review_result_denial_rule(res, k), "fail",
                            v->denials.items[k], now);
        for (size_t k = 0; ok && k < v->warnings.count; k++)
            ok = add_result(rep, res, review_result_warning_rule(res, k), "warn",
                            v->warnings.items[k], now);
        if (ok && v->denials.count == 0 && v->warnings.count == 0)
            ok = add_result(rep, res, "schemagate.allowed", "pass", "allowed by schemagate", now);
        if (!ok)
            return false;
    }
    cJSON *summary = cJSON_AddObjectToObject(rep->doc, "summary");
    if (!summary || !cJSON_AddNumberToObject(summary, "pass", (double)rep->pass) ||
        !cJSON_AddNumberToObject(summary, "fail", (double)rep->fail) ||
        !cJSON_AddNumberToObject(summary, "warn", (double)rep->warn) ||
        !cJSON_AddNumberToObject(summary, "error", 0) || !cJSON_AddNumberToObject(summary, "skip", 0))
        return false;
    if (rep->omitted) {
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(rep->doc, "metadata");
        cJSON *ann = cJSON_AddObjectToObject(meta, "annotations");
        char n[32];
        snprintf(n, sizeof n, "%zu", rep->omitted);
        if (!ann || !cJSON_AddStringToObject(ann, "schemagate.io/results-omitted", n))
            return false;
    }
    return true;
}

int reviewout_policyreport(FILE *out, const struct review_results *r)
{
    /* the distinct namespaces, sorted ("" first: the cluster report) */
    const char **names = malloc((r->count ? r->count : 1) * sizeof *names);
    if (names == NULL)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        if (r->items[i].outcome != OUTCOME_ERROR)
            names[n++] = r->items[i].namespace_;
    qsort(names, n, sizeof *names, ns_cmp);
    long long now = (long long)time(NULL);
    cJSON *list = cJSON_CreateObject();
    cJSON *items = list && cJSON_AddStringToObject(list, "apiVersion", "v1") &&
                   cJSON_AddStringToObject(list, "kind", "List") ? cJSON_AddArrayToObject(list, "items") : NULL;
    bool ok = items != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
            continue;
        struct report rep = { .namespace_ = names[i], .doc = new_report(names[i]) };
        rep.results = rep.doc ? cJSON_GetObjectItemCaseSensitive(rep.doc, "results") : NULL;
        ok = rep.results && fill_report(&rep, r, now) && cJSON_AddItemToArray(items, rep.doc);
        if (!ok)
            cJSON_Delete(rep.doc);
    }
    free((void *)names);
    if (!ok) {
        cJSON_Delete(list);
        return -1;
    }
    return reviewout_print_json(out, list);
}
