/* config.c - load and validate the JSON configuration (README "Configure").
 * Strict by design: an unknown key, a wrong type or a bad value stops start-up with the file,
 * the line and what to write instead, because a typo in a policy file must never turn into a
 * silently disabled check. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "schema/tool.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

const char *config_action_name(enum sg_action action)
{
    switch (action) {
    case SG_ACTION_OFF: return "off";
    case SG_ACTION_WARN: return "warn";
    case SG_ACTION_DENY: return "deny";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- locating errors ---- */

/* Parse state for error messages: the source text lets us turn a key into a line number. */
struct config_parser {
    const char *text;
    const char *origin;
    struct sg_error *err;
};

static int config_line_at(const char *text, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset && text[i]; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

/* The line of the key named by a path such as {"databases", "orders", "tool"}: each key is
 * searched for after the previous one, which is exact for the config files people write. */
static int config_line_of(const struct config_parser *p, const char *const *keys, size_t n)
{
    const char *at = p->text;
    for (size_t i = 0; i < n; i++) {
        char quoted[256];
        snprintf(quoted, sizeof quoted, "\"%s\"", keys[i]);
        const char *hit = strstr(at, quoted);
        if (hit == NULL)
            break;
        at = hit;
    }
    return config_line_at(p->text, (size_t)(at - p->text));
}

#define CONFIG_FAIL(p, keys, n, ...)                                                           \
    (sg_error_set((p)->err, __VA_ARGS__),                                                      \
     sg_error_prefix((p)->err, "%s:%d: ", (p)->origin, config_line_of((p), (keys), (n))))

/* ---------------------------------------------------------------- small helpers ------- */

static void string_list_free(struct string_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int string_list_add(struct string_list *l, const char *s)
{
    char **items = realloc(l->items, (l->count + 1) * sizeof *items);
    if (items == NULL)
        return -1;
    l->items = items;
    if ((l->items[l->count] = strdup(s)) == NULL)
        return -1;
    l->count++;
    return 0;
}

bool config_list_matches(const struct string_list *globs, const char *text)
{
    for (size_t i = 0; i < globs->count; i++)
        if (fnmatch(globs->items[i], text, 0) == 0)
            return true;
    return false;
}

bool config_namespace_exempt(const struct config *cfg, const char *ns)
{
    return ns != NULL && ns[0] != '\0' && config_list_matches(&cfg->exempt_namespaces, ns);
}

const struct database_config *config_find_database(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->database_count; i++)
        if (strcmp(cfg->databases[i].name, name) == 0)
            return &cfg->databases[i];
    return NULL;
}

/* Rejects keys that are not in `allowed` (NULL-terminated); keys[] is the path for the line. */
static int check_keys(const struct config_parser *p, const cJSON *obj, const char *const *allowed,
                      const char **path, size_t depth)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(item->string, *a) == 0)
                known = true;
        if (!known) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            path[depth] = item->string;
            return CONFIG_FAIL(p, path, depth + 1, "unknown key \"%s\"; known keys here: %s",
                               item->string, list);
        }
    }
    return 0;
}

static int parse_string_list(const struct config_parser *p, const cJSON *arr, struct string_list *out,
                             const char **path, size_t depth)
{
    if (!cJSON_IsArray(arr))
        return CONFIG_FAIL(p, path, depth, "\"%s\" must be an array of strings, e.g. [\"kube-system\"]",
                           path[depth - 1]);
    string_list_free(out);
    const cJSON *item;
    cJSON_ArrayForEach(item, arr) {
        if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
            return CONFIG_FAIL(p, path, depth, "\"%s\" must hold non-empty strings only",
                               path[depth - 1]);
        if (string_list_add(out, item->valuestring) != 0)
            return sg_error_set(p->err, "out of memory reading %s", p->origin);
    }
    return 0;
}

static int parse_action(const struct config_parser *p, const cJSON *v, enum sg_action *out,
                        const char **path, size_t depth)
{
    const char *s = cJSON_GetStringValue(v);
    if (s && strcmp(s, "deny") == 0)
        *out = SG_ACTION_DENY;
    else if (s && strcmp(s, "warn") == 0)
        *out = SG_ACTION_WARN;
    else if (s && strcmp(s, "off") == 0)
        *out = SG_ACTION_OFF;
    else
        return CONFIG_FAIL(p, path, depth, "\"%s\" must be \"deny\", \"warn\" or \"off\"",
                           path[depth - 1]);
    return 0;
}

