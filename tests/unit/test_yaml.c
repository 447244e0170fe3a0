/* test_yaml.c - the review input reader (webhook/docstream.c, webhook/yamldoc.c over libyaml):
 * each YAML construct kubectl, Helm and people write, anchors and merge keys, the errors for
 * what JSON cannot hold (each naming its line), and a round trip over real kubectl-written
 * objects: tests/data/yaml/X.yaml must read equal to tests/data/yaml/X.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/testutil.h"
#include "docstream.h"

/* Parses yaml and checks it equals the JSON text want (strict number/type comparison). */
static void expect_yaml(const char *yaml, const char *want)
{
    struct sg_error err = {{0}};
    cJSON *got = yaml_or_json_parse(yaml, strlen(yaml), &err);
    if (got == NULL)
        fail_msg("parse failed: %s\n--- input:\n%s", err.message, yaml);
    cJSON *expected = cJSON_Parse(want);
    assert_non_null(expected);
    if (!cJSON_Compare(got, expected, 1)) {
        char *s = cJSON_PrintUnformatted(got);
        fail_msg("got %s\nwant %s\n--- input:\n%s", s, want, yaml);
    }
    cJSON_Delete(got);
    cJSON_Delete(expected);
}

/* Parses yaml, expects a failure whose message contains each of the given fragments. */
static void expect_error(const char *yaml, const char *fragment, const char *fragment2)
{
    struct sg_error err = {{0}};
    cJSON *got = yaml_or_json_parse(yaml, strlen(yaml), &err);
    if (got != NULL) {
        char *s = cJSON_PrintUnformatted(got);
        fail_msg("expected an error containing \"%s\", got %s\n--- input:\n%s", fragment, s, yaml);
    }
    if (strstr(err.message, fragment) == NULL || (fragment2 && strstr(err.message, fragment2) == NULL))
        fail_msg("error \"%s\" lacks \"%s\"%s%s", err.message, fragment,
                 fragment2 ? " / " : "", fragment2 ? fragment2 : "");
}

/* ---- block collections ---- */

static void test_block_mapping(void **state)
{
    (void)state;
    expect_yaml("a: 1\nb: two\n", "{\"a\":1,\"b\":\"two\"}");
    expect_yaml("a:\n  b:\n    c: deep\n  d: x\ne: y", "{\"a\":{\"b\":{\"c\":\"deep\"},\"d\":\"x\"},\"e\":\"y\"}");
    expect_yaml("  a: 1\n  b: 2\n", "{\"a\":1,\"b\":2}");   /* an indented root is fine */
    expect_yaml("a: 1\r\nb:\r\n  c: 2\r\n", "{\"a\":1,\"b\":{\"c\":2}}");
    expect_yaml("\xEF\xBB\xBF" "a: 1\n", "{\"a\":1}");
}

static void test_keys(void **state)
{
    (void)state;
    expect_yaml("metadata:\n  annotations:\n    schemagate.io/requires: orders.status\n"
                "    app.kubernetes.io/name: shop\n",
                "{\"metadata\":{\"annotations\":{\"schemagate.io/requires\":\"orders.status\","
                "\"app.kubernetes.io/name\":\"shop\"}}}");
    expect_yaml("\"helm.sh/hook\": pre-install\n'it''s': x\n\"a:b\" : c\n",
                "{\"helm.sh/hook\":\"pre-install\",\"it's\":\"x\",\"a:b\":\"c\"}");
    expect_yaml("true: 1\n5432: x\nnull: y\n", "{\"true\":1,\"5432\":\"x\",\"null\":\"y\"}");
    expect_yaml("url: http://db:5432/x\nkey with spaces  : v\n",
                "{\"url\":\"http://db:5432/x\",\"key with spaces\":\"v\"}");
}

static void test_block_sequence(void **state)
{
    (void)state;
    expect_yaml("- a\n- b\n-   c\n", "[\"a\",\"b\",\"c\"]");
    expect_yaml("args:\n  - --port\n  - \"8080\"\n", "{\"args\":[\"--port\",\"8080\"]}");
    expect_yaml("- - a\n  - b\n- - c\n", "[[\"a\",\"b\"],[\"c\"]]");
    expect_yaml("-\n  a: 1\n-\n- x\n", "[{\"a\":1},null,\"x\"]");
    expect_yaml("- name: a\n  image: nginx\n- name: b\n", "[{\"name\":\"a\",\"image\":\"nginx\"},{\"name\":\"b\"}]");
}

