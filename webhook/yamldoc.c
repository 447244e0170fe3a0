/* yamldoc.c - YAML streams read with libyaml's event parser into cJSON documents.
 * libyaml does the syntax (YAML 1.1 scanner); this file does the meaning, as Kubernetes needs
 * it: plain scalars typed by the YAML 1.2 core schema (`yes` stays a string, `"5432"` too),
 * keys kept as written, duplicate keys refused, anchors/aliases expanded within a node budget,
 * `<<` merge keys, and everything JSON cannot hold (NaN, NUL, complex keys, other tags) refused
 * with its line. */
#include "yamldoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_MAP "tag:yaml.org,2002:map"
#define TAG_SEQ "tag:yaml.org,2002:seq"

struct key_seen {
    const char *key;   /* the member's string (owned by the cJSON tree) */
    int line;
};

struct frame {
    cJSON *node;            /* the mapping or sequence being built */
    bool is_map;
    char *anchor;           /* owned: registered when the collection ends */
    char *key;              /* owned: a mapping's pending key, NULL when a key comes next */
    int key_line;
    bool key_is_merge;      /* the pending key is `<<` */
    struct key_seen *keys;  /* a mapping's keys, checked for duplicates when it ends */
    size_t nkeys, capkeys;
    cJSON *merges;          /* owned array of mappings merged in with `<<`, or NULL */
    int line;
};

struct anchor {
    char *name;
    cJSON *node;        /* owned copy of the anchored node */
    size_t nodes;       /* values in it, charged on every alias */
    int depth;          /* its nesting depth */
};

struct yd {
    struct sg_error *err;
    bool failed;
    struct frame stack[YAMLDOC_MAX_DEPTH + 1];
    int depth;
    cJSON *root;
    int root_line;
    struct anchor *anchors;
    size_t nanchors, capanchors;
    size_t alias_nodes;     /* values created by alias expansion so far */
    struct line_map *lines; /* where values were read, or NULL */
};

static int failf(struct yd *p, const yaml_mark_t *m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int failf(struct yd *p, const yaml_mark_t *m, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = true;
    char msg[SG_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m)
        return sg_error_set(p->err, "line %zu, column %zu: %s", m->line + 1, m->column + 1, msg);
    return sg_error_set(p->err, "%s", msg);
}

/* ---- scalars: the YAML 1.2 core schema ---- */

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

static cJSON *made(struct yd *p, const yaml_mark_t *m, cJSON *node)
{
    if (node == NULL)
        failf(p, m, "out of memory");
    return node;
}

static cJSON *resolve_plain(struct yd *p, const yaml_mark_t *m, const char *s)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
    static const char *const trues[] = { "true", "True", "TRUE", NULL };
    static const char *const falses[] = { "false", "False", "FALSE", NULL };
    static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                            "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
    /* most plain scalars are words: only these first characters can start a special one */
    bool maybe_special = s[0] == '\0' || strchr("~nNtTfF.+-", s[0]) != NULL;
    if (maybe_special) {
        if (is_one_of(s, nulls))
            return made(p, m, cJSON_CreateNull());
        if (is_one_of(s, trues))
            return made(p, m, cJSON_CreateTrue());
        if (is_one_of(s, falses))
            return made(p, m, cJSON_CreateFalse());
        if (is_one_of(s, specials)) {
            failf(p, m, "infinity and NaN cannot be represented in JSON; quote the value for a string");
            return NULL;
        }
    }
    size_t n = strlen(s);
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        int base = s[1] == 'x' ? 16 : 8;
        if (all_digits(s + 2, s + n, base)) {
            errno = 0;
            unsigned long long v = strtoull(s + 2, NULL, base);
            if (errno == 0)
                return made(p, m, cJSON_CreateNumber((double)v));
            failf(p, m, "number is too large; quote the value for a string");
            return NULL;
        }
    } else if (is_decimal(s)) {
        double v = strtod(s, NULL);
        if (isfinite(v))
            return made(p, m, cJSON_CreateNumber(v));
        failf(p, m, "number is too large for JSON; quote the value for a string");
        return NULL;
    }
    return made(p, m, cJSON_CreateString(s));
}

