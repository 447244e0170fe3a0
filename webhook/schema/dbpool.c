/* dbpool.c - connections for the schema gate. Everything is non-blocking and bounded by the
 * admission's deadline: libpq's own connect_timeout cannot go below 2 s, so connecting and
 * querying are driven with PQconnectPoll / PQconsumeInput and poll(2). Sessions are set
 * read-only with a statement_timeout and lock_timeout, so a query can never write, and a
 * history table locked by a running migration costs one budget, not a stuck thread. */
#include "dbpool.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connslots.h"
#include "deadline.h"
#include "pqload.h"
#include "resolve.h"

/* A slot's aux (connslots.h) points here when its session holds the pool's prepared
 * statement (see dbpool_exec_prepared), and is NULL when it does not. */
static char statement_prepared;

struct dbpool {
    const struct database_config *db;
    int timeout_ms;
    int size;
    struct connslots slots;
    struct resolver *resolver;   /* host names, bounded by the deadline and cached */
};

struct dbpool *dbpool_new(const struct database_config *db, int size, int timeout_ms)
{
    struct dbpool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return NULL;
    pool->resolver = resolver_new();
    if (pool->resolver == NULL || connslots_init(&pool->slots, size) != 0) {
        resolver_free(pool->resolver);
        free(pool);
        return NULL;
    }
    pool->db = db;
    pool->size = size;
    pool->timeout_ms = timeout_ms;
    return pool;
}

static void close_conn(void *conn, void *aux)
{
    (void)aux;
    PQfinish(conn);
}

void dbpool_free(struct dbpool *pool)
{
    if (pool == NULL)
        return;
    connslots_destroy(&pool->slots, close_conn);
    resolver_free(pool->resolver);
    free(pool);
}

/* ---------------------------------------------------------------- waiting -------------- */

/* Waits until the socket is ready for `events` or the deadline passes: 1 ready, 0 timed out,
 * -1 error. */
static int wait_socket(PGconn *conn, short events, const struct timespec *deadline)
{
    int fd = PQsocket(conn);
    if (fd < 0)
        return -1;
    for (;;) {
        long left = deadline_ms_left(deadline);
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return 1;
        if (rc == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* ---------------------------------------------------------------- connecting ----------- */

/* A short, safe reason from libpq's message: the raw text can name the user, so it is never
 * shown; only the host and port are. */
static const char *failure_reason(const char *message)
{
    static const struct {
        const char *needle, *reason;
    } reasons[] = {
        {"Connection refused", "connection refused"},
        {"timeout expired", "connect timed out"},
        {"password authentication failed", "authentication failed"},
        {"no password supplied", "authentication failed (no password)"},
        {"authentication", "authentication failed"},
        {"no pg_hba.conf entry", "rejected by pg_hba.conf"},
        {"does not exist", "database or role does not exist"},
        {"could not translate host name", "host name not found"},
        {"Name or service not known", "host name not found"},
        {"starting up", "server is starting up"},
        {"shutting down", "server is shutting down"},
        {"in recovery mode", "server is in recovery"},
        {"too many connections", "too many connections"},
        {"remaining connection slots", "too many connections"},
        {"No route to host", "no route to host"},
        {"Network is unreachable", "network unreachable"},
        {"SSL", "TLS negotiation failed"},
        {"invalid connection option", "conninfo_file has an invalid option"},
        {"invalid URI", "conninfo_file holds an invalid URI"},
        {"missing \"=\"", "conninfo_file is not a valid conninfo"},
    };
    if (message == NULL)
        return "connection failed";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strstr(message, reasons[i].needle))
            return reasons[i].reason;
    return "connection failed";
}

static int connect_failed(const struct dbpool *pool, PGconn *conn, const char *reason, struct sg_error *err)
{
    const char *host = conn ? PQhost(conn) : NULL;
    const char *port = conn ? PQport(conn) : NULL;
    if (reason == NULL)
        reason = failure_reason(conn ? PQerrorMessage(conn) : NULL);
    if (host && host[0] && host[0] != '/')
        sg_error_set(err, "database %s unreachable (%s at %s:%s)", pool->db->name, reason, host,
                     port && port[0] ? port : "5432");
    else
        sg_error_set(err, "database %s unreachable (%s)", pool->db->name, reason);
    if (conn)
        PQfinish(conn);
    return -1;
}

/* Session settings that make the connection safe to share: read-only, bounded statements,
 * and a search_path that cannot shadow the functions the history queries call. Run once per
 * new connection; the prepared statement is then planned once (a generic plan: the history
 * tables are small and the parameters never change the best plan). */
static int configure_session(const struct dbpool *pool, PGconn *conn, const struct timespec *deadline,
                             struct sg_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT set_config('default_transaction_read_only', 'on', false), "
             "set_config('statement_timeout', '%d', false), set_config('lock_timeout', '%d', false), "
             "set_config('idle_in_transaction_session_timeout', '%d', false), "
             "set_config('search_path', 'pg_catalog', false), "
             "set_config('plan_cache_mode', 'force_generic_plan', false)",
             pool->timeout_ms, pool->timeout_ms, pool->timeout_ms);
    struct dbconn c = {.conn = conn};
    PGresult *res = NULL;
    bool broken = false;
    if (dbpool_exec(pool, &c, sql, 0, NULL, deadline, &res, &broken, err) != 0)
        return -1;
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok)
        return sg_error_set(err, "database %s unreachable (could not configure the session)", pool->db->name);
    return 0;
}

