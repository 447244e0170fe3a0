/* secretconf.c - credentials in config-file syntaxes that are not KEY=VALUE: directive lines
 * ("requirepass V", "sentinel auth-pass M V", fluent-bit "HTTP_Passwd V", fluentd "password V"
 * inside <match> sections, .netrc, haproxy "insecure-password V", nginx "proxy_set_header
 * Authorization 'Basic ...'"), pgbouncer userlist.txt lines, XML elements and properties, PHP
 * define('KEY', 'V'), ERB defaults (<%= ENV.fetch("X") { "V" } %>) and the mongo shell's
 * db.auth("user", "V"). Reports KEY_VALUE hits; the judge decides on values. */
#include "secretconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "secretclass.h"

#define CONF_LINE_TOKENS 8
#define ERB_REACH 256

struct span {
    const char *s;
    size_t n;
};

static void emit(secretshape_fn fn, void *ctx, const char *key, size_t key_len, const char *value,
                 size_t value_len, size_t offset, bool line_start)
{
    struct shape_hit h = {SHAPE_KEY_VALUE, key, key_len, value, value_len, offset, line_start, false};
    fn(&h, ctx);
}

static bool span_is(struct span a, const char *word)
{
    return a.n == strlen(word) && strncasecmp(a.s, word, a.n) == 0;
}

