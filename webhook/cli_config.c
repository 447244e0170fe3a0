/* cli_config.c - `schemagate config check FILE...`: loads each config file as `serve` would and
 * reports every problem found, as `nginx -t` does, so a bad ConfigMap is caught in CI or before
 * a rollout instead of in a crash-looping pod.
 *
 * config_parse stops at the first error. To report more than one per file, each independent
 * part of a file that fails is parsed again on its own: every top-level key, every key of the
 * "secrets", "hygiene" and "schema" sections and every database entry. The part is cut out of
 * the original text with everything else replaced by its newlines only, so the line numbers in
 * the messages are those of the file. A problem that only shows with the whole file (a database
 * defined twice) is reported from the whole-file parse. */
#include "cli_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "strbuf.h"

#define CHECK_INPUT_MAX (1024u * 1024u)
#define CHECK_MAX_MEMBERS 256
#define CHECK_MAX_ERRORS 64

/* ---------------------------------------------------------------- a JSON span scanner -- */

/* The text is known to be valid JSON (cJSON parsed it); the scanner only finds where values
 * end, and stops at the NUL in any case. */
static const char *skip_ws(const char *at)
{
    while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r')
        at++;
    return at;
}

static const char *skip_string(const char *at)
{
    for (at++; *at && *at != '"'; at++)
        if (*at == '\\' && at[1])
            at++;
    return *at ? at + 1 : at;
}

static const char *skip_value(const char *at)
{
    at = skip_ws(at);
    if (*at == '"')
        return skip_string(at);
    if (*at == '{' || *at == '[') {
        int depth = 0;
        for (; *at; at++) {
            if (*at == '"') {
                at = skip_string(at) - 1;
            } else if (*at == '{' || *at == '[') {
                depth++;
            } else if (*at == '}' || *at == ']') {
                if (--depth == 0)
                    return at + 1;
            }
        }
        return at;
    }
    while (*at && *at != ',' && *at != '}' && *at != ']' && *at != ' ' && *at != '\t' && *at != '\n' &&
           *at != '\r')
        at++;
    return at;
}

struct member {
    const char *key_start;   /* the opening quote of the key */
    const char *value_start; /* the first character of the value */
    const char *end;         /* just past the value */
    char key[128];
};

/* The members of the object starting at `at` ('{'). Returns the count, or -1 if not an object. */
static int object_members(const char *at, struct member *out, int max)
{
    at = skip_ws(at);
    if (*at != '{')
        return -1;
    at = skip_ws(at + 1);
    int n = 0;
    while (*at == '"' && n < max) {
        struct member *m = &out[n++];
        m->key_start = at;
        const char *key_end = skip_string(at);
        size_t len = (size_t)(key_end - at) - 2;
        if (len >= sizeof m->key)
            len = sizeof m->key - 1;
        memcpy(m->key, at + 1, len); /* escapes stay escaped: only compared with plain names */
        m->key[len] = '\0';
        at = skip_ws(key_end);
        if (*at == ':')
            at++;
        m->value_start = skip_ws(at);
        m->end = skip_value(m->value_start);
        at = skip_ws(m->end);
        if (*at == ',')
            at = skip_ws(at + 1);
    }
    return n;
}

/* Appends the newlines of [from, to): the text is dropped, its line count is kept. */
static void append_newlines(struct strbuf *sb, const char *from, const char *to)
{
    for (const char *c = from; c < to; c++)
        if (*c == '\n')
            strbuf_append(sb, "\n", 1);
}

/* The text with only `keep` of the root object's members, and of that member's value (an
 * object) only `inner` when inner is not NULL. Line numbers are unchanged. */
