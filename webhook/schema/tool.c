/* tool.c - the registry of migration tools (the descriptors MIGRATION_TOOL() places in the
 * sg_migration_tools section; the linker brackets it with __start_/__stop_ symbols), its
 * completeness check, and the helpers descriptors share. */
#include "tool.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "history.h"
#include "requires.h"

extern const struct migration_tool *const __start_sg_migration_tools[];
extern const struct migration_tool *const __stop_sg_migration_tools[];

const struct migration_tool *const *tool_begin(void)
{
    return __start_sg_migration_tools;
}

const struct migration_tool *const *tool_end(void)
{
    return __stop_sg_migration_tools;
}

const struct migration_tool *tool_find(const char *name)
{
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

void tool_names(char *out, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    out[0] = '\0';
    /* A handful of tools: pick the next one by list_order each time (a sorted copy would be
     * state to keep). Ties are listed in registry order. */
    const struct migration_tool *last = NULL;
    for (const struct migration_tool *const *i = tool_begin(); i < tool_end(); i++) {
        const struct migration_tool *next = NULL;
        for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++) {
            bool after_last = last == NULL || (*t)->list_order > last->list_order ||
                              ((*t)->list_order == last->list_order && *t > last);
            bool before_next = next == NULL || (*t)->list_order < next->list_order ||
                               ((*t)->list_order == next->list_order && *t < next);
            if (after_last && before_next)
                next = *t;
        }
        if (next == NULL)
            break;
        int w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", next->name);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
        last = next;
    }
}

const char *tool_engine_name(enum db_engine engine)
{
    return engine == DB_ENGINE_MYSQL ? "mysql" : "postgresql";
}

int tool_engine_find(const char *name)
{
    if (strcmp(name, "postgresql") == 0)
        return DB_ENGINE_POSTGRESQL;
    if (strcmp(name, "mysql") == 0)
        return DB_ENGINE_MYSQL;
    return -1;
}

static int incomplete(const struct migration_tool *t, const char *what, struct sg_error *err)
{
    return sg_error_set(err, "migration tool \"%s\" is incomplete: it has no %s", t->name ? t->name : "(unnamed)",
                        what);
}

int tool_descriptor_check(const struct migration_tool *t, struct sg_error *err)
{
    if (t->name == NULL || t->name[0] == '\0')
        return incomplete(t, "name", err);
    if (t->default_table[DB_ENGINE_POSTGRESQL] == NULL)
        return incomplete(t, "default table on PostgreSQL", err);
    if (t->query[DB_ENGINE_POSTGRESQL] == NULL)
        return incomplete(t, "query for PostgreSQL", err);
    for (int e = 0; e < DB_ENGINE_COUNT; e++)
        if ((t->query[e] == NULL) != (t->default_table[e] == NULL))
            return incomplete(t, t->query[e] ? "default table on every engine it has a query for"
                                             : "query on every engine it has a default table for", err);
    if (t->example == NULL)
        return incomplete(t, "example reference", err);
    if (t->resolve == NULL)
        return incomplete(t, "resolve function", err);
    if (t->params == NULL)
        return incomplete(t, "params function", err);
    if (t->reduce == NULL)
        return incomplete(t, "reduce function", err);
    if (t->columns <= 0)
        return incomplete(t, "column count", err);
    if (t->repair_hint == NULL)
        return incomplete(t, "repair hint", err);
    if (t->markers == NULL || t->markers[0] == NULL)
        return incomplete(t, "hygiene markers", err);
    return 0;
}

int tool_registry_check(struct sg_error *err)
{
    if (tool_begin() == tool_end())
        return sg_error_set(err, "no migration tool is registered");
    for (const struct migration_tool *const *i = tool_begin(); i < tool_end(); i++) {
        if (tool_descriptor_check(*i, err) != 0)
            return -1;
        for (const struct migration_tool *const *j = tool_begin(); j < i; j++)
            if (strcmp((*j)->name, (*i)->name) == 0)
                return sg_error_set(err, "migration tool \"%s\" is registered twice", (*i)->name);
    }
    return 0;
}

/* ---------------------------------------------------------------- shared by descriptors -- */

int tool_params_none(const struct database_config *db, const struct requirement *r, const char **params)
{
    (void)db;
    (void)r;
    (void)params;
    return 0;
}

int tool_params_ref(const struct database_config *db, const struct requirement *r, const char **params)
{
    (void)db;
    params[0] = r->param[0];
    return 1;
}

const char *tool_cell(const struct history_rows *rows, int row, int column)
{
    if (row < 0 || row >= rows->rows || column < 0 || column >= rows->columns)
        return NULL;
    return rows->value(rows->result, row, column);
}

bool tool_cell_true(const struct history_rows *rows, int row, int column)
{
    const char *v = tool_cell(rows, row, column);
    return v != NULL && (strcmp(v, "t") == 0 || strcmp(v, "1") == 0);
}

void tool_copy_text(const char *text, char *out, size_t n)
{
    snprintf(out, n, "%s", text ? text : "");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = ' ';
}

static void copy_cell(const struct history_rows *rows, int column, char *out, size_t n)
{
    tool_copy_text(tool_cell(rows, 0, column), out, n);
}

int tool_reduce_summary(const struct database_config *db, const struct requirement *r,
                        const struct history_rows *rows, struct history_result *out, struct sg_error *err)
{
    (void)db;
    (void)err;
    out->table_found = true;
    bool applied = tool_cell_true(rows, 0, SUMMARY_APPLIED), reached = tool_cell_true(rows, 0, SUMMARY_REACHED);
    out->satisfied = r->at_least ? reached : applied;
    copy_cell(rows, SUMMARY_FAILED_VERSION, out->failed_version, sizeof out->failed_version);
    copy_cell(rows, SUMMARY_FAILED_DESCRIPTION, out->failed_description, sizeof out->failed_description);
    out->has_failed = tool_cell(rows, 0, SUMMARY_FAILED_VERSION) != NULL;
    copy_cell(rows, SUMMARY_LATEST_VERSION, out->latest_version, sizeof out->latest_version);
    copy_cell(rows, SUMMARY_LATEST_DESCRIPTION, out->latest_description, sizeof out->latest_description);
    copy_cell(rows, SUMMARY_LATEST_AT, out->latest_at, sizeof out->latest_at);
    out->has_latest = tool_cell(rows, 0, SUMMARY_LATEST_VERSION) != NULL;
    return 0;
}
