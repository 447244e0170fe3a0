/* secretjudge.c - judging spans as credentials. Detectors (secretshape.c, secretargv.c,
 * shellparse.c) say where a credential would sit; the judge follows references through the
 * env table and shell assignments, classifies what is left, and records findings by path
 * (with a hash of each value, so an UPDATE can tell a pre-existing finding from a new one).
 * Shell commands that write a .pgpass file are read line by line, field 5 the password. */
#include "secretjudge.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secretargv.h"
#include "secretclass.h"
#include "secretshape.h"
#include "shellparse.h"

#define SCAN_REF_DEPTH 4
#define SCAN_SHELL_DEPTH 3
#define SCAN_SHELL_VARS 128
#define SCAN_LABEL_MAX 96
#define SCAN_BASIC_MAX 512

struct shell_var {
    char *name;
    char *value;
};

struct shell_vars {
    struct shell_var items[SCAN_SHELL_VARS];
    size_t count;
};

struct judge {
    struct secret_findings *f;
    const struct scan_site *site;
    struct shell_vars *shell;   /* set inside a shell script: $VAR is a run-time expansion */
    int depth;
};

/* ---- findings ---------------------------------------------------------------------------- */

void secretjudge_init(struct secret_findings *f)
{
    memset(f, 0, sizeof *f);
    redact_init(&f->redact);
}

void secretjudge_free(struct secret_findings *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->items[i].path);
        free(f->items[i].label);
    }
    free(f->items);
    strindex_free(&f->by_path);
    free(f->values);
    redact_free(&f->redact);
    memset(f, 0, sizeof *f);
}

struct path_key {
    const struct secret_findings *f;
    const char *path;
};

static bool same_path(size_t item, const void *ctx)
{
    const struct path_key *k = ctx;
    return strcmp(k->f->items[item].path, k->path) == 0;
}

void secretjudge_add(struct secret_findings *f, const char *path, const char *rule, const char *label,
                    enum finding_place place, bool default_looking)
{
    uint64_t hash = strindex_hash(path, strlen(path));
    struct path_key key = {f, path};
    if (strindex_find(&f->by_path, hash, same_path, &key) != STRINDEX_NONE)
        return;   /* one finding per field is enough to act on */
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        struct secret_finding *items = realloc(f->items, cap * sizeof *items);
        if (items == NULL) {
            f->failed = true;
            return;
        }
        f->items = items;
        f->cap = cap;
    }
    struct secret_finding *it = &f->items[f->count];
    it->path = strdup(path);
    it->label = strdup(label ? label : "");
    it->rule = rule;
    it->place = place;
    it->default_looking = default_looking;
    if (it->path == NULL || it->label == NULL || strindex_add(&f->by_path, hash, f->count) != 0) {
        free(it->path);
        free(it->label);
        f->failed = true;
        return;
    }
    f->count++;
}

uint64_t secretjudge_hash(const char *bytes, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 1099511628211ull;
    }
    return h;
}

void secretjudge_note_value(struct secret_findings *f, const char *path, uint64_t value_hash)
{
    if (f->value_count == f->value_cap) {
        size_t cap = f->value_cap ? f->value_cap * 2 : 8;
        struct finding_value *values = realloc(f->values, cap * sizeof *values);
        if (values == NULL) {
            f->failed = true;
            return;
        }
        f->values = values;
        f->value_cap = cap;
    }
    f->values[f->value_count++] = (struct finding_value){secretjudge_hash(path, strlen(path)), value_hash};
}

void secretjudge_site_path(const struct scan_site *site, struct field_path *out)
{
    fieldpath_init(out, site->path);
    if (site->key)
        fieldpath_push_key(out, site->key);
    if (site->index != SIZE_MAX)
        fieldpath_push_index(out, site->index);
    if (site->leaf)
        fieldpath_push_key(out, site->leaf);
}

static void record(struct judge *j, const char *rule, const char *label, const char *value, size_t len)
{
    redact_add(&j->f->redact, value, len);
    struct field_path path;
    secretjudge_site_path(j->site, &path);
    secretjudge_add(j->f, path.text, rule, label, j->site->place, secretclass_default_looking(value, len));
    secretjudge_note_value(j->f, path.text, secretjudge_hash(value, len));
}

/* ---- the judge --------------------------------------------------------------------------- */

