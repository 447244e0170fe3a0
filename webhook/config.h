/* config.h - schemagate's configuration: the JSON file README "Configure" describes, loaded once at start-up.
 * After config_load returns the structure is read-only and shared by every request thread.
 * Credentials are never in here: databases name a conninfo *file* mounted from a Secret. */
#ifndef SCHEMAGATE_CONFIG_H
#define SCHEMAGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "schema/tool.h"

enum sg_action { SG_ACTION_OFF = 0, SG_ACTION_WARN, SG_ACTION_DENY };

/* A migration tool's descriptor (schema/tool.h). */
struct migration_tool;

struct string_list {
    char **items;
    size_t count;
};

struct database_config {
    char *name;                 /* the name workloads use in schemagate.io/requires */
    const struct migration_tool *tool;
    enum db_engine engine;      /* config "engine": "postgresql" (default) or "mysql" */
    char *table;                /* schema-qualified history table; default per tool */
    char *conninfo_file;        /* libpq conninfo or URI (MySQL: mysql:// URI or key=value), from a Secret file */
    struct string_list namespaces; /* fnmatch globs; empty = no namespace may use it */
    bool allow_when_unreachable;   /* on_unreachable: "allow" (with a warning) or "deny" */
    char *project;              /* sqitch project; Django default app (optional) */
    char *table_schema;         /* `table` split and unquoted: exact identifiers, never SQL;
                                 * MySQL: NULL for an unqualified table (the conninfo's database) */
    char *table_name;
    /* Alembic only: each revision's down_revision(s) (config "alembic_down_revisions"), so a
     * revision below a head counts as applied; the table itself keeps only heads. */
    struct alembic_edge {
        char *revision;
        char *down_revision;
    } *alembic_edges;
    size_t alembic_edge_count;
};

struct config {
    char *source;               /* file the config came from, or "<defaults>" */
    struct string_list exempt_namespaces;
    struct {
        enum sg_action action;
        struct string_list exempt_namespaces;
        struct string_list exempt_workloads;  /* "namespace/name" globs */
        enum sg_action on_existing;  /* UPDATE, a credential already in oldObject: warn or deny */
    } secrets;
    struct {
        enum sg_action action;
    } hygiene;
    struct {
        enum sg_action action;
        enum sg_action dry_run_action;
        int timeout_ms;           /* whole database budget for one admission */
        int cache_satisfied_ms;   /* how long a satisfied answer is reused */
        int cache_unsatisfied_ms; /* how long an unsatisfied answer is reused */
        int pool_size;            /* connections per database */
    } schema;
    struct database_config *databases;
    size_t database_count;
};

/* Fills *cfg with the defaults (secrets deny, hygiene warn, schema deny / dry run warn,
 * kube-system and schemagate-system exempt, no databases). */
int config_defaults(struct config *cfg, struct sg_error *err);
/* Parses a config document; `origin` names it in errors ("file:line: reason"). */
int config_parse(const char *text, const char *origin, struct config *cfg, struct sg_error *err);
/* Reads and parses a file. On error nothing is left allocated in *cfg. */
int config_load(const char *path, struct config *cfg, struct sg_error *err);
void config_free(struct config *cfg);

const struct database_config *config_find_database(const struct config *cfg, const char *name);
bool config_namespace_exempt(const struct config *cfg, const char *ns);
bool config_list_matches(const struct string_list *globs, const char *text);

const char *config_action_name(enum sg_action action);

#endif