/* A tag is fine when absent, non-specific ("!", what quoting implies) or the expected one. */
static bool tag_ok(const yaml_char_t *tag, const char *expected)
{
    return tag == NULL || strcmp((const char *)tag, "!") == 0 || strcmp((const char *)tag, expected) == 0;
}

static int refuse_tag(struct yd *p, const yaml_mark_t *m, const yaml_char_t *tag)
{
    return failf(p, m, "tags other than !!str are not supported (found %.64s); remove the tag, "
                 "or quote the value for a string", (const char *)tag);
}

/* ---- anchors ---- */

static size_t count_nodes(const cJSON *n)
{
    size_t count = 1;
    for (const cJSON *c = n->child; c; c = c->next)
        count += count_nodes(c);
    return count;
}

static int node_depth(const cJSON *n)
{
    int d = 0;
    for (const cJSON *c = n->child; c; c = c->next) {
        int cd = node_depth(c);
        if (cd > d)
            d = cd;
    }
    return n->child ? d + 1 : 0;
}

static void anchors_free(struct yd *p)
{
    for (size_t i = 0; i < p->nanchors; i++) {
        free(p->anchors[i].name);
        cJSON_Delete(p->anchors[i].node);
    }
    free(p->anchors);
    p->anchors = NULL;
    p->nanchors = p->capanchors = 0;
}

/* Remembers a copy of node under name (a later anchor of the same name replaces it). */
static int anchor_register(struct yd *p, const yaml_mark_t *m, const char *name, const cJSON *node)
{
    cJSON *copy = cJSON_Duplicate(node, 1);
    char *dup = strdup(name);
    if (copy == NULL || dup == NULL) {
        cJSON_Delete(copy);
        free(dup);
        return failf(p, m, "out of memory");
    }
    for (size_t i = 0; i < p->nanchors; i++)
        if (strcmp(p->anchors[i].name, name) == 0) {
            free(p->anchors[i].name);
            cJSON_Delete(p->anchors[i].node);
            p->anchors[i] = (struct anchor){ dup, copy, count_nodes(copy), node_depth(copy) };
            return 0;
        }
    if (p->nanchors == p->capanchors) {
        size_t cap = p->capanchors ? p->capanchors * 2 : 8;
        struct anchor *a = realloc(p->anchors, cap * sizeof *a);
        if (a == NULL) {
            cJSON_Delete(copy);
            free(dup);
            return failf(p, m, "out of memory");
        }
        p->anchors = a;
        p->capanchors = cap;
    }
    p->anchors[p->nanchors++] = (struct anchor){ dup, copy, count_nodes(copy), node_depth(copy) };
    return 0;
}

/* Copies (alias expansions, merged members) were never read themselves: their values get the
 * line of what made them, so no stale entry of a freed node can answer for them. */
static int mark_copy(struct yd *p, const yaml_mark_t *m, const cJSON *node, int line)
{
    for (const cJSON *c = node->child; c; c = c->next)
        if (line_map_put(p->lines, c, line) != 0 || mark_copy(p, m, c, line) != 0)
            return failf(p, m, "out of memory");
    return 0;
}

/* A fresh copy of the anchored node, charged against the expansion budget. */
static cJSON *alias_expand(struct yd *p, const yaml_mark_t *m, const char *name)
{
    for (size_t i = p->nanchors; i-- > 0;) {
        struct anchor *a = &p->anchors[i];
        if (strcmp(a->name, name) != 0)
            continue;
        if (a->nodes > YAMLDOC_MAX_ALIAS_NODES - p->alias_nodes) {
            failf(p, m, "aliases expand to more than %u values (an alias bomb?); refused: write "
                  "the repeated parts out, or alias smaller parts", YAMLDOC_MAX_ALIAS_NODES);
            return NULL;
        }
        if (p->depth + a->depth >= YAMLDOC_MAX_DEPTH) {
            failf(p, m, "alias *%.64s nests deeper than %d levels", name, YAMLDOC_MAX_DEPTH);
            return NULL;
        }
        p->alias_nodes += a->nodes;
        cJSON *copy = made(p, m, cJSON_Duplicate(a->node, 1));
        if (copy && p->lines && mark_copy(p, m, copy, (int)m->line + 1) != 0) {
            cJSON_Delete(copy);
            return NULL;
        }
        return copy;
    }
    failf(p, m, "alias *%.64s names no anchor defined before it (an anchor &%.64s must come first, "
          "in the same document, outside the aliased node)", name, name);
    return NULL;
}

