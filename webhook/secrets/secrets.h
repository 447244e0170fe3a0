/* secrets.h - the "no plaintext credentials" check (README "Secrets: what is denied and what to do instead"). Scans every container
 * kind of every pod spec, the object's and pod template's annotations (last-applied included)
 * and ConfigMap data; denies (or warns) with the field paths, never with the values. */
#ifndef SCHEMAGATE_SECRETS_H
#define SCHEMAGATE_SECRETS_H

#include <cjson/cJSON.h>

#include "check.h"
#include "secretjudge.h"
#include "verdict.h"

/* The check, as registered in decision.c's check_table. */
void secrets_check(const struct check_context *ctx, struct verdict *v);

/* Scans one object of the given group and kind into *out (initialised by the caller with
 * secretjudge_init). Exposed for the unit tests. */
void secrets_scan(const char *group, const char *kind, const cJSON *object, struct secret_findings *out);

#endif
