/* history_mysql.c - the history source on MySQL / MariaDB: the database's tool (schema/tool.h)
 * gives query[DB_ENGINE_MYSQL], run here on the database's pool (mypool.c), and reduces the
 * answer, seen through a `struct history_rows`. This file knows Connector/C; it knows no tool.
 *
 * Parameters: the query text is built per lookup with each $N replaced by a quoted literal
 * escaped with mysql_real_escape_string (which follows the session's NO_BACKSLASH_ESCAPES
 * mode; MariaDB Connector/C has no mysql_real_escape_string_quote, and the literals are always
 * single-quoted). Server-side prepared statements are not used: Connector/C can prepare and
 * execute without blocking, but the queries repeat their parameters ($1 several times, which
 * `?` cannot), and reading a statement's result needs typed bind buffers per column where the
 * text protocol hands the tools the text they read on PostgreSQL. The history tables are
 * small, so parsing the statement each time costs little next to the round trip. */
#include "history_mysql.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "metrics.h"
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

static bool append_literal(MYSQL *m, struct strbuf *sb, const char *value)
{
    size_t len = strlen(value);
    char *escaped = malloc(2 * len + 1);
    if (escaped == NULL)
        return false;
    unsigned long n = mysql_real_escape_string(m, escaped, value, (unsigned long)len);
    bool ok = n != (unsigned long)-1;
    if (ok) {
        strbuf_putc(sb, '\'');
        strbuf_append(sb, escaped, n);
        strbuf_putc(sb, '\'');
    }
    free(escaped);
    return ok;
}

/* The tool's query with {T}/{S} replaced by backtick-quoted identifiers and $N by escaped
 * literals; NULL with err set when it cannot be built. */
static char *build_query(MYSQL *m, const struct database_config *db, const char *const *params, int nparams,
                         size_t *len, struct sg_error *err)
{
    struct strbuf sb;
    strbuf_init(&sb, QUERY_MAX);
    bool ok = true;
    for (const char *p = db->tool->query[DB_ENGINE_MYSQL]; *p && ok; p++) {
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
            ok = i < nparams && params[i] != NULL && append_literal(m, &sb, params[i]);
            p++;
        } else {
            strbuf_putc(&sb, *p);
        }
    }
    if (!ok) {
        strbuf_free(&sb);
        sg_error_set(err, "database %s could not answer (out of memory building the query)", db->name);
        return NULL;
    }
    const char *text = strbuf_cstr(&sb);
    if (text == NULL) {
        strbuf_free(&sb);
        sg_error_set(err, "database %s could not answer (out of memory building the query)", db->name);
        return NULL;
    }
    *len = strlen(text);
    return strbuf_take(&sb);
}

/* ---------------------------------------------------------------- reading the answer ---- */

struct my_answer {
    MYSQL_ROW *rows;
    int columns;
};

static const char *my_value(const void *result, int row, int column)
{
    const struct my_answer *a = result;
    return a->rows[row][column];
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

/* The stored result, reduced: 0, or -1 with err. */
static int read_answer(const struct database_config *db, const struct requirement *r, MYSQL_RES *res,
                       struct history_result *out, struct sg_error *err)
{
    const struct migration_tool *tool = db->tool;
    unsigned long long nrows = mysql_num_rows(res);
    int columns = (int)mysql_num_fields(res);
    if (columns != tool->columns || nrows > 1000000 || (tool->single_row && nrows != 1))
        return sg_error_set(err, "database %s could not answer (unexpected result shape)", db->name);
    struct my_answer a = {.rows = calloc(nrows ? nrows : 1, sizeof *a.rows), .columns = columns};
    if (a.rows == NULL)
        return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
    for (unsigned long long i = 0; i < nrows; i++)
        if ((a.rows[i] = mysql_fetch_row(res)) == NULL) {
            free(a.rows);
            return sg_error_set(err, "database %s could not answer (result ended early)", db->name);
        }
    struct history_rows rows = {.result = &a, .rows = (int)nrows, .columns = columns, .value = my_value};
    int rc = tool->reduce(db, r, &rows, out, err);
    free(a.rows);
    return rc;
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
        size_t len = 0;
        char *sql = build_query(c.conn, db, params, nparams, &len, err);
        if (sql == NULL) {
            mypool_release(pool, &c, false);
            return -1;
        }
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        MYSQL_RES *res = NULL;
        unsigned code = 0;
        bool broken = false;
        int rc = mypool_query(pool, &c, sql, len, deadline, &res, &code, &broken, err);
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
        else if (res == NULL)
            rc = sg_error_set(err, "database %s could not answer (unexpected result shape)", db->name);
        else
            rc = read_answer(db, r, res, out, err);
        if (res)
            mysql_free_result(res);
        /* A statement cut by the server's time limit leaves the session usable; one cut by
         * our deadline does not (handled above). */
        mypool_release(pool, &c, false);
        return rc;
    }
    return -1;
}
