/* secretargv.h - argv-aware credential flags, per tool: which flag carries a password and how
 * (attached -pVALUE, --flag=VALUE, flag and value in separate elements), the traps where a
 * similar flag is a port or a prompt (psql -p5432 and -W, mysql -P3306 and bare -p), and the
 * tools that take a password as a positional word (rabbitmqctl add_user, htpasswd -b, mc alias
 * set, redis-cli AUTH). */
#ifndef SCHEMAGATE_SECRETARGV_H
#define SCHEMAGATE_SECRETARGV_H

#include <stdbool.h>
#include <stddef.h>

enum argv_value_kind {
    ARGV_PASSWORD,   /* the value is a password or token */
    ARGV_USERPASS,   /* user:password (curl -u, skopeo --creds); no colon means "prompt" */
    ARGV_HEADER,     /* "Name: value" (curl -H) */
    ARGV_SET,        /* helm --set a.b=c,d.password=e */
    ARGV_NAMED,      /* an unknown tool's credential-sounding flag: judge the value as a named one */
};

struct argv_hit {
    enum argv_value_kind kind;
    const char *flag;      /* the flag as written, without "=value" */
    size_t flag_len;
    size_t index;          /* the argv element holding the value */
    const char *value;
    size_t value_len;
};

typedef void (*secretargv_fn)(const struct argv_hit *hit, void *ctx);

/* Scans argv for credential flags. `image` (may be NULL) names the tool when argv has no
 * command of its own (a container with args only runs its image's entrypoint). */
void secretargv_scan(char *const *argv, size_t argc, bool has_command, const char *image,
                     secretargv_fn fn, void *ctx);

/* The index of the real command after wrappers (env X=1, exec, sudo, timeout 30, gosu user). */
size_t secretargv_skip_wrappers(char *const *argv, size_t argc);

#endif