/* Splits one line into whitespace-separated tokens; a quoted token keeps its quotes out. */
static size_t split_line(const char *t, size_t len, struct span *tok, size_t max)
{
    size_t count = 0, i = 0;
    while (i < len && count < max) {
        while (i < len && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (i >= len)
            break;
        size_t s = i;
        if (t[i] == '"' || t[i] == '\'') {
            char q = t[i];
            const char *close = memchr(t + i + 1, q, len - i - 1);
            size_t e = close ? (size_t)(close - t) : len;
            tok[count++] = (struct span){t + s + 1, e - s - 1};
            i = e < len ? e + 1 : len;
            continue;
        }
        while (i < len && t[i] != ' ' && t[i] != '\t')
            i++;
        tok[count++] = (struct span){t + s, i - s};
    }
    return count;
}

static struct span trim_semicolon(struct span v)
{
    while (v.n > 0 && (v.s[v.n - 1] == ';' || v.s[v.n - 1] == '\r'))
        v.n--;
    return v;
}

/* One directive line. `tok` holds its tokens; `off` is where the line starts in the text;
 * `netrc` says the text is a .netrc file (it has a "machine" line). */
/* What kind of file the directive lines are in, from a look at the whole text. */
struct conf_file {
    bool netrc;      /* a "machine" line: .netrc */
    bool sections;   /* "<match ...>" ... "</match>" sections: fluentd, Apache-style configs */
};

static void scan_directive_line(const char *t, struct span *tok, size_t n, size_t off, const struct conf_file *cf,
                                secretshape_fn fn, void *ctx)
{
    bool netrc = cf->netrc;
    if (n == 0 || tok[0].s[0] == '#' || tok[0].s[0] == ';' || (tok[0].n >= 2 && strncmp(tok[0].s, "//", 2) == 0))
        return;
    /* redis.conf / sentinel.conf */
    if (n >= 2 && (span_is(tok[0], "requirepass") || span_is(tok[0], "masterauth"))) {
        emit(fn, ctx, tok[0].s, tok[0].n, tok[1].s, tok[1].n, off, true);
        return;
    }
    if (n >= 4 && span_is(tok[0], "sentinel") && span_is(tok[1], "auth-pass")) {
        emit(fn, ctx, tok[1].s, tok[1].n, tok[3].s, tok[3].n, off, true);
        return;
    }
    bool machine_line = span_is(tok[0], "machine") || span_is(tok[0], "default");
    for (size_t i = 0; i + 1 < n; i++) {
        /* haproxy "user NAME insecure-password V"; .netrc "machine H login U password V" */
        if (span_is(tok[i], "insecure-password") || (machine_line && span_is(tok[i], "password"))) {
            emit(fn, ctx, tok[i].s, tok[i].n, tok[i + 1].s, tok[i + 1].n, (size_t)(tok[i].s - t), false);
            return;
        }
        /* nginx "proxy_set_header Authorization "Basic ..."": a header set to a literal. */
        if (i > 0 && secretclass_is_authorization(tok[i].s, tok[i].n) && memchr(tok[i + 1].s, '$', tok[i + 1].n) == NULL) {
            struct span v = trim_semicolon(tok[i + 1]);
            if (v.n > 0 && memchr(v.s, ' ', v.n) != NULL) {
                emit(fn, ctx, tok[i].s, tok[i].n, v.s, v.n, (size_t)(tok[i].s - t), false);
                return;
            }
        }
    }
    /* Two-token "NAME VALUE" lines (fluent-bit "HTTP_Passwd V", .netrc "password V", fluentd
     * "password V" inside a <match> section), never the passwd command or a flag. Outside a
     * .netrc or a sectioned config the value must hold a digit or a symbol, so prose such as
     * "Password rotation" is not read as a setting. */
    if (n == 2 && !span_is(tok[0], "passwd") && tok[1].s[0] != '-' && secretclass_name(tok[0].s, tok[0].n)) {
        bool identifier = true, plain_word = true;
        for (size_t k = 0; k < tok[0].n; k++)
            if (!(isalnum((unsigned char)tok[0].s[k]) || tok[0].s[k] == '_' || tok[0].s[k] == '.' || tok[0].s[k] == '-'))
                identifier = false;
        for (size_t k = 0; k < tok[1].n; k++)
            if (!isalpha((unsigned char)tok[1].s[k]))
                plain_word = false;
        if (identifier && (netrc || cf->sections || !plain_word))
            emit(fn, ctx, tok[0].s, tok[0].n, tok[1].s, tok[1].n, off, true);
    }
}

/* The first "ab" in t[0, len), found from one `a` to the next. */
static const char *find_pair(const char *t, size_t len, char a, char b)
{
    for (const char *c = memchr(t, a, len); c; c = memchr(c + 1, a, len - (size_t)(c + 1 - t)))
        if ((size_t)(c + 1 - t) < len && c[1] == b)
            return c;
    return NULL;
}

/* The line at t[0, n) opens or closes a section: "<match app.**>", "</match>", "<source>". */
static bool section_line(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    while (n > i && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r'))
        n--;
    if (n - i < 3 || t[i] != '<' || t[n - 1] != '>')
        return false;
    i += t[i + 1] == '/' ? 2 : 1;
    return i < n && isalpha((unsigned char)t[i]);
}

/* pgbouncer's auth_file (userlist.txt): every line that is not a comment is `"user" "password"`.
 * The password column is plaintext unless it is an md5 or SCRAM hash (the judge knows those). */
static bool userlist_line(const char *t, size_t n, struct span *user, struct span *pass)
{
    struct span tok[3];
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r'))
        n--;
    if (split_line(t, n, tok, 3) != 2)
        return false;
    for (size_t k = 0; k < 2; k++)
        if (tok[k].s == t || tok[k].s[-1] != '"' || tok[k].s + tok[k].n >= t + n || tok[k].s[tok[k].n] != '"')
            return false;
    *user = tok[0];
    *pass = tok[1];
    return true;
}

static void scan_userlist(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    size_t lines = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < len;) {
            const char *nl = memchr(t + i, '\n', len - i);
            size_t e = nl ? (size_t)(nl - t) : len;
            size_t k = i;
            while (k < e && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r'))
                k++;
            if (k < e && t[k] != '#' && t[k] != ';') {
                struct span user, pw;
                if (!userlist_line(t + i, e - i, &user, &pw))
                    return;   /* not a userlist: some other line */
                if (pass == 0)
                    lines++;
                else if (pw.n > 0)
                    emit(fn, ctx, "userlist.txt password", sizeof "userlist.txt password" - 1, pw.s, pw.n, i, true);
            }
            i = e + 1;
        }
        if (lines == 0)
            return;
    }
}

static void scan_directives(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    struct conf_file cf = {false, false};
    cf.netrc = len >= 8 && (strncmp(t, "machine ", 8) == 0 ||
                            (memchr(t, '\n', len) != NULL && memmem(t, len, "\nmachine ", 9) != NULL));
    /* Sections: a "</name>" closing line and the line that opened it. */
    for (const char *c = find_pair(t, len, '<', '/'); c && !cf.sections;) {
        size_t ls = (size_t)(c - t);
        const char *nl = memchr(c, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - t) : len;   /* the next look starts on the next line */
        while (ls > 0 && (t[ls - 1] == ' ' || t[ls - 1] == '\t'))
            ls--;
        if (ls == 0 || t[ls - 1] == '\n')
            cf.sections = section_line(t + ls, le - ls);
        c = le < len ? find_pair(t + le, len - le, '<', '/') : NULL;
    }
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - t) : len;
        struct span tok[CONF_LINE_TOKENS];
        size_t n = split_line(t + i, e - i, tok, CONF_LINE_TOKENS);
        if (n < CONF_LINE_TOKENS)
            scan_directive_line(t, tok, n, i, &cf, fn, ctx);
        i = e + 1;
    }
}

