/* test_log.c - log line pieces: the UTC timestamp written without gmtime/strftime agrees with
 * gmtime_r + strftime for every day from 1970 to 2400 and for leap-day and year-end edges; the
 * per-kind rate limit writes a burst, then the refill rate, counts the rest and reports them in
 * one log_lines_dropped line; database notices become JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "log.h"

static void expect_same(long long secs, long nsec)
{
    char ours[25], want[64], base[32];
    struct tm tm;
    time_t t = (time_t)secs;
    assert_non_null(gmtime_r(&t, &tm));
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(want, sizeof want, "%s.%03ldZ", base, nsec / 1000000);
    log_format_utc(secs, nsec, ours);
    assert_string_equal(ours, want);
}

static void test_every_day_1970_to_2400(void **state)
{
    (void)state;
    for (long long day = 0; day < 157000; day++)   /* 1970-01-01 .. beyond 2399-12-31 */
        expect_same(day * 86400 + (day * 7919) % 86400, (day * 104729) % 1000000000);
}

static void test_edges(void **state)
{
    (void)state;
    static const long long edges[] = {
        0, 59, 60, 3599, 3600, 86399, 86400,
        951782399, 951782400, 951868799,     /* 2000-02-28 23:59:59, 02-29 00:00, 02-29 23:59:59 */
        4107542399, 4107542400,              /* 2100-02-28 23:59:59, 2100-03-01 (no leap day) */
        1795305599, 1795305600,              /* 2026-11-21 ... */
        253402300799,                        /* 9999-12-31T23:59:59 */
    };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        expect_same(edges[i], 999999999);
    char out[25];
    log_format_utc(-5, 0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

static long long fake_now;

static long long fake_clock(void)
{
    return fake_now;
}

/* stderr into a temporary file while a test writes log lines. */
static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
    fflush(stderr);
    capture = tmpfile();
    assert_non_null(capture);
    saved_stderr = dup(2);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fileno(capture), 2) >= 0);
}

/* Stops capturing; returns the lines written (malloc'd, NUL-terminated). */
static char *capture_stop(void)
{
    fflush(stderr);
    assert_true(dup2(saved_stderr, 2) >= 0);
    close(saved_stderr);
    long n = ftell(capture);
    assert_true(n >= 0);
    char *text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    rewind(capture);
    assert_int_equal(fread(text, 1, (size_t)n, capture), (size_t)n);
    fclose(capture);
    return text;
}

static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        if (strstr(buf, needle))
            n++;
        cJSON *doc = cJSON_Parse(buf);   /* every line is one JSON object */
        assert_non_null(doc);
        cJSON_Delete(doc);
        line = nl ? nl + 1 : line + len;
    }
    return n;
}

static unsigned long long dropped_of(const char *event)
{
    const char *events[LOG_KINDS];
    unsigned long long counts[LOG_KINDS];
    size_t n = log_dropped_counts(events, counts, LOG_KINDS);
    for (size_t i = 0; i < n; i++)
        if (strcmp(events[i], event) == 0)
            return counts[i];
    return 0;
}

static void test_rate_limit_per_kind(void **state)
{
    (void)state;
    fake_now = 1000000000LL;
    log_use_clock(fake_clock);
    capture_start();
    for (int i = 0; i < 1000; i++)
        log_event("warn", "flood", "bad request %d", i);
    log_event("info", "calm", "another kind is not held back");
    fake_now += 1000000000LL;   /* one second: LOG_RATE_PER_S more */
    for (int i = 0; i < 100; i++)
        log_event("warn", "flood", "bad request %d", i);
    char *text = capture_stop();
    assert_int_equal(count_lines(text, "\"event\":\"flood\""), LOG_BURST + LOG_RATE_PER_S);
    assert_int_equal(count_lines(text, "\"event\":\"calm\""), 1);
    assert_int_equal(count_lines(text, "log_lines_dropped"), 0);   /* not yet due */
    assert_int_equal(dropped_of("flood"), 1100 - LOG_BURST - LOG_RATE_PER_S);
    free(text);

    /* LOG_DROP_REPORT_S after the first drop, the next line of any kind brings the report. */
    fake_now += LOG_DROP_REPORT_S * 1000000000LL;
    capture_start();
    log_event("info", "calm", "later");
    log_event("info", "calm", "later again");
    text = capture_stop();
    char want[96];
    snprintf(want, sizeof want, "\"kind\":\"flood\",\"dropped\":%d", 1100 - LOG_BURST - LOG_RATE_PER_S);
    assert_int_equal(count_lines(text, want), 1);
    assert_int_equal(count_lines(text, "log_lines_dropped"), 1);
    free(text);

    /* More kinds than LOG_KINDS share one bucket instead of growing the table. */
    static char names[3 * LOG_KINDS][16];
    capture_start();
    for (int i = 0; i < 3 * LOG_KINDS; i++) {
        snprintf(names[i], sizeof names[i], "kind%d", i);
        log_event("info", names[i], "x");
    }
    text = capture_stop();
    free(text);
    const char *events[LOG_KINDS + 1];
    unsigned long long counts[LOG_KINDS + 1];
    assert_int_equal(log_dropped_counts(events, counts, LOG_KINDS + 1), LOG_KINDS);
    log_use_clock(NULL);
}

static void test_db_notice_is_a_json_line(void **state)
{
    (void)state;
    log_use_clock(NULL);
    capture_start();
    log_db_notice("orders", "NOTICE:  relation \"x\" already exists, skipping\n");
    log_db_notice("orders", "WARNING:  nonstandard use of \\' in a string literal\n");
    char *text = capture_stop();
    assert_int_equal(count_lines(text, "\"event\":\"db_notice\",\"database\":\"orders\""), 2);
    assert_int_equal(count_lines(text, "\"level\":\"warn\""), 1);
    assert_non_null(strstr(text, "\"msg\":\"NOTICE:  relation \\\"x\\\" already exists, skipping\"}"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_day_1970_to_2400),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_rate_limit_per_kind),
        cmocka_unit_test(test_db_notice_is_a_json_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
