/* secretref.h - where a container's variables come from, and the references that use them.
 * Kubernetes expands $(VAR) in command, args and env values against the container's env
 * (envFrom included; env values only see earlier entries; $$ escapes; unknown stays as text);
 * shells expand $VAR and ${VAR} at run time. A reference is judged by the source it reaches. */
#ifndef SCHEMAGATE_SECRETREF_H
#define SCHEMAGATE_SECRETREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum env_source {
    ENV_LITERAL = 0,   /* env[].value */
    ENV_SECRET,        /* valueFrom.secretKeyRef */
    ENV_CONFIGMAP,     /* valueFrom.configMapKeyRef */
    ENV_FIELD,         /* fieldRef / resourceFieldRef */
    ENV_OTHER,         /* a valueFrom we do not know: treated as runtime */
};

struct env_entry {
    const char *name;
    size_t name_len;
    enum env_source source;
    const char *value;     /* the literal (ENV_LITERAL), else NULL */
    size_t index;          /* position in env[]: the value is at CONTAINER.env[index].value */
};

#define ENV_TABLE_INLINE 64   /* entries held without an allocation */

struct env_table {
    struct env_entry *items;     /* `inline_items` or, for long lists, an allocation */
    size_t count;
    const char *container_path;  /* borrowed: the container's path, prefix of the entries' paths */
    bool from_secret;            /* envFrom[].secretRef present */
    bool from_configmap;         /* envFrom[].configMapRef present */
    /* Long lists: a hash index by name, for lookups; else NULL. slots[hash & mask] holds an
     * entry number + 1 (0: empty), the newest entry of that name; next[i] + 1 the one before it
     * with the same name (0: none). One allocation: next[count] follows slots[mask + 1]. */
    uint32_t *slots;
    uint32_t *next;
    uint32_t mask;
    struct env_entry inline_items[ENV_TABLE_INLINE];
};

/* Finds several members of one object in one pass: out[i] = object[names[i]], or NULL, by the
 * rules of cJSON_GetObjectItemCaseSensitive (the first match counts; a member without a name
 * ends the search). */
void secretref_members(const cJSON *object, const char *const *names, size_t count, const cJSON **out);

/* Reads container.env and container.envFrom; `container_path` (borrowed, it must outlive the
 * table) prefixes the entries' paths. Returns 0, or -1 when out of memory (the table is then
 * empty but valid). */
int secretref_env_build(struct env_table *t, const cJSON *container, const char *container_path);
void secretref_env_free(struct env_table *t);

/* The definition of `name` visible to a field: for env[i].value only entries before i count
 * (limit = i), for command/args every entry (limit = SIZE_MAX). Later duplicates win, as in
 * Kubernetes. NULL when the name is not listed (it may still come from envFrom). */
const struct env_entry *secretref_env_lookup(const struct env_table *t, const char *name, size_t name_len,
                                             size_t limit);

enum ref_kind {
    REF_K8S,       /* $(NAME): Kubernetes dependent variable (or, unresolved, a shell $(command)) */
    REF_BRACE,     /* ${NAME}, ${NAME:-default}: shell or application placeholder */
    REF_DOLLAR,    /* $NAME in a shell script */
    REF_COMMAND,   /* $(command ...), `command`: resolved at run time */
    REF_TEMPLATE,  /* {{ ... }}, ${{ ... }}: a template engine's placeholder */
    REF_ESCAPED,   /* $$: Kubernetes escape, the container sees a literal "$" */
};

struct ref {
    enum ref_kind kind;
    const char *name;      /* variable name for K8S, BRACE, DOLLAR */
    size_t name_len;
};

#define SECRETREF_SHELL 1u     /* text is a shell script: $NAME and backticks are expansions */

typedef void (*secretref_fn)(const struct ref *r, void *ctx);

/* Calls fn for each reference in text, in order. Returns how many there were. Bytes that are
 * not part of any reference are counted in *literal_len when it is not NULL. */
size_t secretref_scan(const char *text, size_t len, unsigned flags, secretref_fn fn, void *ctx,
                      size_t *literal_len);

/* Length of the reference or template construct starting at text (0 if none there), so other
 * scanners can step over "$(A)", "${B}" and "{{ .Data.password }}" as one unit. */
size_t secretref_construct_len(const char *text, size_t len);

#endif
