/* test_registry.c - the registries: every migration tool descriptor complete and listed in order,
 * and a tool added by this one file (fake-tool below) taken up everywhere a tool is used: the
 * config, requirement parsing and examples, the gate's words, hygiene's markers. Then the
 * check registry: implied checks, families by name and path, config sections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "config.h"
#include "decision.h"
#include "hygiene/hygiene.h"
#include "schema/history.h"
#include "schema/requires.h"
#include "schema/tool.h"

/* ---------------------------------------------------------------- the one-file tool ---- */

static const char *const fake_markers[] = {"fake-migrate", NULL};

static const struct migration_tool fake_tool = {
    .name = "fake-tool",
    .list_order = 1000,
    .default_table = {[DB_ENGINE_POSTGRESQL] = "public.fake_history"},
    .example = "step-1",
    .resolve = requires_resolve_name,
    .query = {[DB_ENGINE_POSTGRESQL] = "SELECT true, false, NULL, NULL, NULL, NULL, NULL FROM {T}"},
    .params = tool_params_ref,
    .columns = SUMMARY_COLUMNS,
    .single_row = true,
    .reduce = tool_reduce_summary,
    .repair_hint = "run `fake repair`",
    .markers = fake_markers,
};
MIGRATION_TOOL(fake_tool);

static void tools_complete_and_listed(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    assert_int_equal(tool_registry_check(&err), 0);
    assert_int_equal(tool_end() - tool_begin(), 15);
    char names[512];
    tool_names(names, sizeof names);
    assert_string_equal(names, "flyway, liquibase, golang-migrate, goose, dbmate, rails, atlas, alembic, django, "
                               "sqitch, prisma, knex, node-pg-migrate, sequelize, fake-tool");
    assert_ptr_equal(tool_find("fake-tool"), &fake_tool);
    assert_null(tool_find("flyaway"));
    assert_int_equal(hygiene_markers_check(&err), 0);
}

static void incomplete_descriptor_is_named(void **state)
{
    (void)state;
    struct migration_tool gap = fake_tool;
    gap.reduce = NULL;
    struct sg_error err = {{0}};
    assert_int_equal(tool_descriptor_check(&gap, &err), -1);
    assert_string_equal(err.message, "migration tool \"fake-tool\" is incomplete: it has no reduce function");
    gap = fake_tool;
    gap.query[DB_ENGINE_POSTGRESQL] = NULL;
    assert_int_equal(tool_descriptor_check(&gap, &err), -1);
    assert_non_null(strstr(err.message, "query for PostgreSQL"));
    /* Only PostgreSQL is mandatory (the fake tool has no MySQL query), but a MySQL query
     * needs a MySQL table. */
    assert_null(fake_tool.query[DB_ENGINE_MYSQL]);
    assert_int_equal(tool_descriptor_check(&fake_tool, &err), 0);
    gap = fake_tool;
    gap.query[DB_ENGINE_MYSQL] = "SELECT 1";
    assert_int_equal(tool_descriptor_check(&gap, &err), -1);
    assert_non_null(strstr(err.message, "default table on every engine"));
    /* Every real tool but node-pg-migrate reads MySQL too. */
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++)
        if (strcmp((*t)->name, "fake-tool") != 0)
            assert_true(((*t)->query[DB_ENGINE_MYSQL] == NULL) == (strcmp((*t)->name, "node-pg-migrate") == 0));
}

static const char *fake_config =
    "{\"databases\": {\"lab\": {\"tool\": \"fake-tool\", \"conninfo_file\": \"/x\", \"namespaces\": [\"shop\"]}}}";

static void fake_tool_in_config_and_requirements(void **state)
{
    (void)state;
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(fake_config, "test.json", &cfg, &err), 0);
    const struct database_config *db = config_find_database(&cfg, "lab");
    assert_non_null(db);
    assert_ptr_equal(db->tool, &fake_tool);
    assert_string_equal(db->table, "public.fake_history");

    struct requirement_list list;
    assert_int_equal(requires_parse("lab@step-1", &list, &err), 0);
    assert_int_equal(requires_resolve(db, &list.items[0], &err), 0);
    assert_int_equal(list.items[0].kind, REF_NAME);
    assert_string_equal(list.items[0].param[0], "step-1");
    assert_int_equal(requires_parse("lab@>=step-1", &list, &err), 0);
    assert_int_equal(requires_resolve(db, &list.items[0], &err), -1);
    assert_string_equal(err.message, "\"lab@>=step-1\": \">=\" needs ordered versions; name the migration "
                                     "itself for lab (tool fake-tool); write e.g. \"lab@step-1\"");
    config_free(&cfg);

    /* An unknown tool's message lists every registered one, the fake included. */
    assert_int_equal(config_parse("{\"databases\": {\"lab\": {\"tool\": \"flyaway\", \"conninfo_file\": \"/x\", "
                                  "\"namespaces\": [\"shop\"]}}}", "test.json", &cfg, &err), -1);
    assert_non_null(strstr(err.message, "unknown tool \"flyaway\"; known tools: flyway, liquibase,"));
    assert_non_null(strstr(err.message, "sequelize, fake-tool"));
}

/* The summary reducer over a result seen through struct history_rows. */
static const char *const summary_cells[SUMMARY_COLUMNS] = {"f", "t", "7", "broke\nthere", "6", NULL, "2026-11-20T10:00:00Z"};

static const char *cell(const void *result, int row, int column)
{
    (void)row;
    return ((const char *const *)result)[column];
}

