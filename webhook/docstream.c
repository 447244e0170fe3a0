/* docstream.c - splitting review input into documents: JSON streams through the server's strict
 * parser (jsonarena, so both front ends accept the same JSON), YAML streams through yamldoc.c,
 * and the checks both share (characters JSON and YAML forbid, duplicate keys). */
#include "docstream.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonarena.h"
#include "yamldoc.h"

int doc_list_add(struct doc_list *l, cJSON *json, int line, struct sg_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct doc *items = realloc(l->items, cap * sizeof *items);
        if (items == NULL) {
            cJSON_Delete(json);
            return sg_error_set(err, "out of memory");
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = (struct doc){ json, line };
    return 0;
}

void doc_list_free(struct doc_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        cJSON_Delete(l->items[i].json);
    free(l->items);
    line_map_free(l->lines);
    memset(l, 0, sizeof *l);
}

static int line_at(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* YAML and JSON allow no control characters but tab and line breaks; a lone carriage return
 * is refused too (YAML reads it as a line break, most editors do not). */
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
            return sg_error_set(err, "line %d: a NUL byte in the input; is this a binary file?", line);
        if (c == '\r')
            return sg_error_set(err, "line %d: a carriage return not followed by a line feed", line);
        return sg_error_set(err, "line %d: control character 0x%02x in the input; YAML and JSON "
                            "do not allow it (escape it inside a double-quoted string)", line, c);
    }
    return 0;
}

/* ---- duplicate keys in a JSON tree ---- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first key that appears twice in one object anywhere in the tree, or NULL. */
static const char *duplicate_key(const cJSON *node, const char **scratch, size_t cap, bool *oom)
{
    if (cJSON_IsObject(node)) {
        size_t n = 0;
        for (const cJSON *c = node->child; c; c = c->next)
            n++;
        if (n > 1) {
            const char **names = n <= cap ? scratch : malloc(n * sizeof *names);
            if (names == NULL) {
                *oom = true;
                return NULL;
            }
            size_t i = 0;
            for (const cJSON *c = node->child; c; c = c->next)
                names[i++] = c->string;
            qsort(names, n, sizeof *names, name_cmp);
            const char *dup = NULL;
            for (i = 1; i < n && dup == NULL; i++)
                if (strcmp(names[i], names[i - 1]) == 0)
                    dup = names[i];
            if (names != scratch)
                free((void *)names);
            if (dup)
                return dup;
        }
    }
    for (const cJSON *c = node->child; c; c = c->next) {
        const char *dup = duplicate_key(c, scratch, cap, oom);
        if (dup || *oom)
            return dup;
    }
    return NULL;
}

/* ---- the line of every value of a JSON document ---- */

#define JSON_LINES_MAX_DEPTH 1001   /* jsonarena refuses more than 1000 open containers */

/* Past the whitespace at s[i], counting line breaks into *line. */
static size_t skip_ws_lines(const char *s, size_t n, size_t i, int *line)
{
    for (; i < n && is_ws(s[i]); i++)
        if (s[i] == '\n')
            (*line)++;
    return i;
}

