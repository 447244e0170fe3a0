/* test_secrets_prefilter.c - the secret scan skips detectors by the bytes a text lacks and looks
 * for credential stems 16 bytes at a time; both shortcuts must give exactly the answers of the
 * plain scans. Every string of every case (and its truncations) goes through both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/testutil.h"
#include "secrets/secretclass.h"
#include "secrets/secretshape.h"
#include "strbuf.h"

/* Shapes that exercise every detector and every gate (URIs, DSNs, PEM, .pgpass, SQL, tokens,
 * JSON, XML, directives, define()), in lengths around the 16- and 20-byte steps. */
static const char *const crafted[] = {
    "postgres://app:hunter2@db:5432/x", "user:pw@tcp(db:3306)/x", "DB_PASSWORD=s3cr3t-x", "password: abc123x",
    "\"password\": \"abc\"", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
    "db:5432:app:app:pw-9x", "CREATE ROLE app PASSWORD 'pw-1x'", "ALTER USER a IDENTIFIED BY 'pw-2x'",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "xoxb-1234567890-abcdefghij", "AIzaSyA1234567890abcdefghijklmnopqrstu",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk", "{\"auth\": {\"token\": \"t0k3n-value\"}}",
    "<password>pw-x</password>", "<add key=\"ApiKey\" value=\"k-1\"/>", "define('DB_PASSWORD', 'pw-3');",
    "requirepass pw-4\nmasterauth pw-4", "machine h login u password pw-5", "HTTP_Passwd pw6",
    "proxy_set_header Authorization \"Basic dXNlcjpwdw==\";", "env[DB_PASSWORD] = pw-7", "'password' => 'pw-8'",
    "-Dspring.datasource.password=pw-9", "--token=abc", "PassWord = x", "pW:1", "Key=v", "aUtH: z",
    "{\"\\u0070assword\": \"escaped-key\"}", "[\"a\", {\"secret\": \"s-1\"}]", "a'b'c password 'x'",
    "sentinel auth-pass mymaster pw-10", "user admin insecure-password pw-11", "10:30:00:12:13",
    "*:*:*:*:pw-12", "glpat-abcdefghijklmnopqrstu", "x@tcp(h)", "mysql://u:p@tcp(h:3306)/d",
    "\xc3\xa9password=\xc3\xa9t\xc3\xa9", "contraseNa=x", "COOKIE_SECRET: abcdef",
    /* Long tokens that cannot open a vendor token next to ones that can (the probe passes over
     * the first kind without finding their end). */
    "orders-db.shop.svc.cluster.local.example.internal ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm,xoxb-1234567890-abcdefghij,eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk",
    "rolled out by pipeline run 1002 from commit 3f9c2e1 with token glpat-abcdefghijklmnopqrstu",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz glpat-abcdefghijklmnopqrstu zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "Cookie: x; PassWord-Key pw; sEcReT tOkEn kEy AuTh cReD pSwD", "ke", "pw", "key", "pAs", "aut",
};

struct hits {
    struct strbuf text;
};

static void collect(const struct shape_hit *h, void *arg)
{
    struct hits *s = arg;
    strbuf_printf(&s->text, "%d|%.*s|%.*s|%zu|%d|%d\n", h->kind, (int)h->key_len, h->key ? h->key : "",
                  (int)h->value_len, h->value, h->offset, h->line_start, h->json);
}

/* A plain search for secretclass_stems: the definition secretclass_has_stem must agree with. */
static bool reference_stem(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        for (const char *const *stem = secretclass_stems; *stem; stem++) {
            size_t k = 0;
            while ((*stem)[k] && i + k < len && (char)(s[i + k] | 0x20) == (*stem)[k])
                k++;
            if ((*stem)[k] == '\0')
                return true;
        }
    }
    return false;
}

static size_t checked;