static int parse_int(const struct config_parser *p, const cJSON *v, int min, int max, int *out,
                     const char **path, size_t depth)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble ||
        v->valueint < min || v->valueint > max)
        return CONFIG_FAIL(p, path, depth, "\"%s\" must be a whole number from %d to %d",
                           path[depth - 1], min, max);
    *out = v->valueint;
    return 0;
}

static int parse_owned_string(const struct config_parser *p, const cJSON *v, char **out,
                              const char **path, size_t depth)
{
    const char *s = cJSON_GetStringValue(v);
    if (s == NULL || s[0] == '\0')
        return CONFIG_FAIL(p, path, depth, "\"%s\" must be a non-empty string", path[depth - 1]);
    char *copy = strdup(s);
    if (copy == NULL)
        return sg_error_set(p->err, "out of memory reading %s", p->origin);
    free(*out);
    *out = copy;
    return 0;
}

/* ---------------------------------------------------------------- sections ------------- */

static int parse_secrets(const struct config_parser *p, const cJSON *obj, struct config *cfg)
{
    const char *path[3] = {"secrets"};
    static const char *const keys[] = {"action", "exempt_namespaces", "exempt_workloads", "on_existing", NULL};
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 1, "\"secrets\" must be an object, e.g. {\"action\": \"deny\"}");
    if (check_keys(p, obj, keys, path, 1) != 0)
        return -1;
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "action")) &&
        (path[1] = "action", parse_action(p, v, &cfg->secrets.action, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "exempt_namespaces")) &&
        (path[1] = "exempt_namespaces",
         parse_string_list(p, v, &cfg->secrets.exempt_namespaces, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "exempt_workloads"))) {
        path[1] = "exempt_workloads";
        if (parse_string_list(p, v, &cfg->secrets.exempt_workloads, path, 2) != 0)
            return -1;
        for (size_t i = 0; i < cfg->secrets.exempt_workloads.count; i++)
            if (strchr(cfg->secrets.exempt_workloads.items[i], '/') == NULL)
                return CONFIG_FAIL(p, path, 2,
                                   "\"exempt_workloads\" entries are \"namespace/name\" globs, "
                                   "e.g. \"monitoring/datadog-*\"; got \"%s\"",
                                   cfg->secrets.exempt_workloads.items[i]);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "on_existing"))) {
        path[1] = "on_existing";
        const char *s = cJSON_GetStringValue(v);
        if (s && strcmp(s, "warn") == 0)
            cfg->secrets.on_existing = SG_ACTION_WARN;
        else if (s && strcmp(s, "deny") == 0)
            cfg->secrets.on_existing = SG_ACTION_DENY;
        else
            return CONFIG_FAIL(p, path, 2,
                               "\"on_existing\" must be \"warn\" (a credential an UPDATE leaves as it was is "
                               "answered with a warning) or \"deny\" (it is denied like a new one)");
    }
    return 0;
}

static int parse_hygiene(const struct config_parser *p, const cJSON *obj, struct config *cfg)
{
    const char *path[2] = {"hygiene"};
    static const char *const keys[] = {"action", NULL};
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 1, "\"hygiene\" must be an object, e.g. {\"action\": \"warn\"}");
    if (check_keys(p, obj, keys, path, 1) != 0)
        return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "action");
    if (v) {
        path[1] = "action";
        if (parse_action(p, v, &cfg->hygiene.action, path, 2) != 0)
            return -1;
        if (cfg->hygiene.action == SG_ACTION_DENY)
            return CONFIG_FAIL(p, path, 2, "\"hygiene.action\" is \"warn\" or \"off\": hygiene "
                               "findings are advice and never deny");
    }
    return 0;
}

