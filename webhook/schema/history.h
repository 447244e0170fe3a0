/* history.h - the narrow interface between the schema gate and the databases: "does this
 * requirement hold in this database's history table?". The gate sees only this struct, so it is
 * unit-tested with a fake source; history.c is the real one (one query per tool: libpq on
 * PostgreSQL, Connector/C on MySQL and MariaDB through history_mysql.c). */
#ifndef SCHEMAGATE_HISTORY_H
#define SCHEMAGATE_HISTORY_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "requires.h"

#define HISTORY_TEXT_MAX 128
#define HISTORY_WOULD_WAIT (-2)

/* What one lookup found, already reduced to the tool's own rules (schema/tools/). */
struct history_result {
    bool table_found;       /* false: the history table (or sqitch registry) does not exist */
    bool satisfied;         /* the required migration is applied */
    bool has_latest;        /* latest successful migration, for the message */
    char latest_version[HISTORY_TEXT_MAX];
    char latest_description[HISTORY_TEXT_MAX];
    char latest_at[40];     /* ISO 8601 UTC, "" when the tool keeps no time */
    bool has_failed;        /* a failed / dirty / partial migration at or below the required one */
    char failed_version[HISTORY_TEXT_MAX];
    char failed_description[HISTORY_TEXT_MAX];
};

struct history_source {
    /* Answers one requirement before `deadline` (CLOCK_MONOTONIC). Returns 0 with *out filled,
     * or -1 when the database could not answer in time; err then reads "database orders
     * unreachable (...)" and never contains the conninfo. With deadline NULL it never waits:
     * it answers from what it already knows (a cache) or returns HISTORY_WOULD_WAIT. Must be
     * safe to call from many threads at once. */
    int (*lookup)(struct history_source *src, const struct database_config *db,
                  const struct requirement *req, const struct timespec *deadline,
                  struct history_result *out, struct sg_error *err);
};

/* The real source for every database in cfg (pools and caches; no connection is opened until
 * the first lookup). cfg must outlive it. NULL on OOM with err set. */
struct history_source *history_open(const struct config *cfg, struct sg_error *err);
void history_close(struct history_source *src);

#endif
