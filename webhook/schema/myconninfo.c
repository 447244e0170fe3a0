/* myconninfo.c - parses a MySQL conninfo file (myconninfo.h): a mysql:// URI or key=value
 * pairs. Every field is bounded; a value that does not fit is an error, not a truncation
 * (a cut password would fail later with a misleading "access denied"). */
#include "myconninfo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *why, unsigned long n, const char *what)
{
    snprintf(why, n, "%s", what);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copies src[0..len) into out (size n), percent-decoding when asked. false when it does not
 * fit, holds a NUL, or an escape is malformed. */
static bool copy_part(const char *src, size_t len, bool decode, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (decode && c == '%') {
            if (i + 2 >= len)
                return false;
            int a = hexval(src[i + 1]), b = hexval(src[i + 2]);
            if (a < 0 || b < 0 || (a == 0 && b == 0))
                return false;
            c = (char)(a * 16 + b);
            i += 2;
        }
        if (o + 1 >= n)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

static bool parse_port(const char *s, size_t len, unsigned *out)
{
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = v;
    return true;
}

static bool parse_ssl_mode(const char *v, enum my_ssl_mode *out)
{
    static const struct {
        const char *name;
        enum my_ssl_mode mode;
    } modes[] = {{"DISABLED", MY_SSL_DISABLED}, {"PREFERRED", MY_SSL_PREFERRED}, {"REQUIRED", MY_SSL_REQUIRED},
                 {"VERIFY_CA", MY_SSL_VERIFY_CA}, {"VERIFY_IDENTITY", MY_SSL_VERIFY_IDENTITY}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcasecmp(v, modes[i].name) == 0) {
            *out = modes[i].mode;
            return true;
        }
    return false;
}

/* One option by name, shared by both forms. */
static int set_option(struct my_conninfo *c, const char *key, const char *val, char *why, unsigned long n)
{
    char k[32];
    size_t kl = strlen(key);
    if (kl >= sizeof k)
        return fail(why, n, "conninfo_file has an unknown option");
    for (size_t i = 0; i <= kl; i++)
        k[i] = key[i] == '-' ? '_' : (char)tolower((unsigned char)key[i]);
    struct {
        const char *name;
        char *field;
        size_t size;
    } strings[] = {
        {"host", c->host, sizeof c->host},       {"user", c->user, sizeof c->user},
        {"password", c->password, sizeof c->password}, {"dbname", c->dbname, sizeof c->dbname},
        {"database", c->dbname, sizeof c->dbname}, {"socket", c->socket, sizeof c->socket},
        {"ssl_ca", c->ssl_ca, sizeof c->ssl_ca},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        if (strcmp(k, strings[i].name) != 0)
            continue;
        if (!copy_part(val, strlen(val), false, strings[i].field, strings[i].size)) {
            char msg[96];
            snprintf(msg, sizeof msg, "conninfo_file: %s is too long", strings[i].name);
            return fail(why, n, msg);
        }
        return 0;
    }
    if (strcmp(k, "port") == 0) {
        if (!parse_port(val, strlen(val), &c->port))
            return fail(why, n, "conninfo_file: port must be 1-65535");
        return 0;
    }
    if (strcmp(k, "ssl_mode") == 0) {
        if (!parse_ssl_mode(val, &c->ssl_mode))
            return fail(why, n, "conninfo_file: ssl_mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA "
                        "or VERIFY_IDENTITY");
        return 0;
    }
    if (strcmp(k, "connect_timeout") == 0 || strcmp(k, "charset") == 0)
        return 0;     /* the admission budget bounds connecting; the session is utf8mb4 */
    char msg[96];
    snprintf(msg, sizeof msg, "conninfo_file has an unknown option \"%s\"", k);
    return fail(why, n, msg);
}

static int parse_uri(const char *text, struct my_conninfo *c, char *why, unsigned long n)
{
    const char *p = strstr(text, "://") + 3;
    const char *end = p + strcspn(p, "/?");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;     /* the last '@': a password may hold one only percent-encoded, but be lenient */
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *uend = colon ? colon : at;
        if (!copy_part(p, (size_t)(uend - p), true, c->user, sizeof c->user))
            return fail(why, n, "conninfo_file: the URI's user is malformed or too long");
        if (colon && !copy_part(colon + 1, (size_t)(at - colon - 1), true, c->password, sizeof c->password))
            return fail(why, n, "conninfo_file: the URI's password is malformed or too long");
        p = at + 1;
    }
    const char *hend = end;
    if (*p == '[') {                      /* [v6 address] */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close == NULL)
            return fail(why, n, "conninfo_file: the URI's host is malformed");
        if (!copy_part(p + 1, (size_t)(close - p - 1), false, c->host, sizeof c->host))
            return fail(why, n, "conninfo_file: the URI's host is too long");
        hend = close + 1;
        if (hend < end && *hend != ':')
            return fail(why, n, "conninfo_file: the URI's host is malformed");
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        hend = colon ? colon : end;
        if (!copy_part(p, (size_t)(hend - p), true, c->host, sizeof c->host))
            return fail(why, n, "conninfo_file: the URI's host is malformed or too long");
    }
    if (hend < end && *hend == ':' && !parse_port(hend + 1, (size_t)(end - hend - 1), &c->port))
        return fail(why, n, "conninfo_file: the URI's port must be 1-65535");
    p = end;
    if (*p == '/') {
        const char *dend = p + 1 + strcspn(p + 1, "?");
        if (!copy_part(p + 1, (size_t)(dend - p - 1), true, c->dbname, sizeof c->dbname))
            return fail(why, n, "conninfo_file: the URI's database is malformed or too long");
        p = dend;
    }
    if (*p == '?') {
        for (p++; *p;) {
            const char *amp = p + strcspn(p, "&");
            const char *eq = memchr(p, '=', (size_t)(amp - p));
            if (eq == NULL)
                return fail(why, n, "conninfo_file: a URI parameter lacks '='");
            char key[32], val[512];
            if (!copy_part(p, (size_t)(eq - p), true, key, sizeof key))
                return fail(why, n, "conninfo_file has an unknown option");
            if (!copy_part(eq + 1, (size_t)(amp - eq - 1), true, val, sizeof val)) {
                explicit_bzero(val, sizeof val);
                return fail(why, n, "conninfo_file: a URI parameter is malformed or too long");
            }
            int rc = set_option(c, key, val, why, n);
            explicit_bzero(val, sizeof val);
            if (rc != 0)
                return -1;
            p = *amp ? amp + 1 : amp;
        }
    }
    return 0;
}

