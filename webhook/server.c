/* server.c - the HTTPS webhook port and the plain-HTTP health/metrics port.
 *
 * Nothing can stall it:
 * - No HTTP thread waits for a database. A request whose schema gate needs one (a history
 *   cache miss) is handed to the database threads (dbwork.c) and its connection suspended;
 *   it is answered when the lookup completes or at its deadline, whichever comes first. The
 *   deadline is set when the request arrives (so queueing counts) to the config's
 *   schema.timeout_ms or the apiserver's `?timeout=` less a margin, whichever is shorter.
 *   Secrets-only requests never meet a database.
 * - libmicrohttpd runs in poll mode (its epoll mode spins on a half-open TLS handshake).
 * - Every handshake and request must arrive within --request-timeout, however slowly its bytes
 *   trickle (tlsio.c); idle connections close after --idle-timeout; connections are limited in
 *   total and per client address.
 * - Body size is bounded (3 MiB, the apiserver's own limit).
 * SIGTERM: readiness goes false, the listener closes, in-flight requests finish (their
 * responses say Connection: close), then the process exits 0. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "admission.h"
#include "dbwork.h"
#include "deadline.h"
#include "decision.h"
#include "log.h"
#include "metrics.h"
#include "review.h"
#include "strbuf.h"
#include "tlscert.h"
#include "tlsio.h"

#define SERVER_BODY_MAX (3u * 1024u * 1024u)
#define SERVER_EXPIRY_WARN_DAYS 30
#define SERVER_RELOAD_FAILURE_LOG_S 60
/* The main loop wakes this often: it flushes buffered decision log lines (log_flush), and once a
 * second it checks the certificate files. */
#define SERVER_TICK_MS 100

/* Per-server state shared by the callbacks (read-only after start, except the atomics). */
struct server {
    const struct config *cfg;
    struct history_source *history;
    struct dbwork *work;     /* database threads; NULL without databases */
    long request_ms, idle_ms;
    atomic_int active;       /* requests between their first callback and completion */
    atomic_bool ready;
    atomic_bool draining;
    char no_endpoint[160];   /* the 404 message, listing the families' paths */
};

struct request_state {
    struct strbuf body;
    size_t received;
    unsigned checks;
    bool responded;
    struct timespec arrived;        /* the database budget counts from here */
    long budget_ms;
    struct admission *adm;          /* while a database thread decides */
    struct MHD_Connection *conn;
    atomic_bool answered;           /* set by whichever thread answered the admission */
};

void server_default_options(struct server_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->listen = "0.0.0.0:8443";
    opt->metrics_listen = "0.0.0.0:9090";
    opt->threads = 4;
    opt->max_connections = 1024;
    opt->max_connections_per_ip = 256;
    opt->connection_timeout_s = 10;
    opt->request_timeout_s = 10;
    opt->drain_timeout_s = 25;
}

long server_parse_duration_ms(const char *text)
{
    if (text == NULL || *text == '\0')
        return -1;
    double total = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        double n = strtod(p, &end);
        if (end == p || errno != 0 || n < 0)
            return -1;
        p = end;
        double unit;
        if (strncmp(p, "ms", 2) == 0) unit = 1, p += 2;
        else if (strncmp(p, "us", 2) == 0) unit = 1e-3, p += 2;
        else if (strncmp(p, "\xc2\xb5s", 3) == 0) unit = 1e-3, p += 3;   /* "µs" */
        else if (strncmp(p, "ns", 2) == 0) unit = 1e-6, p += 2;
        else if (*p == 'h') unit = 3600e3, p++;
        else if (*p == 'm') unit = 60e3, p++;
        else if (*p == 's') unit = 1e3, p++;
        else return -1;
        total += n * unit;
        if (total > 86400e3)
            return -1;
    }
    return (long)total;
}

