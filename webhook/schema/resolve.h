/* resolve.h - database host names to addresses within a deadline, and remembered for a while.
 * libpq resolves names synchronously inside PQconnectStartParams, where a resolver that never
 * answers blocks for as long as the system resolver's own timeouts; here names are resolved
 * with c-ares against the request's deadline, and libpq is given the address (`hostaddr`), so
 * it never resolves anything itself. Answers are kept for their DNS TTL (1 to 60 s). */
#ifndef SCHEMAGATE_RESOLVE_H
#define SCHEMAGATE_RESOLVE_H

#include <stddef.h>
#include <time.h>

struct resolver;

/* The resolv.conf it reads: /etc/resolv.conf, or $SCHEMAGATE_RESOLV_CONF when set (tests). */
struct resolver *resolver_new(void);
void resolver_free(struct resolver *r);

/* The first address of `name` as text ("10.0.0.5", "fd00::5") in out. 0 on success; -1 with
 * a short reason in `why` ("name resolution timed out", "host name not found"). Safe to call
 * from many threads. */
int resolver_lookup(struct resolver *r, const char *name, const struct timespec *deadline, char *out, size_t n,
                    const char **why);

/* Whether libpq reads this host entry without a name lookup: empty, a socket directory, or a
 * numeric address. */
int resolver_is_literal(const char *host);

#endif
