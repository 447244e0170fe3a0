/* secretargv.c - the flag tables of the tools README "Secrets" lists. One table row per tool family; the
 * generic rule ("--token VALUE" for tools we do not know) is off for tools whose --password is
 * a prompt switch, so "psql --password mydb" never reads "mydb" as a password. Tools with
 * positional passwords count their positional words (flags and flag values left out). */
#include "secretargv.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

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

/* Tools that take a password as a positional word rather than a flag's value. */
enum positional_kind {
    POS_NONE,
    POS_SUBCOMMAND,   /* rabbitmqctl add_user USER PASS, mc alias set NAME URL ACCESS SECRET */
    POS_HTPASSWD,     /* htpasswd -b FILE USER PASS, htpasswd -nb USER PASS */
    POS_REDIS_AUTH,   /* redis-cli ... AUTH PASS / AUTH USER PASS (a command run by the client) */
};

struct tool_rules {
    const char *const *names;
    const struct flag_rule *rules;
    bool generic;           /* apply the "--credential-flag VALUE" rule too */
    enum positional_kind positional;
    const char *const *value_flags;   /* flags whose value is the next word (not a positional) */
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

static const char *const redis_value_flags[] = {
    "-h", "-p", "-s", "-u", "-n", "-r", "-i", "-d", "-D", "-t", "-a", "--pass", "--user", "--cacert",
    "--cacertdir", "--cert", "--key", "--tls-ciphers", "--tls-ciphersuites", "--sni", "--rdb", "--functions-rdb",
    "--pipe-timeout", "--eval", "--pattern", "--count", "--memkeys-samples", "--replica-announce-ip", NULL,
};

static const char *const rabbitmqctl_names[] = {"rabbitmqctl", "rabbitmqadmin", NULL};
static const char *const rabbitmqctl_value_flags[] = {"-n", "--node", "-t", "--timeout", "-p", "--vhost", NULL};

static const char *const htpasswd_names[] = {"htpasswd", NULL};
static const char *const htpasswd_value_flags[] = {"-C", "-r", NULL};

static const char *const mc_names[] = {"mc", "mcli", NULL};
static const char *const mc_value_flags[] = {"--api", "--path", "--lookup", "--config-dir", "-C", NULL};

static const struct flag_rule positional_only_rules[] = {{NULL, FLAG_EQ, ARGV_PASSWORD}};

static const char *const unknown_names[] = {NULL};
static const struct flag_rule unknown_rules[] = {{NULL, FLAG_EQ, ARGV_PASSWORD}};

static const struct tool_rules tools[] = {
    {psql_names, psql_rules, false, POS_NONE, NULL},
    {mysql_names, mysql_rules, false, POS_NONE, NULL},
    {sqlcmd_names, sqlcmd_rules, true, POS_NONE, NULL},
    {redis_names, redis_rules, true, POS_REDIS_AUTH, redis_value_flags},
    {mongo_names, mongo_rules, true, POS_NONE, NULL},
    {flyway_names, flyway_rules, true, POS_NONE, NULL},
    {liquibase_names, liquibase_rules, true, POS_NONE, NULL},
    {curl_names, curl_rules, true, POS_NONE, NULL},
    {wget_names, wget_rules, true, POS_NONE, NULL},
    {helm_names, helm_rules, true, POS_NONE, NULL},
    {registry_names, registry_rules, true, POS_NONE, NULL},
    {sshpass_names, sshpass_rules, false, POS_NONE, NULL},
    {rabbitmqctl_names, positional_only_rules, true, POS_SUBCOMMAND, rabbitmqctl_value_flags},
    {htpasswd_names, positional_only_rules, false, POS_HTPASSWD, htpasswd_value_flags},
    {mc_names, positional_only_rules, true, POS_SUBCOMMAND, mc_value_flags},
};
static const struct tool_rules unknown_tool = {unknown_names, unknown_rules, true, POS_NONE, NULL};

/* Subcommands whose positional word `index` (counted from the first positional) is a password. */
static const struct {
    const char *const *names;   /* the tool */
    const char *words[3];       /* the leading positionals, NULL-padded */
    size_t index;
    const char *label;
} subcommands[] = {
    {rabbitmqctl_names, {"add_user", NULL, NULL}, 2, "rabbitmqctl add_user password"},
    {rabbitmqctl_names, {"change_password", NULL, NULL}, 2, "rabbitmqctl change_password password"},
    {rabbitmqctl_names, {"authenticate_user", NULL, NULL}, 2, "rabbitmqctl authenticate_user password"},
    {mc_names, {"alias", "set", NULL}, 5, "mc alias set secret key"},
    {mc_names, {"alias", "add", NULL}, 5, "mc alias add secret key"},
    {mc_names, {"config", "host", "add"}, 6, "mc config host add secret key"},
};

static bool name_in(const char *name, size_t len, const char *const *names)
{
    for (; *names; names++)
        if ((*names)[0] == name[0] && strncmp(name, *names, len) == 0 && (*names)[len] == '\0')
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

#define POSITIONALS_MAX 16

/* The positional words of argv[start, argc) (flags and their values left out), by index. */
static size_t positionals(char *const *argv, size_t argc, size_t start, const char *const *value_flags,
                          size_t *out)
{
    size_t n = 0;
    for (size_t i = start; i < argc && n < POSITIONALS_MAX; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) {
                for (i++; i < argc && n < POSITIONALS_MAX; i++)
                    out[n++] = i;
                break;
            }
            if (value_flags && strchr(a, '=') == NULL && name_in(a, strlen(a), value_flags))
                i++;
            continue;
        }
        out[n++] = i;
    }
    return n;
}

