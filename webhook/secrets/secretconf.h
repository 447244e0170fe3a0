/* secretconf.h - credentials in config-file syntaxes beyond KEY=VALUE: directive lines (redis,
 * sentinel, fluent-bit, fluentd sections, .netrc, haproxy, nginx headers), pgbouncer userlists,
 * XML elements and properties, PHP define(), ERB defaults and mongo db.auth(). Hits are
 * KEY_VALUE shape hits, judged like every other. */
#ifndef SCHEMAGATE_SECRETCONF_H
#define SCHEMAGATE_SECRETCONF_H

#include <stddef.h>

#include "secretshape.h"

void secretconf_scan(const char *text, size_t len, secretshape_fn fn, void *ctx);

/* pgbouncer userlist.txt content (every line `"user" "password"`): the password column, which
 * holds no credential stem, so this runs whatever the text's words. */
void secretconf_scan_userlist(const char *text, size_t len, secretshape_fn fn, void *ctx);

#endif
