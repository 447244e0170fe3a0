/* mypool.h - a small pool of read-only MySQL / MariaDB connections per database (MariaDB
 * Connector/C, myload.h), and running one statement on it within a deadline: the MySQL
 * counterpart of dbpool.h. Connections are opened lazily, reused across requests and threads,
 * and replaced when the server went away. */
#ifndef SCHEMAGATE_MYPOOL_H
#define SCHEMAGATE_MYPOOL_H

#include <stdbool.h>
#include <time.h>

#include <mysql.h>

#include "config.h"
#include "error.h"

struct mypool;

/* A borrowed connection: give it back with mypool_release. */
struct myconn {
    MYSQL *conn;
    MYSQL_STMT *stmt; /* the pool's one statement, once prepared on this connection (mystmt.c) */
    int slot;
    bool fresh;    /* opened for this borrow (a failure then is not a stale connection) */
};

/* `timeout_ms` bounds the session's statements (max_statement_time / max_execution_time) and
 * lock waits. db must outlive it. NULL on OOM. */
struct mypool *mypool_new(const struct database_config *db, int size, int timeout_ms);
void mypool_free(struct mypool *pool);

/* Borrows a connection, connecting if needed, before `deadline`. Errors read
 * "database orders unreachable (connection refused at db.internal:3306)": never the conninfo. */
int mypool_acquire(struct mypool *pool, const struct timespec *deadline, struct myconn *out, struct sg_error *err);
/* broken: close it instead of keeping it for the next request. */
void mypool_release(struct mypool *pool, struct myconn *c, bool broken);

/* The database's name, for messages. */
const char *mypool_name(const struct mypool *pool);

/* Waits for what Connector/C asked of a non-blocking call (MYSQL_WAIT_* in status) until the
 * deadline: the ready MYSQL_WAIT_* flags to pass to the *_cont call, 0 when the deadline
 * passed, -1 on error. */
int mypool_wait(MYSQL *m, int status, const struct timespec *deadline);
/* The error for a connection that failed (timed_out: the deadline passed) mid-statement; sets
 * *broken and returns -1. */
int mypool_failed(const struct mypool *pool, bool timed_out, bool *broken, struct sg_error *err);

/* Runs one statement and stores its whole result before the deadline. 0 with *res (NULL for a
 * statement without rows) and *server_errno 0; 0 with *res NULL and *server_errno set when the
 * server refused the statement (no table, no privilege, statement timeout); -1 with err when
 * the connection failed or the deadline passed (*broken is then true). */
int mypool_query(const struct mypool *pool, struct myconn *c, const char *sql, size_t len,
                 const struct timespec *deadline, MYSQL_RES **res, unsigned *server_errno, bool *broken,
                 struct sg_error *err);

#endif
