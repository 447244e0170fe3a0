/* test_gate.c - the schema gate's logic with a fake history source: when it runs (CREATE,
 * UPDATE of the template or requirement only, never DELETE), what each history answer means,
 * dry runs, on_unreachable, and the words of every denial. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "deadline.h"
#include "decision.h"
#include "review.h"
#include "schema/history.h"
#include "verdict.h"

struct fake_source {
    struct history_source base;
    int rc;
    struct history_result result;
    int calls;
    char last_key[300];
};

static int fake_lookup(struct history_source *base, const struct database_config *db, const struct requirement *r,
                       const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    struct fake_source *f = (struct fake_source *)base;
    assert_true(deadline_ms_left(deadline) > 0);
    f->calls++;
    snprintf(f->last_key, sizeof f->last_key, "%s", r->cache_key);
    if (f->rc != 0)
        return sg_error_set(err, "database %s unreachable (connection refused at 10.0.0.1:5432)", db->name);
    *out = f->result;
    return 0;
}

static const char *config_text =
    "{\"hygiene\": {\"action\": \"off\"},"
    " \"databases\": {"
    "  \"orders\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\", \"namespaces\": [\"shop\", \"shop-*\"]},"
    "  \"legacy\": {\"tool\": \"golang-migrate\", \"conninfo_file\": \"/x\", \"namespaces\": [\"shop\"],"
    "              \"on_unreachable\": \"allow\"},"
    "  \"billing\": {\"tool\": \"liquibase\", \"conninfo_file\": \"/x\", \"namespaces\": [\"billing\"]}}}";

struct world {
    struct config cfg;
    struct fake_source fake;
    struct verdict v;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(config_text, "test.json", &w->cfg, &err), 0);
    w->fake.base.lookup = fake_lookup;
    verdict_init(&w->v);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    verdict_free(&w->v);
    config_free(&w->cfg);
    free(w);
    return 0;
}

static char *deployment(const char *requires, const char *image, int replicas)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"api\","
             "\"namespace\":\"shop\"%s%s%s},\"spec\":{\"replicas\":%d,\"template\":{\"spec\":"
             "{\"containers\":[{\"name\":\"api\",\"image\":\"%s\"}]}}}}",
             requires ? ",\"annotations\":{\"schemagate.io/requires\":\"" : "", requires ? requires : "",
             requires ? "\"}" : "", replicas, image);
    return s;
}

/* Runs the decision on one review and returns whether it was allowed. */
static bool decide(struct world *w, const char *op, const char *ns, bool dry_run, char *object, char *old)
{
    char *body = malloc(4096);
    snprintf(body, 4096,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
             "\"uid\":\"u1\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},"
             "\"name\":\"api\",\"namespace\":\"%s\",\"operation\":\"%s\",\"dryRun\":%s,"
             "\"object\":%s,\"oldObject\":%s}}",
             ns, op, dry_run ? "true" : "false", object ? object : "null", old ? old : "null");
    free(object);
    free(old);
    struct admission_request req;
    struct sg_error err = {{0}};
    if (review_parse(body, strlen(body), &req, &err) != 0)
        fail_msg("%s", err.message);
    verdict_free(&w->v);
    verdict_init(&w->v);
    decision_run(&req, &w->cfg, CHECK_ALL, (struct history_source *)&w->fake, &w->v);
    review_free(&req);
    free(body);   /* parsed in place: req pointed into it */
    return !verdict_denied(&w->v);
}

static const char *denial(const struct world *w)
{
    return w->v.denials.count ? w->v.denials.items[0] : "";
}

static const char *warning(const struct world *w)
{
    return w->v.warnings.count ? w->v.warnings.items[0] : "";
}

static void applied_allows(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true, .satisfied = true};
    assert_true(decide(w, "CREATE", "shop", false, deployment("orders@1_10.0", "api:1", 2), NULL));
    assert_int_equal(w->fake.calls, 1);
    assert_string_equal(w->fake.last_key, "1.10");
    assert_int_equal(w->v.warnings.count, 0);
}