static void judge_value(struct judge *j, const char *rule, const char *label, const char *value, size_t len,
                        bool named);

static const struct shell_var *shell_lookup(const struct shell_vars *vars, const char *name, size_t len)
{
    if (vars == NULL)
        return NULL;
    for (size_t i = vars->count; i-- > 0;)
        if (strlen(vars->items[i].name) == len && memcmp(vars->items[i].name, name, len) == 0)
            return &vars->items[i];
    return NULL;
}

/* A reference reached a literal env var: judge that literal, at its own path. */
static void follow_env(struct judge *j, const struct env_entry *e)
{
    if (e->source != ENV_LITERAL || j->depth >= SCAN_REF_DEPTH)
        return;
    const struct env_table *env = j->site->env;
    struct scan_site site = {.path = env->container_path, .key = "env", .index = e->index, .leaf = "value",
                             .place = PLACE_ENV, .env = env, .env_limit = e->index, .k8s_expand = true};
    struct judge inner = {j->f, &site, NULL, j->depth + 1};
    judge_value(&inner, "secrets.env-literal", e->name, e->value, strlen(e->value), false);
}

static void follow_shell(struct judge *j, const struct shell_var *var)
{
    if (j->depth >= SCAN_REF_DEPTH)
        return;
    struct judge inner = {j->f, j->site, j->shell, j->depth + 1};
    judge_value(&inner, "secrets.shell-assignment", var->name, var->value, strlen(var->value), false);
}

struct ref_walk {
    struct judge *j;
    size_t refs;
    size_t dollars;   /* $NAME references (outside a shell nothing expands them) */
    size_t resolved;  /* references that reached a definition */
};

static void on_ref(const struct ref *r, void *arg)
{
    struct ref_walk *w = arg;
    struct judge *j = w->j;
    const struct env_table *env = j->site->env;
    if (r->kind == REF_ESCAPED)
        return;
    w->refs++;
    if (r->kind == REF_DOLLAR)
        w->dollars++;
    if (r->name_len == 0)
        return;
    if (r->kind == REF_K8S) {
        /* Unresolved, it stays as text: a shell command substitution or a literal "$(X)". */
        const struct env_entry *e = j->site->k8s_expand && env
                                        ? secretref_env_lookup(env, r->name, r->name_len, j->site->env_limit)
                                        : NULL;
        if (e)
            follow_env(j, e);
    } else if (r->kind == REF_BRACE || r->kind == REF_DOLLAR) {
        const struct shell_var *var = shell_lookup(j->shell, r->name, r->name_len);
        if (var) {
            w->resolved++;
            follow_shell(j, var);
            return;
        }
        const struct env_entry *e = env ? secretref_env_lookup(env, r->name, r->name_len, SIZE_MAX) : NULL;
        if (e || (env && (env->from_secret || env->from_configmap)))
            w->resolved++;   /* a listed variable, or one envFrom may define */
        if (e)
            follow_env(j, e);
    }
}

/* "Basic dXNlcjpwdw==" / "Bearer abc": the credential after the scheme word, or NULL when the
 * header does not hold one (a Basic value that does not decode to user:password). */
static const char *authorization_credential(const char *value, size_t len, size_t *out_len)
{
    size_t sp = 0;
    while (sp < len && !isspace((unsigned char)value[sp]))
        sp++;
    if (sp == len) {
        *out_len = len;
        return value;
    }
    const char *cred = value + sp;
    size_t n = len - sp;
    while (n > 0 && isspace((unsigned char)*cred))
        cred++, n--;
    if (sp == 5 && strncasecmp(value, "basic", 5) == 0 && secretref_scan(cred, n, 0, NULL, NULL, NULL) == 0) {
        char decoded[SCAN_BASIC_MAX];
        long d = secretshape_base64_decode(cred, n, decoded, sizeof decoded);
        if (d <= 0 || memchr(decoded, ':', (size_t)d) == NULL)
            return NULL;
    }
    *out_len = n;
    return cred;
}

