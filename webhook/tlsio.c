/* tlsio.c - a read-ahead transport for GnuTLS. GnuTLS asks for 5 bytes (a record header),
 * then for the record; each ask would be a recv(2). Here a small ask reads up to
 * TLSIO_READ_AHEAD bytes and later asks are served from that buffer, which is freed as soon
 * as it is empty, so an idle connection holds nothing.
 *
 * Why this is safe with libmicrohttpd's epoll loop: "would block" (EAGAIN) is returned only
 * when the buffer is empty and the socket has nothing, so no data is ever hidden behind a
 * readiness edge that already fired; libmicrohttpd keeps a connection read-ready until it
 * sees EAGAIN. */
#include "tlsio.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Enough for a whole small request (the apiserver sends one record per request of a few KiB);
 * a larger record is read straight into GnuTLS's buffer. Kept small: every connection that is
 * part way through a request holds one. */
#define TLSIO_READ_AHEAD 4096

struct tlsio {
    int fd;
    unsigned char *buf;   /* NULL while nothing is buffered */
    size_t off;           /* next unread byte */
    size_t len;           /* bytes in buf */
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
    if (size >= TLSIO_READ_AHEAD)
        return recv(io->fd, data, size, 0);
    io->buf = malloc(TLSIO_READ_AHEAD);
    if (io->buf == NULL)
        return recv(io->fd, data, size, 0);
    ssize_t got = recv(io->fd, io->buf, TLSIO_READ_AHEAD, 0);
    if (got <= 0) {
        int saved = errno;
        free(io->buf);
        io->buf = NULL;
        errno = saved;
        return got;
    }
    io->off = 0;
    io->len = (size_t)got;
    return tlsio_pull(ptr, data, size);
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

static ssize_t tlsio_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
    struct tlsio *io = ptr;
    struct msghdr msg = {.msg_iov = (struct iovec *)(void *)iov, .msg_iovlen = (size_t)iovcnt};
    return sendmsg(io->fd, &msg, MSG_NOSIGNAL);
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