/* Past the string or the number/literal at s[i] (JSON strings hold no line break). */
static size_t skip_scalar(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '"') {
        for (i++; i < n && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        return i < n ? i + 1 : n;
    }
    while (i < n && !is_ws(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
        i++;
    return i;
}

/* Past a member's `"key":` and the whitespace after it; n when the text has none there. */
static size_t skip_key(const char *s, size_t n, size_t i, int *line)
{
    i = skip_ws_lines(s, n, i, line);
    if (i >= n || s[i] != '"')
        return n;
    i = skip_ws_lines(s, n, skip_scalar(s, n, i), line);
    return i < n && s[i] == ':' ? i + 1 : n;
}

/* Records the line of every value of tree, which was parsed from s[0..n) (starting on `line`;
 * s is at offset base of the stream): one pass over the text in step with the tree, whose
 * members and elements are in text order. A value's line is where the value starts (`"name":
 * "x"`: the line of "x"). With starts set, only values at most max_depth levels down are
 * recorded, each with 1 + its offset in starts. Stops where text and tree disagree (they
 * cannot: the text was just parsed into the tree). -1 on out of memory. */
static int json_lines(const char *s, size_t n, size_t base, int line, const cJSON *tree, struct line_map *lines,
                      struct line_map *starts, int max_depth)
{
    const cJSON *open[JSON_LINES_MAX_DEPTH];
    int depth = 0;
    const cJSON *node = tree;
    size_t i = 0;
    for (;;) {
        /* at the start of node's value */
        i = skip_ws_lines(s, n, i, &line);
        if (i >= n || node == NULL)
            return 0;
        if (starts == NULL || depth <= max_depth) {
            if (line_map_put(lines, node, line) != 0)
                return -1;
            if (starts && line_map_put(starts, node, (int)(base + i + 1)) != 0)
                return -1;
        }
        char c = s[i];
        bool value_done = true;
        if (c == '{' || c == '[') {
            i = skip_ws_lines(s, n, i + 1, &line);
            if (i < n && (s[i] == '}' || s[i] == ']')) {
                i++;
            } else {
                if (depth == JSON_LINES_MAX_DEPTH || node->child == NULL)
                    return 0;
                open[depth++] = node;
                node = node->child;
                if (c == '{')
                    i = skip_key(s, n, i, &line);
                value_done = false;
            }
        } else {
            i = skip_scalar(s, n, i);
        }
        /* after a value: a comma and the next member, or closing brackets */
        while (value_done) {
            i = skip_ws_lines(s, n, i, &line);
            if (depth == 0 || i >= n)
                return 0;
            if (s[i] == ',') {
                node = node->next;
                i = cJSON_IsObject(open[depth - 1]) ? skip_key(s, n, i + 1, &line) : i + 1;
                value_done = false;
            } else {
                i++;
                node = open[--depth];
            }
        }
    }
}

/* The levels below a JSON document whose values get their lines up front when lines are read
 * on demand: the document, its members, and their elements (a List's items). */
#define JSON_LINES_EAGER_DEPTH 2

int doc_lines_complete(struct doc_lines *dl, const cJSON *node)
{
    if (dl == NULL || dl->starts == NULL)
        return 0;
    int start = line_map_get(dl->starts, node);
    if (start <= 0 || (size_t)(start - 1) >= dl->len)
        return 0;
    size_t off = (size_t)(start - 1);
    return json_lines(dl->text + off, dl->len - off, off, line_map_get(dl->lines, node), node, dl->lines, NULL, 0);
}

void doc_lines_clear(struct doc_lines *dl)
{
    if (dl == NULL)
        return;
    line_map_clear(dl->lines);
    line_map_clear(dl->starts);
}

/* ---- JSON streams ---- */

static size_t count_lines(const char *s, size_t n)
{
    size_t count = 0;
    for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        count++;
    return count;
}

/* What docstream_each hands its documents to. */
struct stream {
    struct doc_lines *dl;
    doc_split_fn split;
    doc_fn fn;
    void *ctx;
    int document;   /* documents handed over so far */
};

static void document_done(struct stream *st)
{
    st->document++;
    if (st->dl && st->dl->per_document)
        doc_lines_clear(st->dl);
}

/* Hands over a document the caller owns (taking it): whole, or its split array's elements
 * one by one (detached: their values' lines stay as recorded). */
static int hand_over(void *arg, cJSON *doc, int line, struct sg_error *err)
{
    struct stream *st = arg;
    cJSON *items = st->split ? st->split(doc) : NULL;
    int rc = 0;
    if (items == NULL) {
        struct doc_pos pos = { st->document, -1, line };
        rc = st->fn(st->ctx, doc, &pos, err);
    } else {
        for (int i = 0; rc == 0 && items->child; i++) {
            cJSON *item = cJSON_DetachItemFromArray(items, 0);
            int own = st->dl ? line_map_get(st->dl->lines, item) : 0;
            struct doc_pos pos = { st->document, i, own > 0 ? own : line };
            rc = st->fn(st->ctx, item, &pos, err);
        }
        cJSON_Delete(doc);
    }
    document_done(st);
    return rc ? -1 : 0;
}

/* Hands over the elements of items, an array in a tree parsed into an arena from text[at..end)
 * (starting on line), each as a copy of its own: the whole tree is never copied. Each copy gets
 * its element's line and text start (or, without starts, every value's line). */
static int hand_over_items(struct stream *st, const char *text, size_t at, size_t end, int line,
                           const cJSON *tree, const cJSON *items, struct sg_error *err)
{
    struct doc_lines *dl = st->dl;
    struct line_map *tl = dl ? line_map_create() : NULL, *ts = dl ? line_map_create() : NULL;
    int rc = 0;
    if (dl && (tl == NULL || ts == NULL || json_lines(text + at, end - at, at, line, tree, tl, ts,
                                                      JSON_LINES_EAGER_DEPTH) != 0))
        rc = sg_error_set(err, "out of memory");
    int i = 0;
    for (const cJSON *e = items->child; rc == 0 && e; e = e->next, i++) {
        cJSON *copy = cJSON_Duplicate(e, 1);
        int own = line_map_get(tl, e), start = line_map_get(ts, e);
        bool ok = copy != NULL;
        if (ok && dl && dl->starts)
            ok = line_map_put(dl->lines, copy, own) == 0 && line_map_put(dl->starts, copy, start) == 0;
        else if (ok && dl && start > 0)
            ok = json_lines(text + start - 1, end - (size_t)(start - 1), (size_t)(start - 1), own, copy, dl->lines,
                            NULL, 0) == 0;
        if (!ok) {
            cJSON_Delete(copy);
            rc = sg_error_set(err, "out of memory");
            break;
        }
        struct doc_pos pos = { st->document, i, own > 0 ? own : line };
        if (st->fn(st->ctx, copy, &pos, err) != 0)
            rc = -1;
    }
    line_map_free(tl);
    line_map_free(ts);
    document_done(st);
    return rc;
}

/* Parses the JSON values of text one after another, each checked for duplicate keys and handed
 * over. Linear: the text is copied once and each value parsed in place in that copy, into an
 * arena of its own; lines are counted from the previous value on. */
static int json_stream(struct stream *st, const char *text, size_t len, struct sg_error *err)
{
    char *work = malloc(len ? len : 1);
    if (work == NULL)
        return sg_error_set(err, "out of memory");
    memcpy(work, text, len);
    struct doc_lines *dl = st->dl;
    const char *scratch[64];
    size_t at = 0, counted = 0;
    int line = 1;
    int rc = 0;
    for (;;) {
        while (at < len && is_ws(text[at]))
            at++;
        if (at == len)
            break;
        line += (int)count_lines(text + counted, at - counted);
        counted = at;
        struct json_arena *arena = json_arena_create(0);
        if (arena == NULL) {
            rc = sg_error_set(err, "out of memory");
            break;
        }
        json_arena_set_node_limit(arena, DOCSTREAM_JSON_NODES_MAX);
        const char *end = NULL;
        cJSON *tree = json_arena_parse_insitu(arena, work + at, len - at, &end);
        if (tree == NULL) {
            size_t off = end && end >= work + at ? (size_t)(end - work) : at;
            if (json_arena_node_limit_hit(arena))
                rc = sg_error_set(err, "line %d: the JSON value starting here holds more than %u values; "
                                  "split it (e.g. `jq -c '.items[]'`) or give it as YAML", line,
                                  DOCSTREAM_JSON_NODES_MAX);
            else
                rc = sg_error_set(err, "line %d: not valid JSON (at byte %zu); check the brackets, quotes "
                                  "and commas there", line + (int)count_lines(text + at, off - at), off);
            json_arena_destroy(arena);
            break;
        }
        size_t value_end = (size_t)(end - work);
        bool oom = false;
        const char *dup = duplicate_key(tree, scratch, 64, &oom);
        if (oom || dup) {
            json_arena_destroy(arena);
            rc = dup ? sg_error_set(err, "line %d: the JSON value starting here has the key \"%.64s\" twice "
                                    "in one object; the apiserver refuses it or keeps only the last one: "
                                    "remove one of them", line, dup)
                     : sg_error_set(err, "out of memory");
            break;
        }
        const cJSON *items = st->split ? st->split(tree) : NULL;
        if (items) {
            rc = hand_over_items(st, text, at, value_end, line, tree, items, err);
            json_arena_destroy(arena);
            if (rc != 0)
                break;
            at = value_end;
            continue;
        }
        cJSON *copy = cJSON_IsNull(tree) ? NULL : cJSON_Duplicate(tree, 1);
        json_arena_destroy(arena);
        if (copy == NULL && !cJSON_IsNull(tree)) {
            rc = sg_error_set(err, "out of memory");
            break;
        }
        if (copy && dl && json_lines(text + at, value_end - at, at, line, copy, dl->lines, dl->starts,
                                     JSON_LINES_EAGER_DEPTH) != 0) {
            cJSON_Delete(copy);
            rc = sg_error_set(err, "out of memory");
            break;
        }
        if (copy && (rc = hand_over(st, copy, line, err)) != 0)
            break;
        at = value_end;
    }
    free(work);
    return rc;
}

int docstream_each(const char *text, size_t len, struct doc_lines *dl, doc_split_fn split, doc_fn fn,
                   void *ctx, struct sg_error *err)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (dl) {
        dl->text = text;
        dl->len = len;
    }
    if (check_characters(text, len, err) != 0)
        return -1;
    size_t i = 0;
    while (i < len && is_ws(text[i]))
        i++;
    if (i == len)
        return 0;
    /* JSON goes through the server's parser, strictly: a text that looks like JSON (a '[', or
     * a '{' whose first key is quoted) is never read again as YAML, which would accept what
     * JSON does not ({"a": } is YAML for a null). */
    size_t j = i + 1;
    while (j < len && is_ws(text[j]))
        j++;
    bool json = text[i] == '[' || (text[i] == '{' && (j == len || text[j] == '"' || text[j] == '}'));
    struct stream st = { .dl = dl, .split = split, .fn = fn, .ctx = ctx };
    int rc = json ? json_stream(&st, text, len, err)
                  : yamldoc_parse_stream(text, len, dl ? dl->lines : NULL, hand_over, &st, err);
    if (rc != 0 && !json && text[i] == '{' && err) {
        /* {unquoted: ...} was read as YAML flow; say that it is neither */
        char yaml_msg[SG_ERROR_MAX];
        snprintf(yaml_msg, sizeof yaml_msg, "%s", err->message);
        sg_error_set(err, "%s (and not valid JSON either: a key is not quoted)", yaml_msg);
    }
    return rc;
}

static int collect(void *ctx, cJSON *json, const struct doc_pos *pos, struct sg_error *err)
{
    return doc_list_add(ctx, json, pos->line, err);
}

int docstream_parse(const char *text, size_t len, struct doc_list *out, struct sg_error *err)
{
    memset(out, 0, sizeof *out);
    if ((out->lines = line_map_create()) == NULL)
        return sg_error_set(err, "out of memory");
    struct doc_lines dl = { .lines = out->lines };
    int rc = docstream_each(text, len, &dl, NULL, collect, out, err);
    if (rc != 0)
        doc_list_free(out);
    return rc;
}

cJSON *yaml_or_json_parse(const char *text, size_t len, struct sg_error *err)
{
    struct doc_list docs;
    if (docstream_parse(text, len, &docs, err) != 0)
        return NULL;
    if (docs.count != 1) {
        if (docs.count == 0)
            sg_error_set(err, "input is empty (no object in it)");
        else
            sg_error_set(err, "line %d: a second object; this reads one object at a time",
                         docs.items[1].line);
        doc_list_free(&docs);
        return NULL;
    }
    cJSON *doc = docs.items[0].json;
    docs.items[0].json = NULL;
    doc_list_free(&docs);
    return doc;
}