/* The `hostaddr` list for the conninfo's hosts, so libpq never resolves a name itself: each
 * host name resolved within the deadline (resolve.h), an empty item for what libpq reads
 * without a lookup (sockets, numeric addresses). "" when nothing needs resolving (or the
 * conninfo gives hostaddr itself); -1 with err when a name does not resolve in time. */
static int host_addresses(const struct dbpool *pool, const char *conninfo, const struct timespec *deadline,
                          char *out, size_t n, struct sg_error *err)
{
    out[0] = '\0';
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    if (opts == NULL)
        return 0;             /* not parseable: libpq says so when connecting, without a lookup */
    const char *host = NULL, *hostaddr = NULL;
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
    }
    int rc = 0;
    bool any = false;
    size_t len = 0;
    if (host && host[0] && !(hostaddr && hostaddr[0])) {
        for (const char *h = host; rc == 0;) {
            const char *comma = strchr(h, ',');
            size_t hlen = comma ? (size_t)(comma - h) : strlen(h);
            char name[256], addr[64] = "";
            snprintf(name, sizeof name, "%.*s", (int)(hlen < sizeof name ? hlen : sizeof name - 1), h);
            const char *why = NULL;
            if (!resolver_is_literal(name)) {
                any = true;
                if (resolver_lookup(pool->resolver, name, deadline, addr, sizeof addr, &why) != 0)
                    rc = sg_error_set(err, "database %s unreachable (%s for %s)", pool->db->name, why, name);
            }
            int w = snprintf(out + len, n - len, "%s%s", len || h != host ? "," : "", addr);
            if (w < 0 || (size_t)w >= n - len)
                rc = sg_error_set(err, "database %s unreachable (conninfo_file lists too many hosts)", pool->db->name);
            else
                len += (size_t)w;
            if (comma == NULL)
                break;
            h = comma + 1;
        }
    }
    PQconninfoFree(opts);
    if (rc == 0 && !any)
        out[0] = '\0';
    return rc;
}

