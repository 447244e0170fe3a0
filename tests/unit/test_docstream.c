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

/* YAML and JSON input record the line of every value. */
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
    assert_int_equal(line_map_get(docs.lines, docs.items[0].json), 1);
    assert_int_equal(line_map_get(docs.lines, docs.items[0].json->child), 1);
    doc_list_free(&docs);
}

/* JSON as `kubectl get -o json` prints it: every value's line, in a stream of several values,
 * with escapes, brackets inside strings, empty containers and values on lines of their own. */
static void test_json_value_lines(void **state)
{
    (void)state;
    const char *text =
        "{\"kind\": \"X\"}\n"                                      /* 1 */
        "\n"
        "{\n"                                                        /* 3 */
        "    \"apiVersion\": \"v1\",\n"
        "    \"items\": [\n"                                          /* 5 */
        "        {\n"
        "            \"metadata\": {\"name\": \"a\\\",]}{\", \"labels\": {}},\n"
        "            \"spec\": {\n"
        "                \"containers\": [\n"
        "                    {\n"                                    /* 10 */
        "                        \"env\": [],\n"
        "                        \"args\": [\"--x\",\n"
        "                                 \"--password=p\"],\n"
        "                        \"n\":\n"
        "                            -1.5e3\n"                       /* 15 */
        "                    }\n"
        "                ]\n"
        "            }\n"
        "        }\n"
        "    ],\n"                                                   /* 20 */
        "    \"kind\": \"List\"\n"
        "}\n"
        "[1,\n2]\n";                                                 /* 23 */
    struct doc_list docs;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_parse(text, strlen(text), &docs, &err), 0);
    assert_int_equal(docs.count, 3);
    const struct line_map *m = docs.lines;
    assert_int_equal(line_map_get(m, docs.items[0].json), 1);
    const cJSON *list = docs.items[1].json;
    assert_int_equal(line_map_get(m, list), 3);
    assert_int_equal(line_map_get(m, cJSON_GetObjectItemCaseSensitive(list, "apiVersion")), 4);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    assert_int_equal(line_map_get(m, items), 5);
    const cJSON *item = cJSON_GetArrayItem(items, 0);
    assert_int_equal(line_map_get(m, item), 6);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "name")->valuestring, "a\",]}{");
    assert_int_equal(line_map_get(m, cJSON_GetObjectItemCaseSensitive(meta, "labels")), 7);
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(item, "spec");
    assert_int_equal(line_map_get(m, spec), 8);
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, "containers"), 0);
    assert_int_equal(line_map_get(m, c0), 10);
    assert_int_equal(line_map_get(m, cJSON_GetObjectItemCaseSensitive(c0, "env")), 11);
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(c0, "args");
    assert_int_equal(line_map_get(m, cJSON_GetArrayItem(args, 0)), 12);
    assert_int_equal(line_map_get(m, cJSON_GetArrayItem(args, 1)), 13);
    assert_int_equal(line_map_get(m, cJSON_GetObjectItemCaseSensitive(c0, "n")), 15);
    assert_int_equal(line_map_get(m, cJSON_GetObjectItemCaseSensitive(list, "kind")), 21);
    const cJSON *arr = docs.items[2].json;
    assert_int_equal(docs.items[2].line, 23);
    assert_int_equal(line_map_get(m, cJSON_GetArrayItem(arr, 0)), 23);
    assert_int_equal(line_map_get(m, cJSON_GetArrayItem(arr, 1)), 24);
    doc_list_free(&docs);
}

/* With starts, JSON lines below a List's items are read only on demand (doc_lines_complete). */
static int keep_doc(void *ctx, cJSON *json, const struct doc_pos *pos, struct sg_error *err)
{
    (void)pos;
    (void)err;
    *(cJSON **)ctx = json;
    return 0;
}