static void summary_reduces_cells(void **state)
{
    (void)state;
    struct history_rows rows = {.result = summary_cells, .rows = 1, .columns = SUMMARY_COLUMNS, .value = cell};
    struct requirement r = {.at_least = true};
    struct history_result out;
    memset(&out, 0, sizeof out);
    struct sg_error err = {{0}};
    assert_int_equal(tool_reduce_summary(NULL, &r, &rows, &out, &err), 0);
    assert_true(out.table_found);
    assert_true(out.satisfied);            /* ">=": the reached column */
    assert_true(out.has_failed);
    assert_string_equal(out.failed_version, "7");
    assert_string_equal(out.failed_description, "broke there");   /* one printable line */
    assert_true(out.has_latest);
    assert_string_equal(out.latest_description, "");
    assert_null(tool_cell(&rows, 1, 0));
    assert_null(tool_cell(&rows, 0, SUMMARY_COLUMNS));
}

/* The gate's words come from the descriptor: a failed migration names its repair hint. */
struct failing_source {
    struct history_source base;
};

static int failing_lookup(struct history_source *base, const struct database_config *db, const struct requirement *r,
                          const struct timespec *deadline, struct history_result *out, struct sg_error *err)
{
    (void)base, (void)db, (void)r, (void)deadline, (void)err;
    memset(out, 0, sizeof *out);
    out->table_found = true;
    out->has_failed = true;
    snprintf(out->failed_version, sizeof out->failed_version, "step-1");
    return 0;
}

static void gate_speaks_for_the_fake_tool(void **state)
{
    (void)state;
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(fake_config, "test.json", &cfg, &err), 0);
    cJSON *object = cJSON_Parse("{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": "
                                "\"api\", \"namespace\": \"shop\", \"annotations\": {\"schemagate.io/requires\": "
                                "\"lab@step-1\"}}, \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": "
                                "\"api\", \"image\": \"nginx\"}]}}}}");
    assert_non_null(object);
    struct admission_request req = {.operation = OP_CREATE, .group = "apps", .kind = "Deployment",
                                    .namespace_ = "shop", .object = object};
    struct failing_source src = {.base = {.lookup = failing_lookup}};
    struct verdict v;
    verdict_init(&v);
    decision_run(&req, &cfg, CHECK_SCHEMA, &src.base, &v);
    assert_true(verdict_denied(&v));
    assert_true(verdict_has_rule(&v, "schema.failed-migration"));
    assert_int_equal(v.denials.count, 1);
    assert_non_null(strstr(v.denials.items[0], "requires lab@step-1 (fake-tool) but migration step-1 failed; "
                                               "run `fake repair`"));
    verdict_free(&v);
    cJSON_Delete(object);
    config_free(&cfg);
}

static void hygiene_knows_the_fake_marker(void **state)
{
    (void)state;
    cJSON *c = cJSON_Parse("{\"name\": \"m\", \"image\": \"example.com/fake-migrate:1\"}");
    assert_non_null(c);
    assert_true(hygiene_is_migration_container(c));
    cJSON_Delete(c);
    c = cJSON_Parse("{\"name\": \"m\", \"image\": \"example.com/fake:1\"}");
    assert_false(hygiene_is_migration_container(c));
    cJSON_Delete(c);
}

/* ---------------------------------------------------------------- checks and families -- */

static void families_and_implied_checks(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    assert_int_equal(check_registry_check(&err), 0);
    const struct check_family *secrets = check_family_by_path("/validate/secrets");
    assert_non_null(secrets);
    assert_int_equal(check_family_set(secrets), CHECK_SECRETS | CHECK_HYGIENE);   /* implied */
    assert_int_equal(check_family_set(check_family_by_name("all")), CHECK_ALL);
    assert_int_equal(check_family_set(check_family_by_path("/validate/schema")), CHECK_SCHEMA);
    assert_null(check_family_by_path("/validate/other"));
    assert_null(check_family_by_name("hygiene"));
    assert_string_equal(check_family_name(CHECK_SECRETS | CHECK_HYGIENE), "secrets");
    assert_string_equal(check_family_name(CHECK_ALL), "all");
    assert_string_equal(check_family_name(CHECK_SCHEMA), "schema");
    char list[128];
    check_family_list(false, list, sizeof list);
    assert_string_equal(list, "all, secrets or schema");
    check_family_list(true, list, sizeof list);
    assert_string_equal(list, "/validate, /validate/secrets or /validate/schema");
}

/* Each check's config section is one config.c parses, and config.c knows no other section. */
static void config_sections_match(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    struct config cfg;
    char known[512] = "exempt_namespaces";
    for (const struct check *c = check_begin(); c < check_end(); c++) {
        char text[128];
        snprintf(text, sizeof text, "{\"%s\": {}}", c->config_section);
        assert_int_equal(config_parse(text, "test.json", &cfg, &err), 0);
        config_free(&cfg);
        strncat(known, ", ", sizeof known - strlen(known) - 1);
        strncat(known, c->config_section, sizeof known - strlen(known) - 1);
    }
    strncat(known, ", databases", sizeof known - strlen(known) - 1);
    assert_int_equal(config_parse("{\"nosuch\": {}}", "test.json", &cfg, &err), -1);
    char want[600];
    snprintf(want, sizeof want, "known keys here: %s", known);
    assert_non_null(strstr(err.message, want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tools_complete_and_listed),
        cmocka_unit_test(incomplete_descriptor_is_named),
        cmocka_unit_test(fake_tool_in_config_and_requirements),
        cmocka_unit_test(summary_reduces_cells),
        cmocka_unit_test(gate_speaks_for_the_fake_tool),
        cmocka_unit_test(hygiene_knows_the_fake_marker),
        cmocka_unit_test(families_and_implied_checks),
        cmocka_unit_test(config_sections_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
