/* tlsio.h - the socket side of a webhook TLS connection: reads bounded by a per-request
 * deadline that trickling bytes do not extend, and a response's header and body sent in one
 * write. Installed per connection by server.c. */
#ifndef SCHEMAGATE_TLSIO_H
#define SCHEMAGATE_TLSIO_H

#include <gnutls/gnutls.h>

struct tlsio;

/* Takes over the session's transport on socket fd (pull, pull-timeout and vector push). The
 * handshake and first request must arrive within request_ms; after each answered request
 * (tlsio_request_done) the next must arrive within idle_ms + request_ms. Returns the
 * connection's transport state, to be freed with tlsio_close after the session is
 * deinitialised; NULL (out of memory) leaves GnuTLS's own transport in place. */
struct tlsio *tlsio_attach(gnutls_session_t session, int fd, long request_ms, long idle_ms);
/* A request was answered: the next one gets a fresh budget. */
void tlsio_request_done(struct tlsio *io);
void tlsio_close(struct tlsio *io);

/* The next record written starts a response whose body follows at once: hold it and send
 * both with one sendmsg. */
void tlsio_hold_next(struct tlsio *io);
/* Sends whatever is still held (call when a response is complete). 0, or -1 with errno
 * (EAGAIN: the socket is full; the bytes stay first in line for the next write). */
int tlsio_flush(struct tlsio *io);

#endif
