/* test_jsonout.c - the JSON writer behind responses and log lines: every ASCII byte and every
 * well-formed UTF-8 sequence written into a string reads back unchanged through cJSON, every
 * other byte comes out as U+FFFD (the output is always valid UTF-8), control characters and
 * quotes are escaped exactly as cJSON_Print escapes them, and members/arrays come out as valid
 * JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "jsonout.h"
#include "strbuf.h"

static char *written(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    jsonout_string(&sb, s);
    char *out = strbuf_take(&sb);
    assert_non_null(out);
    return out;
}

/* Every byte 1..127 in one string: it parses back to the same bytes; each byte 128..255 alone
 * is not UTF-8 and comes back as U+FFFD. */
static void test_every_byte_round_trips(void **state)
{
    (void)state;
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    char *json = written(all);
    assert_true(jsonout_utf8_valid(json));
    cJSON *back = cJSON_Parse(json);
    assert_non_null(back);
    assert_true(cJSON_IsString(back));
    assert_memory_equal(back->valuestring, all, 127);
    for (int i = 0; i < 128; i++)
        assert_memory_equal(back->valuestring + 127 + 3 * i, "\xef\xbf\xbd", 3);
    assert_int_equal(strlen(back->valuestring), 127 + 3 * 128);
    cJSON_Delete(back);
    free(json);
}

/* RFC 3629: well-formed sequences are kept, everything else is U+FFFD per byte, whether the
 * buffer is unbounded or bounded near its limit (the exact-length path). */
static void test_invalid_utf8_is_replaced(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {"\xe2\x9c\x93 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", "\"\xe2\x9c\x93 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\""},
        {"\x80", "\"\\ufffd\""},                         /* lone continuation byte */
        {"a\xc3", "\"a\\ufffd\""},                       /* cut short at the end */
        {"\xc3(", "\"\\ufffd(\""},                       /* cut short by ASCII */
        {"\xc0\x80", "\"\\ufffd\\ufffd\""},               /* overlong NUL */
        {"\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""},     /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},     /* a surrogate */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* past U+10FFFF */
        {"\xf5\xff\xfe", "\"\\ufffd\\ufffd\\ufffd\""},
        {"uid-\xff\"x", "\"uid-\\ufffd\\\"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *json = written(cases[i].in);
        assert_string_equal(json, cases[i].out);
        assert_true(jsonout_utf8_valid(json));
        free(json);
        struct strbuf sb;
        strbuf_init(&sb, strlen(cases[i].out) + 1);
        jsonout_string(&sb, cases[i].in);
        assert_false(sb.failed);
        char *exact = strbuf_take(&sb);
        assert_string_equal(exact, cases[i].out);
        free(exact);
    }
    assert_true(jsonout_utf8_valid("plain caf\xc3\xa9"));
    assert_false(jsonout_utf8_valid("bad \xc3"));
    assert_false(jsonout_utf8_valid("\xed\xbf\xbf"));
}

/* Same text as cJSON's own printer for the characters that need escaping. */
static void test_escapes_match_cjson(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "", "plain", "quote \" and backslash \\", "tab\tnewline\ncr\rff\fbs\b", "\x01\x1f\x7f",
        "caf\xc3\xa9 \xe2\x9c\x93", "</script>", "a/b",
    };
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        cJSON *s = cJSON_CreateString(samples[i]);
        char *expected = cJSON_PrintUnformatted(s);
        char *json = written(samples[i]);
        assert_string_equal(json, expected);
        free(json);
        free(expected);
        cJSON_Delete(s);
    }
    char *null = written(NULL);
    assert_string_equal(null, "\"\"");
    free(null);
}

static void test_members_form_an_object(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    char *items[] = {"one", "two \"2\""};
    strbuf_putc(&sb, '{');
    jsonout_member_string(&sb, true, "k\"ey", "v\nal");
    jsonout_member_bool(&sb, false, "yes", true);
    jsonout_member_bool(&sb, false, "no", false);
    jsonout_member_strings(&sb, "list", items, 2);
    jsonout_member_strings(&sb, "empty", items, 0);
    strbuf_putc(&sb, '}');
    char *json = strbuf_take(&sb);
    assert_string_equal(json, "{\"k\\\"ey\":\"v\\nal\",\"yes\":true,\"no\":false,"
                              "\"list\":[\"one\",\"two \\\"2\\\"\"],\"empty\":[]}");
    cJSON *back = cJSON_Parse(json);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "k\"ey")->valuestring, "v\nal");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(back, "list")), 2);
    cJSON_Delete(back);
    free(json);
}

/* A bounded buffer that overflows fails as a whole instead of holding half a string; one that
 * has room for the escaped text takes it. */
static void test_overflow_fails(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 8);
    jsonout_string(&sb, "much longer than eight bytes");
    assert_true(sb.failed);
    assert_null(strbuf_take(&sb));
    /* Near the limit the exact length counts, not the worst case: 12 bytes fit in 14. */
    strbuf_init(&sb, 14);
    jsonout_string(&sb, "abcdefghij");
    assert_false(sb.failed);
    char *out = strbuf_take(&sb);
    assert_string_equal(out, "\"abcdefghij\"");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_round_trips),
        cmocka_unit_test(test_invalid_utf8_is_replaced),
        cmocka_unit_test(test_escapes_match_cjson),
        cmocka_unit_test(test_members_form_an_object),
        cmocka_unit_test(test_overflow_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
