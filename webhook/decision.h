/* decision.h - the decision core: a pure function from (request, config, history source) to a
 * verdict. `schemagate serve` and `schemagate review` are thin front ends over decision_run. */
#ifndef SCHEMAGATE_DECISION_H
#define SCHEMAGATE_DECISION_H

#include <stdbool.h>

#include "config.h"
#include "podspec.h"
#include "review.h"
#include "verdict.h"

enum check_set {
    CHECK_SECRETS = 1u << 0,
    CHECK_HYGIENE = 1u << 1,
    CHECK_SCHEMA = 1u << 2,
    CHECK_ALL = CHECK_SECRETS | CHECK_HYGIENE | CHECK_SCHEMA,
};

/* The database interface used by the schema gate; see history.h. NULL means "no database
 * access" (the gate then treats every configured database as unreachable). */
struct history_source;

/* What every check receives. The pod spec is located once, here. */
struct check_context {
    const struct admission_request *req;
    const struct config *cfg;
    struct history_source *history;
    bool has_pod_spec;
    struct pod_spec pod;
};

/* Runs the selected checks. Exempt namespaces and DELETE/CONNECT are allowed untouched. */
void decision_run(const struct admission_request *req, const struct config *cfg, unsigned checks,
                  struct history_source *history, struct verdict *out);

/* Name of a check set for logs and metrics: "all", "secrets", "schema". */
const char *decision_check_name(unsigned checks);

#endif
