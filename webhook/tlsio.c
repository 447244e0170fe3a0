/* tlsio.c - the socket side of a webhook TLS connection, below GnuTLS.
 *
 * Reads: plain recv(2), but never past the connection's deadline. A connection must deliver
 * its handshake and each request within a budget that bytes trickling in do not extend (the
 * idle timeout of libmicrohttpd restarts on every byte, so a client sending one byte every few
 * seconds would hold a slot forever): a read after the deadline fails and the connection is
 * closed. Each answered request moves the deadline to "the idle timeout plus one request's
 * budget" from then.
 *
 * Read-ahead, bounded to the next record's header: GnuTLS reads a record as its 5-byte header,
 * then its body, two recv calls each. Each read here also asks for up to TLSIO_AHEAD more
 * bytes, so the next header usually comes with the body before it and the next header read
 * costs no call. libmicrohttpd runs in poll mode (epoll mode spins on a half-open handshake),
 * and poll cannot see bytes a transport holds; that is safe only because what is held is at
 * most 5 bytes past what GnuTLS asked for: bytes of the record GnuTLS is reading, which it asks
 * for before it returns, or the start of the next record, which holds at least one byte more
 * (a header and a non-empty body), so progress needs the socket again and poll sees it.
 *
 * Writes: libmicrohttpd sends a response's header and body as two TLS records, two sendmsg
 * calls. When the server says a response is next (tlsio_hold_next), the first record is held
 * (it is small) and goes out with the second in one sendmsg. Held bytes always go out before
 * any later byte, and at the latest when the response is complete (tlsio_flush), so nothing
 * waits on a record that never comes. */
#include "tlsio.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "deadline.h"

/* A TLS record header: the most read past what GnuTLS asks for (see above). */
#define TLSIO_AHEAD 5
/* A response header record: HTTP status line and headers plus TLS overhead. */
#define TLSIO_HOLD_MAX 512
#define TLSIO_IOV_MAX 16

struct tlsio {
    int fd;
    struct timespec deadline; /* CLOCK_MONOTONIC: no read after it */
    long request_ms;          /* one handshake or request may take this long */
    long idle_ms;             /* a kept-alive connection may wait this long between requests */
    size_t ahead_off;     /* ahead[ahead_off..ahead_len) was read but not yet given to GnuTLS */
    size_t ahead_len;
    unsigned char ahead[TLSIO_AHEAD];
    bool hold;            /* hold the next written record (the start of a response) */
    size_t held_off;      /* held[held_off..held_len) is written but not yet sent */
    size_t held_len;
    unsigned char held[TLSIO_HOLD_MAX];
};

static ssize_t tlsio_pull(gnutls_transport_ptr_t ptr, void *data, size_t size)
{
    struct tlsio *io = ptr;
    if (deadline_ms_left(&io->deadline) < 0) {
        errno = ETIMEDOUT;   /* GnuTLS reports a pull error; libmicrohttpd closes the connection */
        return -1;
    }
    size_t held = io->ahead_len - io->ahead_off;
    if (held > 0) {   /* no call: GnuTLS asks again for the rest */
        size_t n = held < size ? held : size;
        memcpy(data, io->ahead + io->ahead_off, n);
        io->ahead_off += n;
        if (io->ahead_off == io->ahead_len)
            io->ahead_off = io->ahead_len = 0;
        return (ssize_t)n;
    }
    struct iovec iov[2] = {{.iov_base = data, .iov_len = size}, {.iov_base = io->ahead, .iov_len = TLSIO_AHEAD}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t got = recvmsg(io->fd, &msg, 0);
    if (got > (ssize_t)size) {
        io->ahead_len = (size_t)got - size;
        got = (ssize_t)size;
    }
    return got;
}

/* GnuTLS asks this before a read that may wait (only in blocking use). */
static int tlsio_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct tlsio *io = ptr;
    if (io->ahead_len > io->ahead_off)
        return 1;
    struct pollfd p = {.fd = io->fd, .events = POLLIN};
    return poll(&p, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

static ssize_t send_iov(int fd, const struct iovec *iov, size_t iovcnt)
{
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt};
    return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

static ssize_t tlsio_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
    struct tlsio *io = ptr;
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    size_t pending = io->held_len - io->held_off;
    if (io->hold && pending == 0 && total <= TLSIO_HOLD_MAX) {
        io->hold = false;
        for (int i = 0; i < iovcnt; i++) {
            memcpy(io->held + pending, iov[i].iov_base, iov[i].iov_len);
            pending += iov[i].iov_len;
        }
        io->held_off = 0;
        io->held_len = pending;
        return (ssize_t)total;
    }
    io->hold = false;
    if (pending == 0)
        return send_iov(io->fd, iov, (size_t)iovcnt);
    if (iovcnt >= TLSIO_IOV_MAX) {   /* not seen from GnuTLS; send the held bytes first */
        if (tlsio_flush(io) != 0)
            return -1;
        return send_iov(io->fd, iov, (size_t)iovcnt);
    }
    struct iovec all[TLSIO_IOV_MAX];
    all[0].iov_base = io->held + io->held_off;
    all[0].iov_len = pending;
    memcpy(all + 1, iov, (size_t)iovcnt * sizeof *iov);
    ssize_t sent = send_iov(io->fd, all, (size_t)iovcnt + 1);
    if (sent < 0)
        return sent;
    if ((size_t)sent <= pending) {   /* the socket is full: none of the new bytes went */
        io->held_off += (size_t)sent;
        if (io->held_off == io->held_len)
            io->held_off = io->held_len = 0;
        errno = EAGAIN;
        return -1;
    }
    io->held_off = io->held_len = 0;
    return sent - (ssize_t)pending;
}

void tlsio_hold_next(struct tlsio *io)
{
    if (io != NULL)
        io->hold = true;
}

int tlsio_flush(struct tlsio *io)
{
    if (io == NULL)
        return 0;
    io->hold = false;
    while (io->held_off < io->held_len) {
        ssize_t sent = send(io->fd, io->held + io->held_off, io->held_len - io->held_off, MSG_NOSIGNAL);
        if (sent < 0)
            return -1;   /* EAGAIN: the next write sends them first */
        io->held_off += (size_t)sent;
    }
    io->held_off = io->held_len = 0;
    return 0;
}

void tlsio_request_done(struct tlsio *io)
{
    if (io != NULL)
        deadline_in(&io->deadline, io->idle_ms + io->request_ms);
}

struct tlsio *tlsio_attach(gnutls_session_t session, int fd, long request_ms, long idle_ms)
{
    struct tlsio *io = calloc(1, sizeof *io);
    if (io == NULL)
        return NULL;
    io->fd = fd;
    io->request_ms = request_ms;
    io->idle_ms = idle_ms;
    deadline_in(&io->deadline, request_ms);
    gnutls_transport_set_ptr(session, io);
    gnutls_transport_set_pull_function(session, tlsio_pull);
    gnutls_transport_set_pull_timeout_function(session, tlsio_pull_timeout);
    gnutls_transport_set_vec_push_function(session, tlsio_push);
    return io;
}

void tlsio_close(struct tlsio *io)
{
    free(io);
}
