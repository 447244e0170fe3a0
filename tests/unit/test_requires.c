/* test_requires.c - the `schemagate.io/requires` grammar: the list syntax, and each tool's
 * reference forms; every error must say what is wrong and show a correct example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "schema/requires.h"
#include "schema/tool.h"

static struct requirement_list list;

static void parses_lists(void **state)
{
    (void)state;
    struct sg_error err = {{0}};
    assert_int_equal(requires_parse("orders@1.10", &list, &err), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.items[0].database, "orders");
    assert_string_equal(list.items[0].ref, "1.10");
    assert_false(list.items[0].at_least);

    assert_int_equal(requires_parse(" orders@>=1.10 ,billing@tag:v2.3.0, q@@v1.0 ", &list, &err), 0);
    assert_int_equal(list.count, 3);
    assert_true(list.items[0].at_least);
    assert_string_equal(list.items[0].ref, "1.10");
    assert_string_equal(list.items[0].text, "orders@>=1.10");
    assert_string_equal(list.items[1].ref, "tag:v2.3.0");
    assert_string_equal(list.items[2].ref, "@v1.0");
}

static void rejects_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *value, *says;
    } bad[] = {
        {"", "item 1 is empty"},
        {"orders@1.10,", "item 2 is empty"},
        {"orders", "has no '@'"},
        {"@1.10", "needs a database name"},
        {"Orders@1", "may only use a-z"},
        {"postgres://u:p@h/db@1", "may only use a-z"},
        {"orders@", "needs a reference"},
        {"orders@>=", "needs a reference"},
        {"orders@1 .10", "without spaces"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sg_error err = {{0}};
        assert_int_equal(requires_parse(bad[i].value, &list, &err), -1);
        if (strstr(err.message, bad[i].says) == NULL || strstr(err.message, "e.g.") == NULL)
            fail_msg("\"%s\": %s", bad[i].value, err.message);
    }
    /* A reference the webhook cannot hold whole is refused, never cut short; one that fits is kept. */
    char longref[2 * REQUIRES_PART_MAX] = "orders@";
    memset(longref + 7, 'n', REQUIRES_PART_MAX);
    longref[7 + REQUIRES_PART_MAX] = '\0';
    struct sg_error lerr = {{0}};
    assert_int_equal(requires_parse(longref, &list, &lerr), -1);
    if (strstr(lerr.message, "256 characters, longer than the 255") == NULL || strstr(lerr.message, "e.g.") == NULL)
        fail_msg("long ref: %s", lerr.message);
    assert_true(strlen(lerr.message) < 400);
    longref[7 + REQUIRES_PART_MAX - 1] = '\0';
    assert_int_equal(requires_parse(longref, &list, &lerr), 0);
    assert_int_equal(strlen(list.items[0].ref), REQUIRES_PART_MAX - 1);
    char many[1024] = "";
    for (int i = 0; i < REQUIRES_MAX_ITEMS + 1; i++)
        strcat(many, i ? ",a@1" : "a@1");
    struct sg_error err = {{0}};
    assert_int_equal(requires_parse(many, &list, &err), -1);
}

static int resolve(const char *tool, const char *value, const char *project, struct requirement *out,
                   struct sg_error *err)
{
    struct database_config db = {.name = "orders", .tool = tool_find(tool), .project = (char *)project};
    if (requires_parse(value, &list, err) != 0)
        return -1;
    int rc = requires_resolve(&db, &list.items[0], err);
    *out = list.items[0];
    return rc;
}

static void resolves_per_tool(void **state)
{
    (void)state;
    struct requirement r;
    struct sg_error err = {{0}};
    assert_int_equal(resolve("flyway", "orders@01_10.0", NULL, &r, &err), 0);
    assert_string_equal(r.param[0], "1.10");
    assert_string_equal(r.cache_key, "1.10");
    assert_int_equal(resolve("flyway", "orders@>=1.10", NULL, &r, &err), 0);
    assert_string_equal(r.cache_key, ">=1.10");

    assert_int_equal(resolve("liquibase", "orders@tag:v2.3.0", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_LIQUIBASE_TAG);
    assert_string_equal(r.param[0], "v2.3.0");
    assert_int_equal(resolve("liquibase", "orders@changeset:42::alice::db/changelog.xml", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_LIQUIBASE_CHANGESET);
    assert_string_equal(r.param[0], "42");
    assert_string_equal(r.param[1], "alice");
    assert_string_equal(r.param[2], "db/changelog.xml");

    assert_int_equal(resolve("django", "orders@shop:0002_add_price", NULL, &r, &err), 0);
    assert_string_equal(r.param[0], "shop");
    assert_string_equal(r.param[1], "0002_add_price");
    assert_int_equal(resolve("django", "orders@0002_add_price", "shop", &r, &err), 0);
    assert_string_equal(r.param[0], "shop");

    assert_int_equal(resolve("sqitch", "orders@@v1.0", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_SQITCH_TAG);
    assert_string_equal(r.param[0], "@v1.0");
    assert_int_equal(resolve("sqitch", "orders@add_users", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_SQITCH_CHANGE);

    assert_int_equal(resolve("rails", "orders@007", NULL, &r, &err), 0);
    assert_string_equal(r.cache_key, "7");
    assert_int_equal(resolve("dbmate", "orders@007", NULL, &r, &err), 0);
    assert_string_equal(r.cache_key, "007");         /* dbmate: "001" is not "1" */
    assert_int_equal(resolve("golang-migrate", "orders@20240101120000", NULL, &r, &err), 0);
    assert_int_equal(resolve("knex", "orders@20240101_add_email.js", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_NAME);
    assert_int_equal(resolve("alembic", "orders@ae1027a6acf", NULL, &r, &err), 0);
    assert_int_equal(r.kind, REF_ALEMBIC_REVISION);
}

static void rejects_per_tool(void **state)
{
    (void)state;
    static const struct {
        const char *tool;
        const char *value, *says;
    } bad[] = {
        {"flyway", "orders@1.x", "\"orders@1.10\""},
        {"flyway", "orders@V1__init", "digits"},
        {"liquibase", "orders@v2.3.0", "tag:"},
        {"liquibase", "orders@changeset:42::alice", "changeset:<id>::<author>::<file>"},
        {"liquibase", "orders@changeset:::alice::f.xml", "changeset:<id>"},
        {"django", "orders@0002_add_price", "app:name"},
        {"django", "orders@shop:", "\"orders@shop:0002_add_price\""},
        {"sqitch", "orders@@", "tag needs a name"},
        {"golang-migrate", "orders@99999999999999999999", "bigint"},
        {"goose", "orders@v1", "whole number"},
        {"rails", "orders@2024_01", "digits"},
        {"knex", "orders@>=20240101_x", "\">=\" needs ordered versions"},
        {"alembic", "orders@0123456789abcdef0123456789abcdef0", "32 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct requirement r;
        struct sg_error err = {{0}};
        assert_int_equal(resolve(bad[i].tool, bad[i].value, NULL, &r, &err), -1);
        if (strstr(err.message, bad[i].says) == NULL || strstr(err.message, "e.g. \"orders@") == NULL)
            fail_msg("\"%s\": %s", bad[i].value, err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_lists),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(resolves_per_tool),
        cmocka_unit_test(rejects_per_tool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