/* The text and its prefixes (every length up to 40, then every 7th). */
static void check_text(const char *text)
{
    size_t len = strlen(text);
    for (size_t n = len;; n = n > 40 ? n - 7 : n - 1) {
        struct hits filtered = {0}, all = {0};
        strbuf_init(&filtered.text, 0);
        strbuf_init(&all.text, 0);
        secretshape_scan(text, n, collect, &filtered);
        secretshape_scan_all(text, n, collect, &all);
        if (strcmp(strbuf_cstr(&filtered.text), strbuf_cstr(&all.text)) != 0)
            fail_msg("shape hits differ for \"%.*s\":\n%s---\n%s", (int)n, text, strbuf_cstr(&filtered.text),
                     strbuf_cstr(&all.text));
        if (secretclass_has_stem(text, n) != reference_stem(text, n))
            fail_msg("stem answer differs for \"%.*s\"", (int)n, text);
        strbuf_free(&filtered.text);
        strbuf_free(&all.text);
        checked++;
        if (n == 0)
            break;
    }
}

static void check_strings(const cJSON *node)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, node) {
        if (item->string)
            check_text(item->string);
        if (cJSON_IsString(item))
            check_text(item->valuestring);
        else if (cJSON_IsObject(item) || cJSON_IsArray(item))
            check_strings(item);
    }
}

static void test_crafted_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof crafted / sizeof crafted[0]; i++)
        check_text(crafted[i]);
}

/* The stems are what the prefilter tables assume: two or more lower-case letters each. */
static void test_stem_list(void **state)
{
    (void)state;
    size_t count = 0;
    for (const char *const *stem = secretclass_stems; *stem; stem++, count++) {
        assert_true(strlen(*stem) >= 2);
        for (const char *c = *stem; *c; c++)
            assert_true(*c >= 'a' && *c <= 'z');
    }
    assert_true(count >= 1 && count <= 16);
}

/* Every stem, whole, without its last letter and with that letter replaced, in three cases, at
 * every place of texts around the 16-byte steps (the byte pair path up to 32 bytes, windows
 * after), filler around it: both paths agree with the plain search. */
static void test_every_stem_everywhere(void **state)
{
    (void)state;
    static const size_t lengths[] = {16, 17, 31, 32, 33, 34, 47, 48, 49, 64};
    char word[32], text[80];
    size_t agreed = 0;
    for (const char *const *stem = secretclass_stems; *stem; stem++) {
        size_t n = strlen(*stem);
        assert_true(n < sizeof word);
        for (int variant = 0; variant < 9; variant++) {
            size_t wn = n;
            for (size_t k = 0; k < n; k++) {
                char c = (*stem)[k];
                bool upper = variant % 3 == 1 || (variant % 3 == 2 && k % 2 == 1);
                word[k] = upper ? (char)(c - 'a' + 'A') : c;
            }
            if (variant / 3 == 1)
                wn = n - 1;
            else if (variant / 3 == 2)
                word[n - 1] = '_';
            for (size_t l = 0; l <= sizeof lengths / sizeof lengths[0]; l++) {
                size_t len = l < sizeof lengths / sizeof lengths[0] ? lengths[l] : wn;
                for (size_t at = 0; at + wn <= len; at++) {
                    memset(text, '-', len);
                    memcpy(text + at, word, wn);
                    if (secretclass_has_stem(text, len) != reference_stem(text, len))
                        fail_msg("stem answer differs for \"%.*s\"", (int)len, text);
                    agreed++;
                }
            }
        }
    }
    assert_true(agreed > 10000);
}

static void check_case(const char *path, cJSON *doc, void *arg)
{
    (void)arg;
    if (doc == NULL)
        fail_msg("%s does not parse", path);
    check_strings(doc);
}

static void test_every_case_string(void **state)
{
    (void)state;
    checked = 0;
    assert_true(testutil_each_case_doc(check_case, NULL) > 300);
    assert_true(checked > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stem_list),
        cmocka_unit_test(test_every_stem_everywhere),
        cmocka_unit_test(test_crafted_texts),
        cmocka_unit_test(test_every_case_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
