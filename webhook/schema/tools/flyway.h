/* flyway.h - Flyway's history rules, applied in C to the rows of
 * flyway_schema_history, so PostgreSQL only scans the table: the newest row per normalised
 * version decides, baselines cover what is below them, failed rows and repeatables reported. */
#ifndef SCHEMAGATE_FLYWAY_H
#define SCHEMAGATE_FLYWAY_H

#include <stdbool.h>
#include <stddef.h>

/* One history row (SCHEMA markers already left out). Strings are borrowed. */
struct flyway_row {
    const char *version;        /* NULL: a repeatable migration */
    const char *type;
    const char *description;    /* NULL only in a hand-made table */
    const char *installed_at;   /* shown as is */
    long long rank;             /* installed_rank */
    bool rank_null;             /* sorts as the newest, as ORDER BY installed_rank DESC does */
    int success;                /* 1, 0, or -1 for NULL */
};

struct flyway_answer {
    bool applied;                       /* the version, or a baseline at or above it */
    bool reached;                       /* some applied version at or above it */
    const struct flyway_row *failed;    /* newest failed row at or below it, or a failed repeatable */
    bool failed_repeatable;
    const struct flyway_row *latest;    /* highest applied version */
    const char *latest_key;             /* internal */
};

/* Decides for `required` (a valid Flyway version); out points into rows. Rows whose version
 * is not a Flyway version are ignored, as Flyway cannot have written them. 0, or -1 when out
 * of memory. */
int flyway_decide(const struct flyway_row *rows, size_t n, const char *required, struct flyway_answer *out);

#endif
