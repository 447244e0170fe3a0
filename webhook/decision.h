/* decision.h - the decision core: a pure function from (request, config, history source) to a
 * verdict. `schemagate serve` and `schemagate review` are thin front ends over decision_run. */
#ifndef SCHEMAGATE_DECISION_H
#define SCHEMAGATE_DECISION_H

#include "check.h"
#include "config.h"
#include "review.h"
#include "verdict.h"

/* Runs the checks in the set `checks` (enum check_id bits, as check_family_set gives them), in
 * registry order. Exempt namespaces and DELETE/CONNECT are allowed untouched. */
void decision_run(const struct admission_request *req, const struct config *cfg, unsigned checks,
                  struct history_source *history, struct verdict *out);

#endif