static int parse_schema(const struct config_parser *p, const cJSON *obj, struct config *cfg)
{
    const char *path[2] = {"schema"};
    static const char *const keys[] = {"action", "dry_run_action", "timeout_ms",
                                       "cache_satisfied_ms", "cache_unsatisfied_ms", "pool_size", NULL};
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 1, "\"schema\" must be an object, e.g. {\"action\": \"deny\"}");
    if (check_keys(p, obj, keys, path, 1) != 0)
        return -1;
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "action")) &&
        (path[1] = "action", parse_action(p, v, &cfg->schema.action, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "dry_run_action")) &&
        (path[1] = "dry_run_action", parse_action(p, v, &cfg->schema.dry_run_action, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "timeout_ms")) &&
        (path[1] = "timeout_ms", parse_int(p, v, 50, 9000, &cfg->schema.timeout_ms, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "cache_satisfied_ms")) &&
        (path[1] = "cache_satisfied_ms",
         parse_int(p, v, 0, 600000, &cfg->schema.cache_satisfied_ms, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "cache_unsatisfied_ms")) &&
        (path[1] = "cache_unsatisfied_ms",
         parse_int(p, v, 0, 10000, &cfg->schema.cache_unsatisfied_ms, path, 2) != 0))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "pool_size")) &&
        (path[1] = "pool_size", parse_int(p, v, 1, 64, &cfg->schema.pool_size, path, 2) != 0))
        return -1;
    return 0;
}

static bool database_name_valid(const char *name)
{
    if (name[0] == '\0' || strlen(name) > 63)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    return true;
}

/* One identifier of a "schema.table" name, as SQL reads it: "Quoted" keeps its case (with ""
 * for a quote), a bare word is folded to lower case. Returns the end, or NULL if malformed. */
static const char *table_identifier(const char *at, char **out)
{
    char buf[128];
    size_t n = 0;
    if (*at == '"') {
        for (at++; *at; at++) {
            if (*at == '"' && at[1] != '"')
                break;
            if (*at == '"')
                at++;
            if (n + 1 >= sizeof buf)
                return NULL;
            buf[n++] = *at;
        }
        if (*at != '"' || n == 0)
            return NULL;
        at++;
    } else {
        if (!(isalpha((unsigned char)*at) || *at == '_'))
            return NULL;
        for (; isalnum((unsigned char)*at) || *at == '_' || *at == '$'; at++) {
            if (n + 1 >= sizeof buf)
                return NULL;
            buf[n++] = (char)tolower((unsigned char)*at);
        }
    }
    buf[n] = '\0';
    *out = strdup(buf);
    return *out ? at : NULL;
}

/* MySQL: one identifier of "database.table", as MySQL reads it: `Quoted` (with `` for a
 * backtick) or a bare word, both keeping their case (table names are case-sensitive on Linux). */
static const char *mysql_identifier(const char *at, char **out)
{
    char buf[128];
    size_t n = 0;
    if (*at == '`') {
        for (at++; *at; at++) {
            if (*at == '`' && at[1] != '`')
                break;
            if (*at == '`')
                at++;
            if (n + 1 >= sizeof buf)
                return NULL;
            buf[n++] = *at;
        }
        if (*at != '`' || n == 0)
            return NULL;
        at++;
    } else {
        for (; isalnum((unsigned char)*at) || *at == '_' || *at == '$'; at++) {
            if (n + 1 >= sizeof buf)
                return NULL;
            buf[n++] = *at;
        }
        if (n == 0)
            return NULL;
    }
    buf[n] = '\0';
    *out = strdup(buf);
    return *out ? at : NULL;
}

/* "table" or "database.table" on MySQL: unqualified is the conninfo's database. */
static int split_mysql_table(const struct config_parser *p, struct database_config *db, const char **path)
{
    char *first = NULL;
    const char *at = mysql_identifier(db->table, &first);
    if (at && *at == '.') {
        db->table_schema = first;
        at = mysql_identifier(at + 1, &db->table_name);
    } else {
        db->table_name = first;
    }
    if (at == NULL || *at != '\0')
        return CONFIG_FAIL(p, path, 3, "\"table\" on MySQL is \"table\" (in the conninfo's database) or "
                           "\"database.table\", e.g. \"flyway_schema_history\" or \"app.`SequelizeMeta`\"; "
                           "got \"%s\"", db->table);
    return 0;
}

