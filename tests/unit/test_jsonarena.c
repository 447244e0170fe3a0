/* test_jsonarena.c - the arena parser against cJSON 1.7.15: repository JSON files, hand-written
 * edge cases and seeded mutations of real bodies must give cJSON's decision and tree (bar the
 * listed strictness differences), and json_arena_parse_insitu the same as json_arena_parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonarena.h"
#include "lib/testutil.h"

/* ---- comparing two trees ---- */

static bool same_cstring(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Field by field, doubles bit for bit, and the prev links cJSON keeps (first child's prev is
 * the last child). Returns a description of the first difference, or NULL. */
static const char *tree_difference(const cJSON *a, const cJSON *b)
{
    if (a->type != b->type)
        return "type";
    if (a->valueint != b->valueint)
        return "valueint";
    if (memcmp(&a->valuedouble, &b->valuedouble, sizeof a->valuedouble) != 0)
        return "valuedouble";
    if (!same_cstring(a->valuestring, b->valuestring))
        return "valuestring";
    if (!same_cstring(a->string, b->string))
        return "key";
    const cJSON *ca = a->child, *cb = b->child;
    if ((ca == NULL) != (cb == NULL))
        return "child";
    if (ca && ((ca->prev == NULL) != (cb->prev == NULL)))
        return "first child's prev";
    const cJSON *last_a = NULL;
    for (; ca && cb; ca = ca->next, cb = cb->next) {
        if (last_a && ca->prev != last_a)
            return "prev link";
        const char *d = tree_difference(ca, cb);
        if (d)
            return d;
        last_a = ca;
    }
    if (ca || cb)
        return "number of children";
    if (a->child && a->child->prev != last_a)
        return "first child's prev is not the last child";
    return NULL;
}

struct outcome {
    cJSON *tree;          /* NULL when rejected */
    const char *end;      /* after the value, or the error position */
    bool document;        /* a value and nothing but whitespace after it (review.c's test) */
};

static bool only_whitespace(const char *p, const char *lim)
{
    for (; p < lim; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            return false;
    return true;
}

static struct outcome parse_cjson(const char *text, size_t len)
{
    struct outcome o = {0};
    o.tree = cJSON_ParseWithLengthOpts(text, len, &o.end, 0);
    o.document = o.tree && only_whitespace(o.end, text + len);
    return o;
}

/* json_arena_parse_insitu on an exact-size copy (ASan catches any access past len) must agree
 * with json_arena_parse: same decision, same end or error offset, same tree, the tree's strings
 * inside the buffer, and the bytes after the value untouched. */
static void check_insitu(const char *text, size_t len, const struct outcome *copied)
{
    char *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memcpy(buf, text, len);
    struct json_arena *arena = json_arena_create(len);
    assert_non_null(arena);
    const char *end = NULL;
    cJSON *tree = json_arena_parse_insitu(arena, buf, len, &end);
    assert_non_null(end);
    assert_int_equal(end - buf, copied->end - text);
    assert_int_equal(tree != NULL, copied->tree != NULL);
    if (tree) {
        const char *d = tree_difference(copied->tree, tree);
        if (d)
            fail_msg("in-place tree differs (%s) for %.200s", d, text);
        const cJSON *s = tree;
        while (s->child)
            s = s->child;   /* the first leaf; a string or a key lives in buf */
        const char *str = s->string ? s->string : s->valuestring;
        if (str)
            assert_true(str > buf && str < buf + len);
        assert_memory_equal(end, text + (end - buf), (size_t)(buf + len - end));
    }
    json_arena_destroy(arena);
    free(buf);
}

static struct outcome parse_arena(struct json_arena *arena, const char *text, size_t len)
{
    struct outcome o = {0};
    o.tree = json_arena_parse(arena, text, len, &o.end);
    assert_non_null(o.end);
    assert_true(o.end >= text && o.end <= text + len);
    o.document = o.tree && only_whitespace(o.end, text + len);
    check_insitu(text, len, &o);
    return o;
}

static int tree_depth(const cJSON *item)
{
    int deepest = 0;
    for (const cJSON *c = item->child; c; c = c->next) {
        int d = tree_depth(c);
        if (d > deepest)
            deepest = d;
    }
    return deepest + 1;
}

/* Both parsers accepted: the trees, the end positions and the printed forms must agree, and
 * cJSON_Duplicate (which copies our arena strings with malloc) must work on ours. */
static void assert_same_tree(const struct outcome *c, const struct outcome *a, const char *text, bool compare)
{
    const char *d = tree_difference(c->tree, a->tree);
    if (d)
        fail_msg("trees differ (%s) for %.200s", d, text);
    assert_ptr_equal(c->end, a->end);
    /* cJSON_Compare is exponential in the depth of nested objects and, with duplicate keys,
     * false even for a tree and its own copy: expect what it says about cJSON's own copy. */
    if (compare && tree_depth(c->tree) < 40) {
        cJSON *copy = cJSON_Duplicate(c->tree, 1);
        assert_non_null(copy);
        assert_int_equal(cJSON_Compare(c->tree, a->tree, 1), cJSON_Compare(c->tree, copy, 1));
        cJSON_Delete(copy);
    }
    char *pc = cJSON_PrintUnformatted(c->tree);
    char *pa = cJSON_PrintUnformatted(a->tree);
    assert_non_null(pc);
    assert_non_null(pa);
    assert_string_equal(pc, pa);
    cJSON *dup = cJSON_Duplicate(a->tree, 1);
    assert_non_null(dup);
    assert_null(tree_difference(c->tree, dup));
    char *pf = cJSON_Print(dup);
    char *pfc = cJSON_Print(c->tree);
    assert_string_equal(pf, pfc);
    free(pf);
    free(pfc);
    cJSON_Delete(dup);
    free(pc);
    free(pa);
}

struct decisions {
    bool cjson;   /* cJSON accepts the text as a whole document */
    bool ours;
    bool our_tree;   /* json_arena_parse returned a tree (maybe with text after it) */
};

/* Parses text with both parsers; wherever both build a tree, the trees must be identical. */
static struct decisions compare_parsers(const char *text, size_t len)
{
    struct json_arena *arena = json_arena_create(0);
    assert_non_null(arena);
    struct outcome c = parse_cjson(text, len);
    struct outcome a = parse_arena(arena, text, len);
    if (c.tree && a.tree)
        assert_same_tree(&c, &a, text, true);
    struct decisions d = {c.document, a.document, a.tree != NULL};
    cJSON_Delete(c.tree);
    json_arena_destroy(arena);
    return d;
}

static void expect_decisions(const char *text, size_t len, bool cjson, bool ours)
{
    struct decisions d = compare_parsers(text, len);
    if (d.cjson != cjson || d.ours != ours || (!ours && d.our_tree && cjson))
        fail_msg("%.*s: cJSON %s, json_arena_parse %s", (int)(len > 200 ? 200 : len), text,
                 d.cjson ? "accepts" : "rejects", d.ours ? "accepts" : "rejects");
}

/* The same decision as cJSON; the same tree when accepted. */
static void assert_agrees(const char *text, size_t len)
{
    struct decisions d = compare_parsers(text, len);
    expect_decisions(text, len, d.cjson, d.cjson);
}

static void agrees(const char *text)
{
    assert_agrees(text, strlen(text));
}

/* Valid for both parsers (as a whole document). */
static void accepted(const char *text)
{
    expect_decisions(text, strlen(text), true, true);
}

static void rejected_by_both(const char *text, size_t len)
{
    expect_decisions(text, len, false, false);
}

/* A deliberate difference: cJSON accepts the text, the strict parser rejects it (no tree). */
static void rejected_only_by_us(const char *text, size_t len)
{
    expect_decisions(text, len, true, false);
}

/* ---- every JSON file in the repository ---- */

static size_t check_dir(const char *dir)
{
    char **files;
    size_t n = testutil_list_json(dir, &files);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *text = testutil_read_file(files[i], &len);
        assert_non_null(text);
        struct json_arena *arena = json_arena_create(0);
        struct outcome a = parse_arena(arena, text, len);
        if (!a.document)
            fail_msg("%s: rejected at byte %zu", files[i], (size_t)(a.end - text));
        json_arena_destroy(arena);
        assert_agrees(text, len);
        free(text);
    }
    testutil_free_list(files, n);
    return n;
}

static void test_repository_files(void **state)
{
    (void)state;
    const char *dirs[] = {"tests/cases", "bench/bodies", "tests/data/apiserver"};
    size_t total = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", testutil_root(), dirs[i]);
        size_t n = check_dir(path);
        if (n == 0)
            fail_msg("no JSON files under %s", path);
        total += n;
    }
    assert_true(total >= 10);
}

