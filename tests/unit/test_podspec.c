/* test_podspec.c - pod-spec discovery for every kind, with the exact field paths the checks
 * report, and the container walk order (init, app, ephemeral). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fieldpath.h"
#include "podspec.h"

static const char pod_spec_json[] =
    "{\"initContainers\":[{\"name\":\"migrate\"}],"
    "\"containers\":[{\"name\":\"app\"},\"not-an-object\",{\"name\":\"sidecar\"}],"
    "\"ephemeralContainers\":[{\"name\":\"debug\"}]}";

/* Wraps the pod spec under the given key path and returns the object. */
static cJSON *object_with_spec(const char *const *keys)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *at = root;
    for (; keys[1]; keys++)
        at = cJSON_AddObjectToObject(at, keys[0]);
    cJSON_AddItemToObject(at, keys[0], cJSON_Parse(pod_spec_json));
    return root;
}

struct walk_log {
    char lines[8][FIELDPATH_MAX + 32];
    size_t n;
};

static int record(const struct container_view *c, void *ctx)
{
    struct walk_log *log = ctx;
    if (log->n < 8)
        snprintf(log->lines[log->n++], sizeof log->lines[0], "%s=%s", c->path.text, c->name);
    return 0;
}

static void test_every_kind(void **state)
{
    (void)state;
    static const char *const templated[] = {"spec", "template", "spec", NULL};
    static const char *const pod[] = {"spec", NULL};
    static const char *const cron[] = {"spec", "jobTemplate", "spec", "template", "spec", NULL};
    static const char *const podtemplate[] = {"template", "spec", NULL};
    static const struct {
        const char *group, *kind;
        const char *const *keys;
        const char *path;
    } kinds[] = {
        {"", "Pod", pod, "spec"},
        {"apps", "Deployment", templated, "spec.template.spec"},
        {"apps", "ReplicaSet", templated, "spec.template.spec"},
        {"apps", "StatefulSet", templated, "spec.template.spec"},
        {"apps", "DaemonSet", templated, "spec.template.spec"},
        {"batch", "Job", templated, "spec.template.spec"},
        {"", "ReplicationController", templated, "spec.template.spec"},
        {"argoproj.io", "Rollout", templated, "spec.template.spec"},
        {"batch", "CronJob", cron, "spec.jobTemplate.spec.template.spec"},
        {"", "PodTemplate", podtemplate, "template.spec"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        cJSON *obj = object_with_spec(kinds[i].keys);
        struct pod_spec ps;
        assert_true(podspec_find(kinds[i].group, kinds[i].kind, obj, &ps));
        assert_string_equal(ps.spec_path, kinds[i].path);
        assert_string_equal(podspec_path_for_kind(kinds[i].group, kinds[i].kind), kinds[i].path);
        struct walk_log log = {.n = 0};
        podspec_foreach_container(&ps, record, &log);
        assert_int_equal(log.n, 4);
        char want[FIELDPATH_MAX + 32];
        snprintf(want, sizeof want, "%s.initContainers[0]=migrate", kinds[i].path);
        assert_string_equal(log.lines[0], want);
        snprintf(want, sizeof want, "%s.containers[0]=app", kinds[i].path);
        assert_string_equal(log.lines[1], want);
        /* index 1 is not an object: skipped, but the index of the next one stays exact */
        snprintf(want, sizeof want, "%s.containers[2]=sidecar", kinds[i].path);
        assert_string_equal(log.lines[2], want);
        snprintf(want, sizeof want, "%s.ephemeralContainers[0]=debug", kinds[i].path);
        assert_string_equal(log.lines[3], want);
        cJSON_Delete(obj);
    }
}

static void test_template_metadata_path(void **state)
{
    (void)state;
    cJSON *obj = cJSON_Parse("{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{}},"
                             "\"spec\":{\"containers\":[]}}}}}}");
    struct pod_spec ps;
    assert_true(podspec_find("batch", "CronJob", obj, &ps));
    assert_non_null(ps.template_metadata);
    assert_string_equal(ps.template_metadata_path, "spec.jobTemplate.spec.template.metadata");
    assert_ptr_equal(podspec_template("batch", "CronJob", obj),
                     cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "spec"),
                                                          "jobTemplate"), "spec"), "template"));
    cJSON_Delete(obj);
}

static void test_unknown_and_malformed(void **state)
{
    (void)state;
    struct pod_spec ps;
    cJSON *obj = cJSON_Parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}");
    assert_false(podspec_find("example.com", "Widget", obj, &ps));
    assert_false(podspec_find("", "ConfigMap", obj, &ps));
    assert_null(podspec_path_for_kind("", "Service"));
    /* A CRD named like a built-in kind in another group is not read as one. */
    assert_false(podspec_find("example.com", "Deployment", obj, &ps));
    cJSON_Delete(obj);
    obj = cJSON_Parse("{\"spec\":{\"template\":\"oops\"}}");
    assert_false(podspec_find("apps", "Deployment", obj, &ps));
    cJSON_Delete(obj);
    assert_false(podspec_find("apps", "Deployment", NULL, &ps));
    /* Containers that are not a list are ignored, not a crash. */
    obj = cJSON_Parse("{\"spec\":{\"containers\":{\"name\":\"x\"}}}");
    assert_true(podspec_find("", "Pod", obj, &ps));
    struct walk_log log = {.n = 0};
    podspec_foreach_container(&ps, record, &log);
    assert_int_equal(log.n, 0);
    cJSON_Delete(obj);
}

static void test_fieldpath(void **state)
{
    (void)state;
    struct field_path p;
    fieldpath_init(&p, "metadata");
    size_t m = fieldpath_push_key(&p, "annotations");
    fieldpath_push_key(&p, "schemagate.io/requires");
    assert_string_equal(p.text, "metadata.annotations[\"schemagate.io/requires\"]");
    fieldpath_pop(&p, m);
    assert_string_equal(p.text, "metadata");
    fieldpath_push_key(&p, "env");
    fieldpath_push_index(&p, 12);
    fieldpath_push_key(&p, "value");
    assert_string_equal(p.text, "metadata.env[12].value");
    fieldpath_init(&p, "data");
    fieldpath_push_key(&p, "we\"ird");
    assert_string_equal(p.text, "data[\"we\\\"ird\"]");
    /* Over-long paths are cut and marked, never overflowed. */
    char long_key[FIELDPATH_MAX * 2];
    memset(long_key, 'a', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    fieldpath_init(&p, "spec");
    fieldpath_push_key(&p, long_key);
    assert_int_equal(strlen(p.text), FIELDPATH_MAX - 1);
    assert_string_equal(p.text + FIELDPATH_MAX - 4, "...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_template_metadata_path),
        cmocka_unit_test(test_unknown_and_malformed),
        cmocka_unit_test(test_fieldpath),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