static bool word_is(const char *a, const char *word, bool any_case)
{
    return any_case ? strcasecmp(a, word) == 0 : strcmp(a, word) == 0;
}

static void scan_positional(const struct tool_rules *tool, char *const *argv, size_t argc, size_t start,
                            secretargv_fn fn, void *ctx)
{
    size_t pos[POSITIONALS_MAX];
    size_t n = positionals(argv, argc, start, tool->value_flags, pos);
    switch (tool->positional) {
    case POS_NONE:
        return;
    case POS_SUBCOMMAND:
        for (size_t s = 0; s < sizeof subcommands / sizeof subcommands[0]; s++) {
            if (subcommands[s].names != tool->names || subcommands[s].index >= n)
                continue;
            bool match = true;
            for (size_t w = 0; w < 3 && subcommands[s].words[w] && match; w++)
                match = w < n && word_is(argv[pos[w]], subcommands[s].words[w], false);
            if (match) {
                size_t at = pos[subcommands[s].index];
                report(fn, ctx, ARGV_PASSWORD, subcommands[s].label, strlen(subcommands[s].label), at, argv[at],
                       strlen(argv[at]));
                return;
            }
        }
        return;
    case POS_HTPASSWD: {
        /* -b takes the password from the command line; -n prints instead of writing a file. */
        bool batch = false, print = false;
        for (size_t i = start; i < argc; i++) {
            const char *a = argv[i];
            if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
                continue;
            batch = batch || strchr(a + 1, 'b') != NULL;
            print = print || strchr(a + 1, 'n') != NULL;
        }
        size_t want = print ? 1 : 2;
        if (batch && n == want + 1) {
            static const char label[] = "htpasswd -b password";
            size_t at = pos[want];
            report(fn, ctx, ARGV_PASSWORD, label, sizeof label - 1, at, argv[at], strlen(argv[at]));
        }
        return;
    }
    case POS_REDIS_AUTH:
        /* redis-cli [options] AUTH [user] pass: the client runs the command it is given. */
        if ((n == 2 || n == 3) && word_is(argv[pos[0]], "auth", true)) {
            static const char label[] = "redis AUTH password";
            size_t at = pos[n - 1];
            report(fn, ctx, ARGV_PASSWORD, label, sizeof label - 1, at, argv[at], strlen(argv[at]));
        }
        return;
    }
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
    if (tool->positional != POS_NONE)
        scan_positional(tool, argv, argc, start, fn, ctx);
}