/* ---- hand-written cases ---- */

static void test_values_and_containers(void **state)
{
    (void)state;
    const char *ok[] = {
        "null", "true", "false", "0", "\"\"", "{}", "[]", " \t\r\n{ } ", "[ ]", "[[]]", "[{}]",
        "{\"a\":{}}", "{\"a\":[]}", "[null,true,false]", "{\"a\":1,\"b\":[1,2,{\"c\":null}]}",
        "{\"dup\":1,\"dup\":2}", "{\"\":\"\"}", "[ 1 , 2 ]", "{ \"a\" : 1 , \"b\" : 2 }",
        "{\"a\":true,\"b\":false,\"c\":null}", "[\"x\",[\"y\",[\"z\"]]]",
        "\xEF\xBB\xBF{\"bom\":1}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        accepted(ok[i]);
    const char *bad[] = {
        "", " ", "{", "}", "[", "]", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\"}", "{\"a\":}",
        "{\"a\" 1}", "{1:2}", "{a:1}", "[1 2]", "[1}", "{\"a\":1]", "nul", "tru", "fals", "True",
        "NULL", "[nulll]", "'x'", "\"abc", "\"abc\\\"", "\"\\", "[\"a\",", "{\"a\":1", "[1,[2,3]",
        "+1", ".5", "-", "--1", "[-]", "0x10", "[0x10]", "Infinity", "NaN", "[-Infinity]", "1e",
        "[1e]", "[1e+]", "[1E-]", "\xEF\xBB\xBF", "/* c */ 1", "[1]//",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        rejected_by_both(bad[i], strlen(bad[i]));
    /* A value followed by more text: both stop after the value (review.c refuses the rest). */
    agrees("{}x");
    agrees("1 2");
    agrees("nullx");
    agrees("\"a\"\"b\"");
}

static void test_strings(void **state)
{
    (void)state;
    const char *ok[] = {
        "\"plain\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\\u20AC\"", "\"\\u0001\"",
        "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"", "\"\\ud83d\\ude00\"", "\"\\uD834\\uDD1E x\"",
        "\"\\udbff\\udfff\"", "\"\\ud800\\udc00\"", "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"",
        "\"\x7f\"", "\"a\\\\\"", "{\"k\\u00e9y\":\"v\"}", "{\"\\\"\":1}", "[\"\\/\",\"/\"]",
        "\"12345678901234567890\\\"abcdefgh\\\"\"",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        accepted(ok[i]);
    /* Unpaired surrogates, short escapes and unknown escapes: cJSON rejects them too. */
    const char *bad[] = {
        "\"\\ud800\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\udc00\"", "\"\\udfff\\ud800\"",
        "\"\\u12\"", "\"\\u\"", "\"\\x41\"", "\"\\a\"", "\"\\U0041\"", "\"\\'\"", "\"\\ud800\\n\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        rejected_by_both(bad[i], strlen(bad[i]));
    /* Long strings, with and without escapes, crossing the 8-byte scan blocks. */
    for (size_t n = 0; n < 70000; n = n * 3 + 1) {
        char *s = malloc(n + 16);
        assert_non_null(s);
        s[0] = '"';
        for (size_t i = 0; i < n; i++)
            s[1 + i] = (char)('a' + i % 26);
        if (n > 10)
            memcpy(s + n - 7, "\\n\\u00e9", 8);
        s[n + 1] = '"';
        s[n + 2] = '\0';
        accepted(s);
        free(s);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    const char *ok[] = {
        "0", "-0", "1", "-1", "0.0", "-0.0", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.5e3",
        "123456789", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
        "9007199254740991", "9007199254740992", "9007199254740993", "18446744073709551615",
        "18446744073709551616", "123456789012345678901234567890", "1e22", "1e23", "9e22",
        "1.7976931348623157e308", "1e309", "-1e309", "2.2250738585072014e-308", "4.9e-324",
        "1e-400", "0e400", "-0e-400", "0.1", "0.2", "0.30000000000000004", "3.141592653589793",
        "1.0000000000000002", "100000000000000000000000", "0.000001", "1e0", "1E-0", "12.5e-3",
        "[1,-2,3.5,-4.25e2]", "{\"replicas\":3,\"weight\":0.75}",
        "1.00000000000000000000000000000000000000000000000000000000000000000000001",
        "[0.1234567890123456789012345678901234567890123456789012345678901234567890]",
        "123456789012345678901234567890123456789012345678901234567890123456789012345",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        accepted(ok[i]);

    /* Random numbers in every shape the grammar allows, against cJSON's strtod. */
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 3000; i++) {
        char buf[96];
        size_t n = 0;
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        uint64_t r = seed;
        if (r & 1)
            buf[n++] = '-';
        int int_digits = 1 + (int)((r >> 1) % 20);
        for (int d = 0; d < int_digits; d++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            buf[n++] = (char)('0' + (d == 0 ? 1 + seed % 9 : seed % 10));
        }
        if (r & 64) {
            buf[n++] = '.';
            int frac = 1 + (int)((r >> 8) % 20);
            for (int d = 0; d < frac; d++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                buf[n++] = (char)('0' + seed % 10);
            }
        }
        if (r & 128)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "e%s%d", (r & 256) ? "-" : "", (int)((r >> 16) % 330));
        buf[n] = '\0';
        accepted(buf);
        /* the same number inside an array, where the integer fast path runs */
        char in_array[256];
        snprintf(in_array, sizeof in_array, "[%s,{\"n\":%s}]", buf, buf);
        accepted(in_array);
    }
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char in_array[256];
        snprintf(in_array, sizeof in_array, "[%s] ", ok[i]);
        accepted(in_array);
    }
    /* integers of 1 to 20 digits, each followed by every byte that can end or continue one */
    const char *after[] = {"]", ",1]", ".5]", "e2]", "E+1]", " ]", "\n]", "x]", "}"};
    for (int digits = 1; digits <= 20; digits++) {
        for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
            char s[64] = "[";
            for (int d = 0; d < digits; d++)
                s[1 + d] = (char)('1' + (d * 7) % 9);
            snprintf(s + 1 + digits, sizeof s - 1 - (size_t)digits, "%s", after[k]);
            agrees(s);
        }
    }
}

static void test_nesting_limit(void **state)
{
    (void)state;
    const int limit = 1000;   /* CJSON_NESTING_LIMIT */
    for (int depth = limit - 1; depth <= limit + 1; depth++) {
        char *s = malloc((size_t)depth * 8 + 16);
        assert_non_null(s);
        size_t n = 0;
        for (int i = 0; i < depth; i++) {
            if (i % 2)
                n += (size_t)sprintf(s + n, "{\"k\":");
            else
                s[n++] = '[';
        }
        s[n++] = '1';
        for (int i = depth - 1; i >= 0; i--)
            s[n++] = i % 2 ? '}' : ']';
        s[n] = '\0';
        if (depth <= limit)
            accepted(s);
        else
            rejected_by_both(s, n);
        free(s);
    }
    /* Far beyond the limit: no recursion, no stack growth. */
    size_t deep = 200000;
    char *s = malloc(deep);
    assert_non_null(s);
    memset(s, '[', deep);
    rejected_by_both(s, deep);
    free(s);
}

/* The input is bounded by len: bytes after it (here a valid continuation) are never read. */
static void test_length_bound(void **state)
{
    (void)state;
    const char *text = "{\"a\":\"bcdefghijklmnopqrstuvwxyz\",\"n\":12345}";
    for (size_t len = 0; len <= strlen(text); len++) {
        char *copy = malloc(len ? len : 1);   /* exact size: ASan catches any read past len */
        assert_non_null(copy);
        memcpy(copy, text, len);
        assert_agrees(copy, len);
        free(copy);
    }
}

/* Strings are found 64 bytes at a time: strings that start, stop or escape on every offset of
 * those windows, in texts shorter and longer than one, ending in a bracket (peeked without
 * bounds checks) or not, with raw control characters and unterminated strings too. */
static void test_string_windows(void **state)
{
    (void)state;
    const size_t second[] = {0, 1, 5, 31, 32, 62, 63, 64, 65, 127, 130};
    char *s = malloc(512);
    assert_non_null(s);
    for (size_t a = 0; a < 140; a++) {
        for (size_t k = 0; k < sizeof second / sizeof second[0]; k++) {
            size_t b = second[k];
            for (int variant = 0; variant < 5; variant++) {
                size_t n = 0;
                s[n++] = '[';
                s[n++] = '"';
                for (size_t i = 0; i < a; i++)
                    s[n++] = (char)('a' + i % 26);
                n += (size_t)sprintf(s + n, "\",{\"k\":\"");
                for (size_t i = 0; i < b; i++)
                    s[n++] = (char)('A' + i % 26);
                if (variant == 1 && b >= 2)
                    memcpy(s + n - b + b / 2 - 1, "\\n", 2);   /* an escape in the middle */
                if (variant == 2 && b > 0)
                    s[n - 1] = '\t';   /* a raw control character: only we reject it */
                if (variant == 3) {   /* unterminated: the text ends inside the string */
                    assert_true(n < 512);
                    rejected_by_both(s, n);
                    continue;
                }
                n += (size_t)sprintf(s + n, "\"}]%s", variant == 4 ? " \n" : "");
                if (variant == 2 && b > 0)
                    rejected_only_by_us(s, n);
                else
                    accepted(s);
                /* the same without the closing bracket: the checked loop */
                n -= variant == 4 ? 3 : 1;
                s[n] = '\0';
                rejected_by_both(s, n);
            }
        }
    }
    free(s);
}

/* Where a text ends or goes wrong, byte for byte: texts that end in a closing bracket (peeked
 * without bounds checks) and others, with trailing whitespace, open containers at the end, and
 * numbers and strings next to the last bracket. */
static void test_end_positions(void **state)
{
    (void)state;
    const struct {
        const char *text;
        bool ok;
        long end;   /* after the value, or the error */
    } cases[] = {
        {"[[1]", false, 4},
        {"[[1]  \n", false, 7},
        {"{\"a\":1]", false, 6},
        {"[1,2", false, 4},
        {"{\"a\":\"b}", false, 8},
        {"{\"a\":\"b} \t", false, 9},
        {"{\"a\":[1,2}  ", false, 9},
        {"[{\"a\":1}", false, 8},
        {" [ {\"a\" : 1 } \r\n", false, 16},
        {"{\"a\":tru}", false, 5},
        {"{\"a\":nul]", false, 5},
        {"[12345678901234567]", true, 19},
        {"{\"a\":12345,\"b\":-7}", true, 18},
        {"{\"k\":\"v\" , \"k2\" :\"v2\"}x", true, 22},
        {"[\"a\\u00e9\\n\",\"b\"]", true, 17},
        {"{\"a\":\"\\q\"}", false, 6},
        {"[1 2]", false, 3},
        {"{\"a\"}", false, 4},
        {"{\"a\":1,}", false, 7},
        {"[1.]", false, 3},
        {"[01]", false, 2},
        {"{]", false, 1},
        {"[}", false, 1},
        {"{\"x\":[[[]]]}", true, 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        char *buf = malloc(len);   /* exact size: ASan catches any read past len */
        assert_non_null(buf);
        memcpy(buf, cases[i].text, len);
        struct json_arena *arena = json_arena_create(len);
        assert_non_null(arena);
        const char *end = NULL;
        cJSON *tree = json_arena_parse_insitu(arena, buf, len, &end);
        if ((tree != NULL) != cases[i].ok || end - buf != cases[i].end)
            fail_msg("%s: %s at %ld, expected %s at %ld", cases[i].text, tree ? "accepted" : "rejected",
                     (long)(end - buf), cases[i].ok ? "accepted" : "rejected", cases[i].end);
        json_arena_destroy(arena);
        free(buf);
        if (cases[i].ok)
            agrees(cases[i].text);   /* cJSON's tree */
    }
}

/* The deliberate differences: strict RFC 8259 rejects what cJSON lets through. */
static void test_strictness_differences(void **state)
{
    (void)state;
    const char *lax[] = {
        "01", "-01", "[00]", "{\"a\":007}",           /* leading zeros */
        "1.", "[1.]", "1.e5", "-.5", "[-.5]",           /* a fraction needs digits on both sides */
        "\"tab\there\"", "\"new\nline\"", "[\"\x01\"]", "{\"k\x1f\":1}",   /* raw control characters */
        "\"\\u0000\"", "{\"a\\u0000b\":1}",            /* U+0000 would truncate the C string */
        "\"\\uZZZZ\"", "\"\\u00g0\"", "[\"\\u-123\"]",  /* invalid hex: cJSON decodes it as U+0000 */
        "\f1", "[1,\v2]", "{\"a\":\x01 1}", "[1\x1f]",   /* not JSON whitespace */
    };
    for (size_t i = 0; i < sizeof lax / sizeof lax[0]; i++)
        rejected_only_by_us(lax[i], strlen(lax[i]));
    /* Raw NUL bytes: inside a string (cJSON truncates the string there) and as "whitespace". */
    rejected_only_by_us("\"a\0b\"", 5);
    rejected_only_by_us("[1,\0 2]", 7);
}

/* ---- seeded mutations of real bodies ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* RFC 8259's number grammar, written out independently of the parser. */
static bool strict_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    return i == n;
}

/* cJSON accepted what we rejected at err: the byte there must be one of the strictness
 * differences test_strictness_differences lists. */
static bool explained_difference(const char *text, size_t len, const char *err)
{
    const char *lim = text + len;
    if (err < lim) {
        unsigned char c = (unsigned char)*err;
        if (c < 0x20)
            return true;   /* control character in a string or between tokens */
        if (c == '\\' && lim - err >= 6 && err[1] == 'u') {
            unsigned v = 0;
            bool hex = true;
            for (int i = 2; i < 6; i++) {
                char h = err[i];
                int d = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
                hex = hex && d >= 0;
                v = v << 4 | (unsigned)(d < 0 ? 0 : d);
            }
            if (!hex || v == 0)
                return true;
        }
    }
    const char *s = err, *e = err;
    while (s > text && number_char(s[-1]))
        s--;
    while (e < lim && number_char(*e))
        e++;
    return e > s && (*s == '-' || (*s >= '0' && *s <= '9')) && !strict_number(s, (size_t)(e - s));
}

static const char mutation_bytes[] = "{}[],:\"\\u0123456789-+.eEtfnl \t\n\r\x01\x1f\x7f\x80\xC3\xA9\xFF";

struct mutation_tally {
    int same_tree;      /* both accepted, identical trees */
    int both_reject;
    int strict_only;    /* cJSON accepted, we rejected for an explained strictness reason */
};

static void mutate_and_compare(const char *body, size_t len, struct json_arena **arena,
                               struct mutation_tally *tally)
{
    char *m = malloc(len + 8);
    assert_non_null(m);
    memcpy(m, body, len);
    size_t n = len;
    int edits = 1 + (int)(rng() % 3);
    for (int e = 0; e < edits && n > 0; e++) {
        size_t at = (size_t)(rng() % n);
        char b = mutation_bytes[rng() % (sizeof mutation_bytes - 1)];
        switch (rng() % 4) {
        case 0: m[at] = b; break;                                   /* replace */
        case 1: m[at] ^= (char)(1u << (rng() % 8)); break;          /* bit flip */
        case 2: memmove(m + at + 1, m + at, n - at); m[at] = b; n++; break;   /* insert */
        default: memmove(m + at, m + at + 1, n - at - 1); n--; break;          /* delete */
        }
    }
    if (rng() % 8 == 0)
        n = (size_t)(rng() % (n + 1));                              /* truncate */
    struct outcome c = parse_cjson(m, n);
    struct outcome a = parse_arena(*arena, m, n);
    if (a.tree && !c.tree)
        fail_msg("we accept what cJSON rejects: %.*s", (int)(n > 300 ? 300 : n), m);
    if (a.tree)   /* cJSON_Compare is quadratic in object size: a sample of the mutations */
        assert_same_tree(&c, &a, m, rng() % 16 == 0);
    tally->same_tree += a.tree != NULL;
    tally->both_reject += !a.tree && !c.tree;
    tally->strict_only += !a.tree && c.tree;
    if (!a.tree && c.tree && !explained_difference(m, n, a.end))
        fail_msg("unexplained reject at byte %zu (cJSON accepts): ...%.40s", (size_t)(a.end - m),
                 a.end - m > 20 ? a.end - 20 : m);
    cJSON_Delete(c.tree);
    if (a.tree) {   /* a fresh arena now and then, so chunk reuse and release both get exercised */
        json_arena_destroy(*arena);
        *arena = json_arena_create(0);
        assert_non_null(*arena);
    }
    free(m);
}

static void test_mutations(void **state)
{
    (void)state;
    const char *files[] = {"bench/bodies/deployment-2k.json", "bench/bodies/deployment-4k.json",
                           "tests/data/apiserver/admissionreview-deployment-update.json",
                           "tests/data/apiserver/admissionreview-job-create.json"};
    rng_state = 20261121;
    struct mutation_tally tally = {0};
    struct json_arena *arena = json_arena_create(0);
    assert_non_null(arena);
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", testutil_root(), files[f]);
        size_t len = 0;
        char *body = testutil_read_file(path, &len);
        if (body == NULL)
            fail_msg("cannot read %s", path);
        for (int i = 0; i < 1500; i++)
            mutate_and_compare(body, len, &arena, &tally);
        free(body);
    }
    json_arena_destroy(arena);
    print_message("mutations: %d same tree, %d rejected by both, %d rejected only by the strict parser\n",
                  tally.same_tree, tally.both_reject, tally.strict_only);
    assert_true(tally.same_tree > 500 && tally.both_reject > 500 && tally.strict_only > 50);
}

/* An array of n empty strings: n + 1 values. */
static char *empty_strings(size_t n, size_t *len)
{
    char *text = malloc(3 * n + 2);
    assert_non_null(text);
    size_t k = 0;
    text[k++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            text[k++] = ',';
        text[k++] = '"';
        text[k++] = '"';
    }
    text[k++] = ']';
    *len = k;
    return text;
}

/* JSON_ARENA_NODES_MAX values parse; one more is refused and says why; the budget is per arena. */
static void test_node_limit(void **state)
{
    (void)state;
    size_t len;
    char *text = empty_strings(JSON_ARENA_NODES_MAX - 1, &len);
    struct json_arena *arena = json_arena_create(len);
    assert_non_null(arena);
    const char *end = NULL;
    cJSON *tree = json_arena_parse(arena, text, len, &end);
    assert_non_null(tree);
    assert_int_equal(cJSON_GetArraySize(tree), JSON_ARENA_NODES_MAX - 1);
    assert_false(json_arena_node_limit_hit(arena));
    json_arena_destroy(arena);
    free(text);

    text = empty_strings(JSON_ARENA_NODES_MAX, &len);
    arena = json_arena_create(len);
    assert_non_null(arena);
    assert_null(json_arena_parse(arena, text, len, &end));
    assert_true(json_arena_node_limit_hit(arena));
    assert_true(end > text && end < text + len);
    json_arena_destroy(arena);
    /* a plain syntax error is not the limit */
    arena = json_arena_create(0);
    assert_null(json_arena_parse(arena, "[1,", 3, &end));
    assert_false(json_arena_node_limit_hit(arena));
    json_arena_destroy(arena);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repository_files),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_values_and_containers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_length_bound),
        cmocka_unit_test(test_end_positions),
        cmocka_unit_test(test_string_windows),
        cmocka_unit_test(test_strictness_differences),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
