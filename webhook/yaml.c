/* yaml.c - input for `schemagate review`: JSON as is, or the YAML subset that kubectl, Helm and
 * people write for Kubernetes objects, read into the cJSON tree the same object's JSON gives.
 * Anything outside the subset (anchors, tags, multi-line flow, ...) is refused with its line. */
#include "yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define YAML_MAX_DEPTH 64

/* The parser walks the text line by line. Every node parser returns with the current line
 * being the first line it did not consume, so collection loops look at that line next. */
struct yaml_parser {
    const char *text;
    size_t len;
    size_t ls;      /* current line is [ls, le), without its line break */
    size_t le;
    size_t next;    /* start of the following line */
    size_t pos;     /* cursor, ls <= pos <= le */
    int line;       /* 1-based number of the current line */
    struct sg_error *err;
    bool failed;
};

/* ---- errors ---- */

static int fail_line(struct yaml_parser *p, int line, int column, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int fail_line(struct yaml_parser *p, int line, int column, const char *fmt, va_list ap)
{
    if (p->failed)
        return -1;
    p->failed = true;
    char msg[SG_ERROR_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (column > 0)
        return sg_error_set(p->err, "line %d, column %d: %s", line, column, msg);
    return sg_error_set(p->err, "line %d: %s", line, msg);
}

/* Reports an error at the cursor (first error wins); returns -1. */
static int fail(struct yaml_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct yaml_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_line(p, p->line, (int)(p->pos - p->ls) + 1, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reports an error about a whole line (no column). */
static int fail_at_line(struct yaml_parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at_line(struct yaml_parser *p, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_line(p, line, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* A freshly created cJSON node, or a recorded out-of-memory error. */
static cJSON *made(struct yaml_parser *p, cJSON *node)
{
    if (node == NULL)
        fail(p, "out of memory");
    return node;
}

/* ---- lines and characters ---- */

static void load_line(struct yaml_parser *p, size_t start)
{
    p->ls = start;
    p->pos = start;
    const char *nl = start < p->len ? memchr(p->text + start, '\n', p->len - start) : NULL;
    p->le = nl ? (size_t)(nl - p->text) : p->len;
    p->next = nl ? p->le + 1 : p->len;
    if (p->le > p->ls && p->text[p->le - 1] == '\r')
        p->le--;
}

static bool at_eof(const struct yaml_parser *p)
{
    return p->ls >= p->len;
}

static void next_line(struct yaml_parser *p)
{
    if (at_eof(p))
        return;
    p->line++;
    load_line(p, p->next);
}

/* The character at offset i of the current line, '\0' past its end (input has no NUL). */
static char char_at(const struct yaml_parser *p, size_t i)
{
    return i < p->le ? p->text[i] : '\0';
}

static char cur(const struct yaml_parser *p)
{
    return char_at(p, p->pos);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* True when offset i ends a token: whitespace or the end of the line. */
static bool sep_at(const struct yaml_parser *p, size_t i)
{
    return i >= p->le || is_space(p->text[i]);
}

static void skip_spaces(struct yaml_parser *p)
{
    while (p->pos < p->le && is_space(p->text[p->pos]))
        p->pos++;
}

/* Skips whitespace; true if only a comment (or nothing) is left on the line. */
static bool rest_is_empty(struct yaml_parser *p)
{
    skip_spaces(p);
    return p->pos == p->le || p->text[p->pos] == '#';
}

static bool is_doc_marker(const struct yaml_parser *p)
{
    if (p->le - p->ls < 3 || !sep_at(p, p->ls + 3))
        return false;
    return memcmp(p->text + p->ls, "---", 3) == 0 || memcmp(p->text + p->ls, "...", 3) == 0;
}

static bool is_seq_entry(const struct yaml_parser *p)
{
    return cur(p) == '-' && sep_at(p, p->pos + 1);
}

/* Moves to the next line with content (skipping blank and comment lines) and returns its
 * indentation with the cursor on its first character; -1 at the end or on a `---`/`...` line,
 * -2 after an error (a tab in the indentation). */
static int skip_blank(struct yaml_parser *p)
{
    for (; !at_eof(p); next_line(p)) {
        size_t i = p->ls;
        while (i < p->le && p->text[i] == ' ')
            i++;
        size_t j = i;
        while (j < p->le && is_space(p->text[j]))
            j++;
        if (j == p->le || p->text[j] == '#')
            continue;
        p->pos = i;
        if (is_doc_marker(p))
            return -1;
        if (j != i)
            return fail(p, "a tab character in the indentation; YAML allows only spaces there") - 1;
        return (int)(i - p->ls);
    }
    return -1;
}

/* ---- mapping keys: detection and duplicates ---- */

/* Ends the quoted scalar opening at offset i on the current line; 0 if not closed there. */
static size_t quoted_end(const struct yaml_parser *p, size_t i)
{
    char q = p->text[i];
    for (i++; i < p->le; i++) {
        char c = p->text[i];
        if (q == '"' && c == '\\') {
            i++;
            continue;
        }
        if (c != q)
            continue;
        if (q == '\'' && char_at(p, i + 1) == '\'') {
            i++;
            continue;
        }
        return i + 1;
    }
    return 0;
}

/* True if the content at the cursor is `key:` (plain or quoted, followed by a space or the
 * line end); *colon is then the offset of that ':'. */
static bool find_key(const struct yaml_parser *p, size_t *colon)
{
    size_t i = p->pos;
    char c = cur(p);
    if (c == '[' || c == '{' || c == '\0')
        return false;
    if (c == '"' || c == '\'') {
        i = quoted_end(p, i);
        if (i == 0)
            return false;
        while (i < p->le && is_space(p->text[i]))
            i++;
        if (char_at(p, i) != ':' || !sep_at(p, i + 1))
            return false;
        *colon = i;
        return true;
    }
    for (; i < p->le; i++) {
        if (p->text[i] == '#' && i > p->pos && is_space(p->text[i - 1]))
            return false;
        if (p->text[i] == ':' && sep_at(p, i + 1)) {
            *colon = i;
            return true;
        }
    }
    return false;
}

struct key_seen {
    const char *key;
    int line;
    size_t order;
};

struct key_list {
    struct key_seen *items;
    size_t n, cap;
};

static int keys_add(struct yaml_parser *p, struct key_list *kl, const char *key, int line)
{
    if (kl->n == kl->cap) {
        size_t cap = kl->cap ? kl->cap * 2 : 16;
        struct key_seen *items = realloc(kl->items, cap * sizeof *items);
        if (items == NULL)
            return fail(p, "out of memory");
        kl->items = items;
        kl->cap = cap;
    }
    kl->items[kl->n] = (struct key_seen){ key, line, kl->n };
    kl->n++;
    return 0;
}

static int key_seen_cmp(const void *a, const void *b)
{
    const struct key_seen *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* YAML forbids duplicate keys; the apiserver would keep the last one and schemagate must not
 * judge a different value than the cluster stores, so a duplicate is an error. */
static int keys_check(struct yaml_parser *p, struct key_list *kl)
{
    if (kl->n < 2)
        return 0;
    qsort(kl->items, kl->n, sizeof *kl->items, key_seen_cmp);
    int line = 0, first = 0;
    const char *key = NULL;
    for (size_t i = 1; i < kl->n; i++) {
        if (strcmp(kl->items[i - 1].key, kl->items[i].key) != 0)
            continue;
        if (key == NULL || kl->items[i].line < line) {
            key = kl->items[i].key;
            line = kl->items[i].line;
            first = kl->items[i - 1].line;
        }
    }
    if (key == NULL)
        return 0;
    return fail_at_line(p, line, "duplicate key \"%.64s\" (first on line %d)", key, first);
}

static void keys_free(struct key_list *kl)
{
    free(kl->items);
}

/* ---- scalars ---- */

static void put_utf8(struct strbuf *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    strbuf_append(sb, b, n);
}

static int hex_digits(struct yaml_parser *p, size_t at, int n, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < n; k++) {
        char c = char_at(p, at + (size_t)k);
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return fail(p, "escape needs %d hexadecimal digits", n);
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* Decodes the escape at the cursor (on the '\\'); appends it and moves past it. */
static int decode_escape(struct yaml_parser *p, struct strbuf *out)
{
    static const char simple_in[] = "abtnvfre \"/\\\t";
    static const char simple_out[] = "\a\b\t\n\v\f\r\x1b \"/\\\t";
    char e = char_at(p, p->pos + 1);
    const char *hit = e ? strchr(simple_in, e) : NULL;
    if (hit) {
        strbuf_putc(out, simple_out[hit - simple_in]);
        p->pos += 2;
        return 0;
    }
    uint32_t cp = 0;
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    switch (e) {
    case 'N': cp = 0x85; break;
    case '_': cp = 0xA0; break;
    case 'L': cp = 0x2028; break;
    case 'P': cp = 0x2029; break;
    case 'x': case 'u': case 'U':
        if (hex_digits(p, p->pos + 2, digits, &cp) != 0)
            return -1;
        break;
    case '0':
        return fail(p, "\\0 (a NUL character) cannot be represented in a Kubernetes object");
    default:
        if (e > ' ' && e < 0x7f)
            return fail(p, "unknown escape \\%c in a double-quoted string", e);
        return fail(p, "unknown escape in a double-quoted string");
    }
    size_t after = p->pos + 2 + (size_t)digits;
    if (cp >= 0xD800 && cp <= 0xDBFF && char_at(p, after) == '\\' && char_at(p, after + 1) == 'u') {
        uint32_t low = 0;
        size_t save = p->pos;
        p->pos = after;
        if (hex_digits(p, after + 2, 4, &low) != 0)
            return -1;
        p->pos = save;
        if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            after += 6;
        }
    }
    if (cp == 0)
        return fail(p, "a NUL character cannot be represented in a Kubernetes object");
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return fail(p, "escape is not a valid Unicode character");
    put_utf8(out, cp);
    p->pos = after;
    return 0;
}

struct parser_mark {
    size_t ls, le, next, pos;
    int line;
};

static struct parser_mark mark(const struct yaml_parser *p)
{
    return (struct parser_mark){ p->ls, p->le, p->next, p->pos, p->line };
}

static void restore(struct yaml_parser *p, struct parser_mark m)
{
    p->ls = m.ls;
    p->le = m.le;
    p->next = m.next;
    p->pos = m.pos;
    p->line = m.line;
}

/* Scans a single- or double-quoted scalar starting at the cursor into out. With multiline, a
 * line break folds into a space (or into '\n's for empty lines), as YAML flow scalars do. */
static int scan_quoted(struct yaml_parser *p, struct strbuf *out, bool multiline)
{
    struct parser_mark open = mark(p);
    char q = cur(p);
    const char *what = q == '"' ? "double-quoted" : "single-quoted";
    size_t keep = out->len;     /* trailing whitespace past this is trimmed at a line break */
    bool escaped_break = false;
    p->pos++;
    for (;;) {
        if (p->pos == p->le) {
            if (!multiline) {
                restore(p, open);
                return fail(p, "%s string is not closed on this line (inside [...], {...} and keys "
                            "a string must end on its line)", what);
            }
            out->len = keep;
            if (out->data)
                out->data[keep] = '\0';
            int empty = 0;
            next_line(p);
            for (; !at_eof(p); next_line(p)) {
                skip_spaces(p);
                if (p->pos < p->le)
                    break;
                empty++;
            }
            if (at_eof(p)) {
                restore(p, open);
                return fail(p, "%s string is never closed", what);
            }
            if (empty == 0 && !escaped_break)
                strbuf_putc(out, ' ');
            for (int k = 0; k < empty; k++)
                strbuf_putc(out, '\n');
            escaped_break = false;
            keep = out->len;
            continue;
        }
        char c = cur(p);
        if (c == q) {
            if (q == '\'' && char_at(p, p->pos + 1) == '\'') {
                strbuf_putc(out, '\'');
                p->pos += 2;
                keep = out->len;
                continue;
            }
            p->pos++;
            break;
        }
        if (q == '"' && c == '\\') {
            if (p->pos + 1 == p->le && multiline) {
                escaped_break = true;
                keep = out->len;
                p->pos++;
                continue;
            }
            if (decode_escape(p, out) != 0)
                return -1;
            keep = out->len;
            continue;
        }
        strbuf_putc(out, c);
        p->pos++;
        if (!is_space(c))
            keep = out->len;
    }
    if (out->failed)
        return fail(p, "out of memory");
    return 0;
}

static bool all_digits(const char *s, const char *end, int base)
{
    if (s == end)
        return false;
    for (; s < end; s++) {
        char c = *s;
        bool ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                : base == 8 ? (c >= '0' && c <= '7') : (c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? - the YAML 1.2 core int and float forms. */
static bool is_decimal(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t lead = strspn(s, "0123456789");
    s += lead;
    size_t frac = 0;
    if (*s == '.') {
        s++;
        frac = strspn(s, "0123456789");
        s += frac;
    }
    if (lead == 0 && frac == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t exp = strspn(s, "0123456789");
        if (exp == 0)
            return false;
        s += exp;
    }
    return *s == '\0';
}

static bool is_one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

/* Types a plain scalar the way the YAML 1.2 core schema does. */
static cJSON *resolve_plain(struct yaml_parser *p, const char *s)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
    static const char *const trues[] = { "true", "True", "TRUE", NULL };
    static const char *const falses[] = { "false", "False", "FALSE", NULL };
    static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                            "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
    if (is_one_of(s, nulls))
        return made(p, cJSON_CreateNull());
    if (is_one_of(s, trues))
        return made(p, cJSON_CreateTrue());
    if (is_one_of(s, falses))
        return made(p, cJSON_CreateFalse());
    if (is_one_of(s, specials)) {
        fail(p, "infinity and NaN cannot be represented in JSON; quote the value for a string");
        return NULL;
    }
    size_t n = strlen(s);
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        int base = s[1] == 'x' ? 16 : 8;
        if (all_digits(s + 2, s + n, base)) {
            errno = 0;
            unsigned long long v = strtoull(s + 2, NULL, base);
            if (errno == 0)
                return made(p, cJSON_CreateNumber((double)v));
            fail(p, "number is too large; quote the value for a string");
            return NULL;
        }
    } else if (is_decimal(s)) {
        double v = strtod(s, NULL);
        if (isfinite(v))
            return made(p, cJSON_CreateNumber(v));
        fail(p, "number is too large for JSON; quote the value for a string");
        return NULL;
    }
    return made(p, cJSON_CreateString(s));
}

static cJSON *string_node(struct yaml_parser *p, struct strbuf *sb)
{
    if (sb->failed) {
        fail(p, "out of memory");
        return NULL;
    }
    return made(p, cJSON_CreateString(strbuf_cstr(sb)));
}

/* Scans the plain text from the cursor to the line end or a comment, appending it trimmed.
 * Returns 1 if a comment ended it, 0 if the line did, -1 on ": " inside (a key in a value). */
static int plain_line(struct yaml_parser *p, struct strbuf *sb)
{
    size_t start = p->pos, end = p->pos;
    int comment = 0;
    for (; p->pos < p->le; p->pos++) {
        char c = p->text[p->pos];
        if (c == '#' && p->pos > start && is_space(p->text[p->pos - 1])) {
            comment = 1;
            break;
        }
        if (c == ':' && sep_at(p, p->pos + 1))
            return fail(p, "\": \" inside a plain value (a key where a value was expected?); "
                        "check the indentation, or quote the value");
        if (!is_space(c))
            end = p->pos + 1;
    }
    strbuf_append(sb, p->text + start, end - start);
    return comment;
}

/* A plain scalar, possibly continued on more-indented lines (folded with spaces). */
static cJSON *parse_plain(struct yaml_parser *p, int parent, bool force_string)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    int r = plain_line(p, &sb);
    while (r == 0) {
        struct parser_mark last = mark(p);
        int empty = 0;
        next_line(p);
        for (; !at_eof(p); next_line(p), empty++) {
            skip_spaces(p);
            if (p->pos < p->le)
                break;
        }
        size_t indent = 0;
        while (p->ls + indent < p->le && p->text[p->ls + indent] == ' ')
            indent++;
        if (at_eof(p) || is_doc_marker(p) || (int)indent <= parent || cur(p) == '#') {
            restore(p, last);
            break;
        }
        if (empty == 0)
            strbuf_putc(&sb, ' ');
        for (int k = 0; k < empty; k++)
            strbuf_putc(&sb, '\n');
        r = plain_line(p, &sb);
    }
    cJSON *node = NULL;
    if (r >= 0 && !sb.failed)
        node = force_string ? string_node(p, &sb) : resolve_plain(p, strbuf_cstr(&sb));
    else if (r >= 0)
        fail(p, "out of memory");
    if (node)
        next_line(p);
    strbuf_free(&sb);
    return node;
}

/* Literal (|) and folded (>) block scalars with chomping (-, +) and indentation (1-9). */
static cJSON *parse_block_scalar(struct yaml_parser *p, int parent)
{
    bool folded = cur(p) == '>';
    int chomp = 0, explicit_indent = 0;
    p->pos++;
    for (int k = 0; k < 2; k++) {
        char c = cur(p);
        if ((c == '-' || c == '+') && chomp == 0)
            chomp = c == '-' ? -1 : 1;
        else if (c >= '1' && c <= '9' && explicit_indent == 0)
            explicit_indent = c - '0';
        else
            break;
        p->pos++;
    }
    if (!sep_at(p, p->pos) || !rest_is_empty(p)) {
        fail(p, "unexpected text after a block scalar header (%c, then optionally - or +, an "
             "indentation digit and a comment)", folded ? '>' : '|');
        return NULL;
    }
    next_line(p);
    int indent = explicit_indent ? parent + explicit_indent : -1;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    bool any = false, prev_more = false, last_break = false;
    int pending = 0;
    for (; !at_eof(p); next_line(p)) {
        if (indent <= 0 && is_doc_marker(p))
            break;
        size_t sp = 0;
        while (p->ls + sp < p->le && p->text[p->ls + sp] == ' ')
            sp++;
        size_t ws = sp;
        while (p->ls + ws < p->le && is_space(p->text[p->ls + ws]))
            ws++;
        bool blank = p->ls + ws == p->le;
        bool has_break = p->next > p->le;   /* only the last line of the input may lack one */
        if (p->ls + sp == p->le && (indent < 0 || (int)sp <= indent)) {
            pending += has_break;
            continue;
        }
        if (indent < 0) {
            if ((int)sp <= parent)
                break;
            indent = (int)sp;
        }
        if ((int)sp < indent) {
            if (!blank)
                break;
            pending += has_break;   /* tolerated: a less indented line of spaces and tabs */
            continue;
        }
        last_break = has_break;
        const char *text = p->text + p->ls + indent;
        size_t n = p->le - p->ls - (size_t)indent;
        bool more = n > 0 && is_space(text[0]);
        if (!any || !folded) {
            if (any)
                strbuf_putc(&sb, '\n');
            for (int k = 0; k < pending; k++)
                strbuf_putc(&sb, '\n');
        } else if (!prev_more && !more) {
            if (pending == 0)
                strbuf_putc(&sb, ' ');
            for (int k = 0; k < pending; k++)
                strbuf_putc(&sb, '\n');
        } else {
            for (int k = 0; k <= pending; k++)
                strbuf_putc(&sb, '\n');
        }
        strbuf_append(&sb, text, n);
        any = true;
        prev_more = more;
        pending = 0;
    }
    if (chomp >= 0 && any && last_break)
        strbuf_putc(&sb, '\n');
    for (int k = 0; chomp > 0 && k < pending; k++)
        strbuf_putc(&sb, '\n');
    p->pos = p->ls;
    cJSON *node = string_node(p, &sb);
    strbuf_free(&sb);
    return node;
}

/* ---- flow collections (one line) ---- */

static cJSON *parse_flow(struct yaml_parser *p, int depth);

static bool is_flow_indicator(char c)
{
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* A plain scalar inside [...] or {...}: ends at , [ ] { }, " #" or ": ". */
static int flow_plain(struct yaml_parser *p, struct strbuf *sb)
{
    size_t start = p->pos, end = p->pos;
    for (; p->pos < p->le; p->pos++) {
        char c = p->text[p->pos];
        if (is_flow_indicator(c))
            break;
        if (c == '#' && p->pos > start && is_space(p->text[p->pos - 1]))
            break;
        if (c == ':' && (sep_at(p, p->pos + 1) || is_flow_indicator(char_at(p, p->pos + 1))))
            break;
        if (!is_space(c))
            end = p->pos + 1;
    }
    if (end == start)
        return fail(p, "expected a value");
    strbuf_append(sb, p->text + start, end - start);
    return 0;
}

/* Refuses what a node cannot start with in this subset; 0 if the cursor is fine. */
static int check_node_start(struct yaml_parser *p, bool flow)
{
    char c = cur(p);
    switch (c) {
    case '&': return fail(p, "anchors (&name) are not supported; write the value out");
    case '*': return fail(p, "aliases (*name) are not supported; write the value out");
    case '!': return fail(p, "tags are not supported (only !!str before a scalar)");
    case '%': case '@': case '`':
        return fail(p, "a plain value cannot start with '%c'; quote it", c);
    case ',': case ']': case '}':
        return fail(p, "unexpected '%c'", c);
    case '|': case '>':
        return flow ? fail(p, "block scalars (| or >) cannot be used inside [...] or {...}") : 0;
    case '?':
        return sep_at(p, p->pos + 1) ? fail(p, "complex keys (\"? \") are not supported") : 0;
    case '-':
        if (!sep_at(p, p->pos + 1))
            return 0;
        return flow ? fail(p, "\"- \" cannot start a value inside [...] or {...}")
                    : fail(p, "a block sequence cannot start on the same line as its key; "
                           "put \"- ...\" on the next line");
    case ':':
        return sep_at(p, p->pos + 1) ? fail(p, "a mapping key is empty") : 0;
    default:
        return 0;
    }
}

/* One node inside a flow collection: a nested collection, a quoted or a plain scalar. */
static cJSON *parse_flow_node(struct yaml_parser *p, int depth)
{
    char c = cur(p);
    if (c == '[' || c == '{')
        return parse_flow(p, depth);
    if (check_node_start(p, true) != 0)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb, 0);
    cJSON *node = NULL;
    if (c == '"' || c == '\'') {
        if (scan_quoted(p, &sb, false) == 0)
            node = string_node(p, &sb);
    } else if (flow_plain(p, &sb) == 0) {
        node = sb.failed ? made(p, NULL) : resolve_plain(p, strbuf_cstr(&sb));
    }
    strbuf_free(&sb);
    return node;
}

static int flow_key(struct yaml_parser *p, struct strbuf *key)
{
    char c = cur(p);
    if (c == '[' || c == '{')
        return fail(p, "complex keys (a collection as a key) are not supported");
    if (check_node_start(p, true) != 0)
        return -1;
    if (c == '"' || c == '\'')
        return scan_quoted(p, key, false);
    return flow_plain(p, key);
}

static cJSON *parse_flow(struct yaml_parser *p, int depth)
{
    if (depth >= YAML_MAX_DEPTH) {
        fail(p, "nested deeper than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    bool is_map = cur(p) == '{';
    char close = is_map ? '}' : ']';
    cJSON *node = made(p, is_map ? cJSON_CreateObject() : cJSON_CreateArray());
    struct strbuf key;
    strbuf_init(&key, 0);
    struct key_list keys = { 0 };
    p->pos++;
    while (node && !p->failed) {
        skip_spaces(p);
        if (p->pos == p->le || (cur(p) == '#' && is_space(char_at(p, p->pos - 1)))) {
            fail(p, "'%c' is not closed on this line; multi-line [...] and {...} are not supported",
                 is_map ? '{' : '[');
            break;
        }
        if (cur(p) == close) {
            p->pos++;
            break;
        }
        cJSON *item = NULL;
        if (is_map) {
            strbuf_reset(&key);
            if (flow_key(p, &key) != 0)
                break;
            skip_spaces(p);
            if (cur(p) == ':') {
                p->pos++;
                skip_spaces(p);
                item = cur(p) == ',' || cur(p) == '}' ? made(p, cJSON_CreateNull())
                                                      : parse_flow_node(p, depth + 1);
            } else {
                item = made(p, cJSON_CreateNull());
            }
            if (item == NULL)
                break;
            if (key.failed || !cJSON_AddItemToObject(node, strbuf_cstr(&key), item)) {
                cJSON_Delete(item);
                fail(p, "out of memory");
                break;
            }
            if (keys_add(p, &keys, item->string, p->line) != 0)
                break;
        } else {
            item = parse_flow_node(p, depth + 1);
            if (item == NULL)
                break;
            cJSON_AddItemToArray(node, item);
            skip_spaces(p);
            if (cur(p) == ':') {
                fail(p, "a \"key: value\" pair inside [...] is not supported; use [{key: value}]");
                break;
            }
        }
        skip_spaces(p);
        if (cur(p) == ',')
            p->pos++;
        else if (cur(p) != close && p->pos < p->le)
            fail(p, "expected ',' or '%c'", close);
    }
    if (!p->failed)
        keys_check(p, &keys);
    keys_free(&keys);
    strbuf_free(&key);
    if (p->failed) {
        cJSON_Delete(node);
        return NULL;
    }
    return node;
}

/* ---- block structure ---- */

static cJSON *parse_block_node(struct yaml_parser *p, int col, int parent, int depth);

/* After a quoted scalar or a flow collection only a comment may follow on the line. */
static int end_of_value_line(struct yaml_parser *p)
{
    if (!rest_is_empty(p)) {
        if (cur(p) == ':')
            return fail(p, "a mapping key is not allowed here (check the indentation)");
        return fail(p, "unexpected text after the value");
    }
    next_line(p);
    return 0;
}

/* A value that starts at the cursor and is not a block collection: a scalar of any style, or
 * a one-line flow collection. parent is the indentation of the enclosing block. */
static cJSON *parse_value(struct yaml_parser *p, int parent, int depth)
{
    bool force_string = false;
    if (cur(p) == '!' && p->le - p->pos >= 5 && memcmp(p->text + p->pos, "!!str", 5) == 0
        && sep_at(p, p->pos + 5)) {
        p->pos += 5;
        if (rest_is_empty(p)) {
            fail(p, "!!str needs its value on the same line");
            return NULL;
        }
        force_string = true;
    }
    if (check_node_start(p, false) != 0)
        return NULL;
    char c = cur(p);
    if (c == '|' || c == '>')
        return parse_block_scalar(p, parent);
    if (c == '[' || c == '{') {
        if (force_string) {
            fail(p, "!!str applies to scalars, not to [...] or {...}");
            return NULL;
        }
        cJSON *node = parse_flow(p, depth);
        if (node && end_of_value_line(p) != 0) {
            cJSON_Delete(node);
            return NULL;
        }
        return node;
    }
    if (c == '"' || c == '\'') {
        struct strbuf sb;
        strbuf_init(&sb, 0);
        cJSON *node = NULL;
        if (scan_quoted(p, &sb, true) == 0 && end_of_value_line(p) == 0)
            node = string_node(p, &sb);
        strbuf_free(&sb);
        return node;
    }
    return parse_plain(p, parent, force_string);
}

/* The value of `key:` or `-` with nothing after it: a node on the following, more indented
 * lines; for a key also a sequence at the key's own indentation ("compact" form); else null. */
static cJSON *parse_block_value(struct yaml_parser *p, int indent, bool compact, int depth)
{
    int ind = skip_blank(p);
    if (p->failed)
        return NULL;
    if (ind > indent)
        return parse_block_node(p, ind, indent, depth);
    if (ind == indent && compact && is_seq_entry(p))
        return parse_block_node(p, ind, indent, depth);
    return made(p, cJSON_CreateNull());
}

static cJSON *parse_block_seq(struct yaml_parser *p, int indent, int depth)
{
    if (depth >= YAML_MAX_DEPTH) {
        fail(p, "nested deeper than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    cJSON *seq = made(p, cJSON_CreateArray());
    while (seq) {
        p->pos++;   /* the '-' */
        if (cur(p) == '\t') {
            fail(p, "a tab after '-'; use a space");
            break;
        }
        cJSON *item;
        if (rest_is_empty(p)) {
            next_line(p);
            item = parse_block_value(p, indent, false, depth + 1);
        } else {
            item = parse_block_node(p, (int)(p->pos - p->ls), indent, depth + 1);
        }
        if (item == NULL)
            break;
        cJSON_AddItemToArray(seq, item);
        int ind = skip_blank(p);
        if (p->failed)
            break;
        if (ind > indent) {
            fail(p, "unexpected indentation (this list's \"- \" entries are at column %d)", indent + 1);
            break;
        }
        if (ind < indent || !is_seq_entry(p))
            break;
    }
    if (p->failed) {
        cJSON_Delete(seq);
        return NULL;
    }
    return seq;
}

static int parse_key(struct yaml_parser *p, size_t colon, struct strbuf *key)
{
    if (check_node_start(p, false) != 0)
        return -1;
    char c = cur(p);
    if (c == '"' || c == '\'') {
        if (scan_quoted(p, key, false) != 0)
            return -1;
    } else {
        size_t end = colon;
        while (end > p->pos && is_space(p->text[end - 1]))
            end--;
        strbuf_append(key, p->text + p->pos, end - p->pos);
    }
    p->pos = colon + 1;
    if (key->failed)
        return fail(p, "out of memory");
    return 0;
}

static cJSON *parse_block_map(struct yaml_parser *p, int indent, int depth)
{
    if (depth >= YAML_MAX_DEPTH) {
        fail(p, "nested deeper than %d levels", YAML_MAX_DEPTH);
        return NULL;
    }
    cJSON *map = made(p, cJSON_CreateObject());
    struct strbuf key;
    strbuf_init(&key, 0);
    struct key_list keys = { 0 };
    while (map) {
        size_t colon = 0;
        if (is_seq_entry(p)) {
            fail(p, "a \"- \" entry where a key was expected (check the indentation)");
            break;
        }
        if (cur(p) == '?' && sep_at(p, p->pos + 1)) {
            fail(p, "complex keys (\"? \") are not supported");
            break;
        }
        if (!find_key(p, &colon)) {
            fail(p, "expected \"key: value\" here (check the indentation)");
            break;
        }
        int key_line = p->line;
        strbuf_reset(&key);
        if (parse_key(p, colon, &key) != 0)
            break;
        cJSON *value;
        if (rest_is_empty(p)) {
            next_line(p);
            value = parse_block_value(p, indent, true, depth + 1);
        } else {
            value = parse_value(p, indent, depth + 1);
        }
        if (value == NULL)
            break;
        if (!cJSON_AddItemToObject(map, strbuf_cstr(&key), value)) {
            cJSON_Delete(value);
            fail(p, "out of memory");
            break;
        }
        if (keys_add(p, &keys, value->string, key_line) != 0)
            break;
        int ind = skip_blank(p);
        if (p->failed || ind < indent)
            break;
        if (ind > indent) {
            fail(p, "unexpected indentation (this mapping's keys are at column %d)", indent + 1);
            break;
        }
    }
    if (!p->failed)
        keys_check(p, &keys);
    keys_free(&keys);
    strbuf_free(&key);
    if (p->failed) {
        cJSON_Delete(map);
        return NULL;
    }
    return map;
}

/* Any node whose first character is at the cursor, at column col of a line start or after
 * "- "; block collections found here take col as their indentation. */
static cJSON *parse_block_node(struct yaml_parser *p, int col, int parent, int depth)
{
    size_t colon;
    if (is_seq_entry(p))
        return parse_block_seq(p, col, depth);
    char c = cur(p);
    if (c != '&' && c != '*' && c != '!' && find_key(p, &colon))
        return parse_block_map(p, col, depth);
    return parse_value(p, parent, depth);
}

/* ---- documents ---- */

/* One document: an optional `---`, one node, then only comments, `...` or an empty `---`. */
static cJSON *parse_document(struct yaml_parser *p)
{
    cJSON *root = NULL;
    int ind = skip_blank(p);
    if (p->failed)
        return NULL;
    if (ind < 0 && !at_eof(p) && p->text[p->ls] == '-') {
        p->pos = p->ls + 3;
        if (!rest_is_empty(p)) {
            /* `--- {a: 1}` or `--- |`: a flow or scalar node may share the marker's line. */
            size_t colon;
            if (is_seq_entry(p) || find_key(p, &colon)) {
                fail(p, "put the object on the line after \"---\"");
                return NULL;
            }
            ind = -1;
            root = parse_value(p, -1, 0);
        } else {
            next_line(p);
            ind = skip_blank(p);
            if (p->failed)
                return NULL;
        }
    }
    if (root == NULL && p->failed)
        return NULL;
    if (root == NULL && ind == 0 && cur(p) == '%') {
        fail(p, "YAML directives (%%YAML, %%TAG) are not supported");
        return NULL;
    }
    if (root == NULL && ind < 0) {
        fail_at_line(p, p->line, "no object in the input (the YAML document is empty)");
        return NULL;
    }
    if (root == NULL)
        root = parse_block_node(p, ind, -1, 0);
    int marker_line = 0;
    while (root) {
        ind = skip_blank(p);
        if (p->failed)
            break;
        if (ind >= 0) {
            if (marker_line)
                fail_at_line(p, marker_line, "a second YAML document starts here; schemagate review "
                             "takes one object at a time (split the file)");
            else
                fail(p, "unexpected content after the object (check the indentation)");
            break;
        }
        if (at_eof(p))
            break;
        int line = p->line;
        p->pos = p->ls + 3;
        if (!rest_is_empty(p)) {
            fail_at_line(p, line, "a second YAML document starts here; schemagate review takes one "
                         "object at a time (split the file)");
            break;
        }
        if (marker_line == 0)
            marker_line = line;
        next_line(p);
    }
    if (p->failed) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static int line_at(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

/* YAML (and JSON) allow no control characters but tab and line breaks; a lone carriage return
 * would be a line break to YAML and not to this reader, so it is refused too. */
static int check_characters(const char *text, size_t len, struct sg_error *err)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20)
            continue;
        if (c == '\t' || c == '\n' || (c == '\r' && i + 1 < len && text[i + 1] == '\n'))
            continue;
        int line = line_at(text, i);
        if (c == 0)
            return sg_error_set(err, "line %d: a NUL byte in the input", line);
        if (c == '\r')
            return sg_error_set(err, "line %d: a carriage return not followed by a line feed", line);
        return sg_error_set(err, "line %d: control character 0x%02x in the input; YAML and JSON "
                            "do not allow it (escape it inside a double-quoted string)", line, c);
    }
    return 0;
}

static cJSON *yaml_parse(const char *text, size_t len, struct sg_error *err)
{
    struct yaml_parser p = { .text = text, .len = len, .line = 1, .err = err };
    load_line(&p, 0);
    cJSON *root = parse_document(&p);
    if (root == NULL && !p.failed)
        sg_error_set(err, "out of memory");
    return root;
}

cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (check_characters(text, len, err) != 0)
        return NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len) {
        sg_error_set(err, "input is empty");
        return NULL;
    }
    if (text[i] != '{' && text[i] != '[')
        return yaml_parse(text, len, err);
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc) {
        size_t rest = (size_t)(end - text);
        while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\n' || text[rest] == '\r'))
            rest++;
        if (rest == len)
            return doc;
        cJSON_Delete(doc);
        sg_error_set(err, "line %d: unexpected content after the JSON value (one object at a time)",
                     line_at(text, rest));
        return NULL;
    }
    /* Not JSON: it may still be a one-line YAML flow collection such as {a: 1}. */
    size_t off = end && end >= text ? (size_t)(end - text) : 0;
    struct sg_error yaml_err = {{0}};
    doc = yaml_parse(text, len, &yaml_err);
    if (doc == NULL)
        sg_error_set(err, "line %d: not valid JSON (nor YAML: %s)", line_at(text, off), yaml_err.message);
    return doc;
}
