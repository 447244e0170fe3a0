/* test_secrets_resolve.c - the env table and $(VAR) resolution exactly as Kubernetes does it:
 * sources, earlier-entries-only for env values, envFrom, $$ escapes, unresolved references,
 * shell $VAR through the same table, and the finding landing on the literal's own path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/testutil.h"

#include "secrets/secretref.h"
#include "secrets/secrets.h"

static cJSON *parse(const char *json)
{
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    return doc;
}

static void test_env_table_sources(void **state)
{
    (void)state;
    cJSON *c = parse("{\"name\":\"c\",\"envFrom\":[{\"secretRef\":{\"name\":\"s\"}}],\"env\":["
                     "{\"name\":\"A\",\"value\":\"x\"},"
                     "{\"name\":\"B\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"k\"}}},"
                     "{\"name\":\"C\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"m\",\"key\":\"k\"}}},"
                     "{\"name\":\"D\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.nodeName\"}}},"
                     "{\"name\":\"A\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"a\"}}}]}");
    struct env_table t;
    assert_int_equal(secretref_env_build(&t, c, "spec.containers[0]"), 0);
    assert_true(t.from_secret);
    assert_false(t.from_configmap);
    assert_int_equal(t.count, 5);
    /* Entries keep their place in env[] (the finding's path is CONTAINER.env[index].value). */
    assert_string_equal(t.container_path, "spec.containers[0]");
    assert_int_equal(t.items[0].index, 0);
    assert_int_equal(t.items[4].index, 4);
    assert_int_equal(t.items[1].source, ENV_SECRET);
    assert_int_equal(t.items[2].source, ENV_CONFIGMAP);
    assert_int_equal(t.items[3].source, ENV_FIELD);
    /* The later duplicate wins for command/args; env[2] only sees entries before it. */
    assert_int_equal(secretref_env_lookup(&t, "A", 1, SIZE_MAX)->source, ENV_SECRET);
    assert_int_equal(secretref_env_lookup(&t, "A", 1, 2)->source, ENV_LITERAL);
    assert_null(secretref_env_lookup(&t, "B", 1, 1));
    assert_null(secretref_env_lookup(&t, "Z", 1, SIZE_MAX));
    secretref_env_free(&t);
    cJSON_Delete(c);
}

/* Past 32 entries lookups go through a hash index: every name, prefix and limit must give
 * the entry the plain scan gives (the last one before the limit). */
static void test_long_env_table_lookup_matches_the_plain_scan(void **state)
{
    (void)state;
    static const char *const names[] = {"A", "AB", "B", "A", "ABC", "B_1", "A", "Z"};
    char json[32768] = "{\"name\":\"c\",\"env\":[";
    size_t n = 200;
    for (size_t i = 0; i < n; i++) {
        char e[96];
        snprintf(e, sizeof e, "%s{\"name\":\"%s%s\",\"value\":\"v%zu\"}", i ? "," : "", names[i % 8],
                 i % 16 < 8 ? "" : "_X", i);
        strncat(json, e, sizeof json - strlen(json) - 1);
    }
    strncat(json, "]}", sizeof json - strlen(json) - 1);
    cJSON *c = parse(json);
    struct env_table t;
    assert_int_equal(secretref_env_build(&t, c, "spec.containers[0]"), 0);
    assert_int_equal(t.count, n);
    assert_non_null(t.slots);
    static const char *const probes[] = {"A", "AB", "ABC", "B", "B_1", "Z", "A_X", "Z_X", "", "AA", "ZZ", "B_"};
    for (size_t p = 0; p < sizeof probes / sizeof *probes; p++) {
        for (size_t limit = 0; limit <= n + 1; limit++) {
            const struct env_entry *want = NULL;
            for (size_t i = 0; i < t.count && t.items[i].index < limit; i++)
                if (strcmp(t.items[i].name, probes[p]) == 0)
                    want = &t.items[i];
            size_t lim = limit == n + 1 ? SIZE_MAX : limit;
            assert_ptr_equal(secretref_env_lookup(&t, probes[p], strlen(probes[p]), lim), want);
        }
    }
    secretref_env_free(&t);
    cJSON_Delete(c);
}

