/* connslots.c - connection slots and the conninfo file (see connslots.h). */
#include "connslots.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int connslots_init(struct connslots *s, int size)
{
    memset(s, 0, sizeof *s);
    s->slots = calloc((size_t)size, sizeof *s->slots);
    if (s->slots == NULL)
        return -1;
    s->size = size;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->freed, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&s->lock, NULL);
    return 0;
}

void connslots_destroy(struct connslots *s, void (*close_fn)(void *conn, void *aux))
{
    if (s->slots == NULL)
        return;
    for (int i = 0; i < s->size; i++)
        if (s->slots[i].conn)
            close_fn(s->slots[i].conn, s->slots[i].aux);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed);
    free(s->slots);
    s->slots = NULL;
}

int connslots_take(struct connslots *s, const struct timespec *deadline, void **conn, void **aux)
{
    int slot = -1;
    pthread_mutex_lock(&s->lock);
    while (slot < 0) {
        int empty = -1;
        for (int i = 0; i < s->size && slot < 0; i++) {
            if (s->slots[i].busy)
                continue;
            if (s->slots[i].conn)
                slot = i;            /* prefer an open connection */
            else if (empty < 0)
                empty = i;
        }
        if (slot < 0 && empty >= 0)
            slot = empty;
        if (slot >= 0)
            break;
        if (pthread_cond_timedwait(&s->freed, &s->lock, deadline) == ETIMEDOUT) {
            pthread_mutex_unlock(&s->lock);
            return -1;
        }
    }
    struct connslot *c = &s->slots[slot];
    c->busy = true;
    *conn = c->conn;
    *aux = c->conn ? c->aux : NULL;
    c->conn = NULL;
    c->aux = NULL;
    pthread_mutex_unlock(&s->lock);
    return slot;
}

void connslots_give(struct connslots *s, int i, void *conn, void *aux)
{
    pthread_mutex_lock(&s->lock);
    s->slots[i].conn = conn;
    s->slots[i].aux = conn ? aux : NULL;
    s->slots[i].busy = false;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

int connslots_read_conninfo(const struct database_config *db, const char *form, char *out, size_t n,
                            struct sg_error *err)
{
    FILE *f = fopen(db->conninfo_file, "rb");
    if (f == NULL)
        return sg_error_set(err, "database %s unreachable (cannot read conninfo_file %s: %s)", db->name,
                            db->conninfo_file, strerror(errno));
    size_t len = fread(out, 1, n - 1, f);
    bool too_long = len == n - 1 && fgetc(f) != EOF;
    fclose(f);
    out[len] = '\0';
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' || out[len - 1] == ' '))
        out[--len] = '\0';
    if (too_long || len == 0 || strlen(out) != len)
        return sg_error_set(err, "database %s unreachable (conninfo_file %s must hold %s under 4 KiB)", db->name,
                            db->conninfo_file, form);
    return 0;
}
