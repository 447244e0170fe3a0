/* dbwork.c - database threads and the deadline watchdog (see dbwork.h).
 *
 * Design: one mutex guards a FIFO of queued jobs and the list of unanswered ones. Database
 * threads pop a job, run its gate without the lock, and call `done` if their answer counted.
 * The watchdog sleeps until the earliest unanswered deadline, then takes every job past its
 * deadline off the unanswered list and answers it (outside the lock). Which of the two answers
 * counts is decided once, by the admission itself (admission_run_gate / admission_expire_gate:
 * a compare-and-swap), so `done` runs exactly once. A job struct belongs to the database side
 * and is freed by the thread that popped it; the watchdog only keeps the admission alive
 * (retain/release) while it answers. The number of jobs is bounded by the server's connection
 * limit: every job is a suspended connection. */
#include "dbwork.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "admission.h"
#include "deadline.h"

#define DBWORK_MAX_THREADS 64
#define DBWORK_EXPIRE_BATCH 32
/* The watchdog answers this long after an admission's deadline: a database thread bounded by
 * the same deadline gives the more precise answer ("no answer within the budget") first, and
 * the margin kept from the apiserver's timeout (at least 150 ms, server.c) still covers it. */
#define DBWORK_GRACE_NS (75L * 1000 * 1000)

struct job {
    struct admission *a;
    dbwork_done_fn done;
    void *ctx;
    struct timespec deadline;
    bool answered_by_watchdog;
    struct job *next_queued;                /* FIFO of jobs no thread has taken yet */
    struct job *prev_live, *next_live;      /* jobs not yet answered by the watchdog */
};

struct dbwork {
    pthread_mutex_t lock;
    pthread_cond_t work;                    /* a job was queued, or stopping */
    pthread_cond_t wake;                    /* the watchdog: an earlier deadline, or stopping */
    struct job *head, *tail;
    struct job *live;
    unsigned pending;
    bool stopping;
    unsigned nthreads;
    pthread_t threads[DBWORK_MAX_THREADS];
    pthread_t watchdog;
    bool watchdog_started;
};

static void live_remove(struct dbwork *w, struct job *j)
{
    if (j->prev_live)
        j->prev_live->next_live = j->next_live;
    else
        w->live = j->next_live;
    if (j->next_live)
        j->next_live->prev_live = j->prev_live;
    j->prev_live = j->next_live = NULL;
}

static void *database_thread(void *arg)
{
    struct dbwork *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->head == NULL && !w->stopping)
            pthread_cond_wait(&w->work, &w->lock);
        struct job *j = w->head;
        if (j == NULL)
            break;                          /* stopping and nothing left */
        w->head = j->next_queued;
        if (w->head == NULL)
            w->tail = NULL;
        bool answered = j->answered_by_watchdog;
        pthread_mutex_unlock(&w->lock);
        if (!answered && admission_run_gate(j->a))
            j->done(j->ctx);
        pthread_mutex_lock(&w->lock);
        if (!j->answered_by_watchdog)
            live_remove(w, j);
        w->pending--;
        pthread_mutex_unlock(&w->lock);
        admission_release(j->a);
        free(j);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static bool passed(const struct timespec *deadline, const struct timespec *now)
{
    return deadline->tv_sec < now->tv_sec || (deadline->tv_sec == now->tv_sec && deadline->tv_nsec <= now->tv_nsec);
}

static void *watchdog_thread(void *arg)
{
    struct dbwork *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct { struct admission *a; dbwork_done_fn done; void *ctx; } due[DBWORK_EXPIRE_BATCH];
        size_t n = 0;
        struct timespec now, earliest = {0};
        bool any = false;
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (struct job *j = w->live, *next; j; j = next) {
            next = j->next_live;
            if (w->stopping || passed(&j->deadline, &now)) {
                if (n == DBWORK_EXPIRE_BATCH) {
                    any = true;             /* the rest in the next round, at once */
                    earliest = now;
                    break;
                }
                j->answered_by_watchdog = true;
                live_remove(w, j);
                admission_retain(j->a);
                due[n].a = j->a;
                due[n].done = j->done;
                due[n].ctx = j->ctx;
                n++;
            } else if (!any || !passed(&earliest, &j->deadline)) {
                earliest = j->deadline;
                any = true;
            }
        }
        if (n > 0) {
            pthread_mutex_unlock(&w->lock);
            for (size_t i = 0; i < n; i++) {
                if (admission_expire_gate(due[i].a))
                    due[i].done(due[i].ctx);
                admission_release(due[i].a);
            }
            pthread_mutex_lock(&w->lock);
            continue;
        }
        if (w->stopping)
            break;
        if (any)
            pthread_cond_timedwait(&w->wake, &w->lock, &earliest);
        else
            pthread_cond_wait(&w->wake, &w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct dbwork *dbwork_start(unsigned threads, struct sg_error *err)
{
    struct dbwork *w = calloc(1, sizeof *w);
    if (w == NULL) {
        sg_error_set(err, "out of memory starting the database threads");
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&w->work, NULL);
    if (threads == 0)
        threads = 1;
    if (threads > DBWORK_MAX_THREADS)
        threads = DBWORK_MAX_THREADS;
    int rc = pthread_create(&w->watchdog, NULL, watchdog_thread, w);
    w->watchdog_started = rc == 0;
    for (unsigned i = 0; rc == 0 && i < threads; i++) {
        rc = pthread_create(&w->threads[i], NULL, database_thread, w);
        if (rc == 0)
            w->nthreads++;
    }
    if (rc != 0) {
        sg_error_set(err, "cannot start the database threads (%s)", rc == EAGAIN ? "thread limit" : "error");
        dbwork_stop(w);
        return NULL;
    }
    return w;
}

void dbwork_stop(struct dbwork *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->work);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    if (w->watchdog_started)
        pthread_join(w->watchdog, NULL);
    for (unsigned i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

int dbwork_submit(struct dbwork *w, struct admission *a, dbwork_done_fn done, void *ctx)
{
    struct job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return -1;
    j->a = a;
    j->done = done;
    j->ctx = ctx;
    j->deadline = *admission_deadline(a);
    j->deadline.tv_nsec += DBWORK_GRACE_NS;
    if (j->deadline.tv_nsec >= 1000000000L) {
        j->deadline.tv_sec++;
        j->deadline.tv_nsec -= 1000000000L;
    }
    admission_retain(a);
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next_queued = j;
    else
        w->head = j;
    w->tail = j;
    j->next_live = w->live;
    if (w->live)
        w->live->prev_live = j;
    w->live = j;
    w->pending++;
    pthread_cond_signal(&w->work);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

unsigned dbwork_pending(struct dbwork *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned n = w->pending;
    pthread_mutex_unlock(&w->lock);
    return n;
}
