/* check.h - what a check is: the context every check receives (the request, the config, the
 * history source, the pod spec located once), and the registry of checks and check families.
 *
 * A check is one family of findings with its own room and config section (secrets, hygiene,
 * schema); it may imply others (the secrets check brings the migration-Job hygiene along). A
 * family is what a caller asks for by name or URL path: "all" (/validate), "secrets"
 * (/validate/secrets), "schema" (/validate/schema). server.c routes by path, `schemagate
 * review --check` by name, metrics label by name, and decision.c runs the checks of a set.
 * Adding an endpoint is one entry in check.c; adding a check is one entry there, its room,
 * and its config section in config.c (test_registry holds the sections and config.c's keys
 * equal; config.c does not call up into the registry, so the support layer stays below it). The
 * families are data of their own (check_family.c), which metrics reads. */
#ifndef SCHEMAGATE_CHECK_H
#define SCHEMAGATE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "podspec.h"
#include "review.h"
#include "verdict.h"

/* The database interface used by the schema gate; see schema/history.h. NULL means "no
 * database access" (the gate then treats every configured database as unreachable). */
struct history_source;

struct check_context {
    const struct admission_request *req;
    const struct config *cfg;
    struct history_source *history;
    /* The schema gate waits for databases until here (CLOCK_MONOTONIC); NULL: it may not wait
     * at all (answers from the history cache, or marks the verdict needs_database). */
    const struct timespec *deadline;
    long budget_ms;               /* what the deadline was set to, for messages */
    bool has_pod_spec;
    struct pod_spec pod;
};

/* The checks, one bit each; a set of them is what a family runs. */
enum check_id {
    CHECK_SECRETS = 1u << 0,
    CHECK_HYGIENE = 1u << 1,
    CHECK_SCHEMA = 1u << 2,
    CHECK_ALL = CHECK_SECRETS | CHECK_HYGIENE | CHECK_SCHEMA,
};

struct check {
    unsigned id;                  /* one enum check_id bit */
    const char *name;             /* "secrets" */
    const char *config_section;   /* its object in the config file */
    unsigned implies;             /* checks that run whenever this one does */
    void (*run)(const struct check_context *ctx, struct verdict *v);
    /* Start-up consistency of the check's own tables (NULL: none); 0 or -1 with err set. */
    int (*self_check)(struct sg_error *err);
};

struct check_family {
    const char *name;             /* --check value and metrics label */
    const char *path;             /* URL path of its endpoint */
    unsigned checks;              /* the checks asked for; implied ones are added */
};

/* At most this many families (metrics sizes its series by it). */
#define CHECK_FAMILY_MAX 8

/* Registry order: checks run and config sections are listed in this order. */
const struct check *check_begin(void);
const struct check *check_end(void);
const struct check_family *check_family_begin(void);
const struct check_family *check_family_end(void);

/* A family's full check set (implied checks included). */
unsigned check_family_set(const struct check_family *f);
const struct check_family *check_family_by_name(const char *name);
const struct check_family *check_family_by_path(const char *path);
/* The family whose full set is `checks` ("all" when none is exactly that set). */
const char *check_family_name(unsigned checks);
/* "all, secrets or schema" / "/validate, /validate/secrets or /validate/schema". */
void check_family_list(bool paths, char *out, size_t n);
/* Every check's self_check, and the registry's own invariants (one bit each, known implies,
 * unique names and paths). */
int check_registry_check(struct sg_error *err);

#endif