int server_parse_address(const char *text, struct sockaddr_storage *out, struct sg_error *err)
{
    char host[256];
    const char *port;
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon[1] == '\0')
        return sg_error_set(err, "address \"%s\" needs a port, e.g. 0.0.0.0:8443 or [::]:8443", text);
    port = colon + 1;
    size_t hlen = (size_t)(colon - text);
    if (hlen >= sizeof host)
        return sg_error_set(err, "address \"%s\" is too long", text);
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        return sg_error_set(err, "address \"%s\": port must be 1-65535", text);
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc != 0 || res == NULL)
        return sg_error_set(err, "address \"%s\": the host must be a numeric IPv4 or IPv6 address "
                            "(%s)", text, gai_strerror(rc));
    memset(out, 0, sizeof *out);
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* ---------------------------------------------------------------- responses ------------ */

/* Queues `body` (malloc'd; ownership passes to MHD, or it is freed here on failure). */
static enum MHD_Result send_body(struct MHD_Connection *conn, int status, const char *type, char *body,
                                 bool close_after)
{
    if (body == NULL)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (close_after)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct server *s, struct MHD_Connection *conn, int status, char *json)
{
    if (json == NULL) {
        status = 500;
        json = strdup("{\"error\":\"out of memory\",\"code\":500}");
    }
    return send_body(conn, status, "application/json", json, atomic_load(&s->draining));
}

static enum MHD_Result send_error(struct server *s, struct MHD_Connection *conn, int status,
                                  const char *message)
{
    metrics_record_http_error(status);
    log_event("warn", "http_error", "%d %s", status, message);
    return send_json(s, conn, status, review_error_json(status, message));
}

/* ---------------------------------------------------------------- HTTPS handler -------- */

/* The checks of the family whose endpoint this is, or 0. */
static unsigned route(const char *url)
{
    const struct check_family *f = check_family_by_path(url);
    return f ? check_family_set(f) : 0;
}