static void judge_value(struct judge *j, const char *rule, const char *label, const char *value, size_t len,
                        bool named)
{
    while (len > 0 && isspace((unsigned char)value[0]))
        value++, len--;
    while (len > 0 && isspace((unsigned char)value[len - 1]))
        len--;
    if (len == 0)
        return;
    if (named && secretclass_names_secret(label, strlen(label), value, len))
        return;   /* TS_KUBE_SECRET=tailscale-auth names the Secret that holds the key */
    if (named && secretclass_is_authorization(label, strlen(label))) {
        value = authorization_credential(value, len, &len);
        if (value == NULL)
            return;
        named = false;
    }
    struct ref_walk w = {j, 0, 0, 0};
    size_t literal = 0;
    secretref_scan(value, len, j->shell ? SECRETREF_SHELL : 0, on_ref, &w, &literal);
    /* Outside a shell script "$NAME" is a variable only as the whole value (a later step such
     * as envsubst expands it) or when it names a variable the container has; "$PASSW0RD!" is
     * a literal that happens to start with "$". */
    if (w.refs > 0 && !(j->shell == NULL && w.refs == w.dollars && w.resolved == 0 && literal > 0))
        return;   /* judged by where the references lead */
    bool secret = named ? secretclass_value(value, len) : secretclass_slot_value(value, len);
    if (secret)
        record(j, rule, label, value, len);
}

/* ---- shapes in text ---------------------------------------------------------------------- */

struct text_walk {
    struct judge *j;
    bool flag_element;   /* the text is one argv element starting with "-" */
};

/* out = prefix + text[0..len), at most SCAN_LABEL_MAX bytes of text, cut to fit n. */
static void copy_label(char *out, size_t n, const char *prefix, const char *text, size_t len)
{
    if (n == 0)
        return;
    size_t p = strlen(prefix);
    if (p > n - 1)
        p = n - 1;
    memcpy(out, prefix, p);
    size_t t = len < SCAN_LABEL_MAX ? len : SCAN_LABEL_MAX;
    if (t > n - 1 - p)
        t = n - 1 - p;
    memcpy(out + p, text, t);
    out[p + t] = '\0';
}

static void on_shape(const struct shape_hit *h, void *arg)
{
    struct text_walk *w = arg;
    char label[SCAN_LABEL_MAX + 32];
    switch (h->kind) {
    case SHAPE_URI:
        copy_label(label, sizeof label, "", h->key, h->key_len);
        strncat(label, " URI password", sizeof label - strlen(label) - 1);
        judge_value(w->j, "secrets.uri-userinfo", label, h->value, h->value_len, false);
        break;
    case SHAPE_DSN:
        judge_value(w->j, "secrets.uri-userinfo", "DSN password", h->value, h->value_len, false);
        break;
    case SHAPE_KEY_VALUE:
        copy_label(label, sizeof label, "", h->key, h->key_len);
        judge_value(w->j, w->flag_element && h->offset == 0 ? "secrets.cli-flag" : "secrets.embedded-credential",
                    label, h->value, h->value_len, true);
        break;
    case SHAPE_PRIVATE_KEY:
        judge_value(w->j, "secrets.private-key", "private key", h->value, h->value_len, false);
        break;
    case SHAPE_PGPASS:
        judge_value(w->j, "secrets.embedded-credential", ".pgpass line", h->value, h->value_len, false);
        break;
    case SHAPE_SQL:
        judge_value(w->j, "secrets.embedded-credential", "SQL password literal", h->value, h->value_len, false);
        break;
    case SHAPE_TOKEN:
        judge_value(w->j, "secrets.token", "API token", h->value, h->value_len, false);
        break;
    }
}

static void judge_text(struct judge *j, const char *text, size_t len, bool flag_element)
{
    struct text_walk w = {j, flag_element};
    secretshape_scan(text, len, on_shape, &w);
}

void secretjudge_text(struct secret_findings *f, const struct scan_site *site, const char *text, size_t len)
{
    struct judge j = {f, site, NULL, 0};
    judge_text(&j, text, len, false);
}

void secretjudge_named(struct secret_findings *f, const struct scan_site *site, const char *rule,
                      const char *name, const char *value, size_t len)
{
    struct judge j = {f, site, NULL, 0};
    size_t name_len = name ? strlen(name) : 0;
    /* Most names (LOG_LEVEL, HTTP_PORT) hold no credential stem, and then neither test can
     * accept them (secretclass.h): one stem pass settles both. */
    if (name && secretclass_has_stem(name, name_len) &&
        (secretclass_name(name, name_len) || secretclass_is_authorization(name, name_len)))
        judge_value(&j, rule, name, value, len, true);
    judge_text(&j, value, len, false);
}

