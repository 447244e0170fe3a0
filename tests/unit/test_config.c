/* test_config.c - the config file: defaults, a full valid file, and every kind of error with
 * the file, the line and a reason that says what to write instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "schema/tool.h"

static void test_defaults(void **state)
{
    (void)state;
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_defaults(&cfg, &err), 0);
    assert_int_equal(cfg.secrets.action, SG_ACTION_DENY);
    assert_int_equal(cfg.secrets.on_existing, SG_ACTION_WARN);
    assert_int_equal(cfg.hygiene.action, SG_ACTION_WARN);
    assert_int_equal(cfg.schema.action, SG_ACTION_DENY);
    assert_int_equal(cfg.schema.dry_run_action, SG_ACTION_WARN);
    assert_true(config_namespace_exempt(&cfg, "kube-system"));
    assert_true(config_namespace_exempt(&cfg, "schemagate-system"));
    assert_false(config_namespace_exempt(&cfg, "default"));
    assert_false(config_namespace_exempt(&cfg, ""));
    assert_int_equal(cfg.database_count, 0);
    config_free(&cfg);
}

static const char full_config[] =
    "{\n"
    "  \"exempt_namespaces\": [\"kube-*\", \"ops\"],\n"
    "  \"secrets\":   { \"action\": \"warn\", \"exempt_workloads\": [\"monitoring/datadog-*\"],\n"
    "                 \"on_existing\": \"deny\" },\n"
    "  \"hygiene\":   { \"action\": \"off\" },\n"
    "  \"schema\":    { \"action\": \"deny\", \"dry_run_action\": \"warn\", \"timeout_ms\": 1500 },\n"
    "  \"databases\": {\n"
    "    \"orders\": {\n"
    "      \"tool\": \"flyway\",\n"
    "      \"conninfo_file\": \"/etc/schemagate/db/orders\",\n"
    "      \"namespaces\": [\"shop\", \"shop-*\"],\n"
    "      \"on_unreachable\": \"allow\"\n"
    "    },\n"
    "    \"billing\": { \"tool\": \"sequelize\", \"conninfo_file\": \"/x\", \"namespaces\": [\"b\"],\n"
    "                   \"table\": \"app.\\\"SequelizeMeta\\\"\" }\n"
    "  }\n"
    "}\n";

static void test_full_config(void **state)
{
    (void)state;
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(full_config, "t.json", &cfg, &err), 0);
    assert_true(config_namespace_exempt(&cfg, "kube-public"));
    assert_false(config_namespace_exempt(&cfg, "kube"));
    assert_int_equal(cfg.secrets.action, SG_ACTION_WARN);
    assert_int_equal(cfg.secrets.on_existing, SG_ACTION_DENY);
    assert_int_equal(cfg.hygiene.action, SG_ACTION_OFF);
    assert_int_equal(cfg.schema.timeout_ms, 1500);
    assert_int_equal(cfg.database_count, 2);
    const struct database_config *db = config_find_database(&cfg, "orders");
    assert_non_null(db);
    assert_ptr_equal(db->tool, tool_find("flyway"));
    assert_string_equal(db->table, "public.flyway_schema_history");
    assert_true(db->allow_when_unreachable);
    assert_true(config_list_matches(&db->namespaces, "shop-eu"));
    assert_false(config_list_matches(&db->namespaces, "shopping"));
    db = config_find_database(&cfg, "billing");
    assert_string_equal(db->table, "app.\"SequelizeMeta\"");
    assert_null(config_find_database(&cfg, "nope"));
    assert_string_equal(cfg.source, "t.json");
    config_free(&cfg);
}

/* Each bad document must fail, naming the file and line and a hint. */
static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *needle;
    } cases[] = {
        {"{\n  \"secrets\": {\"action\": \"deny\",}\n}", "cfg.json:2: not valid JSON"},
        {"[]", "must be a JSON object"},
        {"{\n\n  \"secret\": {}\n}", "cfg.json:3: unknown key \"secret\"; known keys here: exempt_namespaces, secrets"},
        {"{\"secrets\": {\"action\": \"block\"}}", "must be \"deny\", \"warn\" or \"off\""},
        {"{\"hygiene\": {\"action\": \"deny\"}}", "never deny"},
        {"{\"secrets\": {\"exempt_workloads\": [\"datadog\"]}}", "\"namespace/name\" globs"},
        {"{\"secrets\": {\"on_existing\": \"off\"}}", "\"on_existing\" must be \"warn\""},
        {"{\"secrets\": {\"on_existing\": true}}", "or \"deny\""},
        {"{\"exempt_namespaces\": \"kube-system\"}", "must be an array of strings"},
        {"{\"exempt_namespaces\": [\"\"]}", "non-empty strings"},
        {"{\"schema\": {\"timeout_ms\": 20000}}", "whole number from 50 to 9000"},
        {"{\"schema\": {\"timeout_ms\": 1.5}}", "whole number"},
        {"{\"databases\": []}", "keyed by database name"},
        {"{\"databases\": {\"Orders!\": {}}}", "1-63 characters"},
        {"{\"databases\": {\"o\": {\"conninfo_file\": \"/x\", \"namespaces\": [\"a\"]}}}", "needs \"tool\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flywayy\", \"conninfo_file\": \"/x\", \"namespaces\": [\"a\"]}}}",
         "unknown tool \"flywayy\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"namespaces\": [\"a\"]}}}", "\"conninfo_file\" must be"},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\"}}}", "needs \"namespaces\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\", \"namespaces\": [\"a\"], "
         "\"table\": \"flyway_schema_history\"}}}", "schema-qualified"},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\", \"namespaces\": [\"a\"], "
         "\"on_unreachable\": \"ignore\"}}}", "\"deny\" or \"allow\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"dsn\": \"postgres://u:p@h/d\"}}}", "unknown key \"dsn\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"engine\": \"oracle\", \"conninfo_file\": \"/x\", "
         "\"namespaces\": [\"a\"]}}}", "\"engine\" must be \"postgresql\" or \"mysql\"; got \"oracle\""},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"engine\": 1, \"conninfo_file\": \"/x\", "
         "\"namespaces\": [\"a\"]}}}", "\"engine\" must be \"postgresql\" or \"mysql\""},
        {"{\"databases\": {\"o\": {\"tool\": \"node-pg-migrate\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", "
         "\"namespaces\": [\"a\"]}}}", "tool \"node-pg-migrate\" keeps its history on PostgreSQL only"},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", "
         "\"namespaces\": [\"a\"], \"table\": \"a.b.c\"}}}", "\"table\" on MySQL is"},
        {"{\"databases\": {\"o\": {\"tool\": \"flyway\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", "
         "\"namespaces\": [\"a\"], \"table\": \"`a\"}}}", "\"table\" on MySQL is"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config cfg;
        struct sg_error err = {{0}};
        assert_int_equal(config_parse(cases[i].text, "cfg.json", &cfg, &err), -1);
        if (strstr(err.message, cases[i].needle) == NULL)
            fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err.message, cases[i].needle);
        if (strncmp(err.message, "cfg.json:", 9) != 0)
            fail_msg("case %zu: error \"%s\" does not start with file:line", i, err.message);
    }
}