/* ---- XML --------------------------------------------------------------------------------- */

/* The value of attribute `name` inside the tag text [s, e), or a zero span. */
static struct span xml_attr(const char *s, const char *e, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; p + n + 2 < e; p++) {
        if (strncasecmp(p, name, n) != 0 || (p > s && !isspace((unsigned char)p[-1])))
            continue;
        const char *q = p + n;
        while (q < e && isspace((unsigned char)*q))
            q++;
        if (q >= e || *q != '=')
            continue;
        q++;
        while (q < e && isspace((unsigned char)*q))
            q++;
        if (q >= e || (*q != '"' && *q != '\''))
            continue;
        const char *close = memchr(q + 1, *q, (size_t)(e - q - 1));
        if (close)
            return (struct span){q + 1, (size_t)(close - q - 1)};
    }
    return (struct span){NULL, 0};
}

/* Element text after the tag ending at `gt`, up to the next "<"; zero span when it holds markup. */
static struct span xml_text(const char *gt, const char *end)
{
    const char *s = gt + 1;
    const char *lt = memchr(s, '<', (size_t)(end - s));
    if (lt == NULL || lt + 1 >= end || lt[1] != '/')
        return (struct span){NULL, 0};
    return (struct span){s, (size_t)(lt - s)};
}

static void scan_xml(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    const char *end = t + len;
    for (const char *lt = memchr(t, '<', len); lt; lt = memchr(lt + 1, '<', (size_t)(end - lt - 1))) {
        const char *name = lt + 1;
        if (name >= end || !(isalpha((unsigned char)*name) || *name == '_'))
            continue;
        const char *ne = name;
        while (ne < end && (isalnum((unsigned char)*ne) || strchr("_.-:", *ne)))
            ne++;
        const char *gt = memchr(ne, '>', (size_t)(end - ne));
        if (gt == NULL)
            return;
        const char *local = name;   /* drop a namespace prefix */
        for (const char *c = name; c < ne; c++)
            if (*c == ':')
                local = c + 1;
        bool self_closing = gt > lt && gt[-1] == '/';
        /* <password>V</password>, <connection.password>V</...> */
        if (!self_closing && gt == ne && secretclass_name(local, (size_t)(ne - local))) {
            struct span v = xml_text(gt, end);
            if (v.s && v.n > 0)
                emit(fn, ctx, local, (size_t)(ne - local), v.s, v.n, (size_t)(lt - t), false);
            continue;
        }
        /* <property name="K">V</property>, <add key="K" value="V"/>, <Parameter name="K" value="V"/> */
        struct span k = xml_attr(ne, gt, "name");
        if (k.s == NULL)
            k = xml_attr(ne, gt, "key");
        if (k.s == NULL || !secretclass_name(k.s, k.n))
            continue;
        struct span v = xml_attr(ne, gt, "value");
        if (v.s == NULL && !self_closing)
            v = xml_text(gt, end);
        if (v.s && v.n > 0)
            emit(fn, ctx, k.s, k.n, v.s, v.n, (size_t)(lt - t), false);
    }
}

/* ---- PHP define('KEY', 'VALUE') ---------------------------------------------------------- */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

static bool php_string(const char **p, const char *end, struct span *out)
{
    if (*p >= end || (**p != '\'' && **p != '"'))
        return false;
    const char *close = memchr(*p + 1, **p, (size_t)(end - *p - 1));
    if (close == NULL)
        return false;
    *out = (struct span){*p + 1, (size_t)(close - *p - 1)};
    *p = close + 1;
    return true;
}

