/* history_mysql.h - the history lookup for an `engine: "mysql"` database (MySQL or MariaDB):
 * the tool's query[DB_ENGINE_MYSQL] on the database's mypool, its answer reduced by the same
 * tool code as on PostgreSQL (through struct history_rows). history.c caches and dispatches. */
#ifndef SCHEMAGATE_HISTORY_MYSQL_H
#define SCHEMAGATE_HISTORY_MYSQL_H

#include <time.h>

#include "config.h"
#include "error.h"
#include "history.h"
#include "mypool.h"
#include "requires.h"

/* One lookup before `deadline`: 0 with *out filled (table_found false when there is no
 * history table yet), or -1 with err ("database orders unreachable (...)" or "could not
 * answer (...)"). */
int history_mysql_lookup(struct mypool *pool, const struct database_config *db, const struct requirement *r,
                         const struct timespec *deadline, struct history_result *out, struct sg_error *err);

#endif
