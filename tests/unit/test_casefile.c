/* test_casefile.c - the shared case runner (lib/casefile.c) on its own: the wrapping of a case
 * (defaults, namespace precedence, a review sent as is, malformed cases) and the checker (a
 * response meeting every expect key, then one violating each, a malformed expect, planted secrets
 * withheld from the report). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/casefile.h"

static cJSON *parse(const char *text)
{
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    return doc;
}

/* The request of the review the case text describes. */
static cJSON *wrap(const char *case_text, const char *uid)
{
    cJSON *doc = parse(case_text);
    char why[256];
    cJSON *review = casefile_review(doc, uid, why, sizeof why);
    cJSON_Delete(doc);
    if (review == NULL)
        fail_msg("casefile_review: %s", why);
    return review;
}

static const char *req_string(const cJSON *review, const char *key)
{
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(review, "request");
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, key));
}

static void test_review_defaults(void **state)
{
    (void)state;
    cJSON *r = wrap("{\"object\":{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"m\","
                    "\"namespace\":\"shop\"}},\"expect\":{\"allowed\":true}}",
                    NULL);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "apiVersion")), "admission.k8s.io/v1");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind")), "AdmissionReview");
    assert_string_equal(req_string(r, "uid"), CASEFILE_DEFAULT_UID);
    assert_string_equal(req_string(r, "name"), "m");
    assert_string_equal(req_string(r, "namespace"), "shop");
    assert_string_equal(req_string(r, "operation"), "CREATE");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(r, "request");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(req, "dryRun")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "oldObject")));
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(req, "kind");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kind, "group")), "batch");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kind, "version")), "v1");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kind, "kind")), "Job");
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(req, "object");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, "kind")), "Job");
    cJSON_Delete(r);
}

static void test_review_given_fields(void **state)
{
    (void)state;
    cJSON *r = wrap("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"UPDATE\",\"dry_run\":true,"
                    "\"old_object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"expect\":{\"allowed\":true}}",
                    "uid-7");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(r, "request");
    assert_string_equal(req_string(r, "uid"), "uid-7");
    assert_string_equal(req_string(r, "name"), "");
    assert_string_equal(req_string(r, "operation"), "UPDATE");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "dryRun")));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(req, "oldObject")));
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(req, "kind");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kind, "group")), "");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(kind, "version")), "v1");
    cJSON_Delete(r);
}

static void expect_namespace(const char *case_text, const char *want)
{
    cJSON *r = wrap(case_text, NULL);
    assert_string_equal(req_string(r, "namespace"), want);
    cJSON_Delete(r);
}

/* The case's namespace (even "") over metadata.namespace (unless empty) over "default". */
static void test_review_namespace_precedence(void **state)
{
    (void)state;
    expect_namespace("{\"namespace\":\"dev\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                     "\"metadata\":{\"namespace\":\"shop\"}}}",
                     "dev");
    expect_namespace("{\"namespace\":\"\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                     "\"metadata\":{\"namespace\":\"shop\"}}}",
                     "");
    expect_namespace("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"shop\"}}}",
                     "shop");
    expect_namespace("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"\"}}}",
                     "default");
    expect_namespace("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"namespace\":7}}}",
                     "default");
    expect_namespace("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}}", "default");
}

static void test_review_sent_as_is(void **state)
{
    (void)state;
    const char *text = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                       "\"request\":{\"uid\":\"own\",\"extra\":[1,2]}}";
    cJSON *want = parse(text);
    char case_text[512];
    snprintf(case_text, sizeof case_text, "{\"review\":%s,\"expect\":{\"allowed\":true}}", text);
    cJSON *r = wrap(case_text, "ignored");
    assert_true(cJSON_Compare(r, want, 1));
    cJSON_Delete(r);
    cJSON_Delete(want);
}

static void expect_malformed(const char *case_text, const char *needle)
{
    cJSON *doc = parse(case_text);
    char why[256];
    cJSON *r = casefile_review(doc, NULL, why, sizeof why);
    cJSON_Delete(doc);
    assert_null(r);
    if (strstr(why, needle) == NULL)
        fail_msg("why \"%s\" lacks \"%s\"", why, needle);
}

static void test_review_malformed(void **state)
{
    (void)state;
    expect_malformed("[]", "JSON object");
    expect_malformed("{\"expect\":{}}", "needs an \"object\"");
    expect_malformed("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"review\":{}}", "not both");
    expect_malformed("{\"review\":[]}", "\"review\" is not an object");
    expect_malformed("{\"object\":{\"kind\":\"Pod\"}}", "apiVersion");
    expect_malformed("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"namespace\":null}", "namespace");
    expect_malformed("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"operation\":1}", "operation");
    expect_malformed("{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},\"dry_run\":\"yes\"}", "dry_run");
}

