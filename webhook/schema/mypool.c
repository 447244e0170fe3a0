/* mypool.c - MySQL / MariaDB connections for the schema gate, bounded by the admission's
 * deadline as dbpool.c bounds PostgreSQL ones: Connector/C runs in its non-blocking mode
 * (MYSQL_OPT_NONBLOCK, the *_start / *_cont calls), and this file polls the connection's
 * socket with the time left. Host names are resolved first with resolve.h (c-ares, bounded,
 * cached) and the connector is given the address, so it never calls getaddrinfo; the one
 * exception is ssl_mode VERIFY_CA / VERIFY_IDENTITY, where Connector/C checks the server's
 * certificate against the host it was given, so it gets the name. Sessions are read-only with
 * a statement time limit and short lock waits, in UTC, with a known character set. */
#include "mypool.h"

#include <errno.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connslots.h"
#include "deadline.h"
#include "myconninfo.h"
#include "resolve.h"

/* A slot (connslots.h) holds a MYSQL connection and, as aux, the MYSQL_STMT prepared on it. */
struct mypool {
    const struct database_config *db;
    int timeout_ms;
    int size;
    struct connslots slots;
    struct resolver *resolver;
};

struct mypool *mypool_new(const struct database_config *db, int size, int timeout_ms)
{
    struct mypool *pool = calloc(1, sizeof *pool);
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

static void close_conn(void *conn, void *stmt)
{
    if (stmt)
        mysql_stmt_close(stmt);
    mysql_close(conn);
}

void mypool_free(struct mypool *pool)
{
    if (pool == NULL)
        return;
    connslots_destroy(&pool->slots, close_conn);
    resolver_free(pool->resolver);
    free(pool);
}

/* ---------------------------------------------------------------- waiting -------------- */

/* Waits for what Connector/C asked (MYSQL_WAIT_*) or the deadline: the MYSQL_WAIT_* flags that
 * are ready (MYSQL_WAIT_TIMEOUT when the connector's own timer ran out first), 0 when the
 * deadline passed, -1 on a poll error. */
int mypool_wait(MYSQL *m, int status, const struct timespec *deadline)
{
    int fd = mysql_get_socket(m);
    for (;;) {
        long left = deadline_ms_left(deadline);
        if (left <= 0)
            return 0;
        bool own_timer = false;
        if (status & MYSQL_WAIT_TIMEOUT) {
            long t = (long)mysql_get_timeout_value_ms(m);
            if (t < left) {
                left = t;
                own_timer = true;
            }
        }
        struct pollfd p = {.fd = fd, .events = 0};
        if (status & MYSQL_WAIT_READ)
            p.events |= POLLIN;
        if (status & MYSQL_WAIT_WRITE)
            p.events |= POLLOUT;
        if (status & MYSQL_WAIT_EXCEPT)
            p.events |= POLLPRI;
        int rc = poll(&p, fd >= 0 ? 1 : 0, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (own_timer)
                return MYSQL_WAIT_TIMEOUT;
            continue;            /* the deadline, or a wake-up before it: the top decides */
        }
        int ready = 0;
        if (p.revents & (POLLIN | POLLERR | POLLHUP))
            ready |= MYSQL_WAIT_READ;
        if (p.revents & (POLLOUT | POLLERR | POLLHUP))
            ready |= MYSQL_WAIT_WRITE;
        if (p.revents & POLLPRI)
            ready |= MYSQL_WAIT_EXCEPT;
        ready &= status;           /* only what the connector asked for (POLLERR/POLLHUP wake both) */
        return ready ? ready : -1; /* POLLNVAL: the socket is gone */
    }
}

/* ---------------------------------------------------------------- connecting ----------- */

/* A short, safe reason for a client or server error number: the connector's text can name the
 * user, so it is never shown. */
static const char *connect_reason(unsigned code)
{
    switch (code) {
    case ER_ACCESS_DENIED_ERROR:
        return "access denied: check user and password";
    case ER_DBACCESS_DENIED_ERROR:
        return "access denied to the database";
    case ER_BAD_DB_ERROR:
        return "unknown database";
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
        return "too many connections";
    case ER_HOST_IS_BLOCKED:
        return "host is blocked by the server";
    case ER_HOST_NOT_PRIVILEGED:
        return "host is not allowed to connect";
    case ER_SERVER_SHUTDOWN:
        return "server is shutting down";
    case CR_CONN_HOST_ERROR:
    case CR_CONNECTION_ERROR:
        return "connection refused";
    case CR_UNKNOWN_HOST:
        return "host name not found";
    case CR_SERVER_LOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST_EXTENDED:
        return "connection lost";
    case CR_SSL_CONNECTION_ERROR:
        return "TLS negotiation failed";
    case CR_AUTH_PLUGIN_CANNOT_LOAD:
        return "authentication plugin not available";
    default:
        return "connection failed";
    }
}

static int connect_failed(const struct mypool *pool, const struct my_conninfo *ci, const char *reason,
                          struct sg_error *err)
{
    if (ci->host[0])
        return sg_error_set(err, "database %s unreachable (%s at %s:%u)", pool->db->name, reason, ci->host,
                            ci->port ? ci->port : 3306);
    return sg_error_set(err, "database %s unreachable (%s)", pool->db->name, reason);
}

static bool set_options(MYSQL *m, const struct mypool *pool, const struct my_conninfo *ci)
{
    unsigned timeout_s = (unsigned)(pool->timeout_ms + 999) / 1000;
    unsigned protocol = ci->socket[0] ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
    my_bool no = 0, yes = 1;
    bool ok = mysql_options(m, MYSQL_OPT_NONBLOCK, NULL) == 0 &&
              mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0 &&
              mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s) == 0 &&
              mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol) == 0 &&
              mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &no) == 0;
    switch (ci->ssl_mode) {
    case MY_SSL_DISABLED:
        ok = ok && mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &no) == 0;
        break;
    case MY_SSL_REQUIRED:
        ok = ok && mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes) == 0 &&
             mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no) == 0;
        break;
    case MY_SSL_VERIFY_CA:
    case MY_SSL_VERIFY_IDENTITY:
        ok = ok && mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes) == 0 &&
             mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes) == 0;
        break;
    default:
        break;
    }
    if (ok && ci->ssl_ca[0])
        ok = mysql_options(m, MYSQL_OPT_SSL_CA, ci->ssl_ca) == 0;
    return ok;
}

