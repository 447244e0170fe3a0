/* mystmt.c - prepare once per connection, execute per lookup, on Connector/C's non-blocking
 * statement calls (mysql_stmt_prepare_start / _execute_start / _store_result_start) polled by
 * mypool_wait against the deadline. Results are stored whole (STMT_ATTR_UPDATE_MAX_LENGTH
 * gives each column's longest value, so every cell is fetched into a buffer that fits: no
 * truncation, no second fetch) and copied out as text. A statement the server forgot
 * (ER_UNKNOWN_STMT_HANDLER) is prepared again once; one whose table changed is re-prepared by
 * the server itself. */
#include "mystmt.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1000000

void my_rows_free(struct my_rows *r)
{
    if (r->cells)
        for (long i = 0; i < (long)r->rows * r->columns; i++)
            free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

static bool client_error(unsigned code)
{
    return code >= 2000 && code < 3000;
}

/* The error of a failed statement call: -1 (connection gone) or 0 with *server_errno set. */
static int stmt_failed(const struct mypool *pool, MYSQL_STMT *stmt, unsigned *server_errno, bool *broken,
                       struct sg_error *err)
{
    unsigned code = mysql_stmt_errno(stmt);
    if (code == 0 || client_error(code))
        return mypool_failed(pool, false, broken, err);
    *server_errno = code;
    return 0;
}

/* Drives one non-blocking statement call: `start` already returned status. */
#define DRIVE(pool, conn, status, ret, cont, stmt, deadline, broken, err)                          \
    while (status) {                                                                               \
        int ready = mypool_wait(conn, status, deadline);                                           \
        if (ready <= 0)                                                                            \
            return mypool_failed(pool, ready == 0, broken, err);                                   \
        status = cont(&ret, stmt, ready);                                                          \
    }

static int prepare(const struct mypool *pool, struct myconn *c, const struct my_statement *st,
                   const struct timespec *deadline, unsigned *server_errno, bool *broken, struct sg_error *err)
{
    MYSQL_STMT *stmt = mysql_stmt_init(c->conn);
    if (stmt == NULL)
        return mypool_failed(pool, false, broken, err);
    c->stmt = stmt;
    int ret = 0;
    int status = mysql_stmt_prepare_start(&ret, stmt, st->sql, (unsigned long)st->len);
    DRIVE(pool, c->conn, status, ret, mysql_stmt_prepare_cont, stmt, deadline, broken, err);
    my_bool yes = 1;
    if (ret == 0 && mysql_stmt_param_count(stmt) == (unsigned long)st->nbinds &&
        mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &yes) == 0)
        return 0;
    int rc = ret != 0 ? stmt_failed(pool, stmt, server_errno, broken, err)
                      : mypool_failed(pool, false, broken, err);
    mysql_stmt_close(stmt);     /* not prepared (e.g. no table yet): prepared on the next lookup */
    c->stmt = NULL;
    return rc;
}

