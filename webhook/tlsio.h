/* tlsio.h - the socket side of a webhook TLS connection: GnuTLS reads the TLS record header
 * and the record body with separate recv(2) calls; this transport reads ahead, so one recv
 * usually brings a whole request. Installed per connection by server.c. */
#ifndef SCHEMAGATE_TLSIO_H
#define SCHEMAGATE_TLSIO_H

#include <gnutls/gnutls.h>

struct tlsio;

/* Takes over the session's transport on socket fd (pull, pull-timeout and vector push).
 * Returns the connection's transport state, to be freed with tlsio_close after the session
 * is deinitialised; NULL (out of memory) leaves GnuTLS's own transport in place. */
struct tlsio *tlsio_attach(gnutls_session_t session, int fd);
void tlsio_close(struct tlsio *io);

/* The next record written starts a response whose body follows at once: hold it and send
 * both with one sendmsg. */
void tlsio_hold_next(struct tlsio *io);
/* Sends whatever is still held (call when a response is complete). 0, or -1 with errno
 * (EAGAIN: the socket is full; the bytes stay first in line for the next write). */
int tlsio_flush(struct tlsio *io);

#endif