/* Read-only, bounded, UTC: run once per new connection. MariaDB and MySQL name the statement
 * time limit differently (max_statement_time in seconds, max_execution_time in ms). */
static int configure_session(const struct mypool *pool, MYSQL *m, const struct timespec *deadline,
                             struct sg_error *err)
{
    int lock_s = (pool->timeout_ms + 999) / 1000;
    const char *info = mysql_get_server_info(m);
    bool mariadb = info && strstr(info, "MariaDB");
    char limit[64], limits[512];
    if (mariadb)
        snprintf(limit, sizeof limit, "max_statement_time = %d.%03d", pool->timeout_ms / 1000, pool->timeout_ms % 1000);
    else
        snprintf(limit, sizeof limit, "max_execution_time = %d", pool->timeout_ms);
    snprintf(limits, sizeof limits,
             "SET SESSION time_zone = '+00:00', SESSION lock_wait_timeout = %d, "
             "SESSION innodb_lock_wait_timeout = %d, SESSION group_concat_max_len = 65536, SESSION %s",
             lock_s, lock_s, limit);
    const char *const statements[] = {"SET SESSION TRANSACTION READ ONLY", limits};
    struct myconn c = {.conn = m, .slot = -1};
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        MYSQL_RES *res = NULL;
        unsigned code = 0;
        bool broken = false;
        if (mypool_query(pool, &c, statements[i], strlen(statements[i]), deadline, &res, &code, &broken, err) != 0)
            return -1;
        if (res)
            mysql_free_result(res);
        if (code != 0)
            return sg_error_set(err, "database %s unreachable (could not configure the session, error %u)",
                                pool->db->name, code);
    }
    return 0;
}

static MYSQL *open_connection(const struct mypool *pool, const struct timespec *deadline, struct sg_error *err)
{
    char text[CONNINFO_MAX];
    if (connslots_read_conninfo(pool->db, "one mysql:// URI or key=value line", text, sizeof text, err) != 0)
        return NULL;
    struct my_conninfo ci;
    char why[128];
    int parsed = my_conninfo_parse(text, &ci, why, sizeof why);
    explicit_bzero(text, sizeof text);
    if (parsed != 0) {
        sg_error_set(err, "database %s unreachable (%s)", pool->db->name, why);
        return NULL;
    }
    MYSQL *m = NULL;
    char addr[64] = "";
    const char *host = ci.host[0] ? ci.host : NULL;
    bool by_name = ci.ssl_mode == MY_SSL_VERIFY_CA || ci.ssl_mode == MY_SSL_VERIFY_IDENTITY;
    if (host && !by_name && !resolver_is_literal(host) && strcmp(host, "localhost") != 0) {
        const char *reason = NULL;
        if (resolver_lookup(pool->resolver, host, deadline, addr, sizeof addr, &reason) != 0) {
            sg_error_set(err, "database %s unreachable (%s for %s)", pool->db->name, reason, host);
            goto out;
        }
        host = addr;
    }
    if (host == NULL && ci.socket[0] == '\0')
        host = "127.0.0.1";
    if ((m = mysql_init(NULL)) == NULL) {
        sg_error_set(err, "database %s unreachable (out of memory)", pool->db->name);
        goto out;
    }
    if (!set_options(m, pool, &ci)) {
        sg_error_set(err, "database %s unreachable (could not set the connection options)", pool->db->name);
        goto fail;
    }
    MYSQL *ret = NULL;
    int status = mysql_real_connect_start(&ret, m, ci.socket[0] ? NULL : host, ci.user[0] ? ci.user : NULL,
                                          ci.password, ci.dbname[0] ? ci.dbname : NULL, ci.port,
                                          ci.socket[0] ? ci.socket : NULL, 0);
    while (status) {
        int ready = mypool_wait(m, status, deadline);
        if (ready <= 0) {
            char reason[64];
            snprintf(reason, sizeof reason, "connect timed out within the %d ms budget", pool->timeout_ms);
            connect_failed(pool, &ci, ready == 0 ? reason : "connection failed", err);
            goto fail;
        }
        status = mysql_real_connect_cont(&ret, m, ready);
    }
    if (ret == NULL) {
        connect_failed(pool, &ci, connect_reason(mysql_errno(m)), err);
        goto fail;
    }
    if (configure_session(pool, m, deadline, err) != 0)
        goto fail;
    goto out;
fail:
    if (m)
        mysql_close(m);
    m = NULL;
out:
    explicit_bzero(&ci, sizeof ci);
    return m;
}

