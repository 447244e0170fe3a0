/* secretjudge.h - the judge of the secret scan: given a field (its path, its container's env
 * table) and its text, decide which spans are plaintext credentials and record findings.
 * References are followed to their source: a $(VAR) or $VAR that reaches a literal env value
 * is a finding at that env value's path. secrets.c walks objects and calls in here. */
#ifndef SCHEMAGATE_SECRETJUDGE_H
#define SCHEMAGATE_SECRETJUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fieldpath.h"
#include "redact.h"
#include "secretref.h"

enum finding_place {
    PLACE_ENV,          /* env[].value */
    PLACE_COMMAND,      /* command, args, exec probes and hooks */
    PLACE_HEADER,       /* httpGet header values */
    PLACE_CONFIGMAP,    /* ConfigMap data / binaryData */
    PLACE_ANNOTATION,   /* metadata.annotations */
};

struct secret_finding {
    char *path;
    const char *rule;        /* "secrets.env-literal", ... (static) */
    char *label;             /* what the user recognizes: env name, flag, key */
    enum finding_place place;
    bool default_looking;    /* changeme, postgres, admin: reported with that reason */
};

/* One credential value seen at one path (hashes only: the value itself is in `redact`). A
 * field may hold several; on UPDATE a finding is pre-existing when every value seen at its
 * path was seen at the same path in the old object. */
struct finding_value {
    uint64_t path_hash;
    uint64_t value_hash;
};

struct secret_findings {
    struct secret_finding *items;
    size_t count;
    size_t cap;
    struct strindex by_path;    /* items by path: one finding per field, found in constant time */
    struct finding_value *values;
    size_t value_count;
    size_t value_cap;
    struct redact_set redact;   /* every value judged a credential, reported or deduplicated */
    bool too_dense;             /* a last-applied copy held more than JSON_ARENA_NODES_MAX values */
    bool failed;
};

/* Where a text lives. The field's path is `path`, then `.key`, `[index]` and `.leaf` for those
 * that are set: most fields hold nothing, so the whole path is written out only for a finding. */
struct scan_site {
    const char *path;
    const char *key;              /* NULL, or a key after path (bracket form when not an identifier) */
    size_t index;                 /* SIZE_MAX, or an index after key */
    const char *leaf;             /* NULL, or a key after index */
    enum finding_place place;
    const struct env_table *env;  /* the container's env (NULL outside containers) */
    size_t env_limit;             /* env[i].value sees entries before i; otherwise SIZE_MAX */
    bool k8s_expand;              /* Kubernetes expands $(VAR) here (env values, command, args) */
};

/* Element i of an argv vector is path.key[index] of the vector's site. */
struct argv_slot {
    const char *key;              /* "command", "args" */
    size_t index;
};

/* The site's full path, written into *out. */
void secretjudge_site_path(const struct scan_site *site, struct field_path *out);

void secretjudge_init(struct secret_findings *f);
void secretjudge_free(struct secret_findings *f);

/* A named value: env var, ConfigMap key, annotation, header. Judged by name (when the name
 * sounds like a credential) and by the shapes inside the value. */
void secretjudge_named(struct secret_findings *f, const struct scan_site *site, const char *rule,
                      const char *name, const char *value, size_t len);

/* Free text (a config file, an annotation value): shapes only. */
void secretjudge_text(struct secret_findings *f, const struct scan_site *site, const char *text, size_t len);

/* An argv vector (command + args, or an exec probe's command); slots[i] says where element i is.
 * Runs the tool flag tables, the shell tokenizer for `sh -c` scripts, and shapes per element. */
void secretjudge_argv(struct secret_findings *f, const struct scan_site *site, char *const *argv,
                     const struct argv_slot *slots, size_t argc, bool has_command, const char *image);

/* FNV-1a over bytes: the hashes of struct finding_value. */
uint64_t secretjudge_hash(const char *bytes, size_t len);

/* Notes that a credential with this value hash was seen at `path` (for copies such as
 * last-applied-configuration, whose values were judged in another findings set). */
void secretjudge_note_value(struct secret_findings *f, const char *path, uint64_t value_hash);

/* Records a finding found elsewhere (for copies such as last-applied-configuration). */
void secretjudge_add(struct secret_findings *f, const char *path, const char *rule, const char *label,
                    enum finding_place place, bool default_looking);

#endif