/* ---- argv -------------------------------------------------------------------------------- */

struct argv_walk {
    struct judge *j;           /* site placed per element when slots != NULL */
    const struct argv_slot *slots;
};

/* The site of argv element i. */
static struct scan_site element_site(const struct scan_site *site, const struct argv_slot *slot)
{
    struct scan_site s = *site;
    s.key = slot->key;
    s.index = slot->index;
    return s;
}

static void judge_flag_hit(struct judge *j, const struct argv_hit *h)
{
    char label[SCAN_LABEL_MAX + 32];
    copy_label(label, sizeof label, "", h->flag, h->flag_len);
    const char *v = h->value;
    size_t n = h->value_len;
    switch (h->kind) {
    case ARGV_PASSWORD:
        judge_value(j, "secrets.cli-flag", label, v, n, false);
        break;
    case ARGV_NAMED:
        judge_value(j, "secrets.cli-flag", label, v, n, true);
        break;
    case ARGV_USERPASS: {
        const char *colon = memchr(v, ':', n);
        if (colon)   /* "user" alone makes curl prompt */
            judge_value(j, "secrets.cli-flag", label, colon + 1, n - (size_t)(colon + 1 - v), false);
        break;
    }
    case ARGV_HEADER: {
        const char *colon = memchr(v, ':', n);
        if (colon == NULL)
            break;
        size_t nl = (size_t)(colon - v);
        while (nl > 0 && isspace((unsigned char)v[nl - 1]))
            nl--;
        char name[SCAN_LABEL_MAX];
        copy_label(name, sizeof name, "", v, nl);
        if (secretclass_name(name, strlen(name)) || secretclass_is_authorization(name, strlen(name)))
            judge_value(j, "secrets.http-header", name, colon + 1, n - (size_t)(colon - v) - 1, true);
        break;
    }
    case ARGV_SET: {
        size_t s = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && (v[i] != ',' || (i > 0 && v[i - 1] == '\\')))
                continue;
            const char *eq = memchr(v + s, '=', i - s);
            if (eq) {
                char key[SCAN_LABEL_MAX];
                copy_label(key, sizeof key, "", v + s, (size_t)(eq - (v + s)));
                if (secretclass_name(key, strlen(key)))
                    judge_value(j, "secrets.cli-flag", key, eq + 1, (size_t)(v + i - eq - 1), true);
            }
            s = i + 1;
        }
        break;
    }
    }
}

static void on_argv_hit(const struct argv_hit *h, void *arg)
{
    struct argv_walk *w = arg;
    if (w->slots == NULL) {
        judge_flag_hit(w->j, h);
        return;
    }
    struct scan_site site = element_site(w->j->site, &w->slots[h->index]);
    struct judge j = {w->j->f, &site, w->j->shell, w->j->depth};
    judge_flag_hit(&j, h);
}

/* ---- shell scripts ----------------------------------------------------------------------- */

struct shell_walk {
    struct judge *j;
    int depth;
    char *output;   /* what the last echo or printf printed (for "... | tee ~/.pgpass"), or NULL */
};

static void shell_script(struct judge *j, const char *script, int depth);

static void shell_assign(struct judge *j, const char *word)
{
    const char *eq = strchr(word, '=');
    if (eq == NULL)
        return;
    size_t nl = (size_t)(eq - word);
    if (nl > 0 && word[nl - 1] == '+')
        nl--;
    char name[SCAN_LABEL_MAX];
    copy_label(name, sizeof name, "", word, nl);
    const char *value = eq + 1;
    if (secretclass_name(name, strlen(name)))
        judge_value(j, "secrets.shell-assignment", name, value, strlen(value), true);
    judge_text(j, value, strlen(value), false);
    struct shell_vars *vars = j->shell;
    struct shell_var *slot = NULL;
    for (size_t i = 0; i < vars->count && !slot; i++)
        if (strcmp(vars->items[i].name, name) == 0)
            slot = &vars->items[i];
    if (slot == NULL) {
        if (vars->count == SCAN_SHELL_VARS)
            return;
        slot = &vars->items[vars->count];
        slot->name = strdup(name);
        slot->value = NULL;
        if (slot->name == NULL) {
            j->f->failed = true;
            return;
        }
        vars->count++;
    }
    free(slot->value);
    slot->value = strdup(value);
    if (slot->value == NULL) {
        slot->value = NULL;
        vars->count--;
        free(slot->name);
        j->f->failed = true;
    }
}