static void test_compact_sequence(void **state)
{
    (void)state;
    /* kubectl's style: the "- " of a list under a key at the key's own indentation. */
    expect_yaml("spec:\n  containers:\n  - name: web\n    ports:\n    - containerPort: 80\n"
                "    env: []\n  - name: side\n  restartPolicy: Never\n",
                "{\"spec\":{\"containers\":[{\"name\":\"web\",\"ports\":[{\"containerPort\":80}],"
                "\"env\":[]},{\"name\":\"side\"}],\"restartPolicy\":\"Never\"}}");
    expect_yaml("a:\n- 1\n- 2\nb: 3\n", "{\"a\":[1,2],\"b\":3}");
}

/* ---- scalars ---- */

static void test_plain_types(void **state)
{
    (void)state;
    expect_yaml("a: true\nb: False\nc: TRUE\nd: null\ne: ~\nf:\ng: Null\n",
                "{\"a\":true,\"b\":false,\"c\":true,\"d\":null,\"e\":null,\"f\":null,\"g\":null}");
    expect_yaml("a: 42\nb: -7\nc: +3\nd: 0.5\ne: .5\nf: 1e3\ng: -2.5E-2\nh: 0x1F\ni: 0o17\nj: 007\n",
                "{\"a\":42,\"b\":-7,\"c\":3,\"d\":0.5,\"e\":0.5,\"f\":1000,\"g\":-0.025,\"h\":31,\"i\":15,\"j\":7}");
    /* YAML 1.2 core: only these are special; everything else is a string. */
    expect_yaml("a: yes\nb: on\nc: 1_000\nd: 0x\ne: 1.2.3\nf: 500m\ng: '-'\nh: 1e\ni: nan\n",
                "{\"a\":\"yes\",\"b\":\"on\",\"c\":\"1_000\",\"d\":\"0x\",\"e\":\"1.2.3\",\"f\":\"500m\","
                "\"g\":\"-\",\"h\":\"1e\",\"i\":\"nan\"}");
    expect_yaml("a: -x\nb: :x\nc: ?x\nd: a#b\ne: a, b [c] {d}\n",
                "{\"a\":\"-x\",\"b\":\":x\",\"c\":\"?x\",\"d\":\"a#b\",\"e\":\"a, b [c] {d}\"}");
}

static void test_quoted_strings_stay_strings(void **state)
{
    (void)state;
    expect_yaml("port: \"5432\"\ndebug: 'true'\nnone: \"null\"\nempty: \"\"\ne2: ''\n",
                "{\"port\":\"5432\",\"debug\":\"true\",\"none\":\"null\",\"empty\":\"\",\"e2\":\"\"}");
    expect_yaml("a: !!str 5432\nb: !!str true\n", "{\"a\":\"5432\",\"b\":\"true\"}");
}

static void test_double_quoted_escapes(void **state)
{
    (void)state;
    expect_yaml("a: \"x\\ny\\t\\\"q\\\" \\\\ \\/\"\n", "{\"a\":\"x\\ny\\t\\\"q\\\" \\\\ /\"}");
    expect_yaml("a: \"caf\\u00e9 \\x41 \\U0001F600\"\n", "{\"a\":\"caf\\u00e9 A \\ud83d\\ude00\"}");
    /* YAML escapes name code points: a surrogate half is not one (JSON's \\uD83D\\uDE00 is) */
    expect_error("a: \"\\uD83D\\uDE00\"\n", "line 1", "Unicode");
    expect_yaml("a: \"# not a comment\" # a comment\n", "{\"a\":\"# not a comment\"}");
    expect_yaml("a: 'it''s # here'\n", "{\"a\":\"it's # here\"}");
    expect_yaml("a: 'back\\slash \"q\"'\n", "{\"a\":\"back\\\\slash \\\"q\\\"\"}");
}

