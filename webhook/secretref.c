/* secretref.c - the container environment table and the reference scanner used by the secret
 * scan. Nothing here decides what is a secret; it only says what a name refers to. */
#include "secretref.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fieldpath.h"
#include "strbuf.h"

/* ---- environment table ------------------------------------------------------------------- */

static enum env_source value_from_source(const cJSON *value_from)
{
    if (cJSON_GetObjectItemCaseSensitive(value_from, "secretKeyRef"))
        return ENV_SECRET;
    if (cJSON_GetObjectItemCaseSensitive(value_from, "configMapKeyRef"))
        return ENV_CONFIGMAP;
    if (cJSON_GetObjectItemCaseSensitive(value_from, "fieldRef") ||
        cJSON_GetObjectItemCaseSensitive(value_from, "resourceFieldRef"))
        return ENV_FIELD;
    return ENV_OTHER;
}

int secretref_env_build(struct env_table *t, const cJSON *container, const char *container_path)
{
    memset(t, 0, sizeof *t);
    const cJSON *from;
    cJSON_ArrayForEach(from, cJSON_GetObjectItemCaseSensitive(container, "envFrom")) {
        if (cJSON_GetObjectItemCaseSensitive(from, "secretRef"))
            t->from_secret = true;
        if (cJSON_GetObjectItemCaseSensitive(from, "configMapRef"))
            t->from_configmap = true;
    }
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(container, "env");
    int n = cJSON_IsArray(env) ? cJSON_GetArraySize(env) : 0;
    if (n <= 0)
        return 0;
    t->items = calloc((size_t)n, sizeof *t->items);
    if (t->items == NULL)
        return -1;
    /* Every entry's path goes into one block, NUL after each, in entry order. */
    struct field_path p;
    fieldpath_init(&p, container_path);
    fieldpath_push_key(&p, "env");
    struct strbuf paths;
    strbuf_init(&paths, 0);
    strbuf_presize(&paths, (size_t)n * (p.len + 16));
    size_t index = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, env) {
        /* One pass over the entry's members; the first of each name counts and a member
         * without a name ends the search, as in cJSON_GetObjectItemCaseSensitive. */
        const cJSON *name = NULL, *value = NULL, *value_from = NULL;
        const cJSON *m;
        cJSON_ArrayForEach(m, e) {
            if (m->string == NULL)
                break;
            if (name == NULL && strcmp(m->string, "name") == 0)
                name = m;
            else if (value == NULL && strcmp(m->string, "value") == 0)
                value = m;
            else if (value_from == NULL && strcmp(m->string, "valueFrom") == 0)
                value_from = m;
        }
        if (cJSON_IsString(name)) {
            struct env_entry *entry = &t->items[t->count];
            entry->name = name->valuestring;
            entry->index = index;
            if (cJSON_IsObject(value_from)) {
                entry->source = value_from_source(value_from);
            } else {
                entry->source = ENV_LITERAL;
                entry->value = cJSON_IsString(value) ? value->valuestring : "";
            }
            size_t mark = fieldpath_push_index(&p, index);
            fieldpath_push_key(&p, "value");
            strbuf_append(&paths, p.text, p.len + 1);
            fieldpath_pop(&p, mark);
            t->count++;
        }
        index++;
    }
    t->paths = strbuf_take(&paths);
    if (t->paths == NULL && t->count > 0) {
        secretref_env_free(t);
        return -1;
    }
    const char *path = t->paths;
    for (size_t i = 0; i < t->count; i++) {
        t->items[i].path = path;
        path += strlen(path) + 1;
    }
    return 0;
}

void secretref_env_free(struct env_table *t)
{
    free(t->paths);
    free(t->items);
    memset(t, 0, sizeof *t);
}

const struct env_entry *secretref_env_lookup(const struct env_table *t, const char *name, size_t name_len,
                                             size_t limit)
{
    const struct env_entry *found = NULL;
    for (size_t i = 0; i < t->count; i++) {
        const struct env_entry *e = &t->items[i];
        if (e->index >= limit)
            break;
        if (strlen(e->name) == name_len && memcmp(e->name, name, name_len) == 0)
            found = e;
    }
    return found;
}

/* ---- references -------------------------------------------------------------------------- */

