/* requires.h - the `schemagate.io/requires` annotation: "<database>@<ref>[, ...]", every item
 * must hold. Parsing is two steps: the list syntax (no config needed), then each <ref> in the
 * terms of its database's tool (the table of reference forms in README "Declare the schema a workload needs"). */
#ifndef SCHEMAGATE_REQUIRES_H
#define SCHEMAGATE_REQUIRES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"

#define REQUIRES_ANNOTATION "schemagate.io/requires"
#define REQUIRES_MAX_ITEMS 16
#define REQUIRES_PART_MAX 256

enum ref_kind {
    REF_VERSION = 0,        /* flyway, golang-migrate, goose, dbmate, rails, atlas */
    REF_NAME,               /* prisma, knex, node-pg-migrate, sequelize: a migration name */
    REF_ALEMBIC_REVISION,
    REF_DJANGO,             /* param[0] app, param[1] name */
    REF_LIQUIBASE_TAG,
    REF_LIQUIBASE_CHANGESET, /* param[0] id, param[1] author, param[2] filename */
    REF_SQITCH_TAG,         /* param[0] "@tag" as sqitch stores it */
    REF_SQITCH_CHANGE,
};

struct requirement {
    char database[64];
    char text[2 * REQUIRES_PART_MAX]; /* the item as written, for messages: "orders@1.10" */
    char ref[REQUIRES_PART_MAX];      /* after the '@', without ">=" */
    bool at_least;                    /* ">=" form */
    /* Filled by requires_resolve: */
    enum ref_kind kind;
    char param[3][REQUIRES_PART_MAX];
    char cache_key[REQUIRES_PART_MAX + 4]; /* canonical: "1.10" and "1_10.0" share an entry */
};

struct requirement_list {
    struct requirement items[REQUIRES_MAX_ITEMS];
    size_t count;
};

/* Splits the annotation value into items. On error the message says what is wrong and shows
 * a correct example. */
int requires_parse(const char *value, struct requirement_list *out, struct sg_error *err);

/* Reads r->ref in the terms of db's tool and fills kind, param and cache_key. */
int requires_resolve(const struct database_config *db, struct requirement *r, struct sg_error *err);

/* Correct examples of a requirement on db, quoted: "\"orders@1.10\" or \"orders@>=1.10\"". */
void requires_example(const struct database_config *db, char *out, size_t n);

/* For the tools' resolve functions (schema/tools/): */
/* Fails with "\"orders@x\": <why> for orders (tool flyway); write e.g. <examples>". */
int requires_bad_ref(const struct database_config *db, const struct requirement *r, const char *why,
                     struct sg_error *err);
/* param[i] = the first n bytes of s (bounded). */
void requires_set_param(struct requirement *r, int i, const char *s, size_t n);
/* An ordered version: kind REF_VERSION, param[0] and the cache key (">=" kept apart). */
void requires_set_version(struct requirement *r, const char *canonical);
/* requires_set_version with r->ref read as a number (leading zeros dropped, "000" is "0"). */
void requires_set_number(struct requirement *r);
/* A version kept as a bigint (golang-migrate, goose), read as a number. */
int requires_resolve_bigint(const struct database_config *db, struct requirement *r, struct sg_error *err);
/* A migration named as the tool stores it (REF_NAME). */
int requires_resolve_name(const struct database_config *db, struct requirement *r, struct sg_error *err);

#endif