static void test_multiline_flow_scalars(void **state)
{
    (void)state;
    /* kubectl folds long strings across lines, plain or double-quoted. */
    expect_yaml("description: a fairly long\n  sentence that\n\n  goes on\nnext: x\n",
                "{\"description\":\"a fairly long sentence that\\ngoes on\",\"next\":\"x\"}");
    expect_yaml("a: \"first \\nsecond and\n  third \\\n  fourth\"\n",
                "{\"a\":\"first \\nsecond and third fourth\"}");
    expect_yaml("a: 'one\n\n  two'\n", "{\"a\":\"one\\ntwo\"}");
    expect_yaml("- item\n  continued\n- next\n", "[\"item continued\",\"next\"]");
}

static void test_literal_block(void **state)
{
    (void)state;
    expect_yaml("script: |\n  set -e\n    indented\n\n  last\nafter: 1\n",
                "{\"script\":\"set -e\\n  indented\\n\\nlast\\n\",\"after\":1}");
    expect_yaml("a: |-\n  no newline\n\n\nb: 1\n", "{\"a\":\"no newline\",\"b\":1}");
    expect_yaml("a: |+\n  keep\n\n\nb: 1\n", "{\"a\":\"keep\\n\\n\\n\",\"b\":1}");
    expect_yaml("a: |\n  clip\n\n\n", "{\"a\":\"clip\\n\"}");
    expect_yaml("a: |2\n    two extra\n  base\n", "{\"a\":\"  two extra\\nbase\\n\"}");
    expect_yaml("a: |1-\n   x\n", "{\"a\":\"  x\"}");
    expect_yaml("a: |\nb: 1\n", "{\"a\":\"\",\"b\":1}");
    expect_yaml("a: | # comment\n  # not a comment\n", "{\"a\":\"# not a comment\\n\"}");
    expect_yaml("- |\n  in a list\n- x\n", "[\"in a list\\n\",\"x\"]");
    expect_yaml("a: |\n  tab\there\n  \ttab start\n", "{\"a\":\"tab\\there\\n\\ttab start\\n\"}");
}

static void test_folded_block(void **state)
{
    (void)state;
    expect_yaml("a: >\n  one\n  two\n\n  three\n", "{\"a\":\"one two\\nthree\\n\"}");
    expect_yaml("a: >-\n  one\n  two\n", "{\"a\":\"one two\"}");
    expect_yaml("a: >\n  normal\n    more\n  back\n", "{\"a\":\"normal\\n  more\\nback\\n\"}");
    expect_yaml("a: >+\n  x\n\n", "{\"a\":\"x\\n\\n\"}");
}

static void test_helm_script(void **state)
{
    (void)state;
    expect_yaml("containers:\n  - name: migrate\n    command: [\"sh\", \"-c\"]\n    args:\n      - |\n"
                "        set -eu\n        echo \"db: ${DB_HOST}\"  # shell comment\n\n"
                "        flyway migrate \\\n          -url=x\n    image: flyway\n",
                "{\"containers\":[{\"name\":\"migrate\",\"command\":[\"sh\",\"-c\"],\"args\":"
                "[\"set -eu\\necho \\\"db: ${DB_HOST}\\\"  # shell comment\\n\\nflyway migrate \\\\\\n  -url=x\\n\"],"
                "\"image\":\"flyway\"}]}");
}

static void test_last_applied_annotation(void **state)
{
    (void)state;
    expect_yaml("metadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n"
                "      {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"a\":\"b: c # d\"}}\n"
                "  name: x\n",
                "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":"
                "\"{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"ConfigMap\\\",\\\"data\\\":{\\\"a\\\":\\\"b: c # d\\\"}}\\n\"},"
                "\"name\":\"x\"}}");
}

/* ---- flow collections, comments, documents ---- */