/* Copies the stored rows out as text; 0, or -1 with err (OOM, an unexpected shape). */
static int collect(const struct mypool *pool, MYSQL_STMT *stmt, struct my_rows *out, bool *broken,
                   struct sg_error *err)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
    unsigned long long nrows = mysql_stmt_num_rows(stmt);
    unsigned columns = mysql_stmt_field_count(stmt);
    if (meta == NULL || columns == 0 || columns > 64 || nrows > MAX_ROWS) {
        if (meta)
            mysql_free_result(meta);
        return mypool_failed(pool, false, broken, err);
    }
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    MYSQL_BIND bind[64];
    unsigned long length[64];
    my_bool is_null[64];
    char *buffer[64] = {0};
    memset(bind, 0, sizeof bind);
    int rc = 0;
    for (unsigned i = 0; i < columns && rc == 0; i++) {
        unsigned long size = (fields[i].max_length > 32 ? fields[i].max_length : 32) + 1;
        if ((buffer[i] = malloc(size)) == NULL)
            rc = -1;
        bind[i] = (MYSQL_BIND){.buffer_type = MYSQL_TYPE_STRING, .buffer = buffer[i], .buffer_length = size,
                               .length = &length[i], .is_null = &is_null[i]};
    }
    mysql_free_result(meta);
    out->rows = (int)nrows;
    out->columns = (int)columns;
    out->cells = calloc(nrows ? nrows * columns : 1, sizeof *out->cells);
    if (rc != 0 || out->cells == NULL || mysql_stmt_bind_result(stmt, bind) != 0)
        rc = -1;
    for (unsigned long long r = 0; r < nrows && rc == 0; r++) {
        int f = mysql_stmt_fetch(stmt);      /* from the stored result: no I/O */
        if (f != 0) {                        /* 1 error, MYSQL_NO_DATA, MYSQL_DATA_TRUNCATED */
            rc = -1;
            break;
        }
        for (unsigned i = 0; i < columns && rc == 0; i++) {
            if (is_null[i])
                continue;
            char *cell = malloc(length[i] + 1);
            if (cell == NULL) {
                rc = -1;
                break;
            }
            memcpy(cell, buffer[i], length[i]);
            cell[length[i]] = '\0';
            out->cells[r * columns + i] = cell;
        }
    }
    for (unsigned i = 0; i < columns; i++)
        free(buffer[i]);
    if (rc != 0) {
        my_rows_free(out);
        return sg_error_set(err, "database %s could not answer (could not read the result)", mypool_name(pool));
    }
    return 0;
}

int mystmt_run(const struct mypool *pool, struct myconn *c, const struct my_statement *st,
               const struct timespec *deadline, struct my_rows *out, unsigned *server_errno, bool *broken,
               struct sg_error *err)
{
    memset(out, 0, sizeof *out);
    *server_errno = 0;
    *broken = false;
    if (st->nbinds > MYSTMT_MAX_BINDS)
        return mypool_failed(pool, false, broken, err);
    for (int attempt = 0;; attempt++) {
        if (c->stmt == NULL && (prepare(pool, c, st, deadline, server_errno, broken, err) != 0 || *server_errno))
            return *broken ? -1 : 0;
        MYSQL_BIND params[MYSTMT_MAX_BINDS];
        unsigned long lengths[MYSTMT_MAX_BINDS];
        memset(params, 0, sizeof params);
        for (int i = 0; i < st->nbinds; i++) {
            lengths[i] = (unsigned long)strlen(st->binds[i]);
            params[i] = (MYSQL_BIND){.buffer_type = MYSQL_TYPE_STRING, .buffer = (void *)st->binds[i],
                                     .buffer_length = lengths[i], .length = &lengths[i]};
        }
        MYSQL_STMT *stmt = c->stmt;
        if (st->nbinds > 0 && mysql_stmt_bind_param(stmt, params) != 0)
            return mypool_failed(pool, false, broken, err);
        int ret = 0;
        int status = mysql_stmt_execute_start(&ret, stmt);
        DRIVE(pool, c->conn, status, ret, mysql_stmt_execute_cont, stmt, deadline, broken, err);
        if (ret != 0) {
            if (stmt_failed(pool, stmt, server_errno, broken, err) != 0)
                return -1;
            if (*server_errno == ER_UNKNOWN_STMT_HANDLER && attempt == 0) {
                mysql_stmt_close(stmt);
                c->stmt = NULL;
                *server_errno = 0;
                continue;
            }
            return 0;
        }
        status = mysql_stmt_store_result_start(&ret, stmt);
        DRIVE(pool, c->conn, status, ret, mysql_stmt_store_result_cont, stmt, deadline, broken, err);
        if (ret != 0)
            return stmt_failed(pool, stmt, server_errno, broken, err);
        int rc = collect(pool, stmt, out, broken, err);
        mysql_stmt_free_result(stmt);     /* a stored result: freed in memory, no I/O */
        return rc;
    }
}