static void not_applied_denies_with_design_message(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true, .has_latest = true,
                                             .latest_version = "1.9", .latest_description = "add_email_index",
                                             .latest_at = "2026-11-20T10:02:11Z"};
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_string_equal(denial(w), "requires orders@1.10 (flyway) but the latest successful migration is 1.9 "
                                   "(add_email_index, 2026-11-20T10:02:11Z); run the migration Job first "
                                   "(Helm pre-upgrade hook, Argo CD PreSync / sync-wave -1)");
    assert_true(verdict_has_rule(&w->v, "schema.not-applied"));

    /* A hole below the latest version is named as such. */
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.5", "api:1", 2), NULL));
    assert_non_null(strstr(denial(w), "1.5 itself is not applied"));

    w->fake.result = (struct history_result){.table_found = false};
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_non_null(strstr(denial(w), "public.flyway_schema_history does not exist yet"));
    w->fake.result = (struct history_result){.table_found = true};
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_non_null(strstr(denial(w), "no successful migration is recorded"));
}

static void failed_names_migration_and_repair(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true, .satisfied = true, .has_failed = true,
                                             .failed_version = "1.8", .failed_description = "backfill"};
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_non_null(strstr(denial(w), "migration 1.8 (backfill) failed"));
    assert_non_null(strstr(denial(w), "flyway repair"));
    assert_true(verdict_has_rule(&w->v, "schema.failed-migration"));

    w->fake.result = (struct history_result){.table_found = true, .has_failed = true, .failed_version = "20240102"};
    assert_false(decide(w, "CREATE", "shop", false, deployment("legacy@20240101", "api:1", 2), NULL));
    assert_non_null(strstr(denial(w), "dirty at version 20240102"));
    assert_non_null(strstr(denial(w), "migrate force"));
}

static void update_only_when_rollout_changes(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true};   /* would deny */
    /* Scaling: same template, same requirement -> no database read, allowed. */
    assert_true(decide(w, "UPDATE", "shop", false, deployment("orders@1.10", "api:1", 5),
                       deployment("orders@1.10", "api:1", 2)));
    assert_int_equal(w->fake.calls, 0);
    /* New image -> gate runs. */
    assert_false(decide(w, "UPDATE", "shop", false, deployment("orders@1.10", "api:2", 2),
                        deployment("orders@1.10", "api:1", 2)));
    assert_int_equal(w->fake.calls, 1);
    /* New requirement -> gate runs. */
    assert_false(decide(w, "UPDATE", "shop", false, deployment("orders@1.10", "api:1", 2),
                        deployment("orders@1.9", "api:1", 2)));
    assert_int_equal(w->fake.calls, 2);
    /* Annotation added to an existing object -> gate runs. */
    assert_false(decide(w, "UPDATE", "shop", false, deployment("orders@1.10", "api:1", 2),
                        deployment(NULL, "api:1", 2)));
    assert_int_equal(w->fake.calls, 3);
    /* DELETE never. */
    assert_true(decide(w, "DELETE", "shop", false, NULL, deployment("orders@1.10", "api:1", 2)));
    /* No annotation: nothing to check. */
    assert_true(decide(w, "CREATE", "shop", false, deployment(NULL, "api:1", 2), NULL));
    assert_int_equal(w->fake.calls, 3);
}

static void static_errors(void **state)
{
    struct world *w = *state;
    assert_false(decide(w, "CREATE", "shop", false, deployment("nosuch@1", "api:1", 2), NULL));
    assert_true(verdict_has_rule(&w->v, "schema.unknown-database"));
    assert_non_null(strstr(denial(w), "may use: orders, legacy"));
    assert_null(strstr(denial(w), "billing"));    /* not listed to namespaces that may not use it */

    assert_false(decide(w, "CREATE", "shop", false, deployment("billing@tag:v1", "api:1", 2), NULL));
    assert_true(verdict_has_rule(&w->v, "schema.namespace-not-allowed"));
    assert_non_null(strstr(denial(w), "namespace shop"));

    assert_false(decide(w, "CREATE", "shop", false, deployment("orders 1.10", "api:1", 2), NULL));
    assert_true(verdict_has_rule(&w->v, "schema.bad-requirement"));
    assert_non_null(strstr(denial(w), "metadata.annotations[\"schemagate.io/requires\"]"));
    assert_non_null(strstr(denial(w), "e.g. \"orders@1.10\""));
    assert_int_equal(w->fake.calls, 0);      /* none of these reach a database */

    /* Namespace globs. */
    w->fake.result = (struct history_result){.table_found = true, .satisfied = true};
    assert_true(decide(w, "CREATE", "shop-eu", false, deployment("orders@1.10", "api:1", 2), NULL));
}