static void test_flow_collections(void **state)
{
    (void)state;
    expect_yaml("a: []\nb: {}\nc: [x, 'y', \"z\", 1, true, null]\n",
                "{\"a\":[],\"b\":{},\"c\":[\"x\",\"y\",\"z\",1,true,null]}");
    expect_yaml("limits: {cpu: 500m, memory: 256Mi, \"gpu\": 1}\n",
                "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\",\"gpu\":1}}");
    expect_yaml("a: [[1, 2], {b: [c]}, {}, [], ]  # comment\n", "{\"a\":[[1,2],{\"b\":[\"c\"]},{},[]]}");
    expect_yaml("a: {x, y: , z: 1}\n", "{\"a\":{\"x\":null,\"y\":null,\"z\":1}}");
    expect_yaml("a: {\"k\":\"v\",\"n\":2}\n", "{\"a\":{\"k\":\"v\",\"n\":2}}");
    expect_yaml("- [a, b]\n- {c: d}\n", "[[\"a\",\"b\"],{\"c\":\"d\"}]");
    expect_yaml("{a: 1, b: [2]}\n", "{\"a\":1,\"b\":[2]}");   /* not JSON, but YAML flow */
}

static void test_comments(void **state)
{
    (void)state;
    expect_yaml("# header\na: 1 # trailing\n  # indented comment\n# col 0 comment inside\nb:   # empty\n"
                "  c: x#y\n", "{\"a\":1,\"b\":{\"c\":\"x#y\"}}");
    expect_yaml("a:\n  # comment before the list\n  - 1\n\n  # between\n  - 2\n", "{\"a\":[1,2]}");
}

static void test_documents(void **state)
{
    (void)state;
    expect_yaml("---\na: 1\n", "{\"a\":1}");
    expect_yaml("# c\n--- # start\na: 1\n...\n", "{\"a\":1}");
    expect_yaml("a: 1\n---\n", "{\"a\":1}");
    expect_yaml("--- {a: 1}\n", "{\"a\":1}");
    expect_error("--- a: 1\n", "line 1, column 6", "not allowed");
    expect_yaml("a: 1\n---\n# only a comment\n", "{\"a\":1}");
    expect_error("a: 1\n---\nb: 2\n", "line 3:", "one object at a time");
    expect_error("---\na: 1\n--- b: 2\n", "line 3, column 6", "");
    expect_error("a: 1\n...\nb: 2\n", "line 3", "document start");
    expect_error("# nothing\n---\n", "no object", NULL);
    expect_error("", "empty", NULL);
}

static void test_json_still_works(void **state)
{
    (void)state;
    expect_yaml("{\"a\": [1, \"2\", {\"b\": null}]}", "{\"a\":[1,\"2\",{\"b\":null}]}");
    expect_yaml("\n  [1,\n 2]\n", "[1,2]");
    expect_error("{\"a\": 1,\n\"b\": }", "line 2: not valid JSON", NULL);   /* never re-read as YAML */
    expect_error("[1, 2,]", "line 1: not valid JSON", NULL);
    expect_error("{\"a\": 1, \"a\": 2}", "line 1", "key \"a\" twice");
    expect_error("{\"a\": {\"b\": 1,\n \"b\": 2}}", "line 1", "key \"b\" twice");
    expect_yaml("{a: 'x\n  y'}\n", "{\"a\":\"x y\"}");   /* YAML flow, over two lines */
    expect_error("{\"a\": 1}\n{\"b\": 2}", "line 2", "one object at a time");
}

/* ---- what is refused, with its line ---- */

static void test_unsupported_constructs(void **state)
{
    (void)state;
    expect_error("a: 1\nb: *ref\n", "line 2, column 4", "names no anchor");
    expect_error("a: !!int 5\n", "line 1, column 4", "tags");
    expect_error("a: !custom x\n", "line 1, column 4", "tags");
    expect_error("a:\n  ? [complex]\n  : value\n", "line 2", "complex keys");
    expect_error("a:\n  *k : value\n", "line 2", "alias as a key");
    expect_error("a: {b: 1\n", "line 2", "never closed");
    expect_error("a: .inf\n", "line 1", "infinity");
    expect_error("a: \"x\\0y\"\n", "line 1", "NUL");
    expect_yaml("%YAML 1.1\n---\na: [1,\n  2]\nb: [x: 1]\n", "{\"a\":[1,2],\"b\":[{\"x\":1}]}");
    expect_yaml("a:\n  ? simple\n  : value\n", "{\"a\":{\"simple\":\"value\"}}");
}

/* ---- anchors, aliases, merge keys: expanded, within a bound ---- */