static bool is_declaration(const char *word)
{
    static const char *const words[] = {"export", "declare", "local", "readonly", "typeset", NULL};
    for (const char *const *w = words; *w; w++)
        if (strcmp(word, *w) == 0)
            return true;
    return false;
}

#define SHELL_ARGV_MAX 256
#define PGPASS_TEXT_MAX 4096

/* The command writes a .pgpass file: one of its redirections targets one. */
static bool writes_pgpass(const struct shell_command *cmd)
{
    for (size_t i = 0; i < cmd->count; i++)
        if (cmd->words[i].role == SHELL_REDIRECT && strstr(shellparse_basename(cmd->words[i].text), "pgpass") &&
            strstr(cmd->words[i].text, "pgpassfile") == NULL)
            return true;
    return false;
}

/* Index of printf's format in argv (argv[0] is printf), or 0 when there is none. */
static size_t printf_format(char *const *argv, size_t argc)
{
    size_t i = 1;
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    return i < argc ? i : 0;
}

static bool is_redis_client(const char *base)
{
    return strcmp(base, "redis-cli") == 0 || strcmp(base, "valkey-cli") == 0 || strcmp(base, "keydb-cli") == 0;
}

/* Commands a redis client reads: an "AUTH [user] pass" line. */
static void judge_redis_lines(struct judge *jj, const char *t)
{
    size_t len = strlen(t);
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(t + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - t) : len;
        size_t k = ls;
        while (k < le && (t[k] == ' ' || t[k] == '\t'))
            k++;
        /* Upper case, as scripts write redis commands: "auth is configured" is prose. */
        if (le - k > 5 && strncmp(t + k, "AUTH", 4) == 0 && (t[k + 4] == ' ' || t[k + 4] == '\t')) {
            size_t e = le;
            while (e > k && isspace((unsigned char)t[e - 1]))
                e--;
            size_t s = e;
            while (s > k + 4 && !isspace((unsigned char)t[s - 1]))
                s--;
            size_t words = 0;   /* AUTH pass, AUTH user pass */
            for (size_t q = k + 4; q < e; q++)
                words += !isspace((unsigned char)t[q]) && isspace((unsigned char)t[q - 1]);
            if (s < e && (words == 1 || words == 2))
                /* Judged as a named value: "AUTH is on" in an echo before the client is no password. */
                judge_value(jj, "secrets.cli-flag", "redis AUTH password", t + s, e - s, true);
        }
        ls = le + 1;
    }
}

/* redis-cli reading commands from a heredoc, a here-string, or what the command before it
 * printed ("echo 'AUTH pw' | redis-cli"). */
static void judge_redis_input(struct judge *j, const struct shell_command *cmd, const char *piped)
{
    if (piped)
        judge_redis_lines(j, piped);
    for (size_t i = 0; i < cmd->count; i++) {
        const struct shell_word *w = &cmd->words[i];
        if (w->role != SHELL_HEREDOC && w->role != SHELL_HEREDOC_LITERAL && w->role != SHELL_HERESTRING)
            continue;
        struct judge literal = {j->f, j->site, NULL, j->depth};
        judge_redis_lines(w->role == SHELL_HEREDOC_LITERAL ? &literal : j, w->text);
    }
}

/* Lines written to a .pgpass file are host:port:database:user:password, whatever the fields
 * hold (variables, "*"): the fifth field is the password. Colons inside ${...} do not count. */
static void judge_pgpass_lines(struct judge *j, const char *text, size_t len)
{
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(text + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - text) : len;
        size_t fields = 1, pw = ls;
        for (size_t k = ls; k < le; k++) {
            size_t n = secretref_construct_len(text + k, le - k);
            if (n > 0) {
                k += n - 1;
            } else if (text[k] == '\\') {
                k++;
            } else if (text[k] == ':' && ++fields == 5) {
                pw = k + 1;
            }
        }
        if (fields == 5 && pw < le)
            judge_value(j, "secrets.shell-assignment", ".pgpass line", text + pw, le - pw, false);
        ls = le + 1;
    }
}

/* What `printf FORMAT ARGS...` or `echo ARGS...` prints, into out (bounded, NUL-terminated):
 * %s-style conversions take the next argument (the format is reused while arguments remain),
 * \n is a newline. Returns the length. */