/* ---- collections ---- */

static void frame_free(struct frame *f)
{
    cJSON_Delete(f->node);
    free(f->anchor);
    free(f->key);
    free(f->keys);
    cJSON_Delete(f->merges);
    memset(f, 0, sizeof *f);
}

static int keys_add(struct yd *p, const yaml_mark_t *m, struct frame *f, const char *key, int line)
{
    if (f->nkeys == f->capkeys) {
        size_t cap = f->capkeys ? f->capkeys * 2 : 8;
        struct key_seen *k = realloc(f->keys, cap * sizeof *k);
        if (k == NULL)
            return failf(p, m, "out of memory");
        f->keys = k;
        f->capkeys = cap;
    }
    f->keys[f->nkeys++] = (struct key_seen){ key, line };
    return 0;
}

static int key_seen_cmp(const void *a, const void *b)
{
    const struct key_seen *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static bool key_present(const struct frame *f, const char *key)
{
    struct key_seen probe = { key, 0 };
    size_t lo = 0, hi = f->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->keys[mid].key, probe.key);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* A mapping is complete: duplicates refused, then `<<` sources merged (explicit keys win, and
 * an earlier source wins over a later one). */
static int map_finish(struct yd *p, const yaml_mark_t *m, struct frame *f)
{
    if (f->nkeys > 1)
        qsort(f->keys, f->nkeys, sizeof *f->keys, key_seen_cmp);
    for (size_t i = 1; i < f->nkeys; i++)
        if (strcmp(f->keys[i].key, f->keys[i - 1].key) == 0) {
            p->failed = true;
            return sg_error_set(p->err, "line %d: duplicate key \"%.64s\" (first on line %d); the "
                                "apiserver refuses it or keeps only the last one: remove one of them",
                                f->keys[i].line, f->keys[i].key, f->keys[i - 1].line);
        }
    if (f->merges == NULL)
        return 0;
    for (cJSON *src = f->merges->child; src; src = src->next)
        for (cJSON *c = src->child; c; c = c->next) {
            if (key_present(f, c->string) || cJSON_GetObjectItemCaseSensitive(f->node, c->string))
                continue;
            cJSON *copy = cJSON_Duplicate(c, 1);
            if (copy == NULL || !cJSON_AddItemToObject(f->node, c->string, copy)) {
                cJSON_Delete(copy);
                return failf(p, m, "out of memory");
            }
            if (p->lines && (line_map_put(p->lines, copy, f->line) != 0 || mark_copy(p, m, copy, f->line) != 0))
                return failf(p, m, "out of memory");
        }
    return 0;
}

/* Puts a finished value where it belongs: the document root, a sequence entry, a mapping's
 * value (or merge source). Takes ownership of node. */
static int place(struct yd *p, const yaml_mark_t *m, cJSON *node)
{
    if (p->lines && line_map_put(p->lines, node, (int)m->line + 1) != 0) {
        cJSON_Delete(node);
        return failf(p, m, "out of memory");
    }
    if (p->depth == 0) {
        p->root = node;
        p->root_line = (int)m->line + 1;
        return 0;
    }
    struct frame *f = &p->stack[p->depth - 1];
    if (!f->is_map) {
        if (!cJSON_AddItemToArray(f->node, node)) {
            cJSON_Delete(node);
            return failf(p, m, "out of memory");
        }
        return 0;
    }
    if (f->key_is_merge) {
        free(f->key);
        f->key = NULL;
        f->key_is_merge = false;
        if (keys_add(p, m, f, "<<", f->key_line) != 0) {   /* a second `<<` is a duplicate too */
            cJSON_Delete(node);
            return -1;
        }
        if (f->merges == NULL && (f->merges = cJSON_CreateArray()) == NULL) {
            cJSON_Delete(node);
            return failf(p, m, "out of memory");
        }
        if (cJSON_IsObject(node)) {
            cJSON_AddItemToArray(f->merges, node);
            return 0;
        }
        bool all_maps = cJSON_IsArray(node);
        for (cJSON *c = all_maps ? node->child : NULL; c; c = c->next)
            all_maps = all_maps && cJSON_IsObject(c);
        if (!all_maps) {
            cJSON_Delete(node);
            return failf(p, m, "a `<<` merge key takes a mapping or a list of mappings (usually "
                         "an alias such as <<: *defaults)");
        }
        while (node->child) {
            cJSON *c = cJSON_DetachItemViaPointer(node, node->child);
            cJSON_AddItemToArray(f->merges, c);
        }
        cJSON_Delete(node);
        return 0;
    }
    char *key = f->key;
    f->key = NULL;
    bool added = cJSON_AddItemToObject(f->node, key, node);
    free(key);
    if (!added || node->string == NULL) {
        if (!added)
            cJSON_Delete(node);
        return failf(p, m, "out of memory");
    }
    /* the member's name is cJSON's own copy; remember it for the duplicate check */
    return keys_add(p, m, f, node->string, f->key_line);
}

/* A scalar in key position: kept as written (`5432:` and `true:` are the strings). */
static int take_key(struct yd *p, const yaml_event_t *e, struct frame *f)
{
    const yaml_mark_t *m = &e->start_mark;
    const char *value = (const char *)e->data.scalar.value;
    size_t len = e->data.scalar.length;
    if (!tag_ok(e->data.scalar.tag, TAG_STR))
        return refuse_tag(p, m, e->data.scalar.tag);
    if (memchr(value, '\0', len))
        return failf(p, m, "a NUL character in a key cannot be represented");
    if (len == 0 && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return failf(p, m, "an empty key; give the key a name (or quote \"\" if you mean it)");
    f->key = strdup(value);
    if (f->key == NULL)
        return failf(p, m, "out of memory");
    f->key_line = (int)m->line + 1;
    f->key_is_merge = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(value, "<<") == 0;
    if (e->data.scalar.anchor)
        return failf(p, m, "anchors on keys are not supported; anchor the value instead");
    return 0;
}

static bool expecting_key(const struct yd *p)
{
    if (p->depth == 0)
        return false;
    const struct frame *f = &p->stack[p->depth - 1];
    return f->is_map && f->key == NULL && !f->key_is_merge;
}

static int on_scalar(struct yd *p, const yaml_event_t *e)
{
    const yaml_mark_t *m = &e->start_mark;
    if (expecting_key(p))
        return take_key(p, e, &p->stack[p->depth - 1]);
    const char *value = (const char *)e->data.scalar.value;
    size_t len = e->data.scalar.length;
    const yaml_char_t *tag = e->data.scalar.tag;
    if (memchr(value, '\0', len))
        return failf(p, m, "a NUL character (\\0) in a string cannot be represented in JSON");
    bool is_str_tag = tag && strcmp((const char *)tag, TAG_STR) == 0;
    if (!tag_ok(tag, TAG_STR))
        return refuse_tag(p, m, tag);
    cJSON *node = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !is_str_tag
                ? resolve_plain(p, m, value) : made(p, m, cJSON_CreateString(value));
    if (node == NULL)
        return -1;
    if (e->data.scalar.anchor && anchor_register(p, m, (const char *)e->data.scalar.anchor, node) != 0) {
        cJSON_Delete(node);
        return -1;
    }
    return place(p, m, node);
}

static int on_alias(struct yd *p, const yaml_event_t *e)
{
    const yaml_mark_t *m = &e->start_mark;
    if (expecting_key(p))
        return failf(p, m, "an alias as a key is not supported; write the key out");
    cJSON *node = alias_expand(p, m, (const char *)e->data.alias.anchor);
    return node ? place(p, m, node) : -1;
}

static int on_start(struct yd *p, const yaml_event_t *e, bool is_map)
{
    const yaml_mark_t *m = &e->start_mark;
    if (expecting_key(p))
        return failf(p, m, "complex keys (a mapping or list as a key, `? `) are not supported; "
                     "keys are strings");
    const yaml_char_t *tag = is_map ? e->data.mapping_start.tag : e->data.sequence_start.tag;
    const yaml_char_t *anchor = is_map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    if (!tag_ok(tag, is_map ? TAG_MAP : TAG_SEQ))
        return refuse_tag(p, m, tag);
    if (p->depth >= YAMLDOC_MAX_DEPTH)
        return failf(p, m, "nested deeper than %d levels", YAMLDOC_MAX_DEPTH);
    struct frame *f = &p->stack[p->depth];
    memset(f, 0, sizeof *f);
    f->is_map = is_map;
    f->line = (int)m->line + 1;
    f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (f->node == NULL)
        return failf(p, m, "out of memory");
    p->depth++;
    if (anchor && (f->anchor = strdup((const char *)anchor)) == NULL)
        return failf(p, m, "out of memory");
    return 0;
}

static int on_end(struct yd *p, const yaml_event_t *e)
{
    const yaml_mark_t *m = &e->start_mark;
    struct frame *f = &p->stack[p->depth - 1];
    if (f->is_map && map_finish(p, m, f) != 0)
        return -1;
    cJSON *node = f->node;
    f->node = NULL;
    yaml_mark_t start = { 0, (size_t)(f->line - 1), 0 };
    int rc = f->anchor ? anchor_register(p, m, f->anchor, node) : 0;
    frame_free(f);
    p->depth--;
    if (rc != 0) {
        cJSON_Delete(node);
        return -1;
    }
    return place(p, &start, node);
}

static void reset_document(struct yd *p)
{
    while (p->depth > 0)
        frame_free(&p->stack[--p->depth]);
    cJSON_Delete(p->root);
    p->root = NULL;
    anchors_free(p);
}

/* What libyaml says, with the line and a hint of what to do. */
static int syntax_error(struct yd *p, const yaml_parser_t *parser, const char *text, size_t len)
{
    const yaml_mark_t *m = parser->problem ? &parser->problem_mark : &parser->mark;
    const char *problem = parser->problem ? parser->problem : "not valid YAML";
    const char *hint = "check the indentation and quoting there";
    if (m->index < len && text[m->index] == '\t')
        hint = "a tab: YAML indents with spaces, not tabs";
    else if (strstr(problem, "mapping values are not allowed"))
        hint = "\": \" inside a plain value (a key where a value was expected?): check the "
               "indentation, or quote the value";
    else if (strstr(problem, "did not find expected key") || strstr(problem, "expected <block end>") ||
             strstr(problem, "expected '-' indicator"))
        hint = "unexpected content or indentation: check that this line lines up with its siblings";
    else if (strstr(problem, "cannot start any token"))
        hint = "quote the value (a plain value cannot start with this character)";
    else if (strstr(problem, "end of stream") || strstr(problem, "expected ',' or"))
        hint = "a quote or bracket is never closed";
    else if (parser->context && strstr(parser->context, "quoted scalar"))
        hint = "in double quotes, escape as JSON does (\\n, \\t, \\\", \\\\, \\uXXXX), or use single quotes";
    else if (parser->context && strstr(parser->context, "block scalar"))
        hint = "a block scalar header is | or > with an optional - or + and indentation digit";
    if (parser->context)
        return failf(p, m, "%s (%s that starts on line %zu): %s", problem, parser->context,
                     parser->context_mark.line + 1, hint);
    return failf(p, m, "%s: %s", problem, hint);
}

int yamldoc_parse_stream(const char *text, size_t len, struct line_map *lines, yamldoc_fn fn, void *ctx,
                         struct sg_error *err)
{
    struct yd p = { .err = err, .lines = lines };
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return sg_error_set(err, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    bool done = false;
    while (!done && !p.failed) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            syntax_error(&p, &parser, text, len);
            break;
        }
        switch (e.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            reset_document(&p);
            p.alias_nodes = 0;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (p.root && !cJSON_IsNull(p.root)) {
                cJSON *root = p.root;
                p.root = NULL;
                if (fn(ctx, root, p.root_line, err) != 0)
                    p.failed = true;
            }
            reset_document(&p);
            break;
        case YAML_SCALAR_EVENT: on_scalar(&p, &e); break;
        case YAML_ALIAS_EVENT: on_alias(&p, &e); break;
        case YAML_SEQUENCE_START_EVENT: on_start(&p, &e, false); break;
        case YAML_MAPPING_START_EVENT: on_start(&p, &e, true); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: on_end(&p, &e); break;
        default: break;
        }
        yaml_event_delete(&e);
    }
    reset_document(&p);
    yaml_parser_delete(&parser);
    return p.failed ? -1 : 0;
}