static void scan_php_define(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    const char *end = t + len;
    for (const char *p = t; p + 7 < end; p++) {
        p = memchr(p, 'd', (size_t)(end - p));   /* step from one "d" to the next */
        if (p == NULL || p + 7 >= end)
            break;
        if (strncmp(p, "define", 6) != 0 || (p > t && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
            continue;
        const char *q = skip_space(p + 6, end);
        if (q >= end || *q != '(')
            continue;
        q = skip_space(q + 1, end);
        struct span k, v;
        if (!php_string(&q, end, &k) || !secretclass_name(k.s, k.n))
            continue;
        q = skip_space(q, end);
        if (q >= end || *q != ',')
            continue;
        q = skip_space(q + 1, end);
        if (php_string(&q, end, &v))
            emit(fn, ctx, k.s, k.n, v.s, v.n, (size_t)(p - t), false);
    }
}

/* ---- ERB defaults: password: <%= ENV.fetch("DB_PASSWORD") { "V" } %> -------------------- */

/* A quoted string at *p (after blanks); moves *p past it. */
static bool quoted_at(const char **p, const char *end, struct span *out)
{
    *p = skip_space(*p, end);
    return php_string(p, end, out);
}

/* The literal an ERB tag falls back to when the variable is unset: ENV.fetch("X") { "V" },
 * ENV.fetch("X", "V"), ENV["X"] || "V". */
static bool erb_default(const char *s, const char *e, struct span *out)
{
    for (const char *p = s; p + 2 < e; p++) {
        if (p[0] == '|' && p[1] == '|') {
            const char *q = p + 2;
            return quoted_at(&q, e, out);
        }
        if (strncmp(p, "fetch(", 6) == 0 && p + 6 < e) {
            const char *q = p + 6;
            struct span name;
            if (!quoted_at(&q, e, &name))
                return false;
            q = skip_space(q, e);
            if (q < e && *q == ',') {
                q++;
                return quoted_at(&q, e, out);
            }
            if (q >= e || *q != ')')
                return false;
            q = skip_space(q + 1, e);
            if (q < e && *q == '{') {
                q++;
                return quoted_at(&q, e, out);
            }
            return false;
        }
    }
    return false;
}

static void scan_erb(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    const char *end = t + len;
    for (const char *p = memmem(t, len, "<%", 2); p; p = memmem(p + 2, (size_t)(end - p - 2), "<%", 2)) {
        /* Each tag looks at most ERB_REACH bytes either side: a key and its tag share a line. */
        const char *ls = p;
        while (ls > t && ls[-1] != '\n' && p - ls < ERB_REACH)
            ls--;
        size_t reach = (size_t)(end - p) < ERB_REACH ? (size_t)(end - p) : ERB_REACH;
        const char *le = memchr(p, '\n', reach);
        if (le == NULL)
            le = p + reach;
        const char *close = memmem(p + 2, (size_t)(le - p - 2), "%>", 2);
        struct span v;
        if (close == NULL || !erb_default(p + 2, close, &v) || v.n == 0)
            continue;
        /* The key before the tag: "password: <%=", "password = '<%=", "DB_PASSWORD=<%=". */
        const char *k = p;
        while (k > ls && (k[-1] == ' ' || k[-1] == '\t' || k[-1] == '"' || k[-1] == '\''))
            k--;
        if (k == ls || (k[-1] != ':' && k[-1] != '='))
            continue;
        k--;
        while (k > ls && (k[-1] == ' ' || k[-1] == '\t' || k[-1] == '"' || k[-1] == '\''))
            k--;
        const char *ke = k;
        while (k > ls && (isalnum((unsigned char)k[-1]) || strchr("_.-", k[-1])))
            k--;
        if (k < ke && secretclass_name(k, (size_t)(ke - k)))
            emit(fn, ctx, k, (size_t)(ke - k), v.s, v.n, (size_t)(k - t), false);
    }
}

/* ---- mongo shell: db.auth("user", "V") --------------------------------------------------- */

static void scan_mongo_auth(const char *t, size_t len, secretshape_fn fn, void *ctx)
{
    const char *end = t + len;
    for (const char *o = memchr(t, '(', len); o; o = memchr(o + 1, '(', (size_t)(end - o - 1))) {
        if (o - t < 5 || memcmp(o - 5, ".auth", 5) != 0)
            continue;
        const char *p = o - 5;
        const char *q = o + 1;
        struct span user, pw;
        if (!quoted_at(&q, end, &user))
            continue;
        q = skip_space(q, end);
        if (q >= end || *q != ',')
            continue;
        q++;
        if (quoted_at(&q, end, &pw) && pw.n > 0)
            emit(fn, ctx, "db.auth() password", sizeof "db.auth() password" - 1, pw.s, pw.n, (size_t)(p - t), false);
    }
}

void secretconf_scan_userlist(const char *text, size_t len, secretshape_fn fn, void *ctx)
{
    size_t lead = 0;
    while (lead < len && isspace((unsigned char)text[lead]))
        lead++;
    if (lead < len && (text[lead] == '"' || text[lead] == '#' || text[lead] == ';'))
        scan_userlist(text, len, fn, ctx);
}

void secretconf_scan(const char *text, size_t len, secretshape_fn fn, void *ctx)
{
    if (text == NULL || len == 0)
        return;
    /* A directive has two tokens: without a blank or a quote every line is one token. */
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '"' || text[i] == '\'') {
            scan_directives(text, len, fn, ctx);
            break;
        }
    }
    if (memchr(text, '<', len)) {
        scan_xml(text, len, fn, ctx);
        scan_erb(text, len, fn, ctx);
    }
    scan_mongo_auth(text, len, fn, ctx);
    scan_php_define(text, len, fn, ctx);
}