static bool content_type_is_json(const char *ct)
{
    if (ct == NULL)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Refusals that can be decided from the request line and headers alone. */
static int precheck(const struct server *s, struct MHD_Connection *conn, const char *url, const char *method,
                    unsigned *checks, size_t *content_length, const char **message)
{
    *checks = route(url);
    if (*checks == 0) {
        *message = s->no_endpoint;
        return 404;
    }
    if (strcmp(method, "POST") != 0) {
        *message = "method not allowed; admission reviews are sent with POST";
        return 405;
    }
    if (!content_type_is_json(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        *message = "Content-Type must be application/json (an AdmissionReview)";
        return 415;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long length = cl ? strtoull(cl, NULL, 10) : 0;
    if (length > SERVER_BODY_MAX) {
        *message = "body larger than 3 MiB (the kube-apiserver's own request limit)";
        return 413;
    }
    *content_length = (size_t)length;
    return 0;
}

/* The connection's tlsio (see on_connection), or NULL. */
static struct tlsio *connection_io(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* The database budget of a request: the config's timeout, or less when the apiserver gives up
 * sooner (`?timeout=10s`, a Go duration): its timeout less a margin of a tenth (150 ms to 1 s),
 * so the answer is there before the apiserver stops waiting. */
static long request_budget_ms(struct MHD_Connection *conn, const struct config *cfg)
{
    long budget = cfg->schema.timeout_ms;
    long apiserver = server_parse_duration_ms(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "timeout"));
    if (apiserver > 0) {
        long margin = apiserver / 10;
        margin = margin < 150 ? 150 : margin > 1000 ? 1000 : margin;
        long usable = apiserver - margin > 1 ? apiserver - margin : 1;
        if (usable < budget)
            budget = usable;
    }
    return budget;
}

/* Called once, from a database thread or the watchdog: the connection may answer now. */
static void on_gate_answered(void *ctx)
{
    struct request_state *rs = ctx;
    atomic_store(&rs->answered, true);
    MHD_resume_connection(rs->conn);
}

static enum MHD_Result respond(struct server *s, struct MHD_Connection *conn, struct request_state *rs)
{
    struct admission_result result = {0};
    admission_finish(rs->adm, &result);
    admission_release(rs->adm);
    rs->adm = NULL;
    tlsio_hold_next(connection_io(conn));   /* header and body in one sendmsg */
    return send_json(s, conn, result.http_status, result.body);
}

static enum MHD_Result on_webhook(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *s = cls;
    struct request_state *rs = *con_cls;
    if (rs == NULL) {
        rs = calloc(1, sizeof *rs);
        if (rs == NULL)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rs->arrived);
        atomic_init(&rs->answered, false);
        strbuf_init(&rs->body, SERVER_BODY_MAX);
        *con_cls = rs;
        atomic_fetch_add(&s->active, 1);
        const char *message = NULL;
        size_t length = 0;
        int status = precheck(s, conn, url, method, &rs->checks, &length, &message);
        if (status != 0) {
            rs->responded = true;
            return send_error(s, conn, status, message);
        }
        rs->budget_ms = request_budget_ms(conn, s->cfg);
        strbuf_presize(&rs->body, length);
        return MHD_YES;
    }
    if (rs->adm != NULL) {          /* resumed: a database thread or the watchdog answered */
        *upload_data_size = 0;
        return atomic_load(&rs->answered) ? respond(s, conn, rs) : MHD_YES;
    }
    if (rs->responded) {
        *upload_data_size = 0;     /* discard the rest of a refused body */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* A body without Content-Length (chunked) is measured as it arrives. MHD cannot answer
         * in the middle of an upload, so the excess is discarded and 413 sent at the end; a
         * client that keeps streaming past twice the limit is disconnected. */
        rs->received += *upload_data_size;
        if (!rs->body.failed)
            strbuf_append(&rs->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rs->received > 2 * (size_t)SERVER_BODY_MAX ? MHD_NO : MHD_YES;
    }
    rs->responded = true;
    if (rs->body.failed)
        return send_error(s, conn, 413, "body larger than 3 MiB (the kube-apiserver's own request limit)");
    struct timespec deadline = rs->arrived;
    deadline.tv_sec += rs->budget_ms / 1000;
    deadline.tv_nsec += (rs->budget_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    size_t len = rs->body.len;
    char *body = strbuf_take(&rs->body);   /* the admission owns it: parsed in place */
    rs->adm = admission_start(body, body ? len : 0, s->cfg, rs->checks, s->history, &deadline, rs->budget_ms);
    if (rs->adm == NULL)
        return send_error(s, conn, 500, "out of memory reading the request");
    if (admission_needs_database(rs->adm) && s->work != NULL) {
        rs->conn = conn;
        MHD_suspend_connection(conn);
        if (dbwork_submit(s->work, rs->adm, on_gate_answered, rs) == 0)
            return MHD_YES;
        MHD_resume_connection(conn);   /* out of memory: answered as at the deadline */
        admission_expire_gate(rs->adm);
        atomic_store(&rs->answered, true);
        return MHD_YES;
    }
    return respond(s, conn, rs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct server *s = cls;
    tlsio_flush(connection_io(conn));   /* on EAGAIN the bytes go first with the next write */
    tlsio_request_done(connection_io(conn));
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)(s->idle_ms / 1000));
    struct request_state *rs = *con_cls;
    if (rs == NULL)
        return;
    strbuf_free(&rs->body);
    admission_release(rs->adm);   /* a connection closed while its gate was being decided */
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&s->active, 1);
}

/* Each TLS connection reads through tlsio (one recv per request instead of one per record
 * header and body); its state lives in the connection's socket context. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    const struct server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {   /* after gnutls_deinit: nothing uses it */
        tlsio_close(*socket_context);
        *socket_context = NULL;
        return;
    }
    /* Silence is bounded by libmicrohttpd's timeout: the request timeout until a request has
     * been answered, the idle timeout between requests (on_completed); a trickle of bytes by
     * the transport's deadline. */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)(s->request_ms / 1000));
    const union MHD_ConnectionInfo *session = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (session && session->tls_session && fd)
        *socket_context = tlsio_attach((gnutls_session_t)session->tls_session, fd->connect_fd, s->request_ms,
                                       s->idle_ms);
}

