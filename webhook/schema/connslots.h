/* connslots.h - the bookkeeping every connection pool needs, whatever the driver: a fixed set
 * of slots, each holding an open connection (or none) and what the driver keeps with it (a
 * prepared statement), borrowed by one thread at a time until the request's deadline; and the
 * conninfo file that says how to connect. dbpool.c (libpq) and mypool.c (MariaDB Connector/C)
 * differ only in how they connect and query. */
#ifndef SCHEMAGATE_CONNSLOTS_H
#define SCHEMAGATE_CONNSLOTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "error.h"

#define CONNINFO_MAX 4096

struct connslot {
    void *conn;    /* the driver's connection, or NULL */
    void *aux;     /* what the driver keeps with conn (NULL when nothing) */
    bool busy;
};

struct connslots {
    int size;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct connslot *slots;
};

/* 0, or -1 on OOM. */
int connslots_init(struct connslots *s, int size);
/* Calls close_fn(conn, aux) for every slot that holds a connection, then frees. */
void connslots_destroy(struct connslots *s, void (*close_fn)(void *conn, void *aux));

/* Borrows a slot before the deadline, preferring one with an open connection: its index, with
 * *conn and *aux taken out of it (both NULL for an empty slot); -1 when every slot stayed busy. */
int connslots_take(struct connslots *s, const struct timespec *deadline, void **conn, void **aux);
/* Gives slot i back with what it now holds (conn NULL: closed). */
void connslots_give(struct connslots *s, int i, void *conn, void *aux);

/* Reads db's conninfo_file into out (one line, trailing blanks dropped); `form` names what it
 * must hold, for the error ("one libpq conninfo or URI"). Errors read "database orders
 * unreachable (...)" and never quote the file's contents. */
int connslots_read_conninfo(const struct database_config *db, const char *form, char *out, size_t n,
                            struct sg_error *err);

#endif
