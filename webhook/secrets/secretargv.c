/* secretargv.c - the flag tables of the tools README "Secrets" lists. One table row per tool family; the
 * generic rule ("--token VALUE" for tools we do not know) is off for tools whose --password is
 * a prompt switch, so "psql --password mydb" never reads "mydb" as a password. */
#include "secretargv.h"

#include <ctype.h>
#include <string.h>

#include "secretclass.h"
#include "shellparse.h"

enum flag_mode {
    FLAG_EQ,          /* --flag=VALUE only; the bare flag prompts */
    FLAG_NEXT_OR_EQ,  /* --flag VALUE or --flag=VALUE */
    FLAG_ATTACHED,    /* -pVALUE only; bare -p prompts and the next word is not its value */
    FLAG_SHORT,       /* -P VALUE or -PVALUE */
};

struct flag_rule {
    const char *flag;
    enum flag_mode mode;
    enum argv_value_kind kind;
};

struct tool_rules {
    const char *const *names;
    const struct flag_rule *rules;
    bool generic;           /* apply the "--credential-flag VALUE" rule too */
};

static const char *const psql_names[] = {
    "psql", "pg_dump", "pg_dumpall", "pg_restore", "pg_isready", "pg_basebackup", "createdb", "dropdb",
    "createuser", "dropuser", "vacuumdb", "reindexdb", "clusterdb", "pgbench", "pg_amcheck", NULL,
};
static const struct flag_rule psql_rules[] = {{NULL, FLAG_EQ, ARGV_PASSWORD}};

