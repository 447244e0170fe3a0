/* history.c - the real history source: one read-only, parameterised query per tool
 * (schema-history.md part B), run on the database's pool, with the answer cached briefly.
 * Every query but Flyway's returns one row of the same seven columns, so one reader serves
 * those tools:
 *   applied, reached (">=" form), failed_version, failed_description,
 *   latest_version, latest_description, latest_at.
 * Flyway's returns the history rows, which flyway.c reduces to the same answer. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "dbpool.h"
#include "flyway.h"
#include "history_cache.h"
#include "metrics.h"
#include "pqload.h"
#include "strbuf.h"

/* Tool timestamps are `timestamp` (the tool session's local time) or `timestamptz`. */
#define ISO(x) "to_char((" x ")::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* {T} is the quoted, schema-qualified history table; {S} the quoted schema (sqitch registry). */
static const char *const queries[TOOL_COUNT] = {
    /* Flyway: every row but SCHEMA markers, decided in C by flyway.c (the newest row per
     * normalised version, DELETE/UNDO_*, failed rows, baselines, repeatables): normalising
     * and ordering versions in SQL cost ~2 µs of server CPU per row, scanning costs ~0.3. */
    [TOOL_FLYWAY] =
        "SELECT installed_rank, version, type, success, description, " ISO("installed_on") " FROM {T} "
        "WHERE type <> 'SCHEMA'",
    /* Liquibase: $1 'tag' or 'changeset'. FAILED/SKIPPED never reach the table; rollback
     * deletes rows, so a row is an applied changeset. */
    [TOOL_LIQUIBASE] =
        "SELECT CASE WHEN $1 = 'tag' THEN EXISTS (SELECT 1 FROM {T} WHERE tag = $2) "
        "  ELSE EXISTS (SELECT 1 FROM {T} WHERE id = $2 AND author = $3 AND filename = $4 "
        "               AND exectype IN ('EXECUTED', 'RERAN', 'MARK_RAN')) END, "
        "  false, NULL, NULL, l.v, l.d, l.t "
        "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT "
        "  CASE WHEN $1 = 'tag' THEN 'tag:' || tag ELSE id END AS v, "
        "  coalesce(description, comments) AS d, " ISO("dateexecuted") " AS t FROM {T} "
        "  WHERE $1 <> 'tag' OR tag IS NOT NULL ORDER BY dateexecuted DESC, orderexecuted DESC LIMIT 1) l ON true",
    /* golang-migrate: one row, no history; dirty = a step failed or is running. */
    [TOOL_GOLANG_MIGRATE] =
        "SELECT NOT m.dirty AND m.version >= $1::bigint, NOT m.dirty AND m.version >= $1::bigint, "
        "  CASE WHEN m.dirty THEN m.version::text END, NULL, "
        "  CASE WHEN NOT m.dirty THEN m.version::text END, NULL, NULL "
        "FROM (SELECT 1) one LEFT JOIN (SELECT version, dirty FROM {T} LIMIT 1) m ON true",
    /* goose: the newest row (by id) per version decides; version 0 is the table's own row. */
    [TOOL_GOOSE] =
        "WITH latest AS (SELECT DISTINCT ON (version_id) version_id, is_applied, tstamp FROM {T} "
        "  ORDER BY version_id, id DESC), "
        "ok AS (SELECT * FROM latest WHERE is_applied AND version_id <> 0), "
        "top AS (SELECT * FROM ok ORDER BY version_id DESC LIMIT 1) "
        "SELECT EXISTS (SELECT 1 FROM ok WHERE version_id = $1::bigint), "
        "  EXISTS (SELECT 1 FROM ok WHERE version_id >= $1::bigint), NULL, NULL, "
        "  (SELECT version_id::text FROM top), NULL, (SELECT " ISO("tstamp") " FROM top)",
    /* dbmate: exact strings ("001" is not "1"); ">=" compares the digits numerically. */
    [TOOL_DBMATE] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE version = $1), "
        "  EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric >= $1::numeric), "
        "  NULL, NULL, (SELECT max(version COLLATE \"C\") FROM {T}), NULL, NULL",
    /* Rails: versions are to_i'd, so "001" is "1". */
    [TOOL_RAILS] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric = $1::numeric), "
        "  EXISTS (SELECT 1 FROM {T} WHERE version ~ '^[0-9]+$' AND version::numeric >= $1::numeric), "
        "  NULL, NULL, (SELECT max(version::numeric)::text FROM {T} WHERE version ~ '^[0-9]+$'), NULL, NULL",
    /* Atlas: lexicographic versions; applied < total or an error = partial; type bit 1 = a
     * baseline; the cloud identifier row is not a migration. The error text is not shown
     * (it can quote data). */
    [TOOL_ATLAS] =
        "WITH r AS (SELECT version COLLATE \"C\" AS v, type, applied, total, error, description, executed_at "
        "  FROM {T} WHERE version <> '.atlas_cloud_identifier'), "
        "ok AS (SELECT * FROM r WHERE applied = total AND coalesce(error, '') = ''), "
        "bad AS (SELECT * FROM r WHERE (applied <> total OR coalesce(error, '') <> '') AND v <= $1 COLLATE \"C\" "
        "  ORDER BY v DESC LIMIT 1), "
        "top AS (SELECT * FROM ok ORDER BY v DESC LIMIT 1) "
        "SELECT EXISTS (SELECT 1 FROM ok WHERE v = $1 COLLATE \"C\") "
        "    OR EXISTS (SELECT 1 FROM ok WHERE (type & 1) = 1 AND v >= $1 COLLATE \"C\"), "
        "  EXISTS (SELECT 1 FROM ok WHERE v >= $1 COLLATE \"C\"), "
        "  (SELECT v FROM bad), (SELECT applied || ' of ' || total || ' statements applied' "
        "    || CASE WHEN coalesce(error, '') <> '' THEN ', error recorded' ELSE '' END FROM bad), "
        "  (SELECT v FROM top), (SELECT description FROM top), (SELECT " ISO("executed_at") " FROM top)",
    /* Alembic: the table holds only heads; ancestry is resolved in C from the config. */
    [TOOL_ALEMBIC] =
        "SELECT false, false, NULL, NULL, "
        "  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM {T}), NULL, NULL",
    [TOOL_DJANGO] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE app = $1 AND name = $2), false, NULL, NULL, l.v, NULL, l.t "
        "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT app || ':' || name AS v, " ISO("applied") " AS t "
        "  FROM {T} WHERE app = $1 ORDER BY applied DESC, id DESC LIMIT 1) l ON true",
    /* sqitch: $1 project ('' = any), $2 the tag ("@v1.0") or change, $3 'tag' or 'change'.
     * Rows in changes/tags are what is deployed now; a last event 'fail' is a failed deploy. */
    [TOOL_SQITCH] =
        "SELECT CASE WHEN $3 = 'tag' "
        "    THEN EXISTS (SELECT 1 FROM {S}.tags WHERE tag = $2 AND ($1 = '' OR project = $1)) "
        "    ELSE EXISTS (SELECT 1 FROM {S}.changes WHERE change = $2 AND ($1 = '' OR project = $1)) END, "
        "  false, CASE WHEN e.event = 'fail' THEN e.change END, NULL, l.v, l.note, l.t "
        "FROM (SELECT 1) one "
        "LEFT JOIN LATERAL (SELECT event, change FROM {S}.events WHERE $1 = '' OR project = $1 "
        "  ORDER BY committed_at DESC LIMIT 1) e ON true "
        "LEFT JOIN LATERAL (SELECT v, note, " ISO("committed_at") " AS t FROM ("
        "    SELECT tag AS v, note, committed_at FROM {S}.tags WHERE $3 = 'tag' AND ($1 = '' OR project = $1) "
        "    UNION ALL SELECT change, note, committed_at FROM {S}.changes "
        "      WHERE $3 <> 'tag' AND ($1 = '' OR project = $1)) x "
        "  ORDER BY committed_at DESC LIMIT 1) l ON true",
    /* Prisma: done = finished and not rolled back (a retry adds a row with the same name);
     * unfinished and not rolled back = failed (or running; deploy refuses either way). */
    [TOOL_PRISMA] =
        "WITH ok AS (SELECT migration_name COLLATE \"C\" AS n, finished_at FROM {T} "
        "  WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL), "
        "bad AS (SELECT migration_name COLLATE \"C\" AS n FROM {T} WHERE finished_at IS NULL "
        "  AND rolled_back_at IS NULL AND migration_name COLLATE \"C\" <= $1 COLLATE \"C\" ORDER BY 1 DESC LIMIT 1), "
        "top AS (SELECT * FROM ok ORDER BY n DESC LIMIT 1) "
        "SELECT EXISTS (SELECT 1 FROM ok WHERE n = $1 COLLATE \"C\"), false, (SELECT n FROM bad), NULL, "
        "  (SELECT n FROM top), NULL, (SELECT " ISO("finished_at") " FROM top)",
    /* Knex stores the file name with its extension; accept the name either way. */
    [TOOL_KNEX] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1 OR regexp_replace(name, '\\.(c|m)?(js|ts)$', '') = $1), "
        "  false, NULL, NULL, l.name, NULL, l.t "
        "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT name, " ISO("migration_time") " AS t FROM {T} "
        "  ORDER BY id DESC LIMIT 1) l ON true",
    /* node-pg-migrate stores the basename without extension. */
    [TOOL_NODE_PG_MIGRATE] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1), false, NULL, NULL, l.name, NULL, l.t "
        "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT name, " ISO("run_on") " AS t FROM {T} "
        "  ORDER BY run_on DESC, id DESC LIMIT 1) l ON true",
    /* Sequelize (umzug) stores the file name with its extension and no time. */
    [TOOL_SEQUELIZE] =
        "SELECT EXISTS (SELECT 1 FROM {T} WHERE name = $1 OR regexp_replace(name, '\\.(c|m)?(js|ts)$', '') = $1), "
        "  false, NULL, NULL, (SELECT max(name COLLATE \"C\") FROM {T}), NULL, NULL",
};