/* ---------------------------------------------------------------- metrics port --------- */

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *type, char *text)
{
    return send_body(conn, status, type, text, false);
}

static enum MHD_Result on_metrics_port(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version, const char *upload_data,
                                       size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    struct server *s = cls;
    if (*con_cls == NULL) {      /* first call: headers only */
        *con_cls = s;
        return MHD_YES;
    }
    if (*upload_data_size > 0) { /* health probes carry no body; ignore one if sent */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(conn, 405, "text/plain", strdup("method not allowed; use GET\n"));
    if (strcmp(url, "/healthz") == 0)
        return send_text(conn, 200, "text/plain", strdup("ok\n"));
    if (strcmp(url, "/readyz") == 0)
        return atomic_load(&s->ready) ? send_text(conn, 200, "text/plain", strdup("ready\n"))
                                      : send_text(conn, 503, "text/plain", strdup("not ready\n"));
    if (strcmp(url, "/metrics") == 0)
        return send_text(conn, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_render());
    return send_text(conn, 404, "text/plain", strdup("not found; try /healthz, /readyz or /metrics\n"));
}

/* ---------------------------------------------------------------- lifecycle ------------ */

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_event("debug", "http", "%s", msg);
}

static void publish_expiry(void)
{
    time_t not_after = tlscert_not_after();
    metrics_set_cert_expiry((double)not_after);
    double days = difftime(not_after, time(NULL)) / 86400.0;
    if (days < SERVER_EXPIRY_WARN_DAYS)
        log_event("warn", "tls_cert_expiring", "the serving certificate expires in %.1f days; rotate it "
                  "(cert-manager, or schemagate-certs and update the Secret)", days);
}

static struct MHD_Daemon *start_webhook_port(const struct server_options *opt, struct server *s,
                                             struct sg_error *err)
{
    struct sockaddr_storage addr;
    if (server_parse_address(opt->listen, &addr, err) != 0)
        return NULL;
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_webhook, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_HTTPS_CERT_CALLBACK, tlscert_retrieve,
        MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)opt->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)opt->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)opt->max_connections_per_ip,
        /* Headers and read buffer per connection; bodies go to their own buffer. The
         * apiserver's headers are a few hundred bytes, so 8 KiB is ample and a quarter of the
         * memory a kept-alive connection would otherwise hold. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)opt->connection_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_END);
    if (d == NULL)
        sg_error_set(err, "cannot serve HTTPS on %s (address in use, or no permission?)", opt->listen);
    return d;
}

static struct MHD_Daemon *start_metrics_port(const struct server_options *opt, struct server *s,
                                             struct sg_error *err)
{
    struct sockaddr_storage addr;
    if (server_parse_address(opt->metrics_listen, &addr, err) != 0)
        return NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_metrics_port, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, 64u,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_END);
    if (d == NULL)
        sg_error_set(err, "cannot serve metrics on %s (address in use, or no permission?)", opt->metrics_listen);
    return d;
}

/* Waits until no request is in flight and every connection has closed (each response now
 * says Connection: close, and an idle kept-alive connection closes at the idle timeout), or the
 * drain timeout passes. Closing a kept-alive connection ourselves could cut a request the
 * apiserver is sending on it that very moment, and it does not retry a POST. */
static void drain(struct server *s, struct MHD_Daemon *web, unsigned timeout_s)
{
    struct timespec start, now, tick = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(web, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        unsigned connections = info ? info->num_connections : 0;
        if (atomic_load(&s->active) == 0 && connections == 0)
            return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= (time_t)timeout_s) {
            log_event("warn", "drain_timeout", "%d request(s) in flight and %u connection(s) open after %us; "
                      "stopping", atomic_load(&s->active), connections, timeout_s);
            return;
        }
        nanosleep(&tick, NULL);
    }
}

