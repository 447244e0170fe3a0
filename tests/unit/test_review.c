/* test_review.c - the AdmissionReview envelope: every required field missing or mistyped,
 * CREATE with oldObject null, bare objects wrapped for `review`, and the response shape the
 * kube-apiserver verifies (apiVersion, kind, uid echoed, 403 status, warnings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decision.h"
#include "lib/testutil.h"
#include "review.h"
#include "verdict.h"

static cJSON *load_fixture(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/apiserver/%s", testutil_root(), name);
    char *text = testutil_read_file(path, NULL);
    assert_non_null(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* Parses `doc` and returns 0 or -1, leaving the error message in err. review_parse parses the
 * body in place and *req points into it: *body is the caller's to free after review_free. */
static int parse_doc(const cJSON *doc, struct admission_request *req, struct sg_error *err, char **body)
{
    *body = cJSON_PrintUnformatted(doc);
    assert_non_null(*body);
    return review_parse(*body, strlen(*body), req, err);
}

static void expect_error(const cJSON *doc, const char *needle)
{
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), -1);
    free(body);   /* nothing points into it after an error */
    if (strstr(err.message, needle) == NULL)
        fail_msg("error \"%s\" does not mention \"%s\"", err.message, needle);
}

static void test_fixture_fields(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-deployment-create-dryrun.json");
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    assert_string_equal(req.group, "apps");
    assert_string_equal(req.kind, "Deployment");
    assert_int_equal(req.operation, OP_CREATE);
    assert_true(req.dry_run);
    assert_non_null(req.object);
    assert_null(req.old_object);       /* present and null on CREATE */
    assert_string_equal(req.username, "admin");
    review_free(&req);
    free(body);
    cJSON_Delete(doc);
}

static void test_update_has_old_object(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-deployment-update.json");
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    assert_int_equal(req.operation, OP_UPDATE);
    assert_non_null(req.old_object);
    assert_false(req.dry_run);
    review_free(&req);
    free(body);
    cJSON_Delete(doc);
}

/* Each required field, removed in turn, is named in the error. */
static void test_missing_required_fields(void **state)
{
    (void)state;
    static const struct {
        const char *parent; /* NULL = root, "request", "kind" = request.kind */
        const char *field;
        const char *needle;
    } cases[] = {
        {NULL, "apiVersion", "apiVersion"},
        {NULL, "kind", "kind must be"},
        {NULL, "request", "request is missing"},
        {"request", "uid", "request.uid"},
        {"request", "kind", "request.kind"},
        {"request", "operation", "request.operation"},
        {"request", "object", "request.object is required"},
        {"kind", "group", "request.kind.group"},
        {"kind", "version", "request.kind.version"},
        {"kind", "kind", "request.kind.kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *doc = load_fixture("admissionreview-job-create.json");
        cJSON *parent = doc;
        if (cases[i].parent) {
            parent = cJSON_GetObjectItemCaseSensitive(doc, "request");
            if (strcmp(cases[i].parent, "kind") == 0)
                parent = cJSON_GetObjectItemCaseSensitive(parent, "kind");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(parent, cases[i].field);
        expect_error(doc, cases[i].needle);
        cJSON_Delete(doc);
    }
}

static void replace(cJSON *doc, const char *field, cJSON *value)
{
    cJSON *r = cJSON_GetObjectItemCaseSensitive(doc, "request");
    cJSON_ReplaceItemInObjectCaseSensitive(r, field, value);
}

static void test_wrong_types(void **state)
{
    (void)state;
    static const struct {
        const char *field;
        const char *json;
        const char *needle;
    } cases[] = {
        {"uid", "42", "request.uid"},
        {"uid", "\"\"", "request.uid"},
        {"kind", "\"Job\"", "request.kind"},
        {"operation", "\"PATCH\"", "is not CREATE"},
        {"operation", "true", "request.operation"},
        {"namespace", "[]", "request.namespace"},
        {"dryRun", "\"yes\"", "request.dryRun"},
        {"object", "\"x\"", "request.object"},
        {"oldObject", "7", "request.oldObject"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *doc = load_fixture("admissionreview-job-create.json");
        replace(doc, cases[i].field, cJSON_Parse(cases[i].json));
        expect_error(doc, cases[i].needle);
        cJSON_Delete(doc);
    }
    cJSON *doc = load_fixture("admissionreview-job-create.json");
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "apiVersion", cJSON_CreateString("admission.k8s.io/v1beta1"));
    expect_error(doc, "admissionReviewVersions");
    cJSON_Delete(doc);
}

static void test_update_without_old_object(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-deployment-update.json");
    replace(doc, "oldObject", cJSON_CreateNull());
    expect_error(doc, "oldObject is required for UPDATE");
    cJSON_Delete(doc);
}

static void test_not_json(void **state)
{
    (void)state;
    struct admission_request req;
    struct sg_error err = {{0}};
    char empty[1] = "", cut[] = "{\"a\":", array[] = "[1,2]", trailing[] = "{} x";   /* parsed in place */
    assert_int_equal(review_parse(empty, 0, &req, &err), -1);
    assert_non_null(strstr(err.message, "empty body"));
    assert_int_equal(review_parse(NULL, 0, &req, &err), -1);
    assert_non_null(strstr(err.message, "empty body"));
    assert_int_equal(review_parse(cut, 5, &req, &err), -1);
    assert_non_null(strstr(err.message, "not valid JSON (error at byte 5)"));
    assert_int_equal(review_parse(array, 5, &req, &err), -1);
    assert_int_equal(review_parse(trailing, 4, &req, &err), -1);
    assert_non_null(strstr(err.message, "after the JSON document (byte 3)"));
}

/* A kind schemagate has no layout for is parsed fine and simply has no pod spec. */
static void test_unknown_kind_allowed(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-job-create.json");
    cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "request"), "kind");
    cJSON_ReplaceItemInObjectCaseSensitive(k, "group", cJSON_CreateString("example.com"));
    cJSON_ReplaceItemInObjectCaseSensitive(k, "kind", cJSON_CreateString("Widget"));
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    struct config cfg;
    assert_int_equal(config_defaults(&cfg, &err), 0);
    struct verdict v;
    verdict_init(&v);
    decision_run(&req, &cfg, CHECK_ALL, NULL, &v);
    assert_false(verdict_denied(&v));
    assert_int_equal(v.warnings.count, 0);
    verdict_free(&v);
    config_free(&cfg);
    review_free(&req);
    free(body);
    cJSON_Delete(doc);
}

