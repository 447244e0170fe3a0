/* history.c - the real history source: the cache, and per database the engine's lookup. On
 * PostgreSQL (here) the database's tool (schema/tool.h) gives a read-only, parameterised query,
 * run on the database's pool, and reduces the answer (seen through a `struct history_rows`, no
 * libpq type) to a history_result; on MySQL history_mysql.c does the same through Connector/C.
 * Answers are cached briefly. This file knows libpq and the pools; it knows no tool. A driver
 * library is loaded only when a database of its engine is configured. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dbpool.h"
#include "deadline.h"
#include "history_cache.h"
#include "history_mysql.h"
#include "metrics.h"
#include "myload.h"
#include "mypool.h"
#include "pqload.h"
#include "strbuf.h"
#include "tool.h"

struct real_source {
    struct history_source base;    /* first: the gate holds a pointer to this */
    const struct config *cfg;
    struct dbpool **pools;         /* per cfg->databases entry: PostgreSQL ones */
    struct mypool **mypools;       /* per cfg->databases entry: MySQL ones */
    struct history_cache *cache;
};

/* ---------------------------------------------------------------- building the query ---- */

static bool append_identifier(PGconn *conn, struct strbuf *sb, const char *name)
{
    char *quoted = PQescapeIdentifier(conn, name, strlen(name));
    if (quoted == NULL)
        return false;
    strbuf_puts(sb, quoted);
    PQfreemem(quoted);
    return true;
}

/* The tool's query with {T} and {S} replaced by quoted identifiers (never by raw config text). */
static char *build_query(PGconn *conn, const struct database_config *db)
{
    struct strbuf sb;
    strbuf_init(&sb, 16384);
    bool ok = true;
    for (const char *p = db->tool->query[DB_ENGINE_POSTGRESQL]; *p && ok; p++) {
        if (p[0] == '{' && (p[1] == 'T' || p[1] == 'S') && p[2] == '}') {
            ok = append_identifier(conn, &sb, db->table_schema);
            if (ok && p[1] == 'T') {
                strbuf_putc(&sb, '.');
                ok = append_identifier(conn, &sb, db->table_name);
            }
            p += 2;
        } else {
            strbuf_putc(&sb, *p);
        }
    }
    if (!ok) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_take(&sb);
}

/* ---------------------------------------------------------------- reading the answer ---- */

static const char *pg_value(const void *result, int row, int column)
{
    const PGresult *res = result;
    return PQgetisnull(res, row, column) ? NULL : PQgetvalue(res, row, column);
}

/* The answer as the tools see it: rows and cells, no libpq type. */
static struct history_rows pg_rows(const PGresult *res)
{
    return (struct history_rows){.result = res, .rows = PQntuples(res), .columns = PQnfields(res), .value = pg_value};
}

/* A server-side error as a short sentence; the server's own text is not shown. */
static int query_error(const struct database_config *db, const PGresult *res, struct sg_error *err)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state == NULL)
        state = "";
    if (strcmp(state, "42501") == 0)
        return sg_error_set(err, "database %s could not answer (permission denied on %s; grant SELECT on it "
                            "to schemagate's role)", db->name, db->table);
    if (strcmp(state, "57014") == 0)
        return sg_error_set(err, "database %s unreachable (statement timeout)", db->name);
    if (strcmp(state, "55P03") == 0)
        return sg_error_set(err, "database %s unreachable (%s is locked, a migration may be running)",
                            db->name, db->table);
    if (strcmp(state, "42703") == 0)
        return sg_error_set(err, "database %s could not answer (%s lacks the columns %s writes; check "
                            "\"tool\" and \"table\")", db->name, db->table, db->tool->name);
    return sg_error_set(err, "database %s could not answer (query failed, SQLSTATE %s)", db->name,
                        state[0] ? state : "unknown");
}

/* ---------------------------------------------------------------- lookup --------------- */

