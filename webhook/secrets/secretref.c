/* secretref.c - the container environment table and the reference scanner used by the secret
 * scan. Nothing here decides what is a secret; it only says what a name refers to. */
#include "secretref.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


/* ---- environment table ------------------------------------------------------------------- */

/* strcmp(a, b) == 0 for the short member names compared here (five bytes or so), without a
 * call. */
static bool same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* What a valueFrom reads, by the first of its members in this order: secretKeyRef,
 * configMapKeyRef, fieldRef or resourceFieldRef. One walk over its members (usually one). */
static enum env_source value_from_source(const cJSON *value_from)
{
    bool secret = false, configmap = false, field = false;
    for (const cJSON *m = value_from->child; m != NULL && m->string != NULL; m = m->next) {
        const char *k = m->string;
        if (k[0] == 's')
            secret = secret || strcmp(k, "secretKeyRef") == 0;
        else if (k[0] == 'c')
            configmap = configmap || strcmp(k, "configMapKeyRef") == 0;
        else if (k[0] == 'f' || k[0] == 'r')
            field = field || strcmp(k, "fieldRef") == 0 || strcmp(k, "resourceFieldRef") == 0;
    }
    return secret ? ENV_SECRET : configmap ? ENV_CONFIGMAP : field ? ENV_FIELD : ENV_OTHER;
}

/* cJSON_IsString / cJSON_IsObject without a call into the library. */
static bool is_type(const cJSON *item, int type)
{
    return item != NULL && (item->type & 0xFF) == type;
}

void secretref_members(const cJSON *object, const char *const *names, size_t count, const cJSON **out)
{
    memset(out, 0, count * sizeof *out);
    for (const cJSON *m = object ? object->child : NULL; m != NULL; m = m->next) {
        if (m->string == NULL)
            break;
        for (size_t i = 0; i < count; i++) {
            if (out[i] == NULL && m->string[0] == names[i][0] && same_name(m->string, names[i])) {
                out[i] = m;
                break;
            }
        }
    }
}

/* Past this many entries a lookup goes through a hash index instead of reading every entry:
 * one container may list thousands of variables and reference each from its script. */
#define ENV_LINEAR_MAX 32

/* A hash of the first and last eight bytes and the length (a name's distinct part is often
 * its end: DB_HOST, DB_PORT), without a loop over every byte; short names byte by byte. */