/* ---------------------------------------------------------------- borrowing ------------ */

int mypool_acquire(struct mypool *pool, const struct timespec *deadline, struct myconn *out, struct sg_error *err)
{
    memset(out, 0, sizeof *out);
    void *conn, *stmt;
    out->slot = connslots_take(&pool->slots, deadline, &conn, &stmt);
    if (out->slot < 0)
        return sg_error_set(err, "database %s unreachable (all %d connections busy for the %d ms budget)",
                            pool->db->name, pool->size, pool->timeout_ms);
    out->conn = conn;
    out->stmt = stmt;

    if (out->conn == NULL) {
        out->fresh = true;
        out->conn = open_connection(pool, deadline, err);
        if (out->conn == NULL) {
            mypool_release(pool, out, true);
            return -1;
        }
    }
    return 0;
}

void mypool_release(struct mypool *pool, struct myconn *c, bool broken)
{
    if (c->slot < 0)
        return;
    if ((broken || c->conn == NULL) && c->stmt) {
        mysql_stmt_close(c->stmt);
        c->stmt = NULL;
    }
    if (broken && c->conn) {
        mysql_close(c->conn);
        c->conn = NULL;
    }
    connslots_give(&pool->slots, c->slot, c->conn, c->stmt);
    c->conn = NULL;
    c->stmt = NULL;
    c->slot = -1;
}

/* ---------------------------------------------------------------- querying ------------- */

const char *mypool_name(const struct mypool *pool)
{
    return pool->db->name;
}

int mypool_failed(const struct mypool *pool, bool timed_out, bool *broken, struct sg_error *err)
{
    *broken = true;
    if (timed_out)
        return sg_error_set(err, "database %s unreachable (no answer within the %d ms budget)", pool->db->name,
                            pool->timeout_ms);
    return sg_error_set(err, "database %s unreachable (connection lost)", pool->db->name);
}

/* Client errors (CR_*, 2000-2999) mean the connection is gone; the rest are the server's. */
static bool client_error(unsigned code)
{
    return code >= 2000 && code < 3000;
}

int mypool_query(const struct mypool *pool, struct myconn *c, const char *sql, size_t len,
                 const struct timespec *deadline, MYSQL_RES **res, unsigned *server_errno, bool *broken,
                 struct sg_error *err)
{
    *res = NULL;
    *server_errno = 0;
    *broken = false;
    MYSQL *m = c->conn;
    int qret = 0;
    int status = mysql_real_query_start(&qret, m, sql, (unsigned long)len);
    while (status) {
        int ready = mypool_wait(m, status, deadline);
        if (ready <= 0)
            return mypool_failed(pool, ready == 0, broken, err);
        status = mysql_real_query_cont(&qret, m, ready);
    }
    if (qret != 0) {
        unsigned code = mysql_errno(m);
        if (client_error(code))
            return mypool_failed(pool, false, broken, err);
        *server_errno = code;
        return 0;
    }
    MYSQL_RES *r = NULL;
    status = mysql_store_result_start(&r, m);
    while (status) {
        int ready = mypool_wait(m, status, deadline);
        if (ready <= 0)
            return mypool_failed(pool, ready == 0, broken, err);
        status = mysql_store_result_cont(&r, m, ready);
    }
    if (r == NULL && mysql_field_count(m) != 0) {
        unsigned code = mysql_errno(m);
        if (code == 0 || client_error(code))
            return mypool_failed(pool, false, broken, err);
        *server_errno = code;       /* e.g. max_statement_time hit while rows were sent */
        return 0;
    }
    *res = r;
    return 0;
}
