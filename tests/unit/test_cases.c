/* test_cases.c - the data-driven suite: every JSON case under tests/cases through the decision core.
 * The case format is described in tests/cases/README.md; lib/casefile.c wraps each case and
 * checks the response (with the rules from the verdict), as sgcase does for the same files
 * through `schemagate review` and HTTPS (tests/e2e/cases.py). */
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
#include "lib/casefile.h"
#include "lib/testutil.h"
#include "review.h"
#include "verdict.h"

struct case_file {
    char *path;
    cJSON *doc;
};

static bool verdict_fired(const char *rule, void *arg)
{
    return verdict_has_rule(arg, rule);
}

/* Reports every problem casefile_check found, with the response (planted secrets withheld). */
static void case_report(const struct case_file *c, const char *problems, const char *response)
{
    char *excerpt = casefile_excerpt(c->doc, response, 2000);
    assert_non_null(excerpt);
    print_error("%s:\n", c->path);
    for (const char *line = problems, *end; (end = strchr(line, '\n')) != NULL; line = end + 1)
        print_error("  %.*s\n", (int)(end - line), line);
    print_error("  response: %s\n", excerpt);
    free(excerpt);
}

static void run_case(void **state)
{
    const struct case_file *c = *state;
    struct config cfg;
    struct sg_error err = {{0}};
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(c->doc, "config");
    if (config) {
        char *text = cJSON_Print(config);
        assert_non_null(text);
        int rc = config_parse(text, c->path, &cfg, &err);
        free(text);
        if (rc != 0)
            fail_msg("%s: config does not load: %s", c->path, err.message);
    } else {
        assert_int_equal(config_defaults(&cfg, &err), 0);
    }

    char why[256];
    cJSON *review_doc = casefile_review(c->doc, NULL, why, sizeof why);
    if (review_doc == NULL)
        fail_msg("%s: %s", c->path, why);
    char *body = cJSON_PrintUnformatted(review_doc);
    cJSON_Delete(review_doc);
    assert_non_null(body);
    struct admission_request req;
    if (review_parse(body, strlen(body), &req, &err) != 0)
        fail_msg("%s: review does not parse: %s", c->path, err.message);

    struct verdict v;
    verdict_init(&v);
    decision_run(&req, &cfg, CHECK_ALL, NULL, &v);
    char *response = review_response_json(&req, &v);
    assert_non_null(response);
    char *problems = NULL;
    int n = casefile_check(c->doc, response, verdict_fired, &v, &problems);
    assert_true(n >= 0);
    if (n > 0)
        case_report(c, problems, response);

    free(problems);
    free(response);
    verdict_free(&v);
    review_free(&req);
    free(body);   /* parsed in place: req pointed into it */
    config_free(&cfg);
    if (n > 0)
        fail();
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
