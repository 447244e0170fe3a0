/* admission.c - request -> parse -> checks -> decision -> response, plus its log line and
 * metrics. This is the only glue between the HTTP server and the decision core. */
#include "admission.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "deadline.h"
#include "decision.h"
#include "log.h"
#include "metrics.h"
#include "review.h"
#include "verdict.h"

/* After a body this large the scan's many small allocations are handed back to the system
 * (malloc_trim) instead of staying on the thread's heap (README "Memory per request"). */
#define ADMISSION_TRIM_AFTER (512u * 1024u)

enum gate_answer { GATE_NONE = 0, GATE_INLINE, GATE_DATABASE, GATE_EXPIRED };

struct admission {
    atomic_int refs;
    char *body;                     /* the request parses in place: req points into it */
    size_t len;
    const struct config *cfg;
    unsigned checks;
    struct timespec start, deadline;
    long budget_ms;
    bool parsed, checked;           /* parsed: req is valid; checked: ctx is (not exempt) */
    struct sg_error parse_error;
    struct admission_request req;
    struct check_context ctx;
    struct verdict v;               /* every check but the gate's database answer */
    struct verdict gate;            /* the gate, from the cache or a database thread */
    struct verdict expired;         /* the gate, answered at the deadline */
    atomic_int answer;              /* enum gate_answer: which of the two counts */
};

struct admission *admission_start(char *body, size_t len, const struct config *cfg, unsigned checks,
                                  struct history_source *history, const struct timespec *deadline,
                                  long budget_ms)
{
    struct admission *a = calloc(1, sizeof *a);
    if (a == NULL) {
        free(body);
        return NULL;
    }
    atomic_init(&a->refs, 1);
    atomic_init(&a->answer, GATE_NONE);
    clock_gettime(CLOCK_MONOTONIC, &a->start);
    a->body = body;
    a->len = len;
    a->cfg = cfg;
    a->checks = checks;
    a->deadline = *deadline;
    a->budget_ms = budget_ms;
    verdict_init(&a->v);
    verdict_init(&a->gate);
    verdict_init(&a->expired);
    if (review_parse(body, len, &a->req, &a->parse_error) != 0)
        return a;
    a->parsed = true;
    a->checked = decision_prepare(&a->req, cfg, history, &a->ctx);
    if (!a->checked)
        return a;
    decision_run_checks(&a->ctx, checks & ~(unsigned)CHECK_SCHEMA, NULL, budget_ms, &a->v);
    if (checks & CHECK_SCHEMA) {
        /* Without waiting: from the history cache, or not at all (needs_database). */
        decision_run_checks(&a->ctx, CHECK_SCHEMA, NULL, budget_ms, &a->gate);
        if (!a->gate.needs_database)
            atomic_store(&a->answer, GATE_INLINE);
    }
    return a;
}

bool admission_needs_database(const struct admission *a)
{
    return a->checked && a->gate.needs_database;
}

const struct timespec *admission_deadline(const struct admission *a)
{
    return &a->deadline;
}

bool admission_run_gate(struct admission *a)
{
    if (atomic_load(&a->answer) != GATE_NONE)
        return false;   /* answered at the deadline while it waited for a thread */
    verdict_free(&a->gate);
    verdict_init(&a->gate);
    decision_run_checks(&a->ctx, CHECK_SCHEMA, &a->deadline, a->budget_ms, &a->gate);
    int none = GATE_NONE;
    return atomic_compare_exchange_strong(&a->answer, &none, GATE_DATABASE);
}

bool admission_expire_gate(struct admission *a)
{
    if (atomic_load(&a->answer) != GATE_NONE)
        return false;
    /* The deadline has passed: the gate reports every database it would ask as unreachable
     * ("no time left in the budget") without touching one. */
    decision_run_checks(&a->ctx, CHECK_SCHEMA, &a->deadline, a->budget_ms, &a->expired);
    int none = GATE_NONE;
    return atomic_compare_exchange_strong(&a->answer, &none, GATE_EXPIRED);
}

void admission_retain(struct admission *a)
{
    atomic_fetch_add(&a->refs, 1);
}

void admission_release(struct admission *a)
{
    if (a == NULL || atomic_fetch_sub(&a->refs, 1) != 1)
        return;
    verdict_free(&a->v);
    verdict_free(&a->gate);
    verdict_free(&a->expired);
    if (a->parsed)
        review_free(&a->req);
    free(a->body);
    size_t len = a->len;
    free(a);
    if (len >= ADMISSION_TRIM_AFTER)
        malloc_trim(0);
}

void admission_finish(struct admission *a, struct admission_result *out)
{
    const char *check = check_family_name(a->checks);
    if (!a->parsed) {
        out->http_status = 400;
        out->body = review_error_json(400, a->parse_error.message);
        metrics_record_http_error(400);
        log_event("warn", "bad_request", "%s", a->parse_error.message);
        return;
    }
    int answer = atomic_load(&a->answer);
    if (answer == GATE_INLINE || answer == GATE_DATABASE)
        verdict_merge(&a->v, &a->gate);
    else if (answer == GATE_EXPIRED)
        verdict_merge(&a->v, &a->expired);
    struct verdict *v = &a->v;
    out->body = review_response_json(&a->req, v);
    out->http_status = out->body ? 200 : 500;
    enum metrics_decision d = v->failed || out->body == NULL ? METRICS_ERROR
                              : verdict_denied(v)           ? METRICS_DENIED
                              : v->warnings.count > 0       ? METRICS_WARNED
                                                            : METRICS_ALLOWED;
    static const char *const names[] = {"allowed", "warned", "denied", "error"};
    double seconds = deadline_seconds_since(&a->start);
    log_decision(&a->req, v, check, names[d], seconds);
    metrics_record_admission(check, a->req.kind, a->req.operation_name, d, a->req.dry_run, seconds);
    if (out->body == NULL) {
        out->body = review_error_json(500, "out of memory building the response");
        metrics_record_http_error(500);
    }
}
