/* deadline.h - time budgets on CLOCK_MONOTONIC: a deadline some milliseconds from now, what is
 * left of it, and how long something took. Shared by the gate, the history source, the pool
 * and the admission glue, so none of them depends on another for a clock. */
#ifndef SCHEMAGATE_DEADLINE_H
#define SCHEMAGATE_DEADLINE_H

#include <time.h>

/* *deadline = now + ms. */
void deadline_in(struct timespec *deadline, long ms);
/* Milliseconds from now until deadline (negative when passed). */
long deadline_ms_left(const struct timespec *deadline);
/* Seconds from start until now. */
double deadline_seconds_since(const struct timespec *start);

#endif
