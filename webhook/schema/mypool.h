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

/* Runs one statement and stores its whole result before the deadline. 0 with *res (NULL for a
 * statement without rows) and *server_errno 0; 0 with *res NULL and *server_errno set when the
 * server refused the statement (no table, no privilege, statement timeout); -1 with err when
 * the connection failed or the deadline passed (*broken is then true). */
int mypool_query(const struct mypool *pool, struct myconn *c, const char *sql, size_t len,
                 const struct timespec *deadline, MYSQL_RES **res, unsigned *server_errno, bool *broken,
                 struct sg_error *err);

#endif
