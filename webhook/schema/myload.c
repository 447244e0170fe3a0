/* myload.c - the mysql_* functions schemagate uses, forwarded to libmariadb.so.3 opened with
 * dlopen by myload_open (the pattern of pqload.c). The signatures are checked against
 * <mysql.h>, which declares them. The table is filled once (pthread_once) together with
 * mysql_server_init, which mysql_init would otherwise run unsynchronised on first use; calling
 * a mysql_* function before a successful myload_open aborts with a message. */
#include "myload.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <mysql.h>

#define MYLOAD_LIBRARY "libmariadb.so.3"

/* X(return type, name, parameters, arguments) for every function used; V for void ones. */
#define MYLOAD_FUNCTIONS(X, V)                                                                     \
    V(mysql_close, (MYSQL * sock), (sock))                                                       \
    V(mysql_free_result, (MYSQL_RES * result), (result))                                         \
    X(MYSQL *, mysql_init, (MYSQL * mysql), (mysql))                                             \
    X(int, mysql_options, (MYSQL * mysql, enum mysql_option option, const void *arg), (mysql, option, arg)) \
    X(int, mysql_real_connect_start, (MYSQL * *ret, MYSQL * mysql, const char *host, const char *user,  \
                                      const char *passwd, const char *db, unsigned int port,       \
                                      const char *unix_socket, unsigned long client_flag),         \
      (ret, mysql, host, user, passwd, db, port, unix_socket, client_flag))                       \
    X(int, mysql_real_connect_cont, (MYSQL * *ret, MYSQL * mysql, int status), (ret, mysql, status)) \
    X(int, mysql_real_query_start, (int *ret, MYSQL *mysql, const char *q, unsigned long length),  \
      (ret, mysql, q, length))                                                                    \
    X(int, mysql_real_query_cont, (int *ret, MYSQL *mysql, int status), (ret, mysql, status))     \
    X(int, mysql_store_result_start, (MYSQL_RES * *ret, MYSQL * mysql), (ret, mysql))             \
    X(int, mysql_store_result_cont, (MYSQL_RES * *ret, MYSQL * mysql, int status), (ret, mysql, status)) \
    X(my_socket, mysql_get_socket, (MYSQL * mysql), (mysql))                                      \
    X(unsigned int, mysql_get_timeout_value_ms, (const MYSQL *mysql), (mysql))                    \
    X(unsigned int, mysql_errno, (MYSQL * mysql), (mysql))                                        \
    X(char *, mysql_get_server_info, (MYSQL * mysql), (mysql))                                    \
    X(unsigned int, mysql_field_count, (MYSQL * mysql), (mysql))                                  \
    X(my_ulonglong, mysql_num_rows, (MYSQL_RES * res), (res))                                     \
    X(unsigned int, mysql_num_fields, (MYSQL_RES * res), (res))                                   \
    X(MYSQL_ROW, mysql_fetch_row, (MYSQL_RES * result), (result))                                 \
    X(unsigned long, mysql_real_escape_string, (MYSQL * mysql, char *to, const char *from,        \
                                                unsigned long length), (mysql, to, from, length)) \
    X(int, mysql_server_init, (int argc, char **argv, char **groups), (argc, argv, groups))          \
    X(MYSQL_STMT *, mysql_stmt_init, (MYSQL * mysql), (mysql))                                    \
    X(int, mysql_stmt_prepare_start, (int *ret, MYSQL_STMT *stmt, const char *query, unsigned long length), \
      (ret, stmt, query, length))                                                                 \
    X(int, mysql_stmt_prepare_cont, (int *ret, MYSQL_STMT *stmt, int status), (ret, stmt, status)) \
    X(int, mysql_stmt_execute_start, (int *ret, MYSQL_STMT *stmt), (ret, stmt))                   \
    X(int, mysql_stmt_execute_cont, (int *ret, MYSQL_STMT *stmt, int status), (ret, stmt, status)) \
    X(int, mysql_stmt_store_result_start, (int *ret, MYSQL_STMT *stmt), (ret, stmt))             \
    X(int, mysql_stmt_store_result_cont, (int *ret, MYSQL_STMT *stmt, int status), (ret, stmt, status)) \
    X(my_bool, mysql_stmt_attr_set, (MYSQL_STMT * stmt, enum enum_stmt_attr_type attr_type, const void *attr), \
      (stmt, attr_type, attr))                                                                    \
    X(my_bool, mysql_stmt_bind_param, (MYSQL_STMT * stmt, MYSQL_BIND * bnd), (stmt, bnd))         \
    X(my_bool, mysql_stmt_bind_result, (MYSQL_STMT * stmt, MYSQL_BIND * bnd), (stmt, bnd))        \
    X(int, mysql_stmt_fetch, (MYSQL_STMT * stmt), (stmt))                                         \
    X(my_bool, mysql_stmt_free_result, (MYSQL_STMT * stmt), (stmt))                               \
    X(my_bool, mysql_stmt_close, (MYSQL_STMT * stmt), (stmt))                                     \
    X(unsigned int, mysql_stmt_errno, (MYSQL_STMT * stmt), (stmt))                                \
    X(unsigned int, mysql_stmt_field_count, (MYSQL_STMT * stmt), (stmt))                          \
    X(unsigned long, mysql_stmt_param_count, (MYSQL_STMT * stmt), (stmt))                         \
    X(my_ulonglong, mysql_stmt_num_rows, (MYSQL_STMT * stmt), (stmt))                             \
    X(MYSQL_RES *, mysql_stmt_result_metadata, (MYSQL_STMT * stmt), (stmt))                       \
    X(MYSQL_FIELD *, mysql_fetch_fields, (MYSQL_RES * res), (res))