/* ---- the checker ---- */

static bool fired_a(const char *rule, void *arg)
{
    (void)arg;
    return strcmp(rule, "rule.a") == 0;
}

static bool fired_none(const char *rule, void *arg)
{
    (void)rule;
    (void)arg;
    return false;
}

/* Runs the checker; returns the problem count and leaves the text in *out (caller frees). */
static int check(const char *case_text, const char *response, casefile_rule_fn *fn, char **out)
{
    cJSON *doc = parse(case_text);
    int n = casefile_check(doc, response, fn, NULL, out);
    cJSON_Delete(doc);
    assert_true(n >= 0);
    assert_non_null(*out);
    int lines = 0;
    for (const char *p = *out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, n);
    return n;
}

static void expect_problem(const char *case_text, const char *response, casefile_rule_fn *fn, const char *needle)
{
    char *out = NULL;
    int n = check(case_text, response, fn, &out);
    if (n == 0 || strstr(out, needle) == NULL)
        fail_msg("expected a problem \"%s\", got %d: %s", needle, n, out);
    free(out);
}

static void expect_clean(const char *case_text, const char *response, casefile_rule_fn *fn)
{
    char *out = NULL;
    if (check(case_text, response, fn, &out) != 0)
        fail_msg("unexpected problems: %s", out);
    free(out);
}

#define ENVELOPE "\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\""
#define DENY_CASE                                                                                   \
    "{\"expect\":{\"allowed\":false,\"paths\":[\"spec.env[0].value\"],\"message\":[\"PASSWORD\"], " \
    "\"warnings\":[\"backoffLimit\"],\"rules\":[\"rule.a\"],\"secrets\":[\"hunter2\"]}}"
#define DENIED_OK                                                                                           \
    "{" ENVELOPE ",\"response\":{\"uid\":\"u\",\"allowed\":false,\"status\":{\"code\":403,\"message\":"   \
    "\"plaintext credential in spec.env[0].value (PASSWORD)\"},\"warnings\":[\"set backoffLimit\"]}}"
#define ALLOW_CASE "{\"expect\":{\"allowed\":true,\"paths\":[\"spec.x\"],\"no_warnings\":false}}"
#define QUIET_CASE "{\"expect\":{\"allowed\":true,\"no_warnings\":true}}"

static void test_check_meets_every_key(void **state)
{
    (void)state;
    expect_clean(DENY_CASE, DENIED_OK, fired_a);
    expect_clean(DENY_CASE, DENIED_OK, NULL);   /* without a verdict, rules are not checked */
    expect_clean(ALLOW_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":[\"spec.x is odd\"]}}", NULL);
    expect_clean(QUIET_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true}}", NULL);
    expect_clean(QUIET_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":[]}}", NULL);
}

static void test_check_violations(void **state)
{
    (void)state;
    expect_problem(DENY_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true}}", NULL, "allowed, expected denied");
    expect_problem(QUIET_CASE,
                   "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":\"no\"}}}",
                   NULL, "denied, expected allowed");
    /* denied: the path must be in the message, a warning does not do */
    expect_problem(DENY_CASE,
                   "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":\"PASSWORD\"},"
                   "\"warnings\":[\"backoffLimit spec.env[0].value\"]}}",
                   NULL, "field path spec.env[0].value is not in the denial message");
    /* allowed: the path must be in a warning */
    expect_problem(ALLOW_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":[\"other\"]}}", NULL,
                   "field path spec.x is in no warning");
    expect_problem(DENY_CASE,
                   "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":"
                   "\"spec.env[0].value\"},\"warnings\":[\"backoffLimit\"]}}",
                   NULL, "message lacks \"PASSWORD\"");
    expect_problem(DENY_CASE,
                   "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":"
                   "\"spec.env[0].value PASSWORD\"}}}",
                   NULL, "no warning contains \"backoffLimit\"");
    expect_problem(QUIET_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":[\"hm\"]}}", NULL,
                   "unexpected warnings (1), the first: hm");
    expect_problem(DENY_CASE,
                   "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":400,\"message\":"
                   "\"spec.env[0].value PASSWORD\"},\"warnings\":[\"backoffLimit\"]}}",
                   NULL, "denial without status.code 403");
    expect_problem(DENY_CASE, DENIED_OK, fired_none, "rule rule.a did not fire");
}

