/* casefile.h - the one reading of a test case (tests/cases/README.md) that every runner shares:
 * the AdmissionReview a case describes, and the check of a response against its `expect`.
 * test_cases.c calls it in-process; the e2e runners call it through the sgcase command
 * (tests/unit/sgcase.c). Needs cJSON only: no cmocka, no schemagate code. */
#ifndef SCHEMAGATE_CASEFILE_H
#define SCHEMAGATE_CASEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* The request uid of a wrapped object when the caller gives none. */
#define CASEFILE_DEFAULT_UID "case-0000"

/* Builds the AdmissionReview the case `doc` describes: a copy of its `review`, sent as is (uid
 * and all), or its `object` wrapped with `uid` (CASEFILE_DEFAULT_UID when NULL), `operation`
 * (default CREATE), `dry_run` (default false), `old_object` (default null) and a namespace: the
 * case's `namespace` if given (even ""), else the object's metadata.namespace if not empty, else
 * "default". Returns NULL when the case is malformed (why says how, in why_size bytes) or
 * memory runs out. The caller frees the result with cJSON_Delete. */
cJSON *casefile_review(const cJSON *doc, const char *uid, char *why, size_t why_size);

/* Answers whether a rule id fired; the in-process runner asks its verdict. */
typedef bool casefile_rule_fn(const char *rule, void *arg);

/* Checks `response` (the text of an AdmissionReview response) against the case's `expect`:
 * the envelope, allowed, paths (in the denial message when the case is denied, in a warning when
 * it is allowed), message, warnings, no_warnings, status.code 403 on a denial, no planted
 * secret anywhere in the text, and `rules` when rule_fired is given (skipped when NULL). A
 * malformed `expect` is a problem too. Sets *problems to one line per problem found, each ending
 * in "\n" ("" when there is none; planted secrets never appear in it; the caller frees it) and
 * returns their count, or -1 with *problems NULL when memory runs out. */
int casefile_check(const cJSON *doc, const char *response, casefile_rule_fn *rule_fired, void *arg,
                   char **problems);

/* `response` for a failure report: every planted secret of the case replaced by "<withheld>",
 * then cut to at most max bytes. NULL when memory runs out; the caller frees it. */
char *casefile_excerpt(const cJSON *doc, const char *response, size_t max);

#endif
