/* secretshape.h - credential shapes inside free text, independent of any field name: URI
 * userinfo (any scheme, and Oracle's jdbc:oracle:thin:user/pw@), Go MySQL DSNs, key=value
 * credentials (JDBC/ADO/ODBC/libpq properties, JVM -D options, properties/YAML/TOML/.env
 * lines, JSON members), PEM private keys, .pgpass lines, SQL "PASSWORD '...'", vendor token
 * formats and webhook URLs whose path is the credential. The caller judges each hit's value. */
#ifndef SCHEMAGATE_SECRETSHAPE_H
#define SCHEMAGATE_SECRETSHAPE_H

#include <stdbool.h>
#include <stddef.h>

enum shape_kind {
    SHAPE_URI,          /* scheme://user:PASSWORD@host */
    SHAPE_DSN,          /* Go MySQL user:PASSWORD@tcp(host)/db */
    SHAPE_KEY_VALUE,    /* KEY=VALUE / KEY: VALUE where KEY sounds like a credential */
    SHAPE_PRIVATE_KEY,  /* -----BEGIN ... PRIVATE KEY----- */
    SHAPE_PGPASS,       /* host:port:db:user:PASSWORD */
    SHAPE_SQL,          /* CREATE ROLE x PASSWORD '...' / IDENTIFIED BY '...' */
    SHAPE_TOKEN,        /* ghp_..., glpat-..., xoxb-..., JWTs */
};

struct shape_hit {
    enum shape_kind kind;
    const char *key;        /* KEY_VALUE: the key as written (dashes and -D stripped); URI: scheme */
    size_t key_len;
    const char *value;      /* the credential itself */
    size_t value_len;
    size_t offset;          /* where the key (or the value) starts in the scanned text */
    bool line_start;        /* KEY_VALUE: the key opens its line (a config file line) */
    bool json;              /* KEY_VALUE: found by walking a JSON document */
};

typedef void (*secretshape_fn)(const struct shape_hit *hit, void *ctx);

/* Reports every shape found in text. Hits point into `text` (or, for JSON documents, into a
 * parsed copy that lives until the callback returns). */
void secretshape_scan(const char *text, size_t len, secretshape_fn fn, void *ctx);

/* The same scan with every detector run on every text: secretshape_scan skips the detectors
 * whose bytes (":", "@", "=", a credential stem, ...) a text lacks, and must report exactly
 * what this reports. Kept for the unit tests that check so. */
void secretshape_scan_all(const char *text, size_t len, secretshape_fn fn, void *ctx);

/* Decodes standard or URL-safe base64 (padding optional) into out (NUL-terminated); returns
 * the decoded length, or -1 when the text is not base64 or does not fit. */
long secretshape_base64_decode(const char *text, size_t len, char *out, size_t out_size);

#endif