static size_t render_output(char *const *argv, size_t argc, char *out, size_t cap)
{
    size_t o = 0;
    const char *cmd = shellparse_basename(argv[0]);
    size_t i = 1;
#define PUT(c) do { if (o + 1 < cap) out[o++] = (c); } while (0)
    if (strcmp(cmd, "printf") == 0) {
        i = printf_format(argv, argc);
        if (i == 0)
            return 0;
        const char *fmt = argv[i++];
        for (int rounds = 0; rounds < 64; rounds++) {
            bool consumed = false;
            for (const char *f = fmt; *f; f++) {
                if (f[0] == '\\' && f[1] == 'n') {
                    PUT('\n');
                    f++;
                } else if (f[0] == '%' && f[1] == '%') {
                    PUT('%');
                    f++;
                } else if (f[0] == '%') {
                    f++;
                    while (*f && strchr("-+ #0123456789.", *f))
                        f++;
                    if (*f == '\0')
                        break;
                    if (i < argc) {
                        for (const char *a = argv[i++]; *a; a++)
                            PUT(*a);
                        consumed = true;
                    }
                } else {
                    PUT(*f);
                }
            }
            if (!consumed || i >= argc)
                break;
        }
    } else {
        while (i < argc && argv[i][0] == '-' && argv[i][1] && strspn(argv[i] + 1, "neE") == strlen(argv[i] + 1))
            i++;
        for (; i < argc; i++) {
            for (const char *a = argv[i]; *a; a++) {
                if (a[0] == '\\' && a[1] == 'n') {
                    PUT('\n');
                    a++;
                } else {
                    PUT(*a);
                }
            }
            PUT(i + 1 < argc ? ' ' : '\n');
        }
    }
#undef PUT
    out[o] = '\0';
    return o;
}

static void on_command(const struct shell_command *cmd, void *arg)
{
    struct shell_walk *sw = arg;
    struct judge *j = sw->j;
    char *argv[SHELL_ARGV_MAX] = {NULL};
    size_t argc = 0;
    for (size_t i = 0; i < cmd->count; i++) {
        const struct shell_word *w = &cmd->words[i];
        if (w->role == SHELL_ASSIGN)
            shell_assign(j, w->text);
        else if (w->role == SHELL_ARG && argc < SHELL_ARGV_MAX)
            argv[argc++] = w->text;
    }
    size_t start = secretargv_skip_wrappers(argv, argc);
    /* env X=1 cmd: the wrapper's assignments are assignments too. */
    for (size_t i = 0; i < start; i++)
        if (strchr(argv[i], '=') && argv[i][0] != '-')
            shell_assign(j, argv[i]);
    if (start < argc && is_declaration(shellparse_basename(argv[start]))) {
        for (size_t i = start + 1; i < argc; i++)
            if (strchr(argv[i], '=') && argv[i][0] != '-')
                shell_assign(j, argv[i]);
    } else if (start < argc) {
        long si = shellparse_script_index(argv + start, argc - start);
        if (si >= 0 && sw->depth < SCAN_SHELL_DEPTH) {
            shell_script(j, argv[start + (size_t)si], sw->depth + 1);
            for (size_t i = start + (size_t)si + 1; i < argc; i++)
                judge_text(j, argv[i], strlen(argv[i]), argv[i][0] == '-');
        } else {
            struct argv_walk aw = {j, NULL};
            secretargv_scan(argv + start, argc - start, true, NULL, on_argv_hit, &aw);
            /* printf's format is read with its arguments in place (below), not alone. */
            bool is_printf = strcmp(shellparse_basename(argv[start]), "printf") == 0;
            size_t format = is_printf ? printf_format(argv + start, argc - start) : 0;
            for (size_t i = start; i < argc; i++)
                if (format == 0 || i != start + format)
                    judge_text(j, argv[i], strlen(argv[i]), argv[i][0] == '-');
        }
    }
    bool pgpass = writes_pgpass(cmd);
    const char *base = start < argc ? shellparse_basename(argv[start]) : "";
    bool printf_cmd = strcmp(base, "printf") == 0;
    /* What printf or echo writes into a .pgpass file is read by field; printf's output (the
     * format and its arguments together: 'password=%s\n' pw > ~/.my.cnf) is read as text. */
    bool echo_cmd = strcmp(base, "echo") == 0;
    /* "echo ... | tee ~/.pgpass": tee writes what the command before it printed. */
    if (strcmp(base, "tee") == 0 && sw->output) {
        for (size_t i = start + 1; i < argc; i++)
            if (argv[i][0] != '-' && strstr(shellparse_basename(argv[i]), "pgpass"))
                judge_pgpass_lines(j, sw->output, strlen(sw->output));
    }
    if (is_redis_client(base))
        judge_redis_input(j, cmd, sw->output);
    free(sw->output);
    sw->output = NULL;
    if (printf_cmd || echo_cmd) {
        char *out = malloc(PGPASS_TEXT_MAX);
        if (out == NULL) {
            j->f->failed = true;
            return;
        }
        size_t n = render_output(argv + start, argc - start, out, PGPASS_TEXT_MAX);
        if (pgpass)
            judge_pgpass_lines(j, out, n);
        if (printf_cmd)
            judge_text(j, out, n, false);
        sw->output = out;   /* kept for a tee that may follow */
    }

    for (size_t i = 0; i < cmd->count; i++) {
        const struct shell_word *w = &cmd->words[i];
        if (pgpass && w->role == SHELL_HEREDOC) {
            judge_pgpass_lines(j, w->text, strlen(w->text));
        } else if (pgpass && w->role == SHELL_HEREDOC_LITERAL) {
            struct judge literal = {j->f, j->site, NULL, j->depth};
            judge_pgpass_lines(&literal, w->text, strlen(w->text));
        }
        if (w->role == SHELL_HEREDOC || w->role == SHELL_HERESTRING) {
            judge_text(j, w->text, strlen(w->text), false);
        } else if (w->role == SHELL_HEREDOC_LITERAL) {
            /* Written as is: ${X} in it is a placeholder for whatever reads the file. */
            struct judge literal = {j->f, j->site, NULL, j->depth};
            judge_text(&literal, w->text, strlen(w->text), false);
        }
    }
}