struct real_source {
    struct history_source base;    /* first: the gate holds a pointer to this */
    const struct config *cfg;
    struct dbpool **pools;         /* one per cfg->databases entry */
    struct history_cache *cache;
};

long history_ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

void history_deadline_in(struct timespec *deadline, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += ms / 1000;
    deadline->tv_nsec += (ms % 1000) * 1000000;
    if (deadline->tv_nsec >= 1000000000) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000;
    }
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

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
    for (const char *p = queries[db->tool]; *p && ok; p++) {
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

/* The query's parameters for this requirement (requires.c has validated their shape). */
static int query_params(const struct database_config *db, const struct requirement *r, const char **params)
{
    switch (db->tool) {
    case TOOL_LIQUIBASE:
        params[0] = r->kind == REF_LIQUIBASE_TAG ? "tag" : "changeset";
        params[1] = r->param[0];
        params[2] = r->param[1];
        params[3] = r->param[2];
        return 4;
    case TOOL_DJANGO:
        params[0] = r->param[0];
        params[1] = r->param[1];
        return 2;
    case TOOL_SQITCH:
        params[0] = db->project ? db->project : "";
        params[1] = r->param[0];
        params[2] = r->kind == REF_SQITCH_TAG ? "tag" : "change";
        return 3;
    case TOOL_ALEMBIC:
    case TOOL_FLYWAY:          /* decided in C (flyway.c) */
        return 0;
    default:
        params[0] = r->param[0];
        return 1;
    }
}

/* ---------------------------------------------------------------- reading the answer ---- */

/* Shown to users: kept to one printable line. */
static void copy_text(const char *text, char *out, size_t n)
{
    snprintf(out, n, "%s", text ? text : "");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = ' ';
}

static void copy_field(const PGresult *res, int col, char *out, size_t n)
{
    copy_text(PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col), out, n);
}

