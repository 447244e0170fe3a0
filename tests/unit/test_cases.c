/* test_cases.c - the data-driven suite: every JSON case under tests/cases through the decision core.
 * The case format is described in tests/cases/README.md; the same files also run through
 * `schemagate review` and HTTPS (tests/e2e/cases.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "decision.h"
#include "lib/testutil.h"
#include "review.h"
#include "verdict.h"

struct case_file {
    char *path;
    cJSON *doc;
};

/* Builds the AdmissionReview a case describes (the same wrapping tests/e2e/cases.py does). */
static cJSON *case_review(const cJSON *doc)
{
    const cJSON *review = cJSON_GetObjectItemCaseSensitive(doc, "review");
    if (review)
        return cJSON_Duplicate(review, 1);
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(doc, "object");
    assert_non_null(object);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
    const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "namespace"));
    if (ns == NULL)
        ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "namespace"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "operation"));
    const char *api = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, "apiVersion"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, "kind"));
    assert_non_null(api);
    assert_non_null(kind);
    char group[128] = "";
    const char *version = api;
    const char *slash = strchr(api, '/');
    if (slash) {
        snprintf(group, sizeof group, "%.*s", (int)(slash - api), api);
        version = slash + 1;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "uid", "case-0000");
    cJSON *k = cJSON_AddObjectToObject(r, "kind");
    cJSON_AddStringToObject(k, "group", group);
    cJSON_AddStringToObject(k, "version", version);
    cJSON_AddStringToObject(k, "kind", kind);
    cJSON_AddStringToObject(r, "name", name ? name : "");
    cJSON_AddStringToObject(r, "namespace", ns ? ns : "default");
    cJSON_AddStringToObject(r, "operation", op ? op : "CREATE");
    cJSON_AddBoolToObject(r, "dryRun", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "dry_run")));
    cJSON_AddItemToObject(r, "object", cJSON_Duplicate(object, 1));
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(doc, "old_object");
    cJSON_AddItemToObject(r, "oldObject", old ? cJSON_Duplicate(old, 1) : cJSON_CreateNull());
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "apiVersion", "admission.k8s.io/v1");
    cJSON_AddStringToObject(root, "kind", "AdmissionReview");
    cJSON_AddItemToObject(root, "request", r);
    return root;
}

static bool text_in_list(const cJSON *list, const char *needle)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
        if (cJSON_IsString(item) && strstr(item->valuestring, needle))
            return true;
    return false;
}

static void case_fail(const char *path, const char *what, const char *detail, const char *response)
{
    print_error("%s: %s: %s\n  response: %.2000s\n", path, what, detail, response);
    fail();
}

static void run_case(void **state)
{
    const struct case_file *c = *state;
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c->doc, "expect");
    assert_non_null(expect);
    const cJSON *want_allowed = cJSON_GetObjectItemCaseSensitive(expect, "allowed");
    assert_true(cJSON_IsBool(want_allowed));

    struct config cfg;
    struct sg_error err = {{0}};
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(c->doc, "config");
    if (config) {
        char *text = cJSON_Print(config);
        int rc = config_parse(text, c->path, &cfg, &err);
        free(text);
        if (rc != 0)
            case_fail(c->path, "config does not load", err.message, "");
    } else {
        assert_int_equal(config_defaults(&cfg, &err), 0);
    }

    cJSON *review_doc = case_review(c->doc);
    char *body = cJSON_PrintUnformatted(review_doc);
    cJSON_Delete(review_doc);
    struct admission_request req;
    if (review_parse(body, strlen(body), &req, &err) != 0)
        case_fail(c->path, "review does not parse", err.message, "");

    struct verdict v;
    verdict_init(&v);
    decision_run(&req, &cfg, CHECK_ALL, NULL, &v);
    char *response = review_response_json(&req, &v);
    assert_non_null(response);
    cJSON *resp_doc = cJSON_Parse(response);
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(resp_doc, "response");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(resp, "status");
    const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "message"));
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(resp, "warnings");

    bool allowed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed"));
    if (allowed != (bool)cJSON_IsTrue(want_allowed))
        case_fail(c->path, "decision", allowed ? "allowed, expected denied" : "denied, expected allowed",
                  response);

    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(expect, "paths")) {
        bool found = (message && strstr(message, item->valuestring)) || text_in_list(warnings, item->valuestring);
        if (!found)
            case_fail(c->path, "field path not reported", item->valuestring, response);
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(expect, "message")) {
        if (message == NULL || strstr(message, item->valuestring) == NULL)
            case_fail(c->path, "message lacks", item->valuestring, response);
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(expect, "warnings")) {
        if (!text_in_list(warnings, item->valuestring))
            case_fail(c->path, "no warning contains", item->valuestring, response);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expect, "no_warnings")) && cJSON_GetArraySize(warnings) > 0)
        case_fail(c->path, "unexpected warnings", cJSON_GetArrayItem(warnings, 0)->valuestring, response);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(expect, "rules")) {
        if (!verdict_has_rule(&v, item->valuestring))
            case_fail(c->path, "rule did not fire", item->valuestring, response);
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(expect, "secrets")) {
        if (strstr(response, item->valuestring))
            case_fail(c->path, "secret value appears in the response", "(value withheld)", "(withheld)");
    }

    cJSON_Delete(resp_doc);
    free(response);
    verdict_free(&v);
    review_free(&req);
    free(body);   /* parsed in place: req pointed into it */
    config_free(&cfg);
}

int main(int argc, char **argv)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/cases", testutil_root());
    char **files = NULL;
    size_t n = testutil_list_json(argc > 1 ? argv[1] : dir, &files);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
    struct case_file *cases = calloc(n ? n : 1, sizeof *cases);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        char *text = testutil_read_file(files[i], NULL);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (doc == NULL) {
            fprintf(stderr, "%s: not valid JSON\n", files[i]);
            return 1;
        }
        if (cJSON_GetObjectItemCaseSensitive(doc, "needs")) {
            cJSON_Delete(doc);   /* run by the database runner, not here */
            continue;
        }
        cases[count].path = files[i];
        cases[count].doc = doc;
        tests[count].name = files[i] + strlen(testutil_root()) + 1;
        if (argc > 1 || tests[count].name > files[i] + strlen(files[i]))
            tests[count].name = files[i];
        tests[count].test_func = run_case;
        tests[count].initial_state = &cases[count];
        count++;
    }
    int failed = _cmocka_run_group_tests("cases", tests, count, NULL, NULL);
    for (size_t i = 0; i < count; i++)
        cJSON_Delete(cases[i].doc);
    free(cases);
    free(tests);
    testutil_free_list(files, n);
    return failed ? 1 : 0;
}
