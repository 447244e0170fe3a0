/* resolve.c - bounded, cached name resolution for database hosts (see resolve.h). One c-ares
 * channel per lookup (a lookup happens only when a connection is opened and the cache has
 * nothing fresh), driven with poll against the deadline. */
#include "resolve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

#include "deadline.h"

#define RESOLVE_CACHE 16
#define RESOLVE_NAME_MAX 256
#define RESOLVE_TTL_MIN_S 1
#define RESOLVE_TTL_MAX_S 60
#define RESOLVE_TTL_NONE_S 5   /* /etc/hosts answers carry no TTL */

struct cached {
    char name[RESOLVE_NAME_MAX];
    char addr[INET6_ADDRSTRLEN];
    struct timespec expires;
};

struct resolver {
    pthread_mutex_t lock;
    struct cached entries[RESOLVE_CACHE];
    size_t next;                /* the slot a new name takes (round robin) */
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status = ARES_ENOTINITIALIZED;

static void library_init(void)
{
    library_status = ares_library_init(ARES_LIB_INIT_ALL);
}

struct resolver *resolver_new(void)
{
    pthread_once(&library_once, library_init);
    struct resolver *r = calloc(1, sizeof *r);
    if (r != NULL)
        pthread_mutex_init(&r->lock, NULL);
    return r;
}

void resolver_free(struct resolver *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int resolver_is_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return host[0] == '\0' || host[0] == '/' || host[0] == '@' || inet_pton(AF_INET, host, buf) == 1 ||
           inet_pton(AF_INET6, host, buf) == 1;
}

struct answer {
    bool done;
    int status;
    char addr[INET6_ADDRSTRLEN];
    int ttl;
};

static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    struct answer *a = arg;
    a->done = true;
    a->status = status;
    if (status == ARES_SUCCESS && res != NULL && res->nodes != NULL) {
        const struct ares_addrinfo_node *node = res->nodes;
        const void *src = node->ai_family == AF_INET6
                              ? (const void *)&((const struct sockaddr_in6 *)node->ai_addr)->sin6_addr
                              : (const void *)&((const struct sockaddr_in *)node->ai_addr)->sin_addr;
        if (inet_ntop(node->ai_family, src, a->addr, sizeof a->addr) == NULL)
            a->status = ARES_EBADRESP;
        a->ttl = node->ai_ttl;
    } else if (status == ARES_SUCCESS) {
        a->status = ARES_ENODATA;
    }
    if (res != NULL)
        ares_freeaddrinfo(res);
}

/* Runs one lookup to its end or the deadline. */
static void resolve_now(const char *name, const struct timespec *deadline, struct answer *a)
{
    a->done = false;
    a->status = ARES_ETIMEOUT;
    if (library_status != ARES_SUCCESS) {
        a->done = true;
        a->status = library_status;
        return;
    }
    struct ares_options opts;
    memset(&opts, 0, sizeof opts);
    int mask = 0;
    const char *conf = getenv("SCHEMAGATE_RESOLV_CONF");
    if (conf != NULL && conf[0] != '\0') {
        opts.resolvconf_path = (char *)conf;
        mask |= ARES_OPT_RESOLVCONF;
    }
    ares_channel channel;
    if (ares_init_options(&channel, &opts, mask) != ARES_SUCCESS) {
        a->done = true;
        a->status = ARES_EFILE;
        return;
    }
    struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    ares_getaddrinfo(channel, name, NULL, &hints, on_answer, a);
    while (!a->done) {
        long left = deadline_ms_left(deadline);
        if (left <= 0)
            break;
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        unsigned bits = (unsigned)ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
        struct pollfd fds[ARES_GETSOCK_MAXNUM];
        nfds_t nfds = 0;
        for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            /* ARES_GETSOCK_READABLE/WRITABLE shift a signed 1 into the sign bit: unsigned here. */
            short events = (short)((bits & (1u << i) ? POLLIN : 0) |
                                   (bits & (1u << (i + ARES_GETSOCK_MAXNUM)) ? POLLOUT : 0));
            if (events)
                fds[nfds++] = (struct pollfd){.fd = socks[i], .events = events};
        }
        struct timeval max = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000}, tv;
        struct timeval *t = ares_timeout(channel, &max, &tv);
        int wait = (int)(t->tv_sec * 1000 + t->tv_usec / 1000);
        int rc = poll(fds, nfds, wait > 0 ? wait : 1);
        if (rc < 0)
            break;
        ares_socket_t rs[2] = {ARES_SOCKET_BAD, ARES_SOCKET_BAD};
        if (rc == 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);   /* timeouts, retries */
            continue;
        }
        for (nfds_t i = 0; i < nfds && !a->done; i++) {
            rs[0] = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD;
            rs[1] = (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD;
            if (rs[0] != ARES_SOCKET_BAD || rs[1] != ARES_SOCKET_BAD)
                ares_process_fd(channel, rs[0], rs[1]);
        }
    }
    ares_destroy(channel);   /* a pending query is cancelled: on_answer runs with ARES_EDESTRUCTION */
    if (!a->done || a->status == ARES_EDESTRUCTION || a->status == ARES_ECANCELLED) {
        a->done = true;
        a->status = ARES_ETIMEOUT;
    }
}

static bool fresh(const struct cached *c, const char *name)
{
    return c->name[0] && strcmp(c->name, name) == 0 && deadline_ms_left(&c->expires) > 0;
}

int resolver_lookup(struct resolver *r, const char *name, const struct timespec *deadline, char *out, size_t n,
                    const char **why)
{
    if (strlen(name) >= RESOLVE_NAME_MAX) {
        *why = "host name too long";
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < RESOLVE_CACHE; i++)
        if (fresh(&r->entries[i], name)) {
            snprintf(out, n, "%s", r->entries[i].addr);
            pthread_mutex_unlock(&r->lock);
            return 0;
        }
    pthread_mutex_unlock(&r->lock);

    struct answer a;
    resolve_now(name, deadline, &a);
    if (a.status != ARES_SUCCESS) {
        *why = a.status == ARES_ETIMEOUT ? "name resolution timed out"
               : a.status == ARES_EFILE  ? "cannot read the resolver configuration"
                                         : "host name not found";
        return -1;
    }
    snprintf(out, n, "%s", a.addr);
    int ttl = a.ttl <= 0 ? RESOLVE_TTL_NONE_S : a.ttl < RESOLVE_TTL_MIN_S ? RESOLVE_TTL_MIN_S
              : a.ttl > RESOLVE_TTL_MAX_S ? RESOLVE_TTL_MAX_S : a.ttl;
    pthread_mutex_lock(&r->lock);
    struct cached *c = &r->entries[r->next];
    for (size_t i = 0; i < RESOLVE_CACHE; i++)
        if (strcmp(r->entries[i].name, name) == 0)
            c = &r->entries[i];          /* refresh the stale entry in place */
    if (c == &r->entries[r->next])
        r->next = (r->next + 1) % RESOLVE_CACHE;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->addr, sizeof c->addr, "%s", a.addr);
    deadline_in(&c->expires, (long)ttl * 1000);
    pthread_mutex_unlock(&r->lock);
    return 0;
}