static void test_anchors(void **state)
{
    (void)state;
    expect_yaml("a: &n settings\nb: *n\n", "{\"a\":\"settings\",\"b\":\"settings\"}");
    expect_yaml("base: &b {cpu: 1, mem: 2Gi}\nx: *b\n",
                "{\"base\":{\"cpu\":1,\"mem\":\"2Gi\"},\"x\":{\"cpu\":1,\"mem\":\"2Gi\"}}");
    expect_yaml("l: &l [1, 2]\nm: [*l, *l]\n", "{\"l\":[1,2],\"m\":[[1,2],[1,2]]}");
    /* an anchor lives in its document only */
    expect_error("a: &x 1\n---\nb: *x\n", "line 3", "names no anchor");
    /* a later anchor of the same name replaces the earlier one */
    expect_yaml("a: &x 1\nb: &x 2\nc: *x\n", "{\"a\":1,\"b\":2,\"c\":2}");
    /* merge keys: explicit keys win wherever they are; the first source wins over later ones */
    expect_yaml("d: &d {a: 1, b: 2}\ne: &e {b: 3, c: 4}\nx:\n  b: 9\n  <<: [*d, *e]\n",
                "{\"d\":{\"a\":1,\"b\":2},\"e\":{\"b\":3,\"c\":4},\"x\":{\"b\":9,\"a\":1,\"c\":4}}");
    expect_yaml("d: &d {a: 1}\nx:\n  <<: *d\n  z: 0\n", "{\"d\":{\"a\":1},\"x\":{\"z\":0,\"a\":1}}");
    expect_error("x:\n  <<: 5\n", "line 2", "merge key");
    expect_error("x:\n  a: 1\n  <<: {b: 1}\n  <<: {c: 1}\n", "line 4", "duplicate key \"<<\"");
    expect_yaml("x:\n  \"<<\": 5\n", "{\"x\":{\"<<\":5}}");   /* quoted: an ordinary key */
}

static void test_alias_bomb(void **state)
{
    (void)state;
    /* billion laughs: ten levels of ten aliases each would be 10^10 values */
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    expect_error(text, "alias bomb", "line 6");
    /* the same shape three levels deep is fine */
    n = (size_t)snprintf(text, sizeof text, "a0: &a0 [x, x]\na1: &a1 [*a0, *a0]\na2: [*a1, *a1]\n");
    expect_yaml(text, "{\"a0\":[\"x\",\"x\"],\"a1\":[[\"x\",\"x\"],[\"x\",\"x\"]],"
                "\"a2\":[[[\"x\",\"x\"],[\"x\",\"x\"]],[[\"x\",\"x\"],[\"x\",\"x\"]]]}");
    /* aliases copy whole subtrees */
    expect_yaml("a: &a {b: {c: 1}}\nd: {e: *a}\n", "{\"a\":{\"b\":{\"c\":1}},\"d\":{\"e\":{\"b\":{\"c\":1}}}}");
}

static void test_tabs(void **state)
{
    (void)state;
    expect_error("a:\n\tb: 1\n", "line 2", "spaces, not tabs");
    expect_error("a:\n  b: 1\n \tc: 2\n", "line 3", "tab");
    expect_error("-\tx\n", "line 1", "tab");
    expect_yaml("a:\t1\nb: x\ty\n# \tcomment\n", "{\"a\":1,\"b\":\"x\\ty\"}");
}

static void test_structure_errors(void **state)
{
    (void)state;
    expect_error("a: 1\n  b: 2\n", "line 2", "\": \" inside a plain value");
    expect_error("a:\n  b: 1\n c: 2\n", "line 3, column 2", "lines up with its siblings");
    expect_error("a:\n  b: 1\n    c: 2\n", "line 3", "");
    expect_error("a: 1\nb: 2\na: 3\n", "line 3: duplicate key \"a\" (first on line 1)", NULL);
    expect_error("a: {x: 1, x: 2}\n", "duplicate key \"x\"", NULL);
    expect_error("a: - b\n", "line 1, column 4", "block sequence");
    expect_error("a: b: c\n", "line 1", "\": \"");
    expect_error("a: \"x\" y\n", "line 1", "lines up");
    expect_error("a: \"never closed\nb: 1\n", "starts on line 1", "never closed");
    expect_error("\"key\nb: 1\n", "line 1", "");
    expect_error("a: 1\n- b\n", "line 2", "lines up");
    expect_error("- a\nb: 1\n", "line 2", "lines up");
    expect_error("- a: 1\n - b\n", "line 2, column 2", "lines up");
    expect_error("a: \"\\q\"\n", "line 1", "unknown escape");
    expect_error("a: \"\\u12\"\n", "line 1", "hexdecimal");
    expect_error("a: \"\\u0000\"\n", "line 1", "NUL");
    expect_error("a: \"\\uD800\"\n", "line 1", "Unicode");
    expect_error("a: |x\n  y\n", "line 1", "block scalar header");
    expect_error("a: @x\n", "line 1", "quote the value");
    expect_error("a: ]\n", "line 1", "");
    expect_error(": x\n", "line 1", "");
}