static char *reduce(const char *text, const struct member *keep, const struct member *inner)
{
    struct strbuf sb;
    strbuf_init(&sb, CHECK_INPUT_MAX * 2);
    const char *open = strchr(text, '{');
    append_newlines(&sb, text, open);
    strbuf_append(&sb, "{", 1);
    append_newlines(&sb, open, keep->key_start);
    if (inner == NULL) {
        strbuf_append(&sb, keep->key_start, (size_t)(keep->end - keep->key_start));
    } else {
        strbuf_append(&sb, keep->key_start, (size_t)(keep->value_start - keep->key_start));
        strbuf_append(&sb, "{", 1);
        append_newlines(&sb, keep->value_start, inner->key_start);
        strbuf_append(&sb, inner->key_start, (size_t)(inner->end - inner->key_start));
        append_newlines(&sb, inner->end, keep->end);
        strbuf_append(&sb, "}", 1);
    }
    append_newlines(&sb, keep->end, text + strlen(text));
    strbuf_append(&sb, "}", 1);
    if (sb.failed) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_take(&sb);
}

/* ---------------------------------------------------------------- collecting errors ---- */

struct error_list {
    char *items[CHECK_MAX_ERRORS];
    int count;
    bool truncated;
};

static void error_add(struct error_list *l, const char *message)
{
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->items[i], message) == 0)
            return;
    if (l->count == CHECK_MAX_ERRORS) {
        l->truncated = true;
        return;
    }
    char *copy = strdup(message);
    if (copy)
        l->items[l->count++] = copy;
}

static long message_line(const char *message, const char *origin)
{
    size_t n = strlen(origin);
    if (strncmp(message, origin, n) != 0 || message[n] != ':')
        return 0;
    return strtol(message + n + 1, NULL, 10);
}

/* Parses `part` (a reduced copy of the file's text) and records its error, if any. */
static void check_part(char *part, const char *origin, struct error_list *errors)
{
    if (part == NULL) {
        error_add(errors, "out of memory");
        return;
    }
    struct config cfg;
    struct sg_error err = {{0}};
    if (config_parse(part, origin, &cfg, &err) == 0)
        config_free(&cfg);
    else
        error_add(errors, err.message);
    free(part);
}

static bool is_one_of(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return true;
    return false;
}

/* Every error of the text, in the order of the file's lines. */
static void check_text(const char *text, const char *origin, const char *whole_error, struct error_list *errors)
{
    static const char *const split_members[] = {"secrets", "hygiene", "schema", "databases", NULL};
    cJSON *root = cJSON_ParseWithOpts(text, NULL, 1);
    bool object = cJSON_IsObject(root);
    cJSON_Delete(root);
    if (!object) { /* not JSON, or not an object: nothing to split */
        error_add(errors, whole_error);
        return;
    }
    static struct member top[CHECK_MAX_MEMBERS], inner[CHECK_MAX_MEMBERS];
    int n = object_members(text, top, CHECK_MAX_MEMBERS);
    for (int i = 0; i < n; i++) {
        int m = is_one_of(top[i].key, split_members) ? object_members(top[i].value_start, inner, CHECK_MAX_MEMBERS)
                                                     : -1;
        if (m <= 0) {
            check_part(reduce(text, &top[i], NULL), origin, errors);
            continue;
        }
        for (int j = 0; j < m; j++)
            check_part(reduce(text, &top[i], &inner[j]), origin, errors);
    }
    /* What only the whole file shows (a name defined twice), or what splitting missed. */
    error_add(errors, whole_error);
    /* In line order (stable: insertion order within a line). */
    for (int i = 1; i < errors->count; i++)
        for (int j = i; j > 0 && message_line(errors->items[j - 1], origin) > message_line(errors->items[j], origin);
             j--) {
            char *t = errors->items[j];
            errors->items[j] = errors->items[j - 1];
            errors->items[j - 1] = t;
        }
}

/* ---------------------------------------------------------------- the command ----------- */