static void test_json_lines_on_demand(void **state)
{
    (void)state;
    const char *text = "\n{\n \"kind\": \"List\",\n \"items\": [\n  {\n   \"spec\": {\n    \"a\": [\n     \"x\"\n    ]\n   }\n  }\n ]\n}\n";
    struct doc_lines dl = { .lines = line_map_create(), .starts = line_map_create() };
    assert_non_null(dl.lines);
    assert_non_null(dl.starts);
    cJSON *doc = NULL;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_each(text, strlen(text), &dl, NULL, keep_doc, &doc, &err), 0);
    assert_non_null(doc);
    const cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "items"), 0);
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(item, "spec");
    const cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, "a"), 0);
    assert_int_equal(line_map_get(dl.lines, doc), 2);
    assert_int_equal(line_map_get(dl.lines, item), 5);
    assert_int_equal(line_map_get(dl.lines, spec), 0);    /* not yet */
    assert_int_equal(line_map_get(dl.lines, x), 0);
    assert_int_equal(doc_lines_complete(&dl, item), 0);
    assert_int_equal(line_map_get(dl.lines, spec), 6);
    assert_int_equal(line_map_get(dl.lines, x), 8);
    assert_int_equal(line_map_get(dl.lines, item), 5);
    doc_lines_clear(&dl);
    assert_int_equal(line_map_get(dl.lines, x), 0);
    assert_int_equal(doc_lines_complete(&dl, item), 0);   /* forgotten: nothing to read from */
    assert_int_equal(line_map_get(dl.lines, x), 0);
    cJSON_Delete(doc);
    line_map_free(dl.lines);
    line_map_free(dl.starts);
}

/* line_map_clear forgets every entry at once, and the map is usable again after it. */
static void test_line_map_clear(void **state)
{
    (void)state;
    struct line_map *m = line_map_create();
    assert_non_null(m);
    static int nodes[2000];
    for (int i = 0; i < 2000; i++)
        assert_int_equal(line_map_put(m, &nodes[i], i + 1), 0);
    assert_int_equal(line_map_get(m, &nodes[1999]), 2000);
    line_map_clear(m);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(line_map_get(m, &nodes[i]), 0);
    assert_int_equal(line_map_put(m, &nodes[7], 70), 0);
    assert_int_equal(line_map_get(m, &nodes[7]), 70);
    assert_int_equal(line_map_get(m, &nodes[8]), 0);
    line_map_free(m);
}

/* docstream_each hands over each document as it is read: the documents before an error were
 * handed over, and a callback's nonzero answer stops the stream. */
struct seen {
    int count;
    int stop_after;
};

static int count_doc(void *ctx, cJSON *json, const struct doc_pos *pos, struct sg_error *err)
{
    struct seen *s = ctx;
    (void)pos;
    cJSON_Delete(json);
    if (++s->count == s->stop_after)
        return sg_error_set(err, "stopped");
    return 0;
}

static void test_each(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    struct seen s = {0, 0};
    const char *yaml = "a: 1\n---\nb: 2\n---\nc: 3\nc: 4\n";
    assert_int_equal(docstream_each(yaml, strlen(yaml), NULL, NULL, count_doc, &s, &err), -1);
    assert_int_equal(s.count, 2);
    assert_non_null(strstr(err.message, "duplicate key"));
    const char *json = "{\"a\":1} {\"b\":2} {\"c\":3}";
    s = (struct seen){0, 2};
    assert_int_equal(docstream_each(json, strlen(json), NULL, NULL, count_doc, &s, &err), -1);
    assert_int_equal(s.count, 2);
    assert_string_equal(err.message, "stopped");
    s = (struct seen){0, 0};
    assert_int_equal(docstream_each(json, strlen(json), NULL, NULL, count_doc, &s, &err), 0);
    assert_int_equal(s.count, 3);
}

/* With a split function, a List's items are handed over one by one, each with its document
 * index, item index and own line (and, reading JSON, its own copy); other documents whole. */
static cJSON *split_items(const cJSON *doc)
{
    cJSON *items = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "items") : NULL;
    return cJSON_IsArray(items) ? items : NULL;
}

struct handed {
    char what[512];
    size_t n;
    struct doc_lines *dl;
};

