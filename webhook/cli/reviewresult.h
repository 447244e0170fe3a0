/* reviewresult.h - what `schemagate review` concluded about one reviewed object (or one input
 * that could not be used), as every output format reads it. */
#ifndef SCHEMAGATE_REVIEWRESULT_H
#define SCHEMAGATE_REVIEWRESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

enum review_outcome { OUTCOME_ALLOWED, OUTCOME_DENIED, OUTCOME_ERROR };

struct review_result {
    char *source;        /* the path as given, "-" for stdin */
    int document;        /* 0-based document in the source; -1 when the source itself failed */
    int item;            /* 0-based index in a List's items; -1 for a plain document */
    int line;            /* 1-based line of the object (of the error for OUTCOME_ERROR); 0 unknown */
    char *api_version;   /* "" when unknown */
    char *kind;
    char *namespace_;    /* "" for cluster-scoped objects */
    char *name;
    char *object;        /* "Deployment shop/api", as in the denial messages */
    enum review_outcome outcome;
    struct verdict verdict;   /* findings (empty for OUTCOME_ERROR) */
    int *denial_lines;   /* denial_lines[i]: the line of denial i's field (else the object's) */
    int *warning_lines;  /* the same for the warnings; both NULL when there are none */
    char *response;      /* the AdmissionReview response (NULL for OUTCOME_ERROR) */
    char *error;         /* what is wrong with the input (OUTCOME_ERROR only) */
    bool unreachable;    /* the answer depended on a database that could not be reached */
};

struct review_results {
    struct review_result *items;
    size_t count;
    size_t cap;
};

/* A zeroed result appended to r (NULL on out of memory). */
struct review_result *review_results_add(struct review_results *r);
void review_results_free(struct review_results *r);

/* Counts over all results. */
struct review_tally {
    size_t allowed, denied, errors, with_warnings, unreachable;
};
void review_results_tally(const struct review_results *r, struct review_tally *t);

/* The rule id of denial or warning i ("unknown" if none was recorded). */
const char *review_result_denial_rule(const struct review_result *res, size_t i);
const char *review_result_warning_rule(const struct review_result *res, size_t i);

/* The line of denial or warning i (the object's line when unknown). */
int review_result_denial_line(const struct review_result *res, size_t i);
int review_result_warning_line(const struct review_result *res, size_t i);

/* "deploy.yaml[0]" or "list.json[2].items[3]" ("stdin[0]" for -), bounded to n bytes. */
void review_result_where(const struct review_result *res, char *out, size_t n);

/* The family of a rule id: "secrets" for "secrets.env-literal" (bounded to n bytes). */
void review_rule_family(const char *rule, char *out, size_t n);

#endif
