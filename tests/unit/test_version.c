/* test_version.c - Flyway's version order (MigrationVersion.compareTo) and digit strings, with
 * the examples of Flyway's MigrationVersion; the same pairs are checked against PostgreSQL's
 * numeric[] order by tests/e2e/schema_fixtures.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "schema/version.h"

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void flyway_order(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int want;
    } pairs[] = {
        {"1.10", "1.9", 1},  {"1.0", "1", 0},    {"1.0.0", "1", 0},   {"1_1", "1.1", 0},
        {"005", "5", 0},     {"1.01", "1.1", 0}, {"2", "1.999", 1},   {"1.0.1", "1", 1},
        {"0.9", "1", -1},    {"1.5", "1.10", -1}, {"05.0", "5", 0},    {"0", "0.0", 0},
        {"123456789012345678901234567890", "123456789012345678901234567889", 1},
        {"1.2.3.4.5", "1.2.3.4.5.0.0", 0}, {"10", "9.99", 1}, {"1_10", "1.9", 1},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        assert_int_equal(sign(version_flyway_compare(pairs[i].a, pairs[i].b)), pairs[i].want);
        assert_int_equal(sign(version_flyway_compare(pairs[i].b, pairs[i].a)), -pairs[i].want);
    }
}

static void flyway_valid(void **state)
{
    (void)state;
    assert_true(version_flyway_valid("1"));
    assert_true(version_flyway_valid("1.10"));
    assert_true(version_flyway_valid("1_1"));
    assert_true(version_flyway_valid("2024.01.02_3"));
    assert_false(version_flyway_valid(""));
    assert_false(version_flyway_valid("1."));
    assert_false(version_flyway_valid(".1"));
    assert_false(version_flyway_valid("1..2"));
    assert_false(version_flyway_valid("v1"));
    assert_false(version_flyway_valid("1.x"));
    assert_false(version_flyway_valid("latest"));
    assert_false(version_flyway_valid("1-2"));
}

static void flyway_normalize(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"1.10", "1.10"}, {"1_10", "1.10"}, {"01.010.0", "1.10"}, {"1.0.0", "1"}, {"0", "0"},
        {"0.0", "0"},     {"0.1", "0.1"},   {"005", "5"},         {"1.0.1", "1.0.1"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        version_flyway_normalize(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
    version_flyway_normalize("1.2.3.4.5.6", out, 6);   /* does not fit: empty, never cut */
    assert_string_equal(out, "");
}

static void digits(void **state)
{
    (void)state;
    assert_true(version_digits_valid("20240101120000"));
    assert_false(version_digits_valid(""));
    assert_false(version_digits_valid("12a"));
    assert_int_equal(version_digits_compare("001", "1"), 0);
    assert_true(version_digits_compare("20240101120000", "20231231235959") > 0);
    assert_true(version_digits_compare("9", "10") < 0);
    assert_int_equal(version_digits_compare("0", "000"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flyway_order),
        cmocka_unit_test(flyway_valid),
        cmocka_unit_test(flyway_normalize),
        cmocka_unit_test(digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