static int note_doc(void *ctx, cJSON *json, const struct doc_pos *pos, struct sg_error *err)
{
    struct handed *h = ctx;
    (void)err;
    char *s = cJSON_PrintUnformatted(json);
    int deep = 0;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(json, "b");
    if (b && doc_lines_complete(h->dl, json) == 0)
        deep = line_map_get(h->dl->lines, cJSON_GetArrayItem(b, 0));
    h->n += (size_t)snprintf(h->what + h->n, sizeof h->what - h->n, "%d/%d@%d:%s:%d ", pos->document, pos->item,
                             pos->line, s ? s : "?", deep);
    free(s);
    cJSON_Delete(json);
    return 0;
}

static void test_split(void **state)
{
    (void)state;
    const char *json = "{\"x\": 1}\n{\"items\": []}\n{\"items\": [\n  {\"a\": 1},\n  {\"b\": [\n    2]}\n]}\n";
    const char *yaml = "x: 1\n---\nitems: []\n---\nitems:\n- a: 1\n- b:\n  - 2\n";
    const char *want_json = "0/-1@1:{\"x\":1}:0 2/0@4:{\"a\":1}:0 2/1@5:{\"b\":[2]}:6 ";
    const char *want_yaml = "0/-1@1:{\"x\":1}:0 2/0@6:{\"a\":1}:0 2/1@7:{\"b\":[2]}:8 ";
    for (int k = 0; k < 2; k++) {
        struct doc_lines dl = { .lines = line_map_create(), .starts = line_map_create(), .per_document = true };
        assert_non_null(dl.lines);
        assert_non_null(dl.starts);
        struct handed h = { .dl = &dl };
        struct sg_error err = {{0}};
        const char *text = k ? yaml : json;
        assert_int_equal(docstream_each(text, strlen(text), &dl, split_items, note_doc, &h, &err), 0);
        assert_string_equal(h.what, k ? want_yaml : want_json);
        line_map_free(dl.lines);
        line_map_free(dl.starts);
    }
}

/* A long JSON stream costs time linear in its length (it was quadratic: each value copied the
 * rest of the text and counted lines from the start), and a List of more values than one
 * request may hold (JSON_ARENA_NODES_MAX) is read. */
static void test_long_json_stream(void **state)
{
    (void)state;
    enum { N = 70000 };   /* 280k values: more than one arena's budget too */
    static const char one[] = "{\n  \"kind\": \"ConfigMap\",\n  \"data\": {\"k\": \"v\"}\n}\n";
    size_t n1 = sizeof one - 1;
    char *text = malloc(N * n1 + 1);
    assert_non_null(text);
    for (int i = 0; i < N; i++)
        memcpy(text + (size_t)i * n1, one, n1);
    text[N * n1] = '\0';
    struct doc_list docs;
    struct sg_error err = {{0}};
    assert_int_equal(docstream_parse(text, N * n1, &docs, &err), 0);
    assert_int_equal(docs.count, N);
    assert_int_equal(docs.items[N - 1].line, 4 * (N - 1) + 1);
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(docs.items[N - 1].json, "data");
    assert_int_equal(line_map_get(docs.lines, last), 4 * (N - 1) + 3);
    doc_list_free(&docs);
    free(text);

    /* one List with 300k values */
    enum { ITEMS = 150000 };
    static const char item[] = "{\"a\":1},";
    size_t ni = sizeof item - 1;
    const char head[] = "{\"kind\":\"List\",\"items\":[";
    size_t nh = sizeof head - 1;
    text = malloc(nh + ITEMS * ni + 3);
    assert_non_null(text);
    memcpy(text, head, nh);
    for (int i = 0; i < ITEMS; i++)
        memcpy(text + nh + (size_t)i * ni, item, ni);
    memcpy(text + nh + ITEMS * ni - 1, "]}", 3);
    assert_int_equal(docstream_parse(text, strlen(text), &docs, &err), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(docs.items[0].json, "items")), ITEMS);
    doc_list_free(&docs);
    free(text);
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
        cmocka_unit_test(test_json_value_lines),
        cmocka_unit_test(test_json_lines_on_demand),
        cmocka_unit_test(test_line_map_clear),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_long_json_stream),
        cmocka_unit_test(test_single_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