static uint32_t name_hash(const char *name, size_t len)
{
    uint64_t h = len * 0x9E3779B97F4A7C15u;
    if (len >= 8) {
        uint64_t a, b;
        memcpy(&a, name, 8);
        memcpy(&b, name + len - 8, 8);
        h ^= a * 0xC2B2AE3D27D4EB4Fu;
        h ^= (b ^ (h >> 29)) * 0x165667B19E3779F9u;
    } else {
        for (size_t i = 0; i < len; i++)
            h = (h ^ (unsigned char)name[i]) * 0x100000001B3u;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool entry_named(const struct env_entry *e, const char *name, size_t len)
{
    return e->name_len == len && memcmp(e->name, name, len) == 0;
}

/* The slot for `name`: the one holding an entry of that name, or the empty one where it goes.
 * The table is at most half full, so the probe ends. */
static uint32_t *env_slot(const struct env_table *t, const char *name, size_t len)
{
    uint32_t i = name_hash(name, len) & t->mask;
    while (t->slots[i] != 0 && !entry_named(&t->items[t->slots[i] - 1], name, len))
        i = (i + 1) & t->mask;
    return &t->slots[i];
}

static int env_index(struct env_table *t)
{
    if (t->count <= ENV_LINEAR_MAX)
        return 0;
    if (t->count > UINT32_MAX / 4)
        return -1;
    size_t cap = 64;
    while (cap < t->count * 2)
        cap *= 2;
    t->slots = calloc(cap + t->count, sizeof *t->slots);
    if (t->slots == NULL)
        return -1;
    t->next = t->slots + cap;
    t->mask = (uint32_t)(cap - 1);
    for (size_t i = 0; i < t->count; i++) {
        uint32_t *slot = env_slot(t, t->items[i].name, t->items[i].name_len);
        t->next[i] = *slot;   /* the earlier entry of this name, + 1, or 0 */
        *slot = (uint32_t)i + 1;
    }
    return 0;
}

int secretref_env_build(struct env_table *t, const cJSON *container, const char *container_path)
{
    t->items = t->inline_items;
    t->count = 0;
    t->slots = t->next = NULL;
    t->mask = 0;
    t->container_path = container_path;
    t->from_secret = t->from_configmap = false;
    static const char *const fields[] = {"env", "envFrom"};
    const cJSON *found[2];
    secretref_members(container, fields, 2, found);
    const cJSON *from;
    cJSON_ArrayForEach(from, found[1]) {
        if (cJSON_GetObjectItemCaseSensitive(from, "secretRef"))
            t->from_secret = true;
        if (cJSON_GetObjectItemCaseSensitive(from, "configMapRef"))
            t->from_configmap = true;
    }
    const cJSON *env = found[0];
    if (!cJSON_IsArray(env))
        return 0;
    size_t n = 0;
    for (const cJSON *e = env->child; e != NULL; e = e->next)
        n++;
    if (n > ENV_TABLE_INLINE) {
        t->items = malloc(n * sizeof *t->items);
        if (t->items == NULL) {
            t->items = t->inline_items;
            return -1;
        }
    }
    size_t index = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, env) {
        /* secretref_members(e, {"name", "value", "valueFrom"}), spelled out: it runs per entry. */
        const cJSON *name = NULL, *value = NULL, *value_from = NULL;
        for (const cJSON *m = e->child; m != NULL && m->string != NULL; m = m->next) {
            const char *k = m->string;
            bool is_name = k[0] == 'n' && k[1] == 'a' && k[2] == 'm' && k[3] == 'e' && k[4] == '\0';
            bool is_value = k[0] == 'v' && k[1] == 'a' && k[2] == 'l' && k[3] == 'u' && k[4] == 'e';
            if (is_name && name == NULL)
                name = m;
            else if (is_value && k[5] == '\0' && value == NULL)
                value = m;
            else if (is_value && value_from == NULL && same_name(k + 5, "From"))
                value_from = m;
        }
        if (is_type(name, cJSON_String)) {
            struct env_entry *entry = &t->items[t->count];
            entry->name = name->valuestring;
            entry->name_len = strlen(name->valuestring);
            entry->index = index;
            if (is_type(value_from, cJSON_Object)) {
                entry->source = value_from_source(value_from);
                entry->value = NULL;
            } else {
                entry->source = ENV_LITERAL;
                entry->value = is_type(value, cJSON_String) ? value->valuestring : "";
            }
            t->count++;
        }
        index++;
    }
    return env_index(t);
}

void secretref_env_free(struct env_table *t)
{
    free(t->slots);
    t->slots = t->next = NULL;
    if (t->items != t->inline_items)
        free(t->items);
    t->items = t->inline_items;
    t->count = 0;
}

const struct env_entry *secretref_env_lookup(const struct env_table *t, const char *name, size_t name_len,
                                             size_t limit)
{
    if (t->slots != NULL) {
        /* The chain of this name runs from its newest entry back: the first one before the
         * limit is the last definition visible. */
        for (uint32_t k = *env_slot(t, name, name_len); k != 0; k = t->next[k - 1])
            if (t->items[k - 1].index < limit)
                return &t->items[k - 1];
        return NULL;
    }
    const struct env_entry *found = NULL;
    for (size_t i = 0; i < t->count; i++) {
        const struct env_entry *e = &t->items[i];
        if (e->index >= limit)
            break;
        if (entry_named(e, name, name_len))
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
