/* test_log.c - log line pieces: the UTC timestamp written without gmtime/strftime agrees with
 * gmtime_r + strftime for every day from 1970 to 2400 and for leap-day and year-end edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_day_1970_to_2400),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