static void test_error_line_of_nested_key(void **state)
{
    (void)state;
    const char *text = "{\n"
                       "  \"databases\": {\n"
                       "    \"orders\": {\n"
                       "      \"tool\": \"flyway\",\n"
                       "      \"conninfo_file\": \"/x\",\n"
                       "      \"namespaces\": [\"a\"],\n"
                       "      \"on_unreachable\": \"maybe\"\n"
                       "    }\n"
                       "  }\n"
                       "}\n";
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(text, "c.json", &cfg, &err), -1);
    assert_non_null(strstr(err.message, "c.json:7:"));
}

/* engine "mysql": the tool's MySQL table by default (in the conninfo's database), names keep
 * their case, `quoted` parts and a database prefix are read; PostgreSQL stays the default. */
static void test_mysql_engine(void **state)
{
    (void)state;
    const char *text = "{\"databases\": {"
                       "\"a\": {\"tool\": \"liquibase\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", \"namespaces\": [\"n\"]},"
                       "\"b\": {\"tool\": \"sequelize\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", \"namespaces\": [\"n\"],"
                       "       \"table\": \"app.`Sequelize``Meta`\"},"
                       "\"c\": {\"tool\": \"sqitch\", \"engine\": \"mysql\", \"conninfo_file\": \"/x\", \"namespaces\": [\"n\"]},"
                       "\"d\": {\"tool\": \"node-pg-migrate\", \"engine\": \"postgresql\", \"conninfo_file\": \"/x\", \"namespaces\": [\"n\"]},"
                       "\"e\": {\"tool\": \"flyway\", \"conninfo_file\": \"/x\", \"namespaces\": [\"n\"]}}}";
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_parse(text, "t.json", &cfg, &err), 0);
    const struct database_config *db = config_find_database(&cfg, "a");
    assert_int_equal(db->engine, DB_ENGINE_MYSQL);
    assert_string_equal(db->table, "DATABASECHANGELOG");
    assert_null(db->table_schema);
    assert_string_equal(db->table_name, "DATABASECHANGELOG");
    db = config_find_database(&cfg, "b");
    assert_string_equal(db->table_schema, "app");
    assert_string_equal(db->table_name, "Sequelize`Meta");
    db = config_find_database(&cfg, "c");
    assert_string_equal(db->table_schema, "sqitch");
    assert_string_equal(db->table_name, "changes");
    assert_int_equal(config_find_database(&cfg, "d")->engine, DB_ENGINE_POSTGRESQL);
    db = config_find_database(&cfg, "e");
    assert_int_equal(db->engine, DB_ENGINE_POSTGRESQL);
    assert_string_equal(db->table_schema, "public");
    config_free(&cfg);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct config cfg;
    struct sg_error err = {{0}};
    assert_int_equal(config_load("/nonexistent/schemagate.json", &cfg, &err), -1);
    assert_non_null(strstr(err.message, "/nonexistent/schemagate.json: cannot open config"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_line_of_nested_key),
        cmocka_unit_test(test_mysql_engine),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
