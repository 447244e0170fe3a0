/* myload.h - MariaDB Connector/C (libmariadb.so.3, which speaks to MySQL and MariaDB alike),
 * loaded when the schema gate first needs a MySQL database, as pqload.h does for libpq: a
 * server without `engine: "mysql"` databases never maps it. The rest of the code calls mysql_*
 * functions as usual (myload.c defines them and forwards to the loaded library). */
#ifndef SCHEMAGATE_MYLOAD_H
#define SCHEMAGATE_MYLOAD_H

#include "error.h"

/* Loads libmariadb.so.3 once (thread-safe) and initialises it; later calls return the first
 * call's result. 0, or -1 with err saying what is missing and how to install it. Call before
 * any mysql_* function. */
int myload_open(struct sg_error *err);

#endif
