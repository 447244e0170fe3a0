/* dbwork.h - the threads that wait for databases, so that no HTTP thread ever does.
 *
 * The server hands over an admission whose schema gate needs a database (admission.h) and
 * suspends its connection. A small set of database threads runs the gates in arrival order;
 * a watchdog thread answers any admission whose deadline passes first (the gate then reports
 * the database unreachable, per on_unreachable), so an answer never comes later than its
 * deadline, however the databases behave: hung, slow, or behind a name that never resolves.
 * `done` is called exactly once per admission, from whichever thread answered it. */
#ifndef SCHEMAGATE_DBWORK_H
#define SCHEMAGATE_DBWORK_H

#include "error.h"

struct admission;
struct dbwork;

typedef void (*dbwork_done_fn)(void *ctx);

/* `threads` database threads and the watchdog. NULL with err set when they cannot start. */
struct dbwork *dbwork_start(unsigned threads, struct sg_error *err);
/* Answers everything still waiting (as expired), then joins the threads; a thread inside a
 * database call returns by its admission's deadline. */
void dbwork_stop(struct dbwork *w);

/* Queues the admission (retained until its thread is done with it). 0, or -1 when out of
 * memory (nothing was queued and done will not be called). */
int dbwork_submit(struct dbwork *w, struct admission *a, dbwork_done_fn done, void *ctx);

/* Admissions queued or running now (for tests and metrics). */
unsigned dbwork_pending(struct dbwork *w);

#endif