static int run_lookup(struct real_source *src, const struct database_config *db, const struct requirement *r,
                      const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    struct dbpool *pool = src->pools[db - src->cfg->databases];
    const struct migration_tool *tool = db->tool;
    const char *params[TOOL_MAX_PARAMS];
    int nparams = tool->params(db, r, params);
    /* A kept connection may have died with a server restart: then one fresh try. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct dbconn c;
        if (dbpool_acquire(pool, deadline, &c, err) != 0)
            return -1;
        char *sql = build_query(c.conn, db);
        if (sql == NULL) {
            dbpool_release(pool, &c, false);
            return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
        }
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        PGresult *res = NULL;
        bool broken = false;
        int rc = dbpool_exec_prepared(pool, &c, sql, nparams, params, deadline, &res, &broken, err);
        free(sql);
        if (rc != 0) {
            dbpool_release(pool, &c, true);
            if (!c.fresh && deadline_ms_left(deadline) > 0) {
                metrics_record_db_error(db->name);
                continue;
            }
            return -1;
        }
        metrics_record_db_query(db->name, deadline_seconds_since(&start));
        ExecStatusType st = PQresultStatus(res);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (st == PGRES_TUPLES_OK && PQnfields(res) == tool->columns && (!tool->single_row || PQntuples(res) == 1)) {
            struct history_rows rows = pg_rows(res);
            rc = tool->reduce(db, r, &rows, out, err);
        } else if (state && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0)) {
            rc = 0;            /* no table (or no sqitch registry): nothing has run yet */
        } else if (st == PGRES_TUPLES_OK) {
            rc = sg_error_set(err, "database %s could not answer (unexpected result shape)", db->name);
        } else {
            rc = query_error(db, res, err);
        }
        PQclear(res);
        dbpool_release(pool, &c, false);
        return rc;
    }
    return -1;
}

static int real_lookup(struct history_source *base, const struct database_config *db, const struct requirement *r,
                       const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    struct real_source *src = (struct real_source *)base;
    size_t index = (size_t)(db - src->cfg->databases);
    memset(out, 0, sizeof *out);
    if (history_cache_get(src->cache, index, r->cache_key, out)) {
        metrics_record_cache_hit(db->name);
        return 0;
    }
    if (deadline == NULL)
        return HISTORY_WOULD_WAIT;
    int rc = db->engine == DB_ENGINE_MYSQL ? history_mysql_lookup(src->mypools[index], db, r, deadline, out, err)
                                           : run_lookup(src, db, r, deadline, out, err);
    if (rc != 0) {
        metrics_record_db_error(db->name);
        return -1;
    }
    bool good = out->satisfied && !out->has_failed;
    history_cache_put(src->cache, index, r->cache_key, out,
                      good ? src->cfg->schema.cache_satisfied_ms : src->cfg->schema.cache_unsatisfied_ms);
    return 0;
}

struct history_source *history_open(const struct config *cfg, struct sg_error *err)
{
    struct real_source *src = calloc(1, sizeof *src);
    if (src == NULL) {
        sg_error_set(err, "out of memory opening the history source");
        return NULL;
    }
    src->base.lookup = real_lookup;
    src->cfg = cfg;
    src->pools = calloc(cfg->database_count ? cfg->database_count : 1, sizeof *src->pools);
    src->mypools = calloc(cfg->database_count ? cfg->database_count : 1, sizeof *src->mypools);
    src->cache = history_cache_new(cfg->database_count);
    bool postgresql = false, mysql = false;
    for (size_t i = 0; i < cfg->database_count; i++) {
        postgresql |= cfg->databases[i].engine == DB_ENGINE_POSTGRESQL;
        mysql |= cfg->databases[i].engine == DB_ENGINE_MYSQL;
    }
    if ((postgresql && pqload_open(err) != 0) || (mysql && myload_open(err) != 0)) {
        history_close(&src->base);
        return NULL;
    }
    bool ok = src->pools && src->mypools && src->cache;
    for (size_t i = 0; ok && i < cfg->database_count; i++) {
        const struct database_config *db = &cfg->databases[i];
        if (db->engine == DB_ENGINE_MYSQL)
            ok = (src->mypools[i] = mypool_new(db, cfg->schema.pool_size, cfg->schema.timeout_ms)) != NULL;
        else
            ok = (src->pools[i] = dbpool_new(db, cfg->schema.pool_size, cfg->schema.timeout_ms)) != NULL;
    }
    if (!ok) {
        history_close(&src->base);
        sg_error_set(err, "out of memory opening the history source");
        return NULL;
    }
    return &src->base;
}

void history_close(struct history_source *base)
{
    if (base == NULL)
        return;
    struct real_source *src = (struct real_source *)base;
    for (size_t i = 0; src->pools && i < src->cfg->database_count; i++)
        dbpool_free(src->pools[i]);
    for (size_t i = 0; src->mypools && i < src->cfg->database_count; i++)
        mypool_free(src->mypools[i]);
    free(src->pools);
    free(src->mypools);
    history_cache_free(src->cache);
    free(src);
}
