/* test_history_cache.c - the history cache: per-database keys, expiry, replacement, and a
 * bounded size whatever keys are written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "schema/history_cache.h"

static void stores_and_expires(void **state)
{
    (void)state;
    struct history_cache *c = history_cache_new(2);
    assert_non_null(c);
    struct history_result r = {.table_found = true, .satisfied = true, .latest_version = "1.10"};
    struct history_result out;
    assert_false(history_cache_get(c, 0, "1.10", &out));
    history_cache_put(c, 0, "1.10", &r, 60000);
    assert_true(history_cache_get(c, 0, "1.10", &out));
    assert_string_equal(out.latest_version, "1.10");
    assert_false(history_cache_get(c, 1, "1.10", &out));   /* another database */
    assert_false(history_cache_get(c, 5, "1.10", &out));   /* out of range */
    history_cache_put(c, 0, "1.11", &r, 0);                /* ttl 0: not stored */
    assert_false(history_cache_get(c, 0, "1.11", &out));
    history_cache_put(c, 1, "x", &r, 1);
    struct timespec pause = {0, 5 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_false(history_cache_get(c, 1, "x", &out));
    r.satisfied = false;
    history_cache_put(c, 0, "1.10", &r, 60000);            /* replaces, not duplicates */
    assert_true(history_cache_get(c, 0, "1.10", &out));
    assert_false(out.satisfied);
    history_cache_free(c);
}

static void bounded(void **state)
{
    (void)state;
    struct history_cache *c = history_cache_new(1);
    struct history_result r = {.table_found = true};
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "v%d", i);
        history_cache_put(c, 0, key, &r, 60000 + i);
    }
    struct history_result out;
    assert_true(history_cache_get(c, 0, "v999", &out));   /* newest kept, oldest evicted */
    assert_false(history_cache_get(c, 0, "v0", &out));
    history_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stores_and_expires),
        cmocka_unit_test(bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
