/* server.h - `schemagate serve`: HTTPS admission endpoints and the plain-HTTP health/metrics
 * port, on libmicrohttpd. HTTP and TLS only: every decision is delegated to admission.c. */
#ifndef SCHEMAGATE_SERVER_H
#define SCHEMAGATE_SERVER_H

#include "config.h"
#include "error.h"

struct history_source;

struct server_options {
    const char *listen;            /* "ADDR:PORT", default "0.0.0.0:8443" */
    const char *metrics_listen;    /* default "0.0.0.0:9090" */
    const char *cert_file;
    const char *key_file;
    unsigned threads;              /* worker threads for the HTTPS port */
    unsigned max_connections;
    unsigned max_connections_per_ip;
    unsigned connection_timeout_s; /* idle limit: a connection with no bytes for this long closes */
    unsigned request_timeout_s;    /* a handshake or request must arrive within this, however slowly */
    unsigned drain_timeout_s;      /* SIGTERM: how long in-flight requests may take */
};

void server_default_options(struct server_options *opt);

/* Serves until SIGTERM or SIGINT, then stops accepting, drains, and returns 0. */
int server_run(const struct server_options *opt, const struct config *cfg,
               struct history_source *history, struct sg_error *err);

/* A Go duration as the apiserver writes `?timeout=` ("10s", "1m30s", "500ms") in
 * milliseconds, or -1 when it is not one. */
long server_parse_duration_ms(const char *text);

/* Parses "ADDR:PORT" / "[V6]:PORT" / ":PORT" into a socket address. */
struct sockaddr_storage;
int server_parse_address(const char *text, struct sockaddr_storage *out, struct sg_error *err);

#endif