static const char *const mysql_names[] = {
    "mysql", "mysqldump", "mysqladmin", "mysqlcheck", "mysqlimport", "mysqlpump", "mysqlshow",
    "mysqlbinlog", "mysqlslap", "mysqlsh", "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-check",
    "mariadb-import", "mariadb-backup", "mariabackup", "xtrabackup", "mydumper", "myloader", NULL,
};
static const struct flag_rule mysql_rules[] = {
    {"-p", FLAG_ATTACHED, ARGV_PASSWORD},
    {"--password", FLAG_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const sqlcmd_names[] = {"sqlcmd", "bcp", "osql", "isql", NULL};
static const struct flag_rule sqlcmd_rules[] = {{"-P", FLAG_SHORT, ARGV_PASSWORD}, {NULL, FLAG_EQ, ARGV_PASSWORD}};

static const char *const redis_names[] = {
    "redis-cli", "redis-benchmark", "keydb-cli", "valkey-cli", "redis-server", "redis-sentinel", "valkey-server",
    "keydb-server", NULL,
};
/* The servers take config directives as flags: redis-server --requirepass V. */
static const struct flag_rule redis_rules[] = {
    {"--requirepass", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--masterauth", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"-a", FLAG_SHORT, ARGV_PASSWORD},
    {"--pass", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const mongo_names[] = {
    "mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat",
    "mongotop", "mongofiles", NULL,
};
static const struct flag_rule mongo_rules[] = {
    {"-p", FLAG_SHORT, ARGV_PASSWORD},
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const flyway_names[] = {"flyway", NULL};
static const struct flag_rule flyway_rules[] = {
    {"-password", FLAG_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const liquibase_names[] = {"liquibase", "lb", NULL};
static const struct flag_rule liquibase_rules[] = {
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--reference-password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--referencePassword", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const curl_names[] = {"curl", NULL};
static const struct flag_rule curl_rules[] = {
    {"-u", FLAG_SHORT, ARGV_USERPASS},
    {"--user", FLAG_NEXT_OR_EQ, ARGV_USERPASS},
    {"-U", FLAG_SHORT, ARGV_USERPASS},
    {"--proxy-user", FLAG_NEXT_OR_EQ, ARGV_USERPASS},
    {"-H", FLAG_SHORT, ARGV_HEADER},
    {"--header", FLAG_NEXT_OR_EQ, ARGV_HEADER},
    {"--proxy-header", FLAG_NEXT_OR_EQ, ARGV_HEADER},
    {"--oauth2-bearer", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const wget_names[] = {"wget", NULL};
static const struct flag_rule wget_rules[] = {
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--http-password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--ftp-password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--proxy-password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--header", FLAG_NEXT_OR_EQ, ARGV_HEADER},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const helm_names[] = {"helm", NULL};
static const struct flag_rule helm_rules[] = {
    {"--set", FLAG_NEXT_OR_EQ, ARGV_SET},
    {"--set-string", FLAG_NEXT_OR_EQ, ARGV_SET},
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const registry_names[] = {
    "docker", "podman", "skopeo", "buildah", "crane", "oras", "regctl", "nerdctl", "kaniko", NULL,
};
/* No "-p": for docker run and podman run it publishes a port; only "login" reads it as the
 * password (registry_login_rules). */
static const struct flag_rule registry_login_rules[] = {
    {"-p", FLAG_SHORT, ARGV_PASSWORD},
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};
static const struct flag_rule registry_rules[] = {
    {"--password", FLAG_NEXT_OR_EQ, ARGV_PASSWORD},
    {"--creds", FLAG_NEXT_OR_EQ, ARGV_USERPASS},
    {"--src-creds", FLAG_NEXT_OR_EQ, ARGV_USERPASS},
    {"--dest-creds", FLAG_NEXT_OR_EQ, ARGV_USERPASS},
    {NULL, FLAG_EQ, ARGV_PASSWORD},
};

static const char *const sshpass_names[] = {"sshpass", NULL};
static const struct flag_rule sshpass_rules[] = {{"-p", FLAG_SHORT, ARGV_PASSWORD}, {NULL, FLAG_EQ, ARGV_PASSWORD}};

static const char *const unknown_names[] = {NULL};
static const struct flag_rule unknown_rules[] = {{NULL, FLAG_EQ, ARGV_PASSWORD}};

static const struct tool_rules tools[] = {
    {psql_names, psql_rules, false},
    {mysql_names, mysql_rules, false},
    {sqlcmd_names, sqlcmd_rules, true},
    {redis_names, redis_rules, true},
    {mongo_names, mongo_rules, true},
    {flyway_names, flyway_rules, true},
    {liquibase_names, liquibase_rules, true},
    {curl_names, curl_rules, true},
    {wget_names, wget_rules, true},
    {helm_names, helm_rules, true},
    {registry_names, registry_rules, true},
    {sshpass_names, sshpass_rules, false},
};
static const struct tool_rules unknown_tool = {unknown_names, unknown_rules, true};

static bool name_in(const char *name, size_t len, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == len && strncmp(name, *names, len) == 0)
            return true;
    return false;
}

/* The tool for a command name, or for an image ("flyway/flyway:10", "bitnami/postgresql"). */
static const struct tool_rules *tool_for(const char *name, bool image)
{
    if (name == NULL)
        return &unknown_tool;
    const char *base = shellparse_basename(name);
    size_t len = strcspn(base, image ? ":@" : "");
    for (size_t t = 0; t < sizeof tools / sizeof tools[0]; t++)
        if (name_in(base, len, tools[t].names))
            return &tools[t];
    if (image) {
        static const struct {
            const char *word;
            size_t tool;
        } images[] = {{"postgres", 0}, {"mysql", 1}, {"mariadb", 1}, {"mssql", 2}, {"redis", 3},
                      {"mongo", 4}, {"flyway", 5}, {"liquibase", 6}, {"curl", 7}, {"helm", 9}};
        for (size_t k = 0; k < sizeof images / sizeof images[0]; k++)
            if (strstr(base, images[k].word) && (size_t)(strstr(base, images[k].word) - base) < len)
                return &tools[images[k].tool];
    }
    return &unknown_tool;
}

size_t secretargv_skip_wrappers(char *const *argv, size_t argc)
{
    static const char *const wrappers[] = {
        "env", "exec", "sudo", "nice", "nohup", "timeout", "tini", "dumb-init", "gosu", "su-exec", "chpst",
        "time", "stdbuf", "ionice", "setpriv", "catatonit", NULL,
    };
    size_t i = 0;
    while (i < argc) {
        const char *base = shellparse_basename(argv[i]);
        if (!name_in(base, strlen(base), wrappers))
            break;
        bool takes_user = strcmp(base, "gosu") == 0 || strcmp(base, "su-exec") == 0;
        bool takes_duration = strcmp(base, "timeout") == 0;
        i++;
        while (i < argc && (argv[i][0] == '-' || strchr(argv[i], '=') != NULL)) {
            bool end = strcmp(argv[i], "--") == 0;
            i++;
            if (end)
                break;
        }
        if ((takes_user || takes_duration) && i < argc)
            i++;
    }
    return i;
}

static void report(secretargv_fn fn, void *ctx, enum argv_value_kind kind, const char *flag, size_t flag_len,
                   size_t index, const char *value, size_t value_len)
{
    struct argv_hit h = {kind, flag, flag_len, index, value, value_len};
    fn(&h, ctx);
}

/* Applies one rule to argv[i]; returns true when the rule matched the element. */
static bool apply_rule(const struct flag_rule *r, char *const *argv, size_t argc, size_t i, secretargv_fn fn,
                       void *ctx)
{
    const char *a = argv[i];
    size_t fl = strlen(r->flag);
    if (strncmp(a, r->flag, fl) != 0)
        return false;
    const char *rest = a + fl;
    bool next_ok = i + 1 < argc && argv[i + 1][0] != '-';
    switch (r->mode) {
    case FLAG_EQ:
        if (rest[0] == '=') {
            report(fn, ctx, r->kind, a, fl, i, rest + 1, strlen(rest + 1));
            return true;
        }
        return rest[0] == '\0';
    case FLAG_NEXT_OR_EQ:
        if (rest[0] == '=') {
            report(fn, ctx, r->kind, a, fl, i, rest + 1, strlen(rest + 1));
            return true;
        }
        if (rest[0] != '\0')
            return false;
        if (next_ok)
            report(fn, ctx, r->kind, a, fl, i + 1, argv[i + 1], strlen(argv[i + 1]));
        return true;
    case FLAG_ATTACHED:
        if (rest[0] != '\0')
            report(fn, ctx, r->kind, a, fl, i, rest, strlen(rest));
        return true;
    case FLAG_SHORT:
        if (rest[0] != '\0')
            report(fn, ctx, r->kind, a, fl, i, rest, strlen(rest));
        else if (next_ok)
            report(fn, ctx, r->kind, a, fl, i + 1, argv[i + 1], strlen(argv[i + 1]));
        return true;
    }
    return false;
}

/* "--api-token VALUE" for a tool we do not know: the flag's name must sound like a credential
 * and must not be a switch about one (--no-password, --ask-password, --password-stdin). */
static void apply_generic(char *const *argv, size_t argc, size_t i, secretargv_fn fn, void *ctx)
{
    static const char *const switches[] = {"no-", "ask", "prompt", "use-", "require", "skip", "with", "without",
                                           "allow", "disable", "enable", "insecure", "show", "hide", NULL};
    const char *a = argv[i];
    if (a[0] != '-' || strchr(a, '=') || i + 1 >= argc || argv[i + 1][0] == '-' || argv[i + 1][0] == '\0')
        return;
    const char *name = a + (a[1] == '-' ? 2 : 1);
    size_t len = strlen(name);
    if (len < 3)
        return;
    for (const char *const *s = switches; *s; s++)
        if (strncmp(name, *s, strlen(*s)) == 0)
            return;
    if (secretclass_name(name, len) || secretclass_is_authorization(name, len))
        report(fn, ctx, ARGV_NAMED, a, strlen(a), i + 1, argv[i + 1], strlen(argv[i + 1]));
}

void secretargv_scan(char *const *argv, size_t argc, bool has_command, const char *image,
                     secretargv_fn fn, void *ctx)
{
    size_t start = 0;
    const struct tool_rules *tool;
    if (has_command && argc > 0) {
        start = secretargv_skip_wrappers(argv, argc);
        if (start >= argc)
            return;
        tool = tool_for(argv[start], false);
        start++;
    } else {
        tool = tool_for(image, true);
    }
    const struct flag_rule *rules = tool->rules;
    if (rules == registry_rules)
        for (size_t i = start; i < argc && argv[i][0] != '-'; i++)
            if (strcmp(argv[i], "login") == 0)
                rules = registry_login_rules;
    for (size_t i = start; i < argc; i++) {
        /* sshpass runs a command: its options end at the first word that is not one. */
        if (rules == sshpass_rules && argv[i][0] != '-' &&
            !(i > start && strlen(argv[i - 1]) == 2 && strchr("fdpP", argv[i - 1][1])))
            break;
        if (argv[i][0] != '-')
            continue;
        if (strcmp(argv[i], "--") == 0)
            break;
        bool matched = false;
        for (const struct flag_rule *r = rules; r->flag && !matched; r++)
            matched = apply_rule(r, argv, argc, i, fn, ctx);
        if (!matched && tool->generic)
            apply_generic(argv, argc, i, fn, ctx);
    }
}
