/* myconninfo.h - a MySQL database's conninfo file, read into connection parameters. Two forms:
 *   mysql://user:password@host:3306/dbname?ssl-mode=REQUIRED&ssl-ca=/etc/ca.pem  (also mariadb://;
 *     user, password and dbname percent-decoded)
 *   host=db.internal port=3306 user=schemagate password='p w' dbname=orders ssl_mode=VERIFY_CA
 *     (values may be 'single-quoted' with \' and \\ inside; "database" is "dbname", "-" and "_"
 *     are the same in keys)
 * Errors name the key or the part, never a value: the file holds the password. */
#ifndef SCHEMAGATE_MYCONNINFO_H
#define SCHEMAGATE_MYCONNINFO_H

#include <stdbool.h>

enum my_ssl_mode {
    MY_SSL_DEFAULT = 0,    /* not given: the connector's default */
    MY_SSL_DISABLED,
    MY_SSL_PREFERRED,
    MY_SSL_REQUIRED,       /* TLS, certificate not checked */
    MY_SSL_VERIFY_CA,      /* TLS, certificate checked against ssl_ca */
    MY_SSL_VERIFY_IDENTITY /* and the host name too */
};

struct my_conninfo {
    char host[256];        /* "" = localhost */
    unsigned port;         /* 0 = 3306 */
    char socket[256];      /* a Unix socket path ("socket" key, or host starting with '/') */
    char user[128];
    char password[256];
    char dbname[128];
    char ssl_ca[512];
    enum my_ssl_mode ssl_mode;
};

/* Parses text (one line, trailing newline already removed) into *out; 0, or -1 with a short
 * reason in why (which never holds a value from the text). Wipe *out with explicit_bzero when
 * done. */
int my_conninfo_parse(const char *text, struct my_conninfo *out, char *why, unsigned long why_n);

#endif