int server_run(const struct server_options *opt, const struct config *cfg,
               struct history_source *history, struct sg_error *err)
{
    struct server s = {.cfg = cfg, .history = history, .request_ms = (long)opt->request_timeout_s * 1000,
                       .idle_ms = (long)opt->connection_timeout_s * 1000};
    char paths[128];
    check_family_list(true, paths, sizeof paths);
    snprintf(s.no_endpoint, sizeof s.no_endpoint, "no such endpoint; use POST %s", paths);
    atomic_init(&s.active, 0);
    atomic_init(&s.ready, false);
    atomic_init(&s.draining, false);

    /* Signals are taken synchronously by this thread; the server threads inherit the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (tlscert_open(opt->cert_file, opt->key_file, err) != 0)
        return -1;
    publish_expiry();
    struct MHD_Daemon *metrics = start_metrics_port(opt, &s, err);
    if (metrics == NULL) {
        tlscert_close();
        return -1;
    }
    if (history != NULL && cfg->database_count > 0) {
        /* As many threads as the pools have connections: each waits on one. */
        size_t threads = cfg->database_count * (size_t)cfg->schema.pool_size;
        s.work = dbwork_start(threads > 32 ? 32 : (unsigned)threads, err);
        if (s.work == NULL) {
            MHD_stop_daemon(metrics);
            tlscert_close();
            return -1;
        }
    }
    struct MHD_Daemon *web = start_webhook_port(opt, &s, err);
    if (web == NULL) {
        dbwork_stop(s.work);
        MHD_stop_daemon(metrics);
        tlscert_close();
        return -1;
    }
    atomic_store(&s.ready, true);
    log_event("info", "started", "serving HTTPS on %s and health/metrics on %s (config %s, %zu database(s))",
              opt->listen, opt->metrics_listen, cfg->source, cfg->database_count);

    int sig = 0;
    unsigned ticks = 0;
    char last_failure[SG_ERROR_MAX] = "";
    time_t last_failure_logged = 0;
    while (sig == 0) {
        struct timespec tick = {.tv_sec = 0, .tv_nsec = SERVER_TICK_MS * 1000L * 1000L};
        int got = sigtimedwait(&stop, NULL, &tick);
        log_flush();
        if (got > 0) {
            sig = got;
            break;
        }
        if (++ticks % (1000 / SERVER_TICK_MS) != 0)
            continue;   /* the rest runs once a second */
        struct sg_error reload = {{0}};
        int rc = tlscert_refresh(&reload);
        if (rc > 0) {
            log_event("info", "tls_reloaded", "loaded the new serving certificate from %s", opt->cert_file);
            publish_expiry();
            last_failure[0] = '\0';
        } else if (rc < 0 && (strcmp(reload.message, last_failure) != 0 ||
                              time(NULL) - last_failure_logged >= SERVER_RELOAD_FAILURE_LOG_S)) {
            /* Retried every second (a Secret update may be half done); logged once a minute. */
            log_event("error", "tls_reload_failed", "%s; still serving the previous certificate", reload.message);
            snprintf(last_failure, sizeof last_failure, "%s", reload.message);
            last_failure_logged = time(NULL);
        }
        if (ticks % (3600 * (1000 / SERVER_TICK_MS)) == 0)
            publish_expiry();
    }

    log_event("info", "stopping", "received %s; draining in-flight requests", strsignal(sig));
    /* Order matters: close the listener before any response says "Connection: close", so a
     * client that reconnects gets a clean refusal instead of landing in a dying accept queue. */
    atomic_store(&s.ready, false);
    MHD_socket listener = MHD_quiesce_daemon(web);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    atomic_store(&s.draining, true);
    drain(&s, web, opt->drain_timeout_s);
    dbwork_stop(s.work);   /* answers what still waits, so no connection stays suspended */
    MHD_stop_daemon(web);
    MHD_stop_daemon(metrics);
    tlscert_close();
    log_event("info", "stopped", "all requests answered");
    log_flush();
    return 0;
}