static void shell_script(struct judge *j, const char *script, int depth)
{
    struct shell_walk sw = {j, depth, NULL};
    if (shellparse_run(script, strlen(script), on_command, &sw) != 0)
        j->f->failed = true;
    free(sw.output);
}

static void shell_vars_free(struct shell_vars *vars)
{
    for (size_t i = 0; i < vars->count; i++) {
        free(vars->items[i].name);
        free(vars->items[i].value);
    }
    vars->count = 0;
}

void secretjudge_argv(struct secret_findings *f, const struct scan_site *site, char *const *argv,
                     const struct argv_slot *slots, size_t argc, bool has_command, const char *image)
{
    if (argc == 0)
        return;
    size_t start = has_command ? secretargv_skip_wrappers(argv, argc) : 0;
    long si = has_command && start < argc ? shellparse_script_index(argv + start, argc - start) : -1;
    if (si >= 0)
        si += (long)start;
    if (!has_command && argc >= 2 && argv[0][0] == '-' && argv[0][1] != '-' && strchr(argv[0], 'c') &&
        strlen(argv[0]) <= 6)
        si = 1;   /* args ["-c", "script"] for an image whose entrypoint is a shell */
    if (si >= 0) {
        struct shell_vars *vars = calloc(1, sizeof *vars);
        if (vars == NULL) {
            f->failed = true;
            return;
        }
        struct scan_site script_site = element_site(site, &slots[si]);
        struct judge j = {f, &script_site, vars, 0};
        shell_script(&j, argv[si], 0);
        shell_vars_free(vars);
        free(vars);
        for (size_t i = (size_t)si + 1; i < argc; i++) {
            struct scan_site s = element_site(site, &slots[i]);
            struct judge pj = {f, &s, NULL, 0};
            judge_text(&pj, argv[i], strlen(argv[i]), argv[i][0] == '-');
        }
        return;
    }
    struct judge j = {f, site, NULL, 0};
    struct argv_walk aw = {&j, slots};
    secretargv_scan(argv, argc, has_command, image, on_argv_hit, &aw);
    for (size_t i = 0; i < argc; i++) {
        struct scan_site s = element_site(site, &slots[i]);
        struct judge ej = {f, &s, NULL, 0};
        judge_text(&ej, argv[i], strlen(argv[i]), argv[i][0] == '-');
    }
}