static void test_control_characters(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    assert_null(yaml_or_json_parse("a: 1\nb: x\0y\n", 12, &err));
    assert_non_null(strstr(err.message, "line 2: a NUL byte"));
    expect_error("a: 1\nb: x\x07y\n", "line 2", "control character");
    expect_error("a: 1\rb: 2\n", "line 1", "carriage return");
    expect_error("a: 0x1FFFFFFFFFFFFFFFFFFFF\n", "line 1", "too large");
}

static void test_depth_limit(void **state)
{
    (void)state;
    char text[16384];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%*sk:\n", i, "");
    expect_error(text, "nested deeper than 64 levels", NULL);
    n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "- ");
    snprintf(text + n, sizeof text - n, "x\n");
    expect_error(text, "nested deeper than 64 levels", NULL);
    n = (size_t)snprintf(text, sizeof text, "a: ");
    for (int i = 0; i < 100; i++)
        text[n++] = '[';
    text[n] = '\0';
    expect_error(text, "nested deeper than 64 levels", NULL);
    /* 60 levels are fine. */
    n = 0;
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%*sk:\n", i, "");
    struct sg_error err = {{0}};
    cJSON *doc = yaml_or_json_parse(text, n, &err);
    assert_non_null(doc);
    cJSON_Delete(doc);
}

/* ---- real objects: kubectl -o yaml must read as kubectl -o json ---- */

static void test_kubectl_round_trip(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data/yaml", testutil_root());
    char **files = NULL;
    size_t n = testutil_list_json(dir, &files);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        size_t json_len = 0, yaml_len = 0;
        char *json = testutil_read_file(files[i], &json_len);
        char yaml_path[4096];
        snprintf(yaml_path, sizeof yaml_path, "%.*s.yaml", (int)(strlen(files[i]) - 5), files[i]);
        char *yaml = testutil_read_file(yaml_path, &yaml_len);
        assert_non_null(json);
        if (yaml == NULL)
            fail_msg("%s has no YAML twin %s", files[i], yaml_path);
        struct sg_error err = {{0}};
        cJSON *from_json = cJSON_Parse(json);
        cJSON *from_yaml = yaml_or_json_parse(yaml, yaml_len, &err);
        assert_non_null(from_json);
        if (from_yaml == NULL)
            fail_msg("%s: %s", yaml_path, err.message);
        if (!cJSON_Compare(from_yaml, from_json, 1))
            fail_msg("%s does not read equal to %s", yaml_path, files[i]);
        cJSON_Delete(from_json);
        cJSON_Delete(from_yaml);
        free(json);
        free(yaml);
    }
    testutil_free_list(files, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_mapping),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_block_sequence),
        cmocka_unit_test(test_compact_sequence),
        cmocka_unit_test(test_plain_types),
        cmocka_unit_test(test_quoted_strings_stay_strings),
        cmocka_unit_test(test_double_quoted_escapes),
        cmocka_unit_test(test_multiline_flow_scalars),
        cmocka_unit_test(test_literal_block),
        cmocka_unit_test(test_folded_block),
        cmocka_unit_test(test_helm_script),
        cmocka_unit_test(test_last_applied_annotation),
        cmocka_unit_test(test_flow_collections),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_json_still_works),
        cmocka_unit_test(test_unsupported_constructs),
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_tabs),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_kubectl_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
