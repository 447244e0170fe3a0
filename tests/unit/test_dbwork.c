/* test_dbwork.c - the database threads and their watchdog (dbwork.c) with the admission steps
 * (admission.c): an answer from the database thread when it is in time, the deadline answer
 * when it is not (whatever the source does, even ignoring its deadline), exactly one `done` per
 * admission, more admissions than threads, and a stop with admissions still waiting. The
 * history source here is a stand-in that blocks on command; the real one is tested against
 * PostgreSQL in tests/e2e/server_stalls.sh and schema_faults.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "admission.h"
#include "check.h"
#include "config.h"
#include "dbwork.h"
#include "deadline.h"
#include "schema/history.h"

/* A source that answers "applied" after `delay_ms`, optionally ignoring the deadline. */
struct slow_source {
    struct history_source base;
    long delay_ms;
    bool ignore_deadline;
    atomic_int calls;
};

static int slow_lookup(struct history_source *base, const struct database_config *db, const struct requirement *r,
                       const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    (void)r;
    struct slow_source *s = (struct slow_source *)base;
    if (deadline == NULL)
        return HISTORY_WOULD_WAIT;   /* nothing cached: the HTTP side must not wait */
    atomic_fetch_add(&s->calls, 1);
    struct timespec until;
    deadline_in(&until, s->delay_ms);
    if (!s->ignore_deadline && deadline_ms_left(deadline) < s->delay_ms) {
        struct timespec d = *deadline;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
        return sg_error_set(err, "database %s unreachable (no answer within the budget)", db->name);
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    memset(out, 0, sizeof *out);
    out->table_found = out->satisfied = true;
    return 0;
}

static const char *config_text =
    "{\"databases\": {\"orders\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\", \"namespaces\": [\"shop\"]}}}";

static char *body_requiring(const char *requires)
{
    char *body = malloc(2048);
    assert_non_null(body);
    snprintf(body, 2048,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
             "\"uid\":\"u1\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},"
             "\"name\":\"api\",\"namespace\":\"shop\",\"operation\":\"CREATE\",\"dryRun\":false,"
             "\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"api\","
             "\"namespace\":\"shop\",\"annotations\":{\"schemagate.io/requires\":\"%s\"}},\"spec\":{\"template\":"
             "{\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"nginx\"}]}}}},\"oldObject\":null}}",
             requires);
    return body;
}

/* One admission's end: when `done` ran, from which side, how often. */
struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done_calls;
    struct timespec done_at;
};

static void on_done(void *ctx)
{
    struct waiter *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->done_calls++;
    clock_gettime(CLOCK_MONOTONIC, &w->done_at);
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void waiter_init(struct waiter *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void wait_done(struct waiter *w, long max_ms)
{
    struct timespec until;
    deadline_in(&until, max_ms);
    pthread_mutex_lock(&w->lock);
    while (w->done_calls == 0)
        if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0)
            break;
    pthread_mutex_unlock(&w->lock);
    assert_int_equal(w->done_calls, 1);
}

struct world {
    struct config cfg;
    struct slow_source src;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(config_text, "test.json", &w->cfg, &err), 0);
    w->src.base.lookup = slow_lookup;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    config_free(&w->cfg);
    free(w);
    return 0;
}