/* Index just past the bracket matching text[open], or 0 when unbalanced. */
static size_t match_close(const char *text, size_t len, size_t open, char o, char c)
{
    int depth = 0;
    char quote = 0;
    for (size_t i = open; i < len; i++) {
        char ch = text[i];
        if (quote) {
            if (ch == quote)
                quote = 0;
            continue;
        }
        if ((ch == '\'' || ch == '"') && o == '(' && depth > 0 && i > open)
            quote = ch;
        else if (ch == o)
            depth++;
        else if (ch == c && --depth == 0)
            return i + 1;
    }
    return 0;
}

size_t secretref_construct_len(const char *text, size_t len)
{
    if (len >= 2 && text[0] == '$' && text[1] == '$')
        return 2;
    if (len >= 3 && text[0] == '$' && text[1] == '(')
        return match_close(text, len, 1, '(', ')');
    if (len >= 3 && text[0] == '$' && text[1] == '{')
        return match_close(text, len, 1, '{', '}');
    if (len >= 4 && text[0] == '{' && text[1] == '{') {
        for (size_t i = 2; i + 1 < len; i++)
            if (text[i] == '}' && text[i + 1] == '}')
                return i + 2;
    }
    return 0;
}

static bool k8s_name_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || c == '-' || c == '.' || (!first && isdigit((unsigned char)c));
}

static size_t name_span(const char *s, size_t len, bool dots)
{
    size_t i = 0;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || (dots && (s[i] == '.' || s[i] == '-'))))
        i++;
    if (i > 0 && isdigit((unsigned char)s[0]) && i > 1)
        return 0;
    return i;
}

static void emit(secretref_fn fn, void *ctx, enum ref_kind kind, const char *name, size_t name_len)
{
    struct ref r = {kind, name, name_len};
    if (fn)
        fn(&r, ctx);
}

size_t secretref_scan(const char *text, size_t len, unsigned flags, secretref_fn fn, void *ctx,
                      size_t *literal_len)
{
    bool shell = flags & SECRETREF_SHELL;
    size_t count = 0, literal = 0;
    size_t i = 0;
    while (i < len) {
        size_t n = secretref_construct_len(text + i, len - i);
        if (n == 2) {
            emit(fn, ctx, REF_ESCAPED, NULL, 0);
        } else if (n > 0 && text[i] == '$' && text[i + 1] == '(') {
            const char *inner = text + i + 2;
            size_t inner_len = n - 3;
            bool is_name = inner_len > 0;
            for (size_t k = 0; k < inner_len && is_name; k++)
                is_name = k8s_name_char(inner[k], k == 0);
            emit(fn, ctx, is_name ? REF_K8S : REF_COMMAND, inner, is_name ? inner_len : 0);
        } else if (n > 0 && text[i] == '$') {
            const char *inner = text + i + 2;
            size_t inner_len = n - 3;
            if (inner_len > 0 && inner[0] == '{') {
                emit(fn, ctx, REF_TEMPLATE, NULL, 0);     /* ${{ secrets.X }} */
            } else {
                size_t skip = inner_len > 0 && (inner[0] == '!' || inner[0] == '#') ? 1 : 0;
                size_t nl = name_span(inner + skip, inner_len - skip, true);
                emit(fn, ctx, REF_BRACE, inner + skip, nl);
            }
        } else if (n > 0) {
            emit(fn, ctx, REF_TEMPLATE, NULL, 0);
        } else if (text[i] == '$' && i + 1 < len &&
                   (isalpha((unsigned char)text[i + 1]) || text[i + 1] == '_') &&
                   (shell || i == 0 || !isalnum((unsigned char)text[i - 1]))) {
            size_t nl = name_span(text + i + 1, len - i - 1, false);
            bool upper = true;
            for (size_t k = 0; k < nl; k++)
                if (islower((unsigned char)text[i + 1 + k]))
                    upper = false;
            if (shell || upper) {
                emit(fn, ctx, REF_DOLLAR, text + i + 1, nl);
                n = nl + 1;
            }
        } else if (shell && text[i] == '`') {
            const char *end = memchr(text + i + 1, '`', len - i - 1);
            if (end) {
                emit(fn, ctx, REF_COMMAND, NULL, 0);
                n = (size_t)(end - (text + i)) + 1;
            }
        } else if (shell && text[i] == '$' && i + 1 < len && (isdigit((unsigned char)text[i + 1]) ||
                                                             strchr("@*#?!-", text[i + 1]))) {
            emit(fn, ctx, REF_DOLLAR, text + i + 1, 0);   /* $1, $@: run-time arguments */
            n = 2;
        }
        if (n == 0) {
            literal++;
            i++;
            continue;
        }
        count++;
        i += n;
    }
    if (literal_len)
        *literal_len = literal;
    return count;
}
