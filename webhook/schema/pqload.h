/* pqload.h - libpq, loaded when the schema gate first needs a database. A server without
 * databases (the secret scan alone) never maps libpq and the Kerberos, LDAP and OpenSSL
 * libraries it pulls in. The rest of the code calls PQ* functions as usual (pqload.c
 * defines them and forwards to the loaded library). */
#ifndef SCHEMAGATE_PQLOAD_H
#define SCHEMAGATE_PQLOAD_H

#include "error.h"

/* Loads libpq.so.5 once (thread-safe); later calls return the first call's result. 0, or -1
 * with err saying what is missing and how to install it. Call before any PQ* function. */
int pqload_open(struct sg_error *err);

/* A libpq notice processor (PQsetNoticeProcessor, arg: the database's config name, a string
 * that outlives the connection): the server's notices and warnings become JSON log lines
 * ("db_notice", rate limited like every event) instead of libpq's raw text on stderr. */
void pqload_notice_to_log(void *database, const char *message);

#endif