/* A planted secret anywhere in the text is a problem, and the report never repeats it. */
static void test_check_secret_withheld(void **state)
{
    (void)state;
    const char *leaky = "{" ENVELOPE ",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":"
                        "\"spec.env[0].value PASSWORD\"},\"warnings\":[\"backoffLimit hunter2\"]}}";
    char *out = NULL;
    cJSON *doc = parse(DENY_CASE);
    int n = casefile_check(doc, leaky, NULL, NULL, &out);
    assert_int_equal(n, 1);
    assert_non_null(strstr(out, "planted secret expect.secrets[0] appears in the response"));
    assert_null(strstr(out, "hunter2"));
    free(out);
    /* quoted warnings are withheld too */
    const char *quiet_leak = "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":[\"hunter2 here\"]}}";
    cJSON *quiet = parse("{\"expect\":{\"allowed\":true,\"no_warnings\":true,\"secrets\":[\"hunter2\"]}}");
    n = casefile_check(quiet, quiet_leak, NULL, NULL, &out);
    assert_int_equal(n, 2);
    assert_non_null(strstr(out, "the first: <withheld> here"));
    assert_null(strstr(out, "hunter2"));
    free(out);
    cJSON_Delete(quiet);
    char *excerpt = casefile_excerpt(doc, leaky, 4096);
    assert_non_null(excerpt);
    assert_null(strstr(excerpt, "hunter2"));
    assert_non_null(strstr(excerpt, "backoffLimit <withheld>"));
    free(excerpt);
    excerpt = casefile_excerpt(doc, leaky, 10);
    assert_non_null(excerpt);
    assert_int_equal(strlen(excerpt), 10);
    free(excerpt);
    cJSON_Delete(doc);
}

static void test_check_bad_response(void **state)
{
    (void)state;
    expect_problem(QUIET_CASE, "DENIED Pod x", NULL, "response is not JSON");
    expect_problem(QUIET_CASE, "", NULL, "response is not JSON");
    expect_problem(QUIET_CASE, "[]", NULL, "response is not a JSON object");
    expect_problem(QUIET_CASE, "{\"apiVersion\":\"v1\",\"kind\":\"AdmissionReview\",\"response\":{\"allowed\":true}}",
                   NULL, "response envelope");
    expect_problem(QUIET_CASE, "{" ENVELOPE "}", NULL, "no \"response\" object");
    expect_problem(QUIET_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":\"yes\"}}", NULL, "response.allowed");
    expect_problem(QUIET_CASE, "{" ENVELOPE ",\"response\":{\"allowed\":true,\"warnings\":\"w\"}}", NULL,
                   "response.warnings is not a list of strings");
}

/* The case's own mistakes are problems too: a checker that skips a misspelt key passes anything. */
static void test_check_malformed_expect(void **state)
{
    (void)state;
    const char *ok = "{" ENVELOPE ",\"response\":{\"allowed\":true}}";
    expect_problem("{}", ok, NULL, "case: no \"expect\" object");
    expect_problem("{\"expect\":{}}", ok, NULL, "case: expect.allowed is not true or false");
    expect_problem("{\"expect\":{\"allowed\":true,\"warning\":[\"x\"]}}", ok, NULL,
                   "case: expect has an unknown key \"warning\"");
    expect_problem("{\"expect\":{\"allowed\":true,\"paths\":\"spec\"}}", ok, NULL,
                   "case: expect.paths is not a list of non-empty strings");
    expect_problem("{\"expect\":{\"allowed\":true,\"secrets\":[\"\"]}}", ok, NULL,
                   "case: expect.secrets is not a list of non-empty strings");
    expect_problem("{\"expect\":{\"allowed\":true,\"no_warnings\":1}}", ok, NULL,
                   "case: expect.no_warnings is not true or false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_defaults),
        cmocka_unit_test(test_review_given_fields),
        cmocka_unit_test(test_review_namespace_precedence),
        cmocka_unit_test(test_review_sent_as_is),
        cmocka_unit_test(test_review_malformed),
        cmocka_unit_test(test_check_meets_every_key),
        cmocka_unit_test(test_check_violations),
        cmocka_unit_test(test_check_secret_withheld),
        cmocka_unit_test(test_check_bad_response),
        cmocka_unit_test(test_check_malformed_expect),
    };
    return cmocka_run_group_tests_name("casefile", tests, NULL, NULL);
}
