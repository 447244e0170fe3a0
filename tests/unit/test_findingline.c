/* test_findingline.c - a finding's field path back to its input line (webhook/cli/findingline.c
 * over the line map webhook/yamldoc.c fills): keys, indexes, quoted keys, paths that leave the
 * object early, messages without a path, and JSON input (pretty-printed as `kubectl get -o json`
 * writes it, in a stream: each value's own line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/findingline.h"
#include "docstream.h"

static const char YAML[] =
    "apiVersion: batch/v1\n"                              /* 1 */
    "kind: Job\n"
    "metadata:\n"
    "  name: m\n"
    "  annotations:\n"                                    /* 5 */
    "    schemagate.io/requires: orders@1\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"                                 /* 10 */
    "      - name: a\n"
    "        env:\n"
    "        - name: X\n"
    "          value: one\n"
    "        - name: PASSWORD\n"                          /* 15 */
    "          value: two\n";

static void test_paths(void **state)
{
    (void)state;
    struct doc_list docs;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_parse(YAML, strlen(YAML), &docs, &err), 0);
    const cJSON *obj = docs.items[0].json;
    assert_int_equal(finding_line(obj, "plaintext credential in spec.template.spec.containers[0].env[1].value "
                                       "(PASSWORD); use valueFrom.secretKeyRef", docs.lines), 16);
    assert_int_equal(finding_line(obj, "metadata.annotations[\"schemagate.io/requires\"]: bad", docs.lines), 6);
    /* a path past what the object has: the deepest value that exists (env: its first "- ") */
    assert_int_equal(finding_line(obj, "spec.template.spec.containers[0].env[7].value", docs.lines), 13);
    /* a mapping's line is its first key's */
    assert_int_equal(finding_line(obj, "spec.template.spec.initContainers[0]", docs.lines), 10);
    /* no path: the object's own line */
    assert_int_equal(finding_line(obj, "flyway without -connectRetries", docs.lines), 1);
    /* "metadata" inside a word is not a path */
    assert_int_equal(finding_line(obj, "xmetadata.name", docs.lines), 1);
    doc_list_free(&docs);

    const char json[] = "{\"spec\": {\"a\": 1}}";
    assert_int_equal(docstream_parse(json, strlen(json), &docs, &err), 0);
    assert_int_equal(finding_line(docs.items[0].json, "spec.a", docs.lines), 1);
    doc_list_free(&docs);
}

static const char JSON[] =
    "{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\"}\n"            /* 1 */
    "{\n"
    "    \"apiVersion\": \"batch/v1\",\n"
    "    \"kind\": \"Job\",\n"
    "    \"metadata\": {\n"                                          /* 5 */
    "        \"annotations\": {\n"
    "            \"schemagate.io/requires\": \"orders@1\"\n"
    "        },\n"
    "        \"name\": \"m\"\n"
    "    },\n"                                                        /* 10 */
    "    \"spec\": {\n"
    "        \"template\": {\n"
    "            \"spec\": {\n"
    "                \"containers\": [\n"
    "                    {\n"                                         /* 15 */
    "                        \"env\": [\n"
    "                            {\"name\": \"X\", \"value\": \"one\"},\n"
    "                            {\n"
    "                                \"name\": \"PASSWORD\",\n"
    "                                \"value\": \"two\"\n"              /* 20 */
    "                            }\n"
    "                        ],\n"
    "                        \"name\": \"a\"\n"
    "                    }\n"
    "                ]\n"                                             /* 25 */
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n";

static void test_json_paths(void **state)
{
    (void)state;
    struct doc_list docs;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_parse(JSON, strlen(JSON), &docs, &err), 0);
    assert_int_equal(docs.count, 2);
    const cJSON *obj = docs.items[1].json;
    assert_int_equal(finding_line(obj, "plaintext credential in spec.template.spec.containers[0].env[1].value "
                                       "(PASSWORD); use valueFrom.secretKeyRef", docs.lines), 20);
    assert_int_equal(finding_line(obj, "spec.template.spec.containers[0].env[0].value", docs.lines), 17);
    assert_int_equal(finding_line(obj, "metadata.annotations[\"schemagate.io/requires\"]: bad", docs.lines), 7);
    assert_int_equal(finding_line(obj, "spec.template.spec.containers[0].env[7].value", docs.lines), 16);
    assert_int_equal(finding_line(obj, "flyway without -connectRetries", docs.lines), 2);
    doc_list_free(&docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_json_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