#define POINTER(ret, name, params, args) ret(*name) params;
#define VOID_POINTER(name, params, args) void(*name) params;

static struct {
    MYLOAD_FUNCTIONS(POINTER, VOID_POINTER)
} my;

static pthread_once_t my_once = PTHREAD_ONCE_INIT;
static char my_error[SG_ERROR_MAX];   /* empty after a successful load */

static void my_load(void)
{
    void *lib = dlopen(MYLOAD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(my_error, sizeof my_error, "the schema gate needs the MariaDB Connector/C library %s for "
                 "engine \"mysql\" (Debian: apt-get install libmariadb3): %s", MYLOAD_LIBRARY, dlerror());
        return;
    }
    /* A function pointer from dlsym: POSIX guarantees the conversion (see dlsym(3)). */
#define LOAD(name)                                                                                 \
    do {                                                                                           \
        *(void **)(&my.name) = dlsym(lib, #name);                                                  \
        if (my.name == NULL) {                                                                     \
            snprintf(my_error, sizeof my_error, "%s has no %s; install MariaDB Connector/C 3.1 "   \
                     "or newer", MYLOAD_LIBRARY, #name);                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define LOAD_ONE(ret, name, params, args) LOAD(name);
#define LOAD_VOID(name, params, args) LOAD(name);
    MYLOAD_FUNCTIONS(LOAD_ONE, LOAD_VOID)
    if (my.mysql_server_init(0, NULL, NULL) != 0)
        snprintf(my_error, sizeof my_error, "%s could not initialise", MYLOAD_LIBRARY);
}

int myload_open(struct sg_error *err)
{
    pthread_once(&my_once, my_load);
    if (my_error[0] == '\0')
        return 0;
    sg_error_set(err, "%s", my_error);
    return -1;
}

static void my_missing(const char *name)
{
    fprintf(stderr, "schemagate: internal error: %s called before libmariadb was loaded (myload_open)\n", name);
    abort();
}

#define FORWARD(ret, name, params, args) \
    ret name params                      \
    {                                    \
        if (my.name == NULL)             \
            my_missing(#name);           \
        return my.name args;             \
    }
#define FORWARD_VOID(name, params, args) \
    void name params                     \
    {                                    \
        if (my.name == NULL)             \
            my_missing(#name);           \
        my.name args;                    \
    }
MYLOAD_FUNCTIONS(FORWARD, FORWARD_VOID)