static bool field_true(const PGresult *res, int col)
{
    return !PQgetisnull(res, 0, col) && strcmp(PQgetvalue(res, 0, col), "t") == 0;
}

/* Alembic keeps only heads: X holds when X is a head or an ancestor of one, by the
 * down_revision graph the config gives (schema-history.md pitfall 6). */
static bool alembic_reaches(const struct database_config *db, const char *from, const char *target, int depth)
{
    if (strcmp(from, target) == 0)
        return true;
    if (depth > 10000)
        return false;
    for (size_t i = 0; i < db->alembic_edge_count; i++)
        if (strcmp(db->alembic_edges[i].revision, from) == 0 &&
            alembic_reaches(db, db->alembic_edges[i].down_revision, target, depth + 1))
            return true;
    return false;
}

static bool alembic_satisfied(const struct database_config *db, const char *heads, const char *target)
{
    char *copy = strdup(heads);
    if (copy == NULL)
        return false;
    bool found = false;
    char *save = NULL;
    for (char *h = strtok_r(copy, ",", &save); h && !found; h = strtok_r(NULL, ",", &save))
        found = alembic_reaches(db, h, target, 0);
    free(copy);
    return found;
}

static void read_result(const struct database_config *db, const struct requirement *r, const PGresult *res,
                        struct history_result *out)
{
    out->table_found = true;
    bool applied = field_true(res, 0), reached = field_true(res, 1);
    out->satisfied = r->at_least ? reached : applied;
    copy_field(res, 2, out->failed_version, sizeof out->failed_version);
    copy_field(res, 3, out->failed_description, sizeof out->failed_description);
    out->has_failed = !PQgetisnull(res, 0, 2);
    copy_field(res, 4, out->latest_version, sizeof out->latest_version);
    copy_field(res, 5, out->latest_description, sizeof out->latest_description);
    copy_field(res, 6, out->latest_at, sizeof out->latest_at);
    out->has_latest = !PQgetisnull(res, 0, 4);
    if (db->tool == TOOL_ALEMBIC && out->has_latest)
        out->satisfied = alembic_satisfied(db, PQgetvalue(res, 0, 4), r->param[0]);
    /* sqitch keeps no order between changes: a failed deploy matters when the requirement
     * is not met, not after it. */
    if (db->tool == TOOL_SQITCH && out->satisfied)
        out->has_failed = false;
}