static void test_generate_name_fallback(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-job-create.json");
    cJSON *r = cJSON_GetObjectItemCaseSensitive(doc, "request");
    cJSON_ReplaceItemInObjectCaseSensitive(r, "name", cJSON_CreateString(""));
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "object"), "metadata");
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "name");
    cJSON_AddStringToObject(meta, "generateName", "migrate-");
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    assert_string_equal(req.name, "migrate-");
    review_free(&req);
    free(body);
    cJSON_Delete(doc);
}

/* Fields read in one pass keep cJSON's lookup rule: the first member of a name counts. */
static void test_duplicate_fields_first_wins(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-job-create.json");
    cJSON *r = cJSON_GetObjectItemCaseSensitive(doc, "request");
    const char *uid = cJSON_GetObjectItemCaseSensitive(r, "uid")->valuestring;
    char *expected_uid = strdup(uid);
    assert_non_null(expected_uid);
    cJSON_AddStringToObject(r, "uid", "second-uid");
    cJSON_AddStringToObject(r, "operation", "DELETE");
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(r, "kind"), "kind", "Widget");
    cJSON_AddStringToObject(doc, "kind", "NotAdmissionReview");
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    assert_string_equal(req.uid, expected_uid);
    assert_int_equal(req.operation, OP_CREATE);
    assert_string_equal(req.kind, "Job");
    review_free(&req);
    free(body);
    free(expected_uid);

    /* a first uid of the wrong type is an error even with a good one after it */
    char *text = cJSON_PrintUnformatted(doc);
    assert_non_null(text);
    char *at = strstr(text, "\"request\":{");
    assert_non_null(at);
    size_t head = (size_t)(at - text) + strlen("\"request\":{");
    char *twice = malloc(strlen(text) + 16);
    assert_non_null(twice);
    sprintf(twice, "%.*s\"uid\":7,%s", (int)head, text, text + head);
    assert_int_equal(review_parse(twice, strlen(twice), &req, &err), -1);
    assert_non_null(strstr(err.message, "request.uid"));
    free(twice);
    free(text);
    cJSON_Delete(doc);
}

