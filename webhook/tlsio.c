/* tlsio.c - a read-ahead transport for GnuTLS. GnuTLS asks for 5 bytes (a record header),
 * then for the record; each ask would be a recv(2). Here every read also takes up to
 * TLSIO_READ_AHEAD bytes beyond the ask, and later asks are served from that buffer, which is
 * freed as soon as it is empty, so an idle connection holds nothing.
 *
 * Why this is safe with libmicrohttpd's epoll loop: "would block" (EAGAIN) is returned only
 * when the buffer is empty and the socket has nothing, so no data is ever hidden behind a
 * readiness edge that already fired; libmicrohttpd keeps a connection read-ready until it
 * sees EAGAIN.
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

/* Enough for a whole small request (the apiserver sends one record per request of a few KiB);
 * a larger record is read straight into GnuTLS's buffer with what follows it landing here.
 * Kept small: every connection that is part way through a request holds one. */
#define TLSIO_READ_AHEAD 4096

/* A response header record: HTTP status line and headers plus TLS overhead. */
#define TLSIO_HOLD_MAX 512
#define TLSIO_IOV_MAX 16

struct tlsio {
    int fd;
    unsigned char *buf;   /* read-ahead; NULL while nothing is buffered */
    size_t off;           /* next unread byte */
    size_t len;           /* bytes in buf */
    bool hold;            /* hold the next written record (the start of a response) */
    size_t held_off;      /* held[held_off..held_len) is written but not yet sent */
    size_t held_len;
    unsigned char held[TLSIO_HOLD_MAX];
};

static ssize_t tlsio_pull(gnutls_transport_ptr_t ptr, void *data, size_t size)
{
    struct tlsio *io = ptr;
    if (io->buf != NULL) {
        size_t n = io->len - io->off < size ? io->len - io->off : size;
        memcpy(data, io->buf + io->off, n);
        io->off += n;
        if (io->off == io->len) {
            free(io->buf);
            io->buf = NULL;
        }
        return (ssize_t)n;
    }
    io->buf = malloc(TLSIO_READ_AHEAD);
    if (io->buf == NULL)
        return recv(io->fd, data, size, 0);
    /* A large ask (the rest of a big record) is read straight into GnuTLS's buffer, and
     * whatever follows it (the next record's header and more) into ours, in one call. */
    size_t direct = size >= TLSIO_READ_AHEAD ? size : 0;
    struct iovec iov[2] = {{data, direct}, {io->buf, TLSIO_READ_AHEAD}};
    struct msghdr msg = {.msg_iov = direct ? iov : iov + 1, .msg_iovlen = direct ? 2 : 1};
    ssize_t got = recvmsg(io->fd, &msg, 0);
    if (got <= (ssize_t)direct) {
        int saved = errno;
        free(io->buf);
        io->buf = NULL;
        errno = saved;
        return got;
    }
    io->off = 0;
    io->len = (size_t)got - direct;
    return direct ? (ssize_t)direct : tlsio_pull(ptr, data, size);
}

/* GnuTLS asks this before a read that may wait (only in blocking use): buffered bytes count. */
static int tlsio_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct tlsio *io = ptr;
    if (io->buf != NULL)
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

struct tlsio *tlsio_attach(gnutls_session_t session, int fd)
{
    struct tlsio *io = calloc(1, sizeof *io);
    if (io == NULL)
        return NULL;
    io->fd = fd;
    gnutls_transport_set_ptr(session, io);
    gnutls_transport_set_pull_function(session, tlsio_pull);
    gnutls_transport_set_pull_timeout_function(session, tlsio_pull_timeout);
    gnutls_transport_set_vec_push_function(session, tlsio_push);
    return io;
}

void tlsio_close(struct tlsio *io)
{
    if (io == NULL)
        return;
    free(io->buf);
    free(io);
}