static PGconn *open_connection(const struct dbpool *pool, const struct timespec *deadline, struct sg_error *err)
{
    char conninfo[CONNINFO_MAX];
    if (connslots_read_conninfo(pool->db, "one libpq conninfo or URI", conninfo, sizeof conninfo, err) != 0)
        return NULL;
    char hostaddr[1024];
    if (host_addresses(pool, conninfo, deadline, hostaddr, sizeof hostaddr, err) != 0) {
        explicit_bzero(conninfo, sizeof conninfo);
        return NULL;
    }
    /* hostaddr after dbname: it overrides what the expanded conninfo says. */
    const char *const keys[] = {"dbname", "fallback_application_name", hostaddr[0] ? "hostaddr" : NULL, NULL};
    const char *const values[] = {conninfo, "schemagate", hostaddr[0] ? hostaddr : NULL, NULL};
    PGconn *conn = PQconnectStartParams(keys, values, 1);
    explicit_bzero(conninfo, sizeof conninfo);
    if (conn == NULL) {
        sg_error_set(err, "database %s unreachable (out of memory)", pool->db->name);
        return NULL;
    }
    PQsetNoticeProcessor(conn, pqload_notice_to_log, pool->db->name);   /* notices as JSON log lines */
    if (PQstatus(conn) == CONNECTION_BAD) {
        connect_failed(pool, conn, NULL, err);
        return NULL;
    }
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) {
            connect_failed(pool, conn, NULL, err);
            return NULL;
        }
        int ready = wait_socket(conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (ready <= 0) {
            char reason[64];
            snprintf(reason, sizeof reason, "connect timed out within the %d ms budget", pool->timeout_ms);
            connect_failed(pool, conn, ready == 0 ? reason : NULL, err);
            return NULL;
        }
        st = PQconnectPoll(conn);
    }
    if (PQsetnonblocking(conn, 1) != 0 || configure_session(pool, conn, deadline, err) != 0) {
        if (err && strstr(err->message, "unreachable") == NULL)
            sg_error_set(err, "database %s unreachable (could not configure the session)", pool->db->name);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

/* ---------------------------------------------------------------- borrowing ------------ */

int dbpool_acquire(struct dbpool *pool, const struct timespec *deadline, struct dbconn *out,
                   struct sg_error *err)
{
    memset(out, 0, sizeof *out);
    void *conn, *aux;
    out->slot = connslots_take(&pool->slots, deadline, &conn, &aux);
    if (out->slot < 0)
        return sg_error_set(err, "database %s unreachable (all %d connections busy for the %d ms budget)",
                            pool->db->name, pool->size, pool->timeout_ms);
    out->conn = conn;
    out->prepared = aux == &statement_prepared;

    if (out->conn && PQstatus(out->conn) != CONNECTION_OK) {
        PQfinish(out->conn);
        out->conn = NULL;
    }
    if (out->conn == NULL) {
        out->fresh = true;
        out->prepared = false;
        out->conn = open_connection(pool, deadline, err);
        if (out->conn == NULL) {
            dbpool_release(pool, out, true);
            return -1;
        }
    }
    return 0;
}

void dbpool_release(struct dbpool *pool, struct dbconn *c, bool broken)
{
    if (c->slot < 0)
        return;
    if (broken && c->conn) {
        PQfinish(c->conn);
        c->conn = NULL;
    }
    connslots_give(&pool->slots, c->slot, c->conn, c->prepared ? &statement_prepared : NULL);
    c->conn = NULL;
    c->slot = -1;
}

/* ---------------------------------------------------------------- querying ------------- */

static int exec_failed(const struct dbpool *pool, bool timed_out, bool *broken, struct sg_error *err)
{
    *broken = true;
    if (timed_out)
        return sg_error_set(err, "database %s unreachable (no answer within the %d ms budget)", pool->db->name,
                            pool->timeout_ms);
    return sg_error_set(err, "database %s unreachable (connection lost)", pool->db->name);
}

/* Sends what PQsend* queued and collects the command's result before the deadline. */
static int await_result(const struct dbpool *pool, PGconn *conn, const struct timespec *deadline, PGresult **res,
                        bool *broken, struct sg_error *err)
{
    int flushed;
    while ((flushed = PQflush(conn)) == 1) {
        int ready = wait_socket(conn, POLLOUT | POLLIN, deadline);
        if (ready <= 0)
            return exec_failed(pool, ready == 0, broken, err);
        if (PQconsumeInput(conn) != 1)
            return exec_failed(pool, false, broken, err);
    }
    if (flushed < 0)
        return exec_failed(pool, false, broken, err);
    PGresult *first = NULL;
    for (;;) {
        while (PQisBusy(conn)) {
            int ready = wait_socket(conn, POLLIN, deadline);
            if (ready <= 0 || PQconsumeInput(conn) != 1) {
                PQclear(first);
                return exec_failed(pool, ready == 0, broken, err);
            }
        }
        PGresult *r = PQgetResult(conn);
        if (r == NULL)
            break;
        if (first == NULL)
            first = r;
        else
            PQclear(r);
    }
    if (first == NULL || PQstatus(conn) != CONNECTION_OK) {
        /* The server ended the session (restart, admin shutdown) while we asked. */
        PQclear(first);
        return exec_failed(pool, false, broken, err);
    }
    *res = first;
    return 0;
}

int dbpool_exec(const struct dbpool *pool, struct dbconn *c, const char *sql, int nparams,
                const char *const *params, const struct timespec *deadline, PGresult **res,
                bool *broken, struct sg_error *err)
{
    *res = NULL;
    *broken = false;
    if (PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0) != 1)
        return exec_failed(pool, false, broken, err);
    return await_result(pool, c->conn, deadline, res, broken, err);
}