static void all_requirements_must_hold(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true, .satisfied = true};
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10, nosuch@2", "api:1", 2), NULL));
    assert_int_equal(w->fake.calls, 1);
    assert_int_equal(w->v.denials.count, 1);
}

static void dry_run_warns(void **state)
{
    struct world *w = *state;
    w->fake.result = (struct history_result){.table_found = true, .has_latest = true, .latest_version = "1.9"};
    assert_true(decide(w, "CREATE", "shop", true, deployment("orders@1.10", "api:1", 2), NULL));
    assert_non_null(strstr(warning(w), "would be denied now: requires orders@1.10 (flyway)"));
    w->cfg.schema.dry_run_action = SG_ACTION_DENY;
    assert_false(decide(w, "CREATE", "shop", true, deployment("orders@1.10", "api:1", 2), NULL));
    w->cfg.schema.dry_run_action = SG_ACTION_OFF;
    assert_true(decide(w, "CREATE", "shop", true, deployment("orders@1.10", "api:1", 2), NULL));
    assert_int_equal(w->v.warnings.count, 0);
}

static void unreachable_follows_on_unreachable(void **state)
{
    struct world *w = *state;
    w->fake.rc = -1;
    assert_false(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_true(verdict_has_rule(&w->v, "schema.unreachable"));
    assert_non_null(strstr(denial(w), "database orders unreachable (connection refused at 10.0.0.1:5432)"));
    assert_non_null(strstr(denial(w), "on_unreachable: deny"));
    assert_true(decide(w, "CREATE", "shop", false, deployment("legacy@20240101", "api:1", 2), NULL));
    assert_non_null(strstr(warning(w), "allowed without checking legacy@20240101 (on_unreachable: allow)"));

    /* Without any history source (no database access), the same policy applies. */
    struct verdict v;
    verdict_init(&v);
    char *obj = deployment("orders@1.10", "api:1", 2);
    char body[2048];
    snprintf(body, sizeof body,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
             "\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},\"namespace\":\"shop\","
             "\"operation\":\"CREATE\",\"object\":%s}}", obj);
    free(obj);
    struct admission_request req;
    struct sg_error err = {{0}};
    assert_int_equal(review_parse(body, strlen(body), &req, &err), 0);
    decision_run(&req, &w->cfg, CHECK_SCHEMA, NULL, &v);
    assert_true(verdict_denied(&v));
    assert_true(verdict_has_rule(&v, "schema.unreachable"));
    verdict_free(&v);
    review_free(&req);
}

static void schema_off_never_reads(void **state)
{
    struct world *w = *state;
    w->cfg.schema.action = SG_ACTION_OFF;
    assert_true(decide(w, "CREATE", "shop", false, deployment("nosuch@1", "api:1", 2), NULL));
    assert_int_equal(w->fake.calls, 0);
    w->cfg.schema.action = SG_ACTION_WARN;
    w->fake.result = (struct history_result){.table_found = true};
    assert_true(decide(w, "CREATE", "shop", false, deployment("orders@1.10", "api:1", 2), NULL));
    assert_non_null(strstr(warning(w), "requires orders@1.10"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(applied_allows, setup, teardown),
        cmocka_unit_test_setup_teardown(not_applied_denies_with_design_message, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_names_migration_and_repair, setup, teardown),
        cmocka_unit_test_setup_teardown(update_only_when_rollout_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(static_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(all_requirements_must_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_warns, setup, teardown),
        cmocka_unit_test_setup_teardown(unreachable_follows_on_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(schema_off_never_reads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
