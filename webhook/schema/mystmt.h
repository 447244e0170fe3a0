/* mystmt.h - the pool's one history statement on a MySQL / MariaDB connection: prepared once
 * per connection with Connector/C's non-blocking calls, then only executed with the lookup's
 * parameters bound, its rows copied out as text (what the tools read through struct
 * history_rows). The MySQL counterpart of dbpool_exec_prepared. */
#ifndef SCHEMAGATE_MYSTMT_H
#define SCHEMAGATE_MYSTMT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "mypool.h"

#define MYSTMT_MAX_BINDS 32

/* A result as text: cells[row * columns + column], NULL for SQL NULL. */
struct my_rows {
    int rows, columns;
    char **cells;
};
void my_rows_free(struct my_rows *r);

/* The statement text with '?' for each parameter use; binds[i] is the value of the i-th '?'. */
struct my_statement {
    const char *sql;
    size_t len;
    const char *binds[MYSTMT_MAX_BINDS];
    int nbinds;
};

/* Runs st on c before the deadline, preparing it first when c has not yet (c->stmt). 0 with
 * *out filled and *server_errno 0; 0 with *server_errno set when the server refused it (no
 * table yet: ER_NO_SUCH_TABLE at prepare; no privilege; statement timeout), then *out is
 * empty; -1 with err when the connection failed or the deadline passed (*broken true). */
int mystmt_run(const struct mypool *pool, struct myconn *c, const struct my_statement *st,
               const struct timespec *deadline, struct my_rows *out, unsigned *server_errno, bool *broken,
               struct sg_error *err);

#endif
