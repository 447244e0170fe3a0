/* hygiene.h - migration-Job lint: advice drawn from the migration guides, returned as warnings
 * (never denials): init-container migrations in multi-replica workloads, Helm hook phases,
 * Job limits, Flyway without connect retries. */
#ifndef SCHEMAGATE_HYGIENE_H
#define SCHEMAGATE_HYGIENE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "error.h"

void hygiene_check(const struct check_context *ctx, struct verdict *v);

/* True when the container runs a schema migration (flyway, liquibase, migrate, goose, dbmate,
 * alembic upgrade, manage.py migrate, rails db:migrate, sqitch deploy, prisma migrate deploy,
 * knex migrate, node-pg-migrate, sequelize db:migrate, atlas migrate apply). */
bool hygiene_is_migration_container(const cJSON *container);

/* Every migration tool's markers are lower case and hold one of the stems the fast path looks
 * for (schema/tool.h); checked at start-up. 0, or -1 naming the marker. */
int hygiene_markers_check(struct sg_error *err);

#endif