static struct admission *start(struct world *w, long budget_ms, struct timespec *began)
{
    char *body = body_requiring("orders@1.10");
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, began);
    deadline_in(&deadline, budget_ms);
    struct admission *a = admission_start(body, strlen(body), &w->cfg, CHECK_ALL, &w->src.base, &deadline, budget_ms);
    assert_non_null(a);
    assert_true(admission_needs_database(a));
    return a;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
    return (long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

static char *finish(struct admission *a)
{
    struct admission_result r = {0};
    admission_finish(a, &r);
    admission_release(a);
    assert_int_equal(r.http_status, 200);
    return r.body;
}

static void answer_in_time_comes_from_the_database(void **state)
{
    struct world *w = *state;
    w->src.delay_ms = 20;
    struct sg_error err = {{0}};
    struct dbwork *work = dbwork_start(2, &err);
    assert_non_null(work);
    struct waiter wt;
    waiter_init(&wt);
    struct timespec began;
    struct admission *a = start(w, 1000, &began);
    assert_int_equal(dbwork_submit(work, a, on_done, &wt), 0);
    wait_done(&wt, 2000);
    char *body = finish(a);
    assert_non_null(strstr(body, "\"allowed\":true"));
    free(body);
    dbwork_stop(work);
    assert_int_equal(atomic_load(&w->src.calls), 1);
}

static void deadline_answers_a_source_that_ignores_it(void **state)
{
    struct world *w = *state;
    w->src.delay_ms = 700;
    w->src.ignore_deadline = true;
    struct sg_error err = {{0}};
    struct dbwork *work = dbwork_start(1, &err);
    struct waiter wt;
    waiter_init(&wt);
    struct timespec began;
    struct admission *a = start(w, 100, &began);
    assert_int_equal(dbwork_submit(work, a, on_done, &wt), 0);
    wait_done(&wt, 2000);
    long took = ms_between(&began, &wt.done_at);
    assert_true(took >= 100 && took < 400);
    char *body = finish(a);     /* the database thread still holds the admission */
    assert_non_null(strstr(body, "\"allowed\":false"));
    assert_non_null(strstr(body, "database orders unreachable (no time left in the 100 ms budget)"));
    free(body);
    dbwork_stop(work);          /* waits for the late lookup; its answer is dropped */
    assert_int_equal(wt.done_calls, 1);
}

static void more_admissions_than_threads(void **state)
{
    struct world *w = *state;
    w->src.delay_ms = 300;
    struct sg_error err = {{0}};
    struct dbwork *work = dbwork_start(1, &err);
    enum { N = 6 };
    struct waiter wt[N];
    struct admission *a[N];
    struct timespec began[N];
    for (int i = 0; i < N; i++) {
        waiter_init(&wt[i]);
        a[i] = start(w, 200, &began[i]);
        assert_int_equal(dbwork_submit(work, a[i], on_done, &wt[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        wait_done(&wt[i], 2000);
        long took = ms_between(&began[i], &wt[i].done_at);
        assert_true(took < 500);    /* queued ones are answered at their deadline, not after the others */
        char *body = finish(a[i]);
        assert_non_null(strstr(body, "unreachable"));
        free(body);
    }
    dbwork_stop(work);
}

static void stop_answers_what_waits(void **state)
{
    struct world *w = *state;
    w->src.delay_ms = 200;
    struct sg_error err = {{0}};
    struct dbwork *work = dbwork_start(1, &err);
    struct waiter wt[3];
    struct admission *a[3];
    struct timespec began;
    for (int i = 0; i < 3; i++) {
        waiter_init(&wt[i]);
        a[i] = start(w, 5000, &began);
        assert_int_equal(dbwork_submit(work, a[i], on_done, &wt[i]), 0);
    }
    assert_true(dbwork_pending(work) >= 1);
    dbwork_stop(work);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(wt[i].done_calls, 1);
        free(finish(a[i]));
    }
}

static void secrets_only_never_needs_the_database(void **state)
{
    struct world *w = *state;
    char *body = body_requiring("orders@1.10");
    struct timespec deadline;
    deadline_in(&deadline, 1000);
    struct admission *a = admission_start(body, strlen(body), &w->cfg, CHECK_SECRETS | CHECK_HYGIENE, &w->src.base,
                                          &deadline, 1000);
    assert_false(admission_needs_database(a));
    free(finish(a));
    assert_int_equal(atomic_load(&w->src.calls), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(answer_in_time_comes_from_the_database, setup, teardown),
        cmocka_unit_test_setup_teardown(deadline_answers_a_source_that_ignores_it, setup, teardown),
        cmocka_unit_test_setup_teardown(more_admissions_than_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_answers_what_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_only_never_needs_the_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
