/* history_mysql.c - the history source on MySQL / MariaDB: the database's tool (schema/tool.h)
 * gives query[DB_ENGINE_MYSQL], run here on the database's pool (mypool.c) as a statement
 * prepared once per connection (mystmt.c), and reduces the answer, seen through a `struct
 * history_rows`. This file knows the statement's text and the server's error numbers; it
 * knows no tool.
 *
 * Parameters: the tools' queries say $1..$4 as on PostgreSQL, often more than once; here each
 * use becomes a '?' bound to that parameter's value, so no value is ever part of the SQL text. */
#include "history_mysql.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "metrics.h"
#include "mystmt.h"
#include "strbuf.h"
#include "tool.h"

#define QUERY_MAX 65536

/* ---------------------------------------------------------------- building the query ---- */

static void append_identifier(struct strbuf *sb, const char *name)
{
    strbuf_putc(sb, '`');
    for (const char *c = name; *c; c++) {
        if (*c == '`')
            strbuf_putc(sb, '`');
        strbuf_putc(sb, *c);
    }
    strbuf_putc(sb, '`');
}

/* The tool's query with {T}/{S} replaced by backtick-quoted identifiers and each $N by '?'
 * (st->binds in order); the text is the same on every lookup, so it is prepared once per
 * connection. NULL with err set when it cannot be built. */
static char *build_statement(const struct database_config *db, const char *const *params, int nparams,
                             struct my_statement *st, struct sg_error *err)
{
    struct strbuf sb;
    strbuf_init(&sb, QUERY_MAX);
    st->nbinds = 0;
    for (const char *p = db->tool->query[DB_ENGINE_MYSQL]; *p; p++) {
        if (p[0] == '{' && (p[1] == 'T' || p[1] == 'S') && p[2] == '}') {
            if (db->table_schema == NULL && p[1] == 'S') {
                strbuf_free(&sb);
                sg_error_set(err, "database %s could not answer (tool %s needs \"table\" as database.table on "
                             "MySQL)", db->name, db->tool->name);
                return NULL;
            }
            if (db->table_schema) {
                append_identifier(&sb, db->table_schema);
                if (p[1] == 'T')
                    strbuf_putc(&sb, '.');
            }
            if (p[1] == 'T')
                append_identifier(&sb, db->table_name);
            p += 2;
        } else if (p[0] == '$' && p[1] >= '1' && p[1] <= '0' + TOOL_MAX_PARAMS) {
            int i = p[1] - '1';
            if (i >= nparams || params[i] == NULL || st->nbinds >= MYSTMT_MAX_BINDS) {
                strbuf_free(&sb);
                sg_error_set(err, "database %s could not answer (the %s query's parameters do not match)",
                             db->name, db->tool->name);
                return NULL;
            }
            st->binds[st->nbinds++] = params[i];
            strbuf_putc(&sb, '?');
            p++;
        } else {
            strbuf_putc(&sb, *p);
        }
    }
    const char *text = strbuf_cstr(&sb);
    if (text == NULL) {
        strbuf_free(&sb);
        sg_error_set(err, "database %s could not answer (out of memory building the query)", db->name);
        return NULL;
    }
    st->len = strlen(text);
    char *sql = strbuf_take(&sb);
    st->sql = sql;
    return sql;
}

/* ---------------------------------------------------------------- reading the answer ---- */

static const char *my_value(const void *result, int row, int column)
{
    const struct my_rows *r = result;
    return r->cells[(long)row * r->columns + column];
}

/* A server-side error as a short sentence; the server's own text is not shown. */
static int query_error(const struct database_config *db, unsigned code, struct sg_error *err)
{
    switch (code) {
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
        return sg_error_set(err, "database %s could not answer (permission denied on %s; grant SELECT on it "
                            "to schemagate's user)", db->name, db->table);
    case 1969:  /* ER_STATEMENT_TIMEOUT (MariaDB max_statement_time) */
    case 3024:  /* ER_QUERY_TIMEOUT (MySQL max_execution_time) */
    case ER_QUERY_INTERRUPTED:
        return sg_error_set(err, "database %s unreachable (statement timeout)", db->name);
    case ER_LOCK_WAIT_TIMEOUT:
        return sg_error_set(err, "database %s unreachable (%s is locked, a migration may be running)", db->name,
                            db->table);
    case ER_BAD_FIELD_ERROR:
        return sg_error_set(err, "database %s could not answer (%s lacks the columns %s writes; check "
                            "\"tool\" and \"table\")", db->name, db->table, db->tool->name);
    case ER_NO_DB_ERROR:
        return sg_error_set(err, "database %s could not answer (no database selected: give dbname in the "
                            "conninfo_file or \"table\" as database.table)", db->name);
    default:
        return sg_error_set(err, "database %s could not answer (query failed, MySQL error %u)", db->name, code);
    }
}

/* The rows, reduced: 0, or -1 with err. */
static int read_answer(const struct database_config *db, const struct requirement *r, const struct my_rows *rows,
                       struct history_result *out, struct sg_error *err)
{
    const struct migration_tool *tool = db->tool;
    if (rows->columns != tool->columns || (tool->single_row && rows->rows != 1))
        return sg_error_set(err, "database %s could not answer (unexpected result shape)", db->name);
    struct history_rows view = {.result = rows, .rows = rows->rows, .columns = rows->columns, .value = my_value};
    return tool->reduce(db, r, &view, out, err);
}

/* ---------------------------------------------------------------- lookup --------------- */

int history_mysql_lookup(struct mypool *pool, const struct database_config *db, const struct requirement *r,
                         const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    const char *params[TOOL_MAX_PARAMS];
    int nparams = db->tool->params(db, r, params);
    /* A kept connection may have died with a server restart: then one fresh try. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct myconn c;
        if (mypool_acquire(pool, deadline, &c, err) != 0)
            return -1;
        struct my_statement st;
        char *sql = build_statement(db, params, nparams, &st, err);
        if (sql == NULL) {
            mypool_release(pool, &c, false);
            return -1;
        }
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        struct my_rows rows;
        unsigned code = 0;
        bool broken = false;
        int rc = mystmt_run(pool, &c, &st, deadline, &rows, &code, &broken, err);
        free(sql);
        if (rc != 0) {
            mypool_release(pool, &c, true);
            if (!c.fresh && deadline_ms_left(deadline) > 0) {
                metrics_record_db_error(db->name);
                continue;
            }
            return -1;
        }
        metrics_record_db_query(db->name, deadline_seconds_since(&start));
        if (code == ER_NO_SUCH_TABLE || code == ER_BAD_DB_ERROR)
            rc = 0;            /* no table (or no sqitch registry database): nothing has run yet */
        else if (code != 0)
            rc = query_error(db, code, err);
        else
            rc = read_answer(db, r, &rows, out, err);
        my_rows_free(&rows);
        /* A statement cut by the server's time limit leaves the session usable; one cut by
         * our deadline does not (handled above). */
        mypool_release(pool, &c, false);
        return rc;
    }
    return -1;
}
