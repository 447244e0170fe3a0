/* pqload.c - the PQ* functions schemagate uses, forwarded to libpq.so.5 opened with dlopen
 * by pqload_open. The signatures are checked against libpq-fe.h, which declares them. The
 * function table is filled once (pthread_once) and read-only afterwards; calling a PQ*
 * function before a successful pqload_open is a programming error and aborts with a message. */
#include "pqload.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "log.h"

#define PQLOAD_LIBRARY "libpq.so.5"

/* X(return type, name, parameters, arguments) for every function used. */
#define PQLOAD_FUNCTIONS(X, V)                                                                      \
    V(PQclear, (PGresult * res), (res))                                                          \
    V(PQfinish, (PGconn * conn), (conn))                                                          \
    V(PQfreemem, (void *ptr), (ptr))                                                              \
    V(PQconninfoFree, (PQconninfoOption * opts), (opts))                                          \
    X(PostgresPollingStatusType, PQconnectPoll, (PGconn * conn), (conn))                          \
    X(PGconn *, PQconnectStartParams, (const char *const *keywords, const char *const *values,     \
                                       int expand_dbname), (keywords, values, expand_dbname))     \
    X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
    X(int, PQconsumeInput, (PGconn * conn), (conn))                                               \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                       \
    X(char *, PQescapeIdentifier, (PGconn * conn, const char *str, size_t len), (conn, str, len)) \
    X(int, PQflush, (PGconn * conn), (conn))                                                      \
    X(PGresult *, PQgetResult, (PGconn * conn), (conn))                                           \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(char *, PQhost, (const PGconn *conn), (conn))                                               \
    X(int, PQisBusy, (PGconn * conn), (conn))                                                     \
    X(int, PQnfields, (const PGresult *res), (res))                                               \
    X(int, PQntuples, (const PGresult *res), (res))                                               \
    X(char *, PQport, (const PGconn *conn), (conn))                                               \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))         \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                               \
    X(int, PQsendPrepare, (PGconn * conn, const char *stmtName, const char *query, int nParams,     \
                           const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes))  \
    X(int, PQsendQueryParams, (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, \
                               const char *const *paramValues, const int *paramLengths,           \
                               const int *paramFormats, int resultFormat),                        \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(int, PQsendQueryPrepared, (PGconn * conn, const char *stmtName, int nParams,                 \
                                 const char *const *paramValues, const int *paramLengths,         \
                                 const int *paramFormats, int resultFormat),                      \
      (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))           \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void *arg),  \
      (conn, proc, arg))                                                                         \
    X(int, PQsetnonblocking, (PGconn * conn, int arg), (conn, arg))                               \
    X(int, PQsocket, (const PGconn *conn), (conn))                                                \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))

#define POINTER(ret, name, params, args) ret(*name) params;
#define VOID_POINTER(name, params, args) void(*name) params;

static struct {
    PQLOAD_FUNCTIONS(POINTER, VOID_POINTER)
} pq;

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_error[SG_ERROR_MAX];   /* empty after a successful load */

static void pq_load(void)
{
    void *lib = dlopen(PQLOAD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(pq_error, sizeof pq_error, "the schema gate needs the PostgreSQL client library %s "
                 "(Debian: apt-get install libpq5): %s", PQLOAD_LIBRARY, dlerror());
        return;
    }
    /* A function pointer from dlsym: POSIX guarantees the conversion (see dlsym(3)). */
#define LOAD(name)                                                                                 \
    do {                                                                                           \
        *(void **)(&pq.name) = dlsym(lib, #name);                                                  \
        if (pq.name == NULL) {                                                                     \
            snprintf(pq_error, sizeof pq_error, "%s has no %s; install libpq5 from PostgreSQL 10 " \
                     "or newer", PQLOAD_LIBRARY, #name);                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define LOAD_ONE(ret, name, params, args) LOAD(name);
#define LOAD_VOID(name, params, args) LOAD(name);
    PQLOAD_FUNCTIONS(LOAD_ONE, LOAD_VOID)
}

int pqload_open(struct sg_error *err)
{
    pthread_once(&pq_once, pq_load);
    if (pq_error[0] == '\0')
        return 0;
    sg_error_set(err, "%s", pq_error);
    return -1;
}

static void pq_missing(const char *name)
{
    fprintf(stderr, "schemagate: internal error: %s called before libpq was loaded (pqload_open)\n", name);
    abort();
}

#define FORWARD(ret, name, params, args) \
    ret name params                      \
    {                                    \
        if (pq.name == NULL)             \
            pq_missing(#name);           \
        return pq.name args;             \
    }
#define FORWARD_VOID(name, params, args) \
    void name params                     \
    {                                    \
        if (pq.name == NULL)             \
            pq_missing(#name);           \
        pq.name args;                    \
    }
PQLOAD_FUNCTIONS(FORWARD, FORWARD_VOID)

void pqload_notice_to_log(void *database, const char *message)
{
    log_db_notice(database, message);
}