static const char *field_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Flyway's rows: installed_rank, version, type, success, description, installed_at. */
static int read_flyway(const struct database_config *db, const struct requirement *r, const PGresult *res,
                       struct history_result *out, struct sg_error *err)
{
    int n = PQntuples(res);
    struct flyway_row *rows = calloc(n > 0 ? (size_t)n : 1, sizeof *rows);
    if (rows == NULL)
        return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
    size_t kept = 0;
    for (int i = 0; i < n; i++) {
        struct flyway_row *row = &rows[kept];
        row->type = field_text(res, i, 2);
        if (row->type == NULL)
            continue;          /* NULL <> 'SCHEMA' is not true: SQL would skip it too */
        row->rank_null = PQgetisnull(res, i, 0);
        row->rank = row->rank_null ? 0 : strtoll(PQgetvalue(res, i, 0), NULL, 10);
        row->version = field_text(res, i, 1);
        row->success = PQgetisnull(res, i, 3) ? -1 : strcmp(PQgetvalue(res, i, 3), "t") == 0;
        row->description = field_text(res, i, 4);
        row->installed_at = field_text(res, i, 5);
        kept++;
    }
    struct flyway_answer a;
    if (flyway_decide(rows, kept, r->param[0], &a) != 0) {
        free(rows);
        return sg_error_set(err, "database %s could not answer (out of memory)", db->name);
    }
    out->table_found = true;
    out->satisfied = r->at_least ? a.reached : a.applied;
    if (a.failed) {
        out->has_failed = true;
        copy_text(a.failed_repeatable ? "(repeatable)" : a.failed->version, out->failed_version,
                  sizeof out->failed_version);
        copy_text(a.failed->description, out->failed_description, sizeof out->failed_description);
    }
    if (a.latest) {
        out->has_latest = true;
        copy_text(a.latest->version, out->latest_version, sizeof out->latest_version);
        copy_text(a.latest->description, out->latest_description, sizeof out->latest_description);
        copy_text(a.latest->installed_at, out->latest_at, sizeof out->latest_at);
    }
    free(rows);
    return 0;
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
                            "\"tool\" and \"table\")", db->name, db->table, config_tool_name(db->tool));
    return sg_error_set(err, "database %s could not answer (query failed, SQLSTATE %s)", db->name,
                        state[0] ? state : "unknown");
}

/* ---------------------------------------------------------------- lookup --------------- */

static int run_lookup(struct real_source *src, const struct database_config *db, const struct requirement *r,
                      const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    struct dbpool *pool = src->pools[db - src->cfg->databases];
    const char *params[4];
    int nparams = query_params(db, r, params);
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
            if (!c.fresh && history_ms_left(deadline) > 0) {
                metrics_record_db_error(db->name);
                continue;
            }
            return -1;
        }
        metrics_record_db_query(db->name, seconds_since(&start));
        ExecStatusType st = PQresultStatus(res);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (st == PGRES_TUPLES_OK && db->tool == TOOL_FLYWAY && PQnfields(res) == 6) {
            rc = read_flyway(db, r, res, out, err);
        } else if (st == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) == 7) {
            read_result(db, r, res, out);
            rc = 0;
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
    if (run_lookup(src, db, r, deadline, out, err) != 0) {
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
    src->cache = history_cache_new(cfg->database_count);
    if (cfg->database_count > 0 && pqload_open(err) != 0) {
        history_close(&src->base);
        return NULL;
    }
    bool ok = src->pools && src->cache;
    for (size_t i = 0; ok && i < cfg->database_count; i++)
        ok = (src->pools[i] = dbpool_new(&cfg->databases[i], cfg->schema.pool_size, cfg->schema.timeout_ms)) != NULL;
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
    free(src->pools);
    history_cache_free(src->cache);
    free(src);
}
