/* dbpool.h - a small pool of read-only PostgreSQL connections per database, and running one
 * query on it within a deadline. Connections are opened lazily, reused across requests and
 * threads, and replaced when the server went away (restart, failover). */
#ifndef SCHEMAGATE_DBPOOL_H
#define SCHEMAGATE_DBPOOL_H

#include <stdbool.h>
#include <time.h>

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

struct dbpool;

/* A borrowed connection: give it back with dbpool_release. */
struct dbconn {
    PGconn *conn;
    int slot;
    bool fresh;    /* opened for this borrow (a failure then is not a stale connection) */
    bool prepared; /* the session holds the pool's prepared statement */
};

/* `timeout_ms` becomes the session's statement_timeout and lock_timeout. db must outlive it. */
struct dbpool *dbpool_new(const struct database_config *db, int size, int timeout_ms);
void dbpool_free(struct dbpool *pool);

/* Borrows a connection, connecting if needed, before `deadline`. Errors read
 * "database orders unreachable (connection refused at 127.0.0.1:5432)": never the conninfo. */
int dbpool_acquire(struct dbpool *pool, const struct timespec *deadline, struct dbconn *out,
                   struct sg_error *err);
/* broken: close it instead of keeping it for the next request. */
void dbpool_release(struct dbpool *pool, struct dbconn *c, bool broken);

/* Runs one parameterised statement (text parameters) and returns its single result. On
 * failure *res is NULL and *broken tells whether the connection is unusable now. A statement
 * that fails in the server returns 0 with the error result in *res (check PQresultStatus). */
int dbpool_exec(const struct dbpool *pool, struct dbconn *c, const char *sql, int nparams,
                const char *const *params, const struct timespec *deadline, PGresult **res,
                bool *broken, struct sg_error *err);

/* Like dbpool_exec for the pool's one statement (each pool serves one database, so one
 * history query): prepared once per connection under a name derived from its text, then only
 * executed. Prepared again after a reconnect, when the session lost it (DEALLOCATE, DISCARD,
 * a pooler) or when the table's column types changed. A statement the server refuses to
 * prepare (no table yet) returns 0 with that error result in *res, as dbpool_exec does. */
int dbpool_exec_prepared(const struct dbpool *pool, struct dbconn *c, const char *sql, int nparams,
                         const char *const *params, const struct timespec *deadline, PGresult **res,
                         bool *broken, struct sg_error *err);

#endif
