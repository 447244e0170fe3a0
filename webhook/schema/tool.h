/* tool.h - what schemagate knows of one migration tool, in one place: its config name, default
 * history table, reference forms, the SQL that reads its table on each database engine, how
 * that answer is reduced to "applied or not", how its versions order, how to repair a failed
 * migration, and how hygiene recognises a container that runs it.
 *
 * Each tool is one file under schema/tools/ that fills a `struct migration_tool` and registers
 * it with MIGRATION_TOOL(); nothing else names a tool. The registry (tool.c) finds tools by
 * name, lists them, and checks at start-up that every descriptor is complete, so a missing
 * field is a start-up error rather than a NULL dereference on the first admission.
 *
 * Engines: the history source runs `query[engine]` through that engine's driver and hands the
 * answer to `reduce` as a `struct history_rows` view, so the tool code never sees a driver type
 * and a second engine is a second dialect of the SQL, not a copy of the tool. */
#ifndef SCHEMAGATE_TOOL_H
#define SCHEMAGATE_TOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct database_config;
struct history_result;
struct requirement;

enum db_engine { DB_ENGINE_POSTGRESQL = 0, DB_ENGINE_MYSQL, DB_ENGINE_COUNT };

/* The config name of an engine ("postgresql", "mysql"), and the engine of a config name
 * (-1 when unknown); ENGINE_NAMES lists the choices for messages. */
const char *tool_engine_name(enum db_engine engine);
int tool_engine_find(const char *name);
#define ENGINE_NAMES "\"postgresql\" or \"mysql\""

#define TOOL_MAX_PARAMS 4

/* PostgreSQL: a tool's timestamp column (`timestamp` in the tool session's local time, or
 * `timestamptz`) as ISO 8601 UTC text. */
#define TOOL_PG_ISO(x) "to_char((" x ")::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* MySQL / MariaDB: the same text. The session's time_zone is '+00:00' (history_mysql.c), so a
 * TIMESTAMP column reads in UTC; DATETIME columns hold what the tool wrote (UTC for every
 * tool here). Parameters in MySQL queries are written $1..$4 as on PostgreSQL; the MySQL
 * source substitutes them as escaped string literals. */
#define TOOL_MY_ISO(x) "DATE_FORMAT(" x ", '%Y-%m-%dT%H:%i:%sZ')"

/* Columns of a summary answer, the shape every query but Flyway's returns (one row). */
enum summary_column {
    SUMMARY_APPLIED = 0,        /* bool: the referenced migration is applied */
    SUMMARY_REACHED,            /* bool: one at or above it is (">=" form) */
    SUMMARY_FAILED_VERSION,     /* NULL unless a failed / dirty / partial one matters */
    SUMMARY_FAILED_DESCRIPTION,
    SUMMARY_LATEST_VERSION,     /* NULL when nothing succeeded */
    SUMMARY_LATEST_DESCRIPTION,
    SUMMARY_LATEST_AT,          /* ISO 8601 UTC */
    SUMMARY_COLUMNS
};

/* A driver's query result, seen through one function: the text of a cell, NULL for SQL NULL. */
struct history_rows {
    const void *result;
    int rows, columns;
    const char *(*value)(const void *result, int row, int column);
};

struct migration_tool {
    const char *name;                           /* config "tool" */
    int list_order;                             /* position in lists shown to users */
    const char *default_table[DB_ENGINE_COUNT]; /* schema-qualified; NULL: not on that engine */
    const char *example;                        /* a reference, as in "orders@<example>" */
    const char *example_alt;                    /* another form, or NULL */
    bool ordered;                               /* versions are ordered: ">=" is allowed */
    bool takes_down_revisions;                  /* config "alembic_down_revisions" applies */
    /* Reads r->ref in the tool's terms: fills r->kind, r->param and r->cache_key, or fails
     * with requires_bad_ref's message. */
    int (*resolve)(const struct database_config *db, struct requirement *r, struct sg_error *err);
    /* {T} is replaced by the quoted, schema-qualified table, {S} by its quoted schema. */
    const char *query[DB_ENGINE_COUNT];
    /* The query's text parameters for this requirement; returns how many (<= TOOL_MAX_PARAMS). */
    int (*params)(const struct database_config *db, const struct requirement *r, const char **params);
    int columns;                                /* the answer's column count */
    bool single_row;                            /* the answer is exactly one row */
    /* Turns the answer (of the shape above) into *out; -1 with err set on OOM only. */
    int (*reduce)(const struct database_config *db, const struct requirement *r, const struct history_rows *rows,
                  struct history_result *out, struct sg_error *err);
    /* Whether the latest applied version is at or above the required one (then the required
     * one is a hole: out of order, ignored or removed, which the denial says); NULL when the
     * tool cannot have holes or keeps no order. */
    bool (*latest_at_or_above)(const char *latest, const char *required);
    bool failed_is_dirty;                       /* a failure is a dirty flag, not a row */
    const char *repair_hint;                    /* after "migration X failed; " */
    /* Lower-case substrings of image + command + args that mean "this container runs the
     * tool" (hygiene); NULL-terminated. */
    const char *const *markers;
};

/* Registers a descriptor (a `static const struct migration_tool`) with the registry. */
#define MIGRATION_TOOL(descriptor)                                                              \
    __attribute__((used, section("sg_migration_tools"))) static const struct migration_tool     \
        *const descriptor##_registered = &(descriptor)

/* Every registered tool, in no particular order: for (t = tool_begin(); t < tool_end(); t++). */
const struct migration_tool *const *tool_begin(void);
const struct migration_tool *const *tool_end(void);

/* The tool with this config name, or NULL. */
const struct migration_tool *tool_find(const char *name);

/* "flyway, liquibase, ..." in list order, bounded to n bytes. */
void tool_names(char *out, size_t n);

/* One descriptor complete (name, table, example, resolve, a query for PostgreSQL, params,
 * reduce, columns, a repair hint, markers; other engines optional, but a query there needs a
 * default table there and the reverse): 0, or -1 naming the first gap. */
int tool_descriptor_check(const struct migration_tool *t, struct sg_error *err);
/* Every registered descriptor complete and the names unique. */
int tool_registry_check(struct sg_error *err);

/* Helpers the descriptors share. */
int tool_params_none(const struct database_config *db, const struct requirement *r, const char **params);
int tool_params_ref(const struct database_config *db, const struct requirement *r, const char **params);
/* The summary columns as they are: what most tools need. */
int tool_reduce_summary(const struct database_config *db, const struct requirement *r,
                        const struct history_rows *rows, struct history_result *out, struct sg_error *err);
/* A cell's text, NULL for SQL NULL or outside the result. */
const char *tool_cell(const struct history_rows *rows, int row, int column);
/* A boolean cell: PostgreSQL's "t" (a MySQL engine's 1 reads the same). */
bool tool_cell_true(const struct history_rows *rows, int row, int column);
/* Copies text shown to users, kept to one printable line. */
void tool_copy_text(const char *text, char *out, size_t n);

#endif
