/* test_flyway.c - Flyway's decision over history rows (flyway.c): the newest row per
 * normalised version decides, DELETE/UNDO/failed rows, baselines, repeatables, leading zeros,
 * trailing .0, SCHEMA-era '0' rows and versions Flyway cannot write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "schema/tools/flyway.h"

#define ROW(r_, v_, t_, ok_, d_) \
    {.version = (v_), .type = (t_), .description = (d_), .installed_at = "2026-11-21T10:00:00Z", \
     .rank = (r_), .success = (ok_)}

/* BASELINE 1, 1.1, 1.9 then DELETE, 1.10 then UNDO, out-of-order 1.5, failed 2.0, 005.0.0,
 * a repeatable (the Flyway fixture). */
static const struct flyway_row fixture[] = {
    ROW(1, "1", "BASELINE", 1, "<< Flyway Baseline >>"),
    ROW(2, "1.1", "SQL", 1, "a"),
    ROW(3, "1.9", "SQL", 1, "b"),
    ROW(4, "1.10", "SQL", 1, "c"),
    ROW(5, "1.9", "DELETE", 1, "b"),
    ROW(6, "1.10", "UNDO_SQL", 1, "c"),
    ROW(7, "1.5", "SQL", 1, "d"),
    ROW(8, "2.0", "SQL", 0, "e"),
    ROW(9, "005.0.0", "SQL", 1, "f"),
    ROW(10, NULL, "SQL", 1, "views"),
    ROW(11, "1.x", "SQL", 1, "not a version"),
};

static struct flyway_answer decide(const struct flyway_row *rows, size_t n, const char *required)
{
    struct flyway_answer a;
    assert_int_equal(flyway_decide(rows, n, required, &a), 0);
    return a;
}

static void fixture_answers(void **state)
{
    (void)state;
    size_t n = sizeof fixture / sizeof fixture[0];
    const char *applied[] = {"0.9", "1", "1.0", "1.1", "1_1", "1.5", "5", "05.0", "1.01"};
    for (size_t i = 0; i < sizeof applied / sizeof applied[0]; i++)
        assert_true(decide(fixture, n, applied[i]).applied);
    const char *not_applied[] = {"1.9", "1.10", "2", "6", "1.2"};
    for (size_t i = 0; i < sizeof not_applied / sizeof not_applied[0]; i++)
        assert_false(decide(fixture, n, not_applied[i]).applied);
    struct flyway_answer a = decide(fixture, n, "2");
    assert_true(a.reached);                         /* 5 >= 2 */
    assert_non_null(a.latest);
    assert_string_equal(a.latest->version, "005.0.0");
    assert_non_null(a.failed);                      /* 2.0 failed, at or below 2 */
    assert_string_equal(a.failed->version, "2.0");
    assert_false(a.failed_repeatable);
    a = decide(fixture, n, "1.10");
    assert_null(a.failed);                          /* 2.0 is above 1.10 */
    assert_false(decide(fixture, n, "6").reached);
}

static void newest_row_decides(void **state)
{
    (void)state;
    /* Re-applied after an undo: the newest row counts, whatever the row order. */
    const struct flyway_row redone[] = {
        ROW(9, "1.10", "SQL", 1, "again"), ROW(3, "1.10", "SQL", 1, "c"), ROW(6, "1.10", "UNDO_SQL", 1, "c"),
    };
    assert_true(decide(redone, 3, "1.10").applied);
    assert_string_equal(decide(redone, 3, "1.10").latest->description, "again");
    /* A failed retry after success: the failure is newest. */
    const struct flyway_row retried[] = {ROW(1, "1.1", "SQL", 1, "a"), ROW(2, "1_1.0", "SQL", 0, "a")};
    struct flyway_answer a = decide(retried, 2, "1.1");
    assert_false(a.applied);
    assert_non_null(a.failed);
    assert_string_equal(a.failed->version, "1_1.0");
    assert_null(a.latest);
    /* A NULL rank is the newest, as in ORDER BY installed_rank DESC. */
    struct flyway_row nulls[] = {ROW(5, "2", "SQL", 1, "x"), ROW(0, "2", "DELETE", 1, "x")};
    nulls[1].rank_null = true;
    assert_false(decide(nulls, 2, "2").applied);
}

static void baselines_and_repeatables(void **state)
{
    (void)state;
    const struct flyway_row rows[] = {
        ROW(1, "3.0", "SQL_BASELINE", 1, "b"),
        ROW(2, NULL, "SQL", 1, "views"),
        ROW(3, NULL, "SQL", 0, "views"),
        ROW(4, NULL, "SQL", 0, "procs"),
        ROW(5, NULL, "SQL", 1, "procs"),
    };
    struct flyway_answer a = decide(rows, 5, "2.7");
    assert_true(a.applied);                         /* below the baseline */
    assert_false(decide(rows, 5, "3.1").applied);
    assert_true(decide(rows, 5, "3").applied);
    assert_non_null(a.failed);                      /* views' newest row failed; procs recovered */
    assert_true(a.failed_repeatable);
    assert_string_equal(a.failed->description, "views");
    /* An undone baseline covers nothing; an empty history has no answer. */
    const struct flyway_row undone[] = {ROW(1, "3", "BASELINE", 1, "b"), ROW(2, "3", "UNDO_SQL", 1, "b")};
    assert_false(decide(undone, 2, "2").applied);
    a = decide(NULL, 0, "1");
    assert_false(a.applied || a.reached);
    assert_null(a.latest);
    assert_null(a.failed);
}

static void many_rows(void **state)
{
    (void)state;
    static char text[3000][16];
    static struct flyway_row rows[3000];
    for (int i = 0; i < 3000; i++) {
        snprintf(text[i], sizeof text[i], "1.%d", i / 2);           /* each version twice */
        rows[i] = (struct flyway_row)ROW(i + 1, text[i], i % 2 ? "DELETE" : "SQL", 1, "m");
    }
    rows[2999].type = "SQL";                                        /* 1.1499: its newest row is SQL */
    struct flyway_answer a = decide(rows, 3000, "1.1499");
    assert_true(a.applied);
    assert_false(decide(rows, 3000, "1.1498").applied);
    assert_string_equal(a.latest->version, "1.1499");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_answers),
        cmocka_unit_test(newest_row_decides),
        cmocka_unit_test(baselines_and_repeatables),
        cmocka_unit_test(many_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