static int split_table(const struct config_parser *p, struct database_config *db, const char **path)
{
    if (db->engine == DB_ENGINE_MYSQL)
        return split_mysql_table(p, db, path);
    const char *at = table_identifier(db->table, &db->table_schema);
    if (at && *at == '.')
        at = table_identifier(at + 1, &db->table_name);
    else
        at = NULL;
    if (at == NULL || *at != '\0')
        return CONFIG_FAIL(p, path, 3, "\"table\" must be schema-qualified, e.g. "
                           "\"public.flyway_schema_history\" or \"public.\\\"SequelizeMeta\\\"\" "
                           "(the webhook never relies on search_path); got \"%s\"", db->table);
    return 0;
}

static int add_alembic_edge(struct database_config *db, const char *revision, const char *down)
{
    struct alembic_edge *edges = realloc(db->alembic_edges, (db->alembic_edge_count + 1) * sizeof *edges);
    if (edges == NULL)
        return -1;
    db->alembic_edges = edges;
    struct alembic_edge *e = &edges[db->alembic_edge_count];
    e->revision = strdup(revision);
    e->down_revision = strdup(down);
    if (e->revision == NULL || e->down_revision == NULL) {
        free(e->revision);
        free(e->down_revision);
        return -1;
    }
    db->alembic_edge_count++;
    return 0;
}

/* "alembic_down_revisions": {"a2": "a1", "m1": ["a2", "b1"], "a1": null}, i.e. what each
 * revision script says in down_revision (`alembic history` prints the same graph). */
static int parse_alembic_graph(const struct config_parser *p, const cJSON *obj, struct database_config *db,
                               const char **path)
{
    if (!db->tool->takes_down_revisions)
        return CONFIG_FAIL(p, path, 3, "\"alembic_down_revisions\" only applies to tool \"alembic\"");
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 3, "\"alembic_down_revisions\" maps each revision to its "
                           "down_revision, e.g. {\"a2\": \"a1\", \"a1\": null}");
    const cJSON *rev;
    cJSON_ArrayForEach(rev, obj) {
        if (cJSON_IsNull(rev))
            continue;
        const cJSON *one = cJSON_IsArray(rev) ? rev->child : rev;
        for (; one; one = cJSON_IsArray(rev) ? one->next : NULL) {
            if (!cJSON_IsString(one) || one->valuestring[0] == '\0')
                return CONFIG_FAIL(p, path, 3, "\"alembic_down_revisions\": \"%s\" must map to a "
                                   "revision id, a list of them (a merge) or null", rev->string);
            if (add_alembic_edge(db, rev->string, one->valuestring) != 0)
                return sg_error_set(p->err, "out of memory reading %s", p->origin);
        }
    }
    return 0;
}

