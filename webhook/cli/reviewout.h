/* reviewout.h - the output formats of `schemagate review` (-o): text for people, json, sarif
 * (code scanning), junit (CI test reports) and policyreport (wgpolicyk8s.io/v1alpha2). Each
 * writes only what the results hold: object names, rule ids and the decision's messages, which
 * are redacted already; never an object's values. Each returns 0, or -1 on out of memory or a
 * write error. */
#ifndef SCHEMAGATE_REVIEWOUT_H
#define SCHEMAGATE_REVIEWOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "reviewresult.h"

/* The rule id given to inputs that could not be reviewed (in sarif, junit). */
#define REVIEWOUT_INPUT_RULE "review.unusable-input"
/* Results kept per PolicyReport; the summary still counts all of them. */
#define REVIEWOUT_POLICYREPORT_MAX_RESULTS 1000

int reviewout_text(FILE *out, const struct review_results *r);
int reviewout_json(FILE *out, const struct review_results *r);
int reviewout_sarif(FILE *out, const struct review_results *r);
int reviewout_junit(FILE *out, const struct review_results *r);
int reviewout_policyreport(FILE *out, const struct review_results *r);

/* Prints a cJSON document (formatted, with a final newline) and deletes it; -1 on failure. */
struct cJSON;
int reviewout_print_json(FILE *out, struct cJSON *doc);
/* Deletes a node that could not be attached; returns false, for `return reviewout_drop(n);`. */
bool reviewout_drop(struct cJSON *node);

#endif
