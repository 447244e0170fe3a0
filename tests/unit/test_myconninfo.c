/* test_myconninfo.c - MySQL conninfo files: the mysql:// URI and key=value forms, percent and
 * quote decoding, sockets, ssl modes, and errors that never repeat a value (the password). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "schema/myconninfo.h"

static void test_uri(void **state)
{
    (void)state;
    struct my_conninfo c;
    char why[128] = "";
    assert_int_equal(my_conninfo_parse("mysql://sg%40r:p%3Aw%40x@db.internal:3307/orders?ssl-mode=REQUIRED&ssl-ca=/ca.pem",
                                       &c, why, sizeof why), 0);
    assert_string_equal(c.user, "sg@r");
    assert_string_equal(c.password, "p:w@x");
    assert_string_equal(c.host, "db.internal");
    assert_int_equal(c.port, 3307);
    assert_string_equal(c.dbname, "orders");
    assert_int_equal(c.ssl_mode, MY_SSL_REQUIRED);
    assert_string_equal(c.ssl_ca, "/ca.pem");
    assert_int_equal(my_conninfo_parse("mariadb://[fd00::5]/x", &c, why, sizeof why), 0);
    assert_string_equal(c.host, "fd00::5");
    assert_int_equal(c.port, 0);
    assert_string_equal(c.user, "");
    assert_int_equal(my_conninfo_parse("mysql://u@h", &c, why, sizeof why), 0);
    assert_string_equal(c.user, "u");
    assert_string_equal(c.dbname, "");
}

static void test_pairs(void **state)
{
    (void)state;
    struct my_conninfo c;
    char why[128] = "";
    assert_int_equal(my_conninfo_parse("host=10.0.0.5 port=3306 user=schemagate password='p w\\'x' database=orders "
                                       "ssl_mode=verify_ca ssl-ca=/etc/ca.pem connect_timeout=2", &c, why, sizeof why), 0);
    assert_string_equal(c.host, "10.0.0.5");
    assert_int_equal(c.port, 3306);
    assert_string_equal(c.password, "p w'x");
    assert_string_equal(c.dbname, "orders");
    assert_int_equal(c.ssl_mode, MY_SSL_VERIFY_CA);
    assert_int_equal(my_conninfo_parse("host=/run/mysqld/mysqld.sock dbname=a", &c, why, sizeof why), 0);
    assert_string_equal(c.socket, "/run/mysqld/mysqld.sock");
    assert_string_equal(c.host, "");
    assert_int_equal(my_conninfo_parse("  user = a   dbname=b ", &c, why, sizeof why), 0);
    assert_string_equal(c.user, "a");
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"host=h passwd=s3cret", "unknown option \"passwd\""},
        {"host=h password='s3cret", "quoted value is not closed"},
        {"host=h port=99999 password=s3cret", "port must be 1-65535"},
        {"postgresql://u:s3cret@h/d", "starts with mysql://"},
        {"mysql://u:s3cret@h:abc/d", "port must be 1-65535"},
        {"mysql://u:s3cr%zzt@h/d", "password is malformed"},
        {"mysql://u:s3cret@h/d?ssl-mode=ALWAYS", "ssl_mode must be"},
        {"mysql://u:s3cret@h/d?ssl-mode=VERIFY_IDENTITY", "need ssl_ca"},
        {"mysql://u:s3cret@h/d?s3cret", "lacks '='"},
        {"s3cret", "not key=value pairs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct my_conninfo c;
        char why[128] = "";
        assert_int_equal(my_conninfo_parse(cases[i].text, &c, why, sizeof why), -1);
        if (strstr(why, cases[i].needle) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, cases[i].needle);
        if (strstr(why, "s3cr"))
            fail_msg("case %zu: the reason \"%s\" repeats the password", i, why);
        assert_string_equal(c.password, "");
    }
}

static void test_bounds(void **state)
{
    (void)state;
    char text[1200], why[128];
    struct my_conninfo c;
    snprintf(text, sizeof text, "host=h password=");
    memset(text + strlen(text), 'x', 600);
    text[16 + 600] = '\0';
    assert_int_equal(my_conninfo_parse(text, &c, why, sizeof why), -1);
    snprintf(text, sizeof text, "user=");
    memset(text + 5, 'u', 300);
    text[305] = '\0';
    assert_int_equal(my_conninfo_parse(text, &c, why, sizeof why), -1);
    assert_non_null(strstr(why, "user is too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