static int parse_database(const struct config_parser *p, const cJSON *obj, struct database_config *db)
{
    const char *path[4] = {"databases", obj->string};
    static const char *const keys[] = {"tool", "engine", "table", "conninfo_file", "namespaces",
                                       "on_unreachable", "project", "alembic_down_revisions", NULL};
    if (!database_name_valid(obj->string))
        return CONFIG_FAIL(p, path, 2, "database name \"%s\" must be 1-63 characters of a-z, 0-9, "
                           "'-' and '_' (it is what workloads write before the @)", obj->string);
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 2, "database \"%s\" must be an object with \"tool\", "
                           "\"conninfo_file\" and \"namespaces\"", obj->string);
    if (check_keys(p, obj, keys, path, 2) != 0)
        return -1;
    if ((db->name = strdup(obj->string)) == NULL)
        return sg_error_set(p->err, "out of memory reading %s", p->origin);

    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "tool");
    path[2] = "tool";
    const char *tool = cJSON_GetStringValue(v);
    char known[512];
    tool_names(known, sizeof known);
    if (tool == NULL)
        return CONFIG_FAIL(p, path, 2, "database \"%s\" needs \"tool\": one of %s", db->name, known);
    if ((db->tool = tool_find(tool)) == NULL)
        return CONFIG_FAIL(p, path, 3, "unknown tool \"%s\"; known tools: %s", tool, known);

    db->engine = DB_ENGINE_POSTGRESQL;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "engine"))) {
        path[2] = "engine";
        const char *e = cJSON_GetStringValue(v);
        int engine = e ? tool_engine_find(e) : -1;
        if (engine < 0)
            return CONFIG_FAIL(p, path, 3, "\"engine\" must be " ENGINE_NAMES "%s%s%s", e ? "; got \"" : "",
                               e ? e : "", e ? "\"" : "");
        db->engine = (enum db_engine)engine;
    }
    if (db->tool->query[db->engine] == NULL) {
        path[2] = v ? "engine" : "tool";
        return CONFIG_FAIL(p, path, 3, "tool \"%s\" keeps its history on PostgreSQL only; database \"%s\" "
                           "has engine \"%s\" (use engine \"postgresql\" or a tool that supports %s)",
                           db->tool->name, db->name, tool_engine_name(db->engine), tool_engine_name(db->engine));
    }

    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "table"))) {
        path[2] = "table";
        if (parse_owned_string(p, v, &db->table, path, 3) != 0)
            return -1;
    } else if ((db->table = strdup(db->tool->default_table[db->engine])) == NULL) {
        return sg_error_set(p->err, "out of memory reading %s", p->origin);
    }
    path[2] = "table";
    if (split_table(p, db, path) != 0)
        return -1;

    path[2] = "conninfo_file";
    if (parse_owned_string(p, cJSON_GetObjectItemCaseSensitive(obj, "conninfo_file"),
                           &db->conninfo_file, path, 3) != 0)
        return -1;

    path[2] = "namespaces";
    v = cJSON_GetObjectItemCaseSensitive(obj, "namespaces");
    if (v == NULL)
        return CONFIG_FAIL(p, path, 2, "database \"%s\" needs \"namespaces\": the namespaces (globs) "
                           "whose workloads may require it, e.g. [\"shop\", \"shop-*\"]", db->name);
    if (parse_string_list(p, v, &db->namespaces, path, 3) != 0)
        return -1;

    db->allow_when_unreachable = false;
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "on_unreachable"))) {
        path[2] = "on_unreachable";
        const char *s = cJSON_GetStringValue(v);
        if (s && strcmp(s, "deny") == 0)
            db->allow_when_unreachable = false;
        else if (s && strcmp(s, "allow") == 0)
            db->allow_when_unreachable = true;
        else
            return CONFIG_FAIL(p, path, 3, "\"on_unreachable\" must be \"deny\" or \"allow\"");
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "project"))) {
        path[2] = "project";
        if (parse_owned_string(p, v, &db->project, path, 3) != 0)
            return -1;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "alembic_down_revisions"))) {
        path[2] = "alembic_down_revisions";
        if (parse_alembic_graph(p, v, db, path) != 0)
            return -1;
    }
    return 0;
}

static int parse_databases(const struct config_parser *p, const cJSON *obj, struct config *cfg)
{
    const char *path[1] = {"databases"};
    if (!cJSON_IsObject(obj))
        return CONFIG_FAIL(p, path, 1, "\"databases\" must be an object keyed by database name, "
                           "e.g. {\"orders\": {\"tool\": \"flyway\", ...}}");
    size_t n = (size_t)cJSON_GetArraySize(obj);
    if (n == 0)
        return 0;
    cfg->databases = calloc(n, sizeof *cfg->databases);
    if (cfg->databases == NULL)
        return sg_error_set(p->err, "out of memory reading %s", p->origin);
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        /* Count first so config_free releases a half-parsed entry too. */
        struct database_config *db = &cfg->databases[cfg->database_count++];
        if (parse_database(p, item, db) != 0)
            return -1;
        for (size_t i = 0; i + 1 < cfg->database_count; i++)
            if (strcmp(cfg->databases[i].name, db->name) == 0)
                return CONFIG_FAIL(p, path, 1, "database \"%s\" is defined twice", db->name);
    }
    return 0;
}

/* ---------------------------------------------------------------- entry points --------- */

static void database_free(struct database_config *db)
{
    free(db->name);
    free(db->table);
    free(db->conninfo_file);
    free(db->project);
    free(db->table_schema);
    free(db->table_name);
    for (size_t i = 0; i < db->alembic_edge_count; i++) {
        free(db->alembic_edges[i].revision);
        free(db->alembic_edges[i].down_revision);
    }
    free(db->alembic_edges);
    string_list_free(&db->namespaces);
}

void config_free(struct config *cfg)
{
    free(cfg->source);
    string_list_free(&cfg->exempt_namespaces);
    string_list_free(&cfg->secrets.exempt_namespaces);
    string_list_free(&cfg->secrets.exempt_workloads);
    for (size_t i = 0; i < cfg->database_count; i++)
        database_free(&cfg->databases[i]);
    free(cfg->databases);
    memset(cfg, 0, sizeof *cfg);
}

