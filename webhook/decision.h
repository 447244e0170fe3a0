/* decision.h - the decision core: a pure function from (request, config, history source) to a
 * verdict. `schemagate serve` and `schemagate review` are thin front ends over it. */
#ifndef SCHEMAGATE_DECISION_H
#define SCHEMAGATE_DECISION_H

#include <stdbool.h>
#include <time.h>

#include "check.h"
#include "config.h"
#include "review.h"
#include "verdict.h"

/* Runs the checks in the set `checks` (enum check_id bits, as check_family_set gives them), in
 * registry order, the schema gate waiting for databases up to its configured timeout.
 * Exempt namespaces and DELETE/CONNECT are allowed untouched. */
void decision_run(const struct admission_request *req, const struct config *cfg, unsigned checks,
                  struct history_source *history, struct verdict *out);

/* The same in steps, for a server that must not wait for a database on an HTTP thread:
 * decision_prepare locates what every check needs (false: nothing is checked at all), then
 * decision_run_checks runs a subset with the given database deadline (NULL: no waiting; the
 * gate then marks out->needs_database when an answer would need one). */
bool decision_prepare(const struct admission_request *req, const struct config *cfg, struct history_source *history,
                      struct check_context *ctx);
void decision_run_checks(const struct check_context *ctx, unsigned checks, const struct timespec *deadline,
                         long budget_ms, struct verdict *out);

#endif
