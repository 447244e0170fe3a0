/* test_docstream.c - the stream splitter of `schemagate review` (webhook/docstream.c): YAML
 * streams with `---`, JSON streams (one value after another), empty documents skipped, the
 * line each document starts on, and errors naming the line in the stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docstream.h"

/* Splits text and checks the documents against want (a JSON array of the expected values) and
 * lines (their start lines, one per document). */
static void expect_docs(const char *text, const char *want, const int *lines)
{
    struct doc_list docs;
    struct sg_error err = {{0}};
    if (docstream_parse(text, strlen(text), &docs, &err) != 0)
        fail_msg("split failed: %s\n--- input:\n%s", err.message, text);
    cJSON *expected = cJSON_Parse(want);
    assert_non_null(expected);
    assert_int_equal(docs.count, (size_t)cJSON_GetArraySize(expected));
    size_t i = 0;
    for (const cJSON *e = expected->child; e; e = e->next, i++) {
        if (!cJSON_Compare(docs.items[i].json, e, 1)) {
            char *s = cJSON_PrintUnformatted(docs.items[i].json);
            fail_msg("document %zu is %s\n--- input:\n%s", i, s, text);
        }
        if (lines && docs.items[i].line != lines[i])
            fail_msg("document %zu starts on line %d, want %d\n--- input:\n%s", i, docs.items[i].line, lines[i], text);
    }
    cJSON_Delete(expected);
    doc_list_free(&docs);
}

static void expect_split_error(const char *text, const char *fragment)
{
    struct doc_list docs;
    struct sg_error err = {{0}};
    if (docstream_parse(text, strlen(text), &docs, &err) == 0)
        fail_msg("expected an error containing \"%s\"\n--- input:\n%s", fragment, text);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err.message, fragment);
    assert_int_equal(docs.count, 0);
}

static void test_yaml_stream(void **state)
{
    (void)state;
    expect_docs("a: 1\n---\nb: 2\n", "[{\"a\":1},{\"b\":2}]", (const int[]){1, 3});
    expect_docs("---\n# one\na: 1\n---\n---\n# empty\n---\n\n---\nb: [x]\n...\n---\nc: 3\n",
                "[{\"a\":1},{\"b\":[\"x\"]},{\"c\":3}]", (const int[]){3, 10, 13});
    expect_docs("--- {a: 1}\n--- [1, 2]\n--- null\n--- ~\n--- x\n", "[{\"a\":1},[1,2],\"x\"]", (const int[]){1, 2, 5});
    expect_docs("", "[]", NULL);
    expect_docs("# only a comment\n---\n", "[]", NULL);
    expect_docs("\n\n\n", "[]", NULL);
}

static void test_json_stream(void **state)
{
    (void)state;
    expect_docs("{\"a\":1}\n{\"b\":2}\n", "[{\"a\":1},{\"b\":2}]", (const int[]){1, 2});
    expect_docs("{\"a\":1}{\"b\":2}  {\n  \"c\": 3\n}", "[{\"a\":1},{\"b\":2},{\"c\":3}]", (const int[]){1, 1, 1});
    expect_docs("[1]\n\n[2]\nnull\n{}", "[[1],[2],{}]", (const int[]){1, 3, 5});
    expect_docs("\xEF\xBB\xBF{\"a\":1}", "[{\"a\":1}]", NULL);
    /* a JSON object spread over lines as kubectl -o json writes it */
    expect_docs("{\n  \"kind\": \"List\",\n  \"items\": []\n}\n{\n  \"x\": 1\n}\n",
                "[{\"kind\":\"List\",\"items\":[]},{\"x\":1}]", (const int[]){1, 5});
}

static void test_stream_errors(void **state)
{
    (void)state;
    expect_split_error("{\"a\":1}\n{\"b\":}\n", "line 2: not valid JSON");
    expect_split_error("{\"a\":1}\n{\"b\":1,\"b\":2}\n", "line 2");
    expect_split_error("{\"a\":1}\n{\"b\":1,\"b\":2}\n", "key \"b\" twice");
    expect_split_error("{\"a\":1}\nb: 2\n", "line 2: not valid JSON");
    expect_split_error("a: 1\n---\nb: 2\n  c: 3\n", "line 4");
    expect_split_error("a: 1\n---\nb: 1\nb: 2\n", "line 4: duplicate key \"b\" (first on line 3)");
    expect_split_error("a: 1\n\x01\n", "line 2: control character");
}

/* YAML input records the line of every value; JSON input none. */
static void test_value_lines(void **state)
{
    (void)state;
    const char *text = "# c\nkind: Job\nspec:\n  containers:\n  - name: a\n    env:\n    - value: x\n"
                       "base: &b\n  k: v\ncopy: *b\n";
    struct doc_list docs;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_parse(text, strlen(text), &docs, &err), 0);
    const cJSON *root = docs.items[0].json;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "spec");
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, "containers"), 0);
    const cJSON *env0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c0, "env"), 0);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(env0, "value");
    assert_int_equal(line_map_get(docs.lines, root), 2);
    assert_int_equal(line_map_get(docs.lines, spec), 4);
    assert_int_equal(line_map_get(docs.lines, c0), 5);
    assert_int_equal(line_map_get(docs.lines, v), 7);
    const cJSON *copy = cJSON_GetObjectItemCaseSensitive(root, "copy");
    assert_int_equal(line_map_get(docs.lines, copy), 10);
    assert_int_equal(line_map_get(docs.lines, cJSON_GetObjectItemCaseSensitive(copy, "k")), 10);
    doc_list_free(&docs);
    assert_int_equal(docstream_parse("{\"a\": 1}", 8, &docs, &err), 0);
    assert_null(docs.lines);
    doc_list_free(&docs);
}

static void test_single_document(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    cJSON *doc = yaml_or_json_parse("---\n---\na: 1\n---\n", 17, &err);
    assert_non_null(doc);
    cJSON_Delete(doc);
    assert_null(yaml_or_json_parse("a: 1\n---\nb: 2\n", 14, &err));
    assert_non_null(strstr(err.message, "line 3: a second object"));
    assert_null(yaml_or_json_parse("# x\n", 4, &err));
    assert_non_null(strstr(err.message, "empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_stream),
        cmocka_unit_test(test_json_stream),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_value_lines),
        cmocka_unit_test(test_single_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