static void test_wrap_bare_object(void **state)
{
    (void)state;
    cJSON *doc = cJSON_Parse("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"nightly\","
                             "\"namespace\":\"shop\"},\"spec\":{}}");
    struct admission_request req;
    struct sg_error err = {{0}};
    assert_int_equal(review_from_document(doc, &req, &err), 0);
    assert_string_equal(req.group, "batch");
    assert_string_equal(req.version, "v1");
    assert_string_equal(req.kind, "CronJob");
    assert_string_equal(req.namespace_, "shop");
    assert_string_equal(req.name, "nightly");
    assert_int_equal(req.operation, OP_CREATE);
    review_free(&req);

    doc = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}");
    assert_int_equal(review_from_document(doc, &req, &err), 0);
    assert_string_equal(req.group, "");
    assert_string_equal(req.namespace_, "default");
    review_free(&req);

    doc = cJSON_Parse("{\"metadata\":{}}");
    assert_int_equal(review_from_document(doc, &req, &err), -1);
    assert_non_null(strstr(err.message, "no \"kind\""));
    doc = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}");
    assert_int_equal(review_from_document(doc, &req, &err), -1);
    assert_non_null(strstr(err.message, "List"));
}

static cJSON *response_of(const struct admission_request *req, const struct verdict *v)
{
    char *json = review_response_json(req, v);
    assert_non_null(json);
    cJSON *doc = cJSON_Parse(json);
    free(json);
    assert_non_null(doc);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "apiVersion")),
                        "admission.k8s.io/v1");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "kind")), "AdmissionReview");
    return doc;
}

static void test_response_allowed_and_denied(void **state)
{
    (void)state;
    cJSON *doc = load_fixture("admissionreview-job-create.json");
    struct admission_request req;
    struct sg_error err = {{0}};
    char *body = NULL;
    assert_int_equal(parse_doc(doc, &req, &err, &body), 0);
    cJSON_Delete(doc);

    struct verdict v;
    verdict_init(&v);
    cJSON *out = response_of(&req, &v);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(out, "response");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "uid")), req.uid);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    assert_null(cJSON_GetObjectItemCaseSensitive(resp, "status"));
    assert_null(cJSON_GetObjectItemCaseSensitive(resp, "warnings"));
    cJSON_Delete(out);

    verdict_report(&v, SG_ACTION_DENY, "test.rule", "first reason at %s", "spec.x");
    verdict_report(&v, SG_ACTION_DENY, "test.rule", "second reason");
    verdict_report(&v, SG_ACTION_WARN, "test.warn", "a warning");
    verdict_report(&v, SG_ACTION_OFF, "test.off", "never shown");
    out = response_of(&req, &v);
    resp = cJSON_GetObjectItemCaseSensitive(out, "response");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    cJSON *status = cJSON_GetObjectItemCaseSensitive(resp, "status");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(status, "code")->valueint, 403);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "reason")), "Forbidden");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "message")),
                        "schemagate denied Job default/j: first reason at spec.x; second reason");
    cJSON *warnings = cJSON_GetObjectItemCaseSensitive(resp, "warnings");
    assert_int_equal(cJSON_GetArraySize(warnings), 1);
    assert_string_equal(cJSON_GetArrayItem(warnings, 0)->valuestring, "a warning");
    assert_true(verdict_has_rule(&v, "test.off"));
    cJSON_Delete(out);
    verdict_free(&v);
    review_free(&req);
    free(body);
}

static void test_error_json(void **state)
{
    (void)state;
    char *json = review_error_json(400, "bad \"thing\"");
    cJSON *doc = cJSON_Parse(json);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "error")), "bad \"thing\"");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "code")->valueint, 400);
    cJSON_Delete(doc);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_fields),
        cmocka_unit_test(test_update_has_old_object),
        cmocka_unit_test(test_missing_required_fields),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_update_without_old_object),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_unknown_kind_allowed),
        cmocka_unit_test(test_generate_name_fallback),
        cmocka_unit_test(test_duplicate_fields_first_wins),
        cmocka_unit_test(test_wrap_bare_object),
        cmocka_unit_test(test_response_allowed_and_denied),
        cmocka_unit_test(test_error_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