static char *read_file(const char *path, const char **problem)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        *problem = strerror(errno);
        return NULL;
    }
    struct strbuf sb;
    strbuf_init(&sb, CHECK_INPUT_MAX);
    bool bad = strbuf_read_stream(&sb, f) != 0;
    if (!is_stdin)
        fclose(f);
    if (bad || sb.failed) {
        *problem = bad ? "read error" : "config is larger than 1 MiB";
        strbuf_free(&sb);
        return NULL;
    }
    size_t len = sb.len;
    char *text = strbuf_take(&sb);
    if (text && strlen(text) != len) {
        *problem = "config contains a NUL byte; it must be a JSON text file";
        free(text);
        return NULL;
    }
    if (text == NULL)
        *problem = "out of memory";
    return text;
}

/* Checks one file; prints its errors. Returns the number of errors (0: the file is good). */
static int check_file(const char *path, bool quiet, bool *truncated)
{
    const char *origin = strcmp(path, "-") == 0 ? "<stdin>" : path;
    const char *problem = NULL;
    char *text = read_file(path, &problem);
    if (text == NULL) {
        fprintf(stderr, "schemagate: %s: cannot read config: %s\n", origin, problem);
        return 1;
    }
    struct config cfg;
    struct sg_error err = {{0}};
    if (config_parse(text, origin, &cfg, &err) == 0) {
        if (!quiet)
            printf("schemagate: %s: ok (%zu database%s)\n", origin, cfg.database_count,
                   cfg.database_count == 1 ? "" : "s");
        config_free(&cfg);
        free(text);
        return 0;
    }
    struct error_list errors = {.count = 0};
    check_text(text, origin, err.message, &errors);
    free(text);
    for (int i = 0; i < errors.count; i++) {
        fprintf(stderr, "schemagate: %s\n", errors.items[i]);
        free(errors.items[i]);
    }
    if (errors.truncated) {
        *truncated = true;
        fprintf(stderr, "schemagate: %s: more errors not shown (the first %d are above)\n", origin, CHECK_MAX_ERRORS);
    }
    return errors.count > 0 ? errors.count : 1;
}

static void check_usage(FILE *out)
{
    fputs("usage: schemagate config check [--quiet] FILE... (- reads stdin)\n"
          "Loads each config file as `schemagate serve --config FILE` does and reports every\n"
          "problem as FILE:LINE: message. Exit 0 when all files are good, 1 when one is not,\n"
          "2 on a usage error. Conninfo files are read at each connection, not here.\n",
          out);
}

int cli_config(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            check_usage(stdout);
            return 0;
        }
        fprintf(stderr, "schemagate config: %s\n", argc < 2 ? "missing subcommand" : "unknown subcommand");
        check_usage(stderr);
        return 2;
    }
    bool quiet = false;
    int first = 2;
    for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
        if (strcmp(argv[first], "--quiet") == 0 || strcmp(argv[first], "-q") == 0) {
            quiet = true;
        } else if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
            check_usage(stdout);
            return 0;
        } else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else {
            fprintf(stderr, "schemagate config check: unknown option \"%s\"\n", argv[first]);
            check_usage(stderr);
            return 2;
        }
    }
    if (first >= argc) {
        fputs("schemagate config check: name at least one config file\n", stderr);
        check_usage(stderr);
        return 2;
    }
    int bad_files = 0, total_errors = 0;
    bool truncated = false;
    for (int i = first; i < argc; i++) {
        int n = check_file(argv[i], quiet, &truncated);
        if (n > 0) {
            bad_files++;
            total_errors += n;
        }
    }
    int files = argc - first;
    if (bad_files == 0) {
        if (!quiet)
            printf("schemagate: configuration check is successful (%d file%s)\n", files, files == 1 ? "" : "s");
        return 0;
    }
    fprintf(stderr, "schemagate: configuration check failed: %s%d error%s in %d of %d file%s\n",
            truncated ? "more than " : "", total_errors, total_errors == 1 ? "" : "s", bad_files, files,
            files == 1 ? "" : "s");
    return 1;
}
