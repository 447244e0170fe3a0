/* admission.c - request -> parse -> checks -> decision -> response, plus its log line and
 * metrics. This is the only glue between the HTTP server and the decision core. */
#include "admission.h"

#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include "deadline.h"
#include "decision.h"
#include "log.h"
#include "metrics.h"
#include "review.h"
#include "verdict.h"

/* After a body this large the scan's many small allocations are handed back to the system
 * (malloc_trim) instead of staying on the thread's heap (README "Memory per request"). */
#define ADMISSION_TRIM_AFTER (512u * 1024u)

static void give_back(size_t len)
{
    if (len >= ADMISSION_TRIM_AFTER)
        malloc_trim(0);
}

void admission_handle(char *body, size_t len, const struct config *cfg, unsigned checks,
                      struct history_source *history, struct admission_result *out)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const char *check = check_family_name(checks);
    struct sg_error err = {{0}};
    struct admission_request req;
    if (review_parse(body, len, &req, &err) != 0) {
        out->http_status = 400;
        out->body = review_error_json(400, err.message);
        metrics_record_http_error(400);
        log_event("warn", "bad_request", "%s", err.message);
        give_back(len);
        return;
    }
    struct verdict v;
    verdict_init(&v);
    decision_run(&req, cfg, checks, history, &v);
    out->body = review_response_json(&req, &v);
    out->http_status = out->body ? 200 : 500;
    enum metrics_decision d = v.failed || out->body == NULL ? METRICS_ERROR
                              : verdict_denied(&v)          ? METRICS_DENIED
                              : v.warnings.count > 0        ? METRICS_WARNED
                                                            : METRICS_ALLOWED;
    static const char *const names[] = {"allowed", "warned", "denied", "error"};
    double seconds = deadline_seconds_since(&start);
    log_decision(&req, &v, check, names[d], seconds);
    metrics_record_admission(check, req.kind, req.operation_name, d, req.dry_run, seconds);
    if (out->body == NULL) {
        out->body = review_error_json(500, "out of memory building the response");
        metrics_record_http_error(500);
    }
    verdict_free(&v);
    review_free(&req);
    give_back(len);
}