struct refs {
    char seen[16][48];
    size_t count;
};

static void collect(const struct ref *r, void *arg)
{
    static const char *const kinds[] = {"k8s", "brace", "dollar", "command", "template", "escaped"};
    struct refs *s = arg;
    snprintf(s->seen[s->count++], 48, "%s:%.*s", kinds[r->kind], (int)r->name_len, r->name ? r->name : "");
}

static void test_reference_scanner(void **state)
{
    (void)state;
    struct refs s = {.count = 0};
    const char *text = "-url=$(DB_HOST):$$(ESC)/${DB}:{{ .Data.password }}:$(cat /x):${{ secrets.X }}:$HOME";
    size_t literal = 0;
    size_t n = secretref_scan(text, strlen(text), 0, collect, &s, &literal);
    assert_int_equal(n, 7);
    assert_string_equal(s.seen[0], "k8s:DB_HOST");
    assert_string_equal(s.seen[1], "escaped:");
    assert_string_equal(s.seen[2], "brace:DB");
    assert_string_equal(s.seen[3], "template:");
    assert_string_equal(s.seen[4], "command:");
    assert_string_equal(s.seen[5], "template:");
    assert_string_equal(s.seen[6], "dollar:HOME");
    assert_true(literal > 0);
    /* Outside a shell, a lower-case $word inside a value is just text (pa$word). */
    s.count = 0;
    assert_int_equal(secretref_scan("pa$word", 7, 0, collect, &s, NULL), 0);
    assert_int_equal(secretref_scan("pa$word", 7, SECRETREF_SHELL, collect, &s, NULL), 1);
    assert_int_equal(secretref_construct_len("{{ .Data.username }}:x", 22), 20);
}

/* The findings' paths of a Pod with this one container, joined by ";". */
static void scan_pod(const char *container_json, char *out, size_t n)
{
    testutil_scan_pod_paths(container_json, out, n);
}

#define SECRET_ENV(name) "{\"name\":\"" name "\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"k\"}}}"

static void test_reference_to_literal_reports_the_literal(void **state)
{
    (void)state;
    char paths[1024];
    scan_pod("{\"name\":\"c\",\"image\":\"flyway/flyway\",\"args\":[\"-password=$(MIGRATION_VALUE)\"],"
             "\"env\":[{\"name\":\"MIGRATION_VALUE\",\"value\":\"hunter2-xy\"}]}", paths, sizeof paths);
    assert_string_equal(paths, "spec.containers[0].env[0].value;");
    scan_pod("{\"name\":\"c\",\"image\":\"flyway/flyway\",\"args\":[\"-password=$(P)\"],"
             "\"env\":[" SECRET_ENV("P") "]}", paths, sizeof paths);
    assert_string_equal(paths, "");
}

/* Long env lists and argv vectors outgrow the tables kept on the stack (64 entries, 32
 * elements); references and paths must come out the same. */
static void test_long_env_and_argv(void **state)
{
    (void)state;
    char container[8192] = "{\"name\":\"c\",\"image\":\"flyway/flyway\",\"env\":[";
    for (int i = 0; i < 70; i++)
        snprintf(container + strlen(container), sizeof container - strlen(container), "%s{\"name\":\"V%d\",\"value\":\"%s\"}",
                 i ? "," : "", i, i == 66 ? "hunter2-long" : "plain");
    strncat(container, "],\"args\":[", sizeof container - strlen(container) - 1);
    for (int i = 0; i < 40; i++)
        snprintf(container + strlen(container), sizeof container - strlen(container), "%s\"%s\"", i ? "," : "",
                 i == 38 ? "-password=$(V66)" : "-x");
    strncat(container, "]}", sizeof container - strlen(container) - 1);
    char paths[1024];
    scan_pod(container, paths, sizeof paths);
    assert_string_equal(paths, "spec.containers[0].env[66].value;");
}