static bool has_state(const PGresult *res, const char *state)
{
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return s != NULL && strcmp(s, state) == 0;
}

/* The statement's name: a hash of its text, so a name the server already knows (a pooler
 * that hands us another client's session, or a prepare whose answer we missed) is the same
 * statement, never another configuration's. */
static void statement_name(const char *sql, char *out, size_t n)
{
    unsigned long long h = 14695981039346656037ULL;    /* FNV-1a, 64 bit */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(out, n, "schemagate_%016llx", h);
}

/* Prepares the statement on c. 0 with *res NULL when it is prepared now; 0 with the error
 * result in *res when the server refused it (e.g. no history table: prepared on the next try). */
static int prepare(const struct dbpool *pool, struct dbconn *c, const char *name, const char *sql, int nparams,
                   const struct timespec *deadline, PGresult **res, bool *broken, struct sg_error *err)
{
    if (PQsendPrepare(c->conn, name, sql, nparams, NULL) != 1)
        return exec_failed(pool, false, broken, err);
    if (await_result(pool, c->conn, deadline, res, broken, err) != 0)
        return -1;
    /* 42P05: the session already has it (same name, so the same text). */
    if (PQresultStatus(*res) == PGRES_COMMAND_OK || has_state(*res, "42P05")) {
        PQclear(*res);
        *res = NULL;
        c->prepared = true;
    }
    return 0;
}

int dbpool_exec_prepared(const struct dbpool *pool, struct dbconn *c, const char *sql, int nparams,
                         const char *const *params, const struct timespec *deadline, PGresult **res,
                         bool *broken, struct sg_error *err)
{
    char name[32];
    statement_name(sql, name, sizeof name);
    *res = NULL;
    *broken = false;
    for (int attempt = 0;; attempt++) {
        if (!c->prepared) {
            if (prepare(pool, c, name, sql, nparams, deadline, res, broken, err) != 0 || *res != NULL)
                return *broken ? -1 : 0;
        }
        if (PQsendQueryPrepared(c->conn, name, nparams, params, NULL, NULL, 0) != 1)
            return exec_failed(pool, false, broken, err);
        if (await_result(pool, c->conn, deadline, res, broken, err) != 0)
            return -1;
        /* 26000: the session lost it (DEALLOCATE, DISCARD, a pooler's other session).
         * 0A000: "cached plan must not change result type" (a column's type changed): drop
         * it and prepare it again. One more try, then the error is the answer. */
        bool lost = has_state(*res, "26000"), stale = has_state(*res, "0A000");
        if (attempt > 0 || (!lost && !stale))
            return 0;
        PQclear(*res);
        *res = NULL;
        c->prepared = false;
        if (stale) {
            char sql_drop[64];
            snprintf(sql_drop, sizeof sql_drop, "DEALLOCATE %s", name);
            if (dbpool_exec(pool, c, sql_drop, 0, NULL, deadline, res, broken, err) != 0)
                return -1;
            PQclear(*res);
            *res = NULL;
        }
    }
}