static int parse_pairs(const char *text, struct my_conninfo *c, char *why, unsigned long n)
{
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return 0;
        char key[32];
        size_t kl = 0;
        while (*p && *p != '=' && !isspace((unsigned char)*p)) {
            if (kl + 1 >= sizeof key)
                return fail(why, n, "conninfo_file has an unknown option");
            key[kl++] = *p++;
        }
        key[kl] = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=' || kl == 0)
            return fail(why, n, "conninfo_file is not key=value pairs or a mysql:// URI");
        p++;
        while (isspace((unsigned char)*p))
            p++;
        char val[512];
        size_t vl = 0;
        bool quoted = *p == '\'';
        if (quoted)
            p++;
        while (*p && (quoted ? *p != '\'' : !isspace((unsigned char)*p))) {
            if (*p == '\\' && p[1])
                p++;
            if (vl + 1 >= sizeof val) {
                explicit_bzero(val, sizeof val);
                return fail(why, n, "conninfo_file: a value is too long");
            }
            val[vl++] = *p++;
        }
        val[vl] = '\0';
        if (quoted && *p != '\'') {
            explicit_bzero(val, sizeof val);
            return fail(why, n, "conninfo_file: a quoted value is not closed");
        }
        if (quoted)
            p++;
        int rc = set_option(c, key, val, why, n);
        explicit_bzero(val, sizeof val);
        if (rc != 0)
            return -1;
    }
}

int my_conninfo_parse(const char *text, struct my_conninfo *out, char *why, unsigned long why_n)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (strncmp(text, "mysql://", 8) == 0 || strncmp(text, "mariadb://", 10) == 0)
        rc = parse_uri(text, out, why, why_n);
    else if (strstr(text, "://"))
        rc = fail(why, why_n, "conninfo_file: a URI for engine \"mysql\" starts with mysql://");
    else
        rc = parse_pairs(text, out, why, why_n);
    if (rc == 0 && out->host[0] == '/') {
        if (strlen(out->host) >= sizeof out->socket)
            rc = fail(why, why_n, "conninfo_file: socket path is too long");
        else {
            memcpy(out->socket, out->host, strlen(out->host) + 1);
            out->host[0] = '\0';
        }
    }
    if (rc == 0 && (out->ssl_mode == MY_SSL_VERIFY_CA || out->ssl_mode == MY_SSL_VERIFY_IDENTITY) &&
        out->ssl_ca[0] == '\0')
        rc = fail(why, why_n, "conninfo_file: ssl_mode VERIFY_CA and VERIFY_IDENTITY need ssl_ca");
    if (rc != 0)
        explicit_bzero(out, sizeof *out);
    return rc;
}