static void test_env_value_sees_only_earlier_entries(void **state)
{
    (void)state;
    char paths[1024];
    /* V is defined after FLYWAY_PASSWORD: Kubernetes leaves "$(V)" as text, nothing leaks. */
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"env\":[{\"name\":\"FLYWAY_PASSWORD\",\"value\":\"$(V)\"},"
             "{\"name\":\"V\",\"value\":\"abc-later-1\"}]}", paths, sizeof paths);
    assert_string_equal(paths, "");
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"env\":[{\"name\":\"V\",\"value\":\"abc-earlier-1\"},"
             "{\"name\":\"FLYWAY_PASSWORD\",\"value\":\"$(V)\"}]}", paths, sizeof paths);
    assert_string_equal(paths, "spec.containers[0].env[0].value;");
}

static void test_envfrom_escape_and_unresolved(void **state)
{
    (void)state;
    char paths[1024];
    scan_pod("{\"name\":\"c\",\"image\":\"flyway/flyway\",\"envFrom\":[{\"secretRef\":{\"name\":\"db\"}}],"
             "\"args\":[\"-password=$(DB_PASSWORD)\",\"-user=$$(DB_USER)\"]}", paths, sizeof paths);
    assert_string_equal(paths, "");
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"command\":[\"sh\",\"-c\",\"export PGPASSWORD=$(cat /run/pw); psql\"]}",
             paths, sizeof paths);
    assert_string_equal(paths, "");
}

static void test_shell_variable_resolution(void **state)
{
    (void)state;
    char paths[1024];
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"command\":[\"sh\",\"-c\",\"PGPASSWORD=\\\"$BKP\\\" pg_dump app\"],"
             "\"env\":[{\"name\":\"BKP\",\"value\":\"shell-literal-9\"}]}", paths, sizeof paths);
    assert_string_equal(paths, "spec.containers[0].env[0].value;");
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"command\":[\"sh\",\"-c\",\"PGPASSWORD=\\\"${DB_PASSWORD}\\\" psql\"],"
             "\"env\":[" SECRET_ENV("DB_PASSWORD") "]}", paths, sizeof paths);
    assert_string_equal(paths, "");
    /* A script variable holding a literal, used later. */
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"command\":[\"bash\",\"-c\",\"P=local-lit-7\\nmysql -uroot -p$P\"]}",
             paths, sizeof paths);
    assert_string_equal(paths, "spec.containers[0].command[2];");
}

static void test_probe_exec_is_not_expanded(void **state)
{
    (void)state;
    char paths[1024];
    /* Kubernetes does not expand $(X) in exec probes: "$(X)" is a shell command substitution. */
    scan_pod("{\"name\":\"c\",\"image\":\"x\",\"env\":[{\"name\":\"X\",\"value\":\"ordinary\"}],"
             "\"livenessProbe\":{\"exec\":{\"command\":[\"mysqladmin\",\"ping\",\"-p$(X)\"]}}}", paths, sizeof paths);
    assert_string_equal(paths, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_table_sources),
        cmocka_unit_test(test_long_env_table_lookup_matches_the_plain_scan),
        cmocka_unit_test(test_reference_scanner),
        cmocka_unit_test(test_reference_to_literal_reports_the_literal),
        cmocka_unit_test(test_long_env_and_argv),
        cmocka_unit_test(test_env_value_sees_only_earlier_entries),
        cmocka_unit_test(test_envfrom_escape_and_unresolved),
        cmocka_unit_test(test_shell_variable_resolution),
        cmocka_unit_test(test_probe_exec_is_not_expanded),
    };
    return cmocka_run_group_tests_name("secretref", tests, NULL, NULL);
}