int config_defaults(struct config *cfg, struct sg_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->secrets.action = SG_ACTION_DENY;
    cfg->secrets.on_existing = SG_ACTION_WARN;
    cfg->hygiene.action = SG_ACTION_WARN;
    cfg->schema.action = SG_ACTION_DENY;
    cfg->schema.dry_run_action = SG_ACTION_WARN;
    cfg->schema.timeout_ms = 2000;
    cfg->schema.cache_satisfied_ms = 10000;
    cfg->schema.cache_unsatisfied_ms = 500;
    cfg->schema.pool_size = 4;
    if ((cfg->source = strdup("<defaults>")) == NULL ||
        string_list_add(&cfg->exempt_namespaces, "kube-system") != 0 ||
        string_list_add(&cfg->exempt_namespaces, "schemagate-system") != 0) {
        config_free(cfg);
        return sg_error_set(err, "out of memory building the default configuration");
    }
    return 0;
}

int config_parse(const char *text, const char *origin, struct config *cfg, struct sg_error *err)
{
    if (config_defaults(cfg, err) != 0)
        return -1;
    struct config_parser p = {.text = text, .origin = origin, .err = err};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (root == NULL) {
        size_t off = end ? (size_t)(end - text) : 0;
        sg_error_set(err, "%s:%d: not valid JSON near \"%.20s\"; the config is one JSON object "
                     "(see README, Configuration)", origin, config_line_at(text, off),
                     end ? end : "");
        config_free(cfg);
        return -1;
    }
    int rc = 0;
    const char *path[2] = {""};
    /* A check's section (check.h names it) is parsed here; test_registry holds the two lists equal. */
    static const char *const keys[] = {"exempt_namespaces", "secrets", "hygiene", "schema",
                                       "databases", NULL};
    const cJSON *v;
    if (!cJSON_IsObject(root))
        rc = sg_error_set(err, "%s:1: the config must be a JSON object", origin);
    else if (check_keys(&p, root, keys, path, 0) != 0)
        rc = -1;
    else if ((v = cJSON_GetObjectItemCaseSensitive(root, "exempt_namespaces")) &&
             (path[0] = "exempt_namespaces",
              parse_string_list(&p, v, &cfg->exempt_namespaces, path, 1) != 0))
        rc = -1;
    else if ((v = cJSON_GetObjectItemCaseSensitive(root, "secrets")) && parse_secrets(&p, v, cfg) != 0)
        rc = -1;
    else if ((v = cJSON_GetObjectItemCaseSensitive(root, "hygiene")) && parse_hygiene(&p, v, cfg) != 0)
        rc = -1;
    else if ((v = cJSON_GetObjectItemCaseSensitive(root, "schema")) && parse_schema(&p, v, cfg) != 0)
        rc = -1;
    else if ((v = cJSON_GetObjectItemCaseSensitive(root, "databases")) &&
             parse_databases(&p, v, cfg) != 0)
        rc = -1;
    cJSON_Delete(root);
    if (rc == 0) {
        free(cfg->source);
        if ((cfg->source = strdup(origin)) == NULL)
            rc = sg_error_set(err, "out of memory reading %s", origin);
    }
    if (rc != 0)
        config_free(cfg);
    return rc;
}

int config_load(const char *path, struct config *cfg, struct sg_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sg_error_set(err, "%s: cannot open config: %s", path, strerror(errno));
    char *text = malloc(CONFIG_MAX_BYTES + 1);
    if (text == NULL) {
        fclose(f);
        return sg_error_set(err, "%s: out of memory", path);
    }
    size_t n = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(text);
        return sg_error_set(err, "%s: read error", path);
    }
    if (n > CONFIG_MAX_BYTES) {
        free(text);
        return sg_error_set(err, "%s: config is larger than 1 MiB", path);
    }
    text[n] = '\0';
    if (strlen(text) != n) {
        free(text);
        return sg_error_set(err, "%s: config contains a NUL byte; it must be a JSON text file", path);
    }
    int rc = config_parse(text, path, cfg, err);
    free(text);
    return rc;
}
