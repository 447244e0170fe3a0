/* gate.h - the schema gate (README "Declare the schema a workload needs"): deny a rollout until the migrations named in
 * its `schemagate.io/requires` annotation are applied, reading history through history.h. */
#ifndef SCHEMAGATE_GATE_H
#define SCHEMAGATE_GATE_H

#include "check.h"

void gate_check(const struct check_context *ctx, struct verdict *v);

#endif
