/* admission.h - one admission review end to end for the server: parse the body, run the
 * decision, build the response, write the log line, count the metrics.
 *
 * In steps, so that no HTTP thread waits for a database: admission_start parses and runs every
 * check that needs no waiting (the schema gate answers from its cache when it can); when the
 * gate needs a database, admission_run_gate runs it on a database thread, or, when the
 * request's deadline passes first, admission_expire_gate answers it as unreachable; then
 * admission_finish builds the response. An admission is shared by the HTTP side and the
 * database thread and freed when both have let go of it (admission_release). */
#ifndef SCHEMAGATE_ADMISSION_H
#define SCHEMAGATE_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

struct history_source;
struct admission;

struct admission_result {
    int http_status;   /* 200 with an AdmissionReview, 400 with a JSON error, 500 on OOM */
    char *body;        /* malloc'd JSON; NULL only on OOM */
};

/* Takes the malloc'd body (parsed in place, freed with the admission). `deadline` bounds every
 * database wait of this admission (queueing included); budget_ms is its length, for messages.
 * NULL only when out of memory (the body is freed then too). */
struct admission *admission_start(char *body, size_t len, const struct config *cfg, unsigned checks,
                                  struct history_source *history, const struct timespec *deadline,
                                  long budget_ms);
/* The schema gate must wait for a database before this admission can be answered. */
bool admission_needs_database(const struct admission *a);
const struct timespec *admission_deadline(const struct admission *a);
/* On a database thread: the gate, waiting up to the deadline. True when this answer is the
 * one that counts (false: the deadline answer came first). */
bool admission_run_gate(struct admission *a);
/* The deadline passed: the gate says unreachable. True when this answer counts (false: the
 * database thread answered first). Exactly one of the two returns true. */
bool admission_expire_gate(struct admission *a);
/* The response, the log line and the metrics, with whichever gate answer came first. */
void admission_finish(struct admission *a, struct admission_result *out);
/* Another holder (a database thread); admission_release drops one. */
void admission_retain(struct admission *a);
void admission_release(struct admission *a);

#endif
