/* test_secrets_conf.c - the config-file syntaxes found by the independent evaluation set
 * (tests/cases/secrets-eval): directive lines, XML, PHP define() and hashes, env[KEY] lines,
 * redis-server and docker login flags, and the values that are references or modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "secrets/secretargv.h"
#include "secrets/secretclass.h"
#include "secrets/secretconf.h"
#include "secrets/secretshape.h"

#define VALUE(s) secretclass_value(s, strlen(s))

struct hits {
    char text[16][128];
    size_t count;
};

static void collect_shape(const struct shape_hit *h, void *arg)
{
    struct hits *s = arg;
    if (h->kind == SHAPE_KEY_VALUE && s->count < 16)
        snprintf(s->text[s->count++], 128, "%.*s=%.*s", (int)h->key_len, h->key, (int)h->value_len, h->value);
}

/* Key/value hits of the whole shape scan (which runs secretconf_scan too). */
static struct hits shapes(const char *text)
{
    struct hits s = {.count = 0};
    secretshape_scan(text, strlen(text), collect_shape, &s);
    return s;
}

static struct hits conf(const char *text)
{
    struct hits s = {.count = 0};
    secretconf_scan(text, strlen(text), collect_shape, &s);
    return s;
}

static void test_directive_lines(void **state)
{
    (void)state;
    assert_string_equal(conf("port 6379\nrequirepass pw1\nmasterauth pw1\n").text[1], "masterauth=pw1");
    assert_string_equal(conf("sentinel monitor m r 6379 2\nsentinel auth-pass mymaster pw2\n").text[0], "auth-pass=pw2");
    assert_string_equal(conf("[OUTPUT]\n    Name es\n    HTTP_User u\n    HTTP_Passwd pw3\n").text[0], "HTTP_Passwd=pw3");
    assert_string_equal(conf("machine h\nlogin u\npassword pw4\n").text[0], "password=pw4");
    assert_string_equal(conf("machine h login u password pw5\n").text[0], "password=pw5");
    assert_string_equal(conf("userlist l\n    user admin insecure-password pw6\n").text[0], "insecure-password=pw6");
    assert_string_equal(conf("  proxy_set_header Authorization \"Basic dXNlcjpwdw==\";\n").text[0],
                        "Authorization=Basic dXNlcjpwdw==");
    /* Not credentials: comments, headers passed through from variables, the passwd command,
     * hashed haproxy passwords (a hit the value judge drops), lines of more than two words. */
    assert_int_equal(conf("# requirepass foobared\n").count, 0);
    assert_int_equal(conf("proxy_set_header Authorization $http_authorization;\n").count, 0);
    assert_int_equal(conf("proxy_set_header Authorization \"Bearer $token\";\n").count, 0);
    assert_int_equal(conf("passwd root\npassword -d x\n").count, 0);
    assert_int_equal(conf("auth_basic \"Restricted\";\nauth_basic_user_file /etc/nginx/htpasswd;\n").count, 0);
    assert_int_equal(conf("password_hash text NOT NULL,\n").count, 0);
    assert_int_equal(conf("Password rotation\n").count, 0);   /* prose outside a .netrc */
    assert_string_equal(conf("machine h\nlogin u\npassword hunter\n").text[0], "password=hunter");
}

static void test_xml(void **state)
{
    (void)state;
    assert_string_equal(conf("<server><id>n</id><username>u</username><password>pw7</password></server>").text[0],
                        "password=pw7");
    assert_string_equal(conf("<property name=\"connection.url\">jdbc:x</property>\n"
                             "<property name=\"connection.password\">pw8</property>").text[0],
                        "connection.password=pw8");
    assert_string_equal(conf("<add key=\"DbPassword\" value=\"pw9\" />").text[0], "DbPassword=pw9");
    assert_string_equal(conf("<ns:password>pw10</ns:password>").text[0], "password=pw10");
    assert_int_equal(conf("<password><![CDATA[x]]></password><passwordPolicy>strong</passwordPolicy>").count, 0);
    assert_int_equal(conf("<property name=\"dialect\">org.hibernate.dialect.PostgreSQLDialect</property>").count, 0);
}

static void test_php(void **state)
{
    (void)state;
    assert_string_equal(conf("define( 'DB_PASSWORD', 'pw11' );").text[0], "DB_PASSWORD=pw11");
    assert_int_equal(conf("define( 'DB_USER', 'wp' );\ndefine('DB_PASSWORD', getenv('X'));").count, 0);
    assert_string_equal(shapes("        'password' => 'pw12',\n").text[0], "password=pw12");
    assert_string_equal(shapes("$x = ['password' => 'pw13'];").text[0], "password=pw13");
    assert_string_equal(shapes("env[DB_PASSWORD] = pw14\n").text[0], "DB_PASSWORD=pw14");
    assert_string_equal(shapes("$cfg['Servers'][1]['password'] = 'pw15';\n").text[0], "password=pw15");
    /* env('X', '') is read at run time. */
    struct hits s = shapes("'password' => env('DB_PASSWORD', ''),\n");
    assert_int_equal(s.count, 1);
    assert_false(VALUE("env('DB_PASSWORD'"));
    assert_false(VALUE("getenv('WORDPRESS_DB_PASSWORD')"));
}

static void test_reference_and_mode_values(void **state)
{
    (void)state;
    assert_false(VALUE("gcp:secretmanager:projects/acme/secrets/db/versions/latest"));
    assert_false(VALUE("Container"));   /* Tomcat auth="Container" */
    assert_false(VALUE("Application"));
    assert_true(VALUE("Container-pw-1"));
}

static void collect_argv(const struct argv_hit *h, void *arg)
{
    struct hits *s = arg;
    if (s->count < 16)
        snprintf(s->text[s->count++], 128, "%.*s@%zu=%.*s", (int)h->flag_len, h->flag, h->index, (int)h->value_len,
                 h->value);
}

static struct hits flags(char **argv, size_t argc, bool has_command, const char *image)
{
    struct hits s = {.count = 0};
    secretargv_scan(argv, argc, has_command, image, collect_argv, &s);
    return s;
}

#define FLAGS(...) flags((char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), true, NULL)

static void test_server_and_login_flags(void **state)
{
    (void)state;
    assert_string_equal(FLAGS("redis-server", "--appendonly", "yes", "--requirepass", "pw16").text[0],
                        "--requirepass@4=pw16");
    struct hits s = flags((char *[]){"--masterauth", "pw17"}, 2, false, "redis:7.2-alpine");
    assert_string_equal(s.text[0], "--masterauth@1=pw17");
    assert_string_equal(FLAGS("docker", "login", "-u", "ci", "-p", "pw18", "registry").text[0], "-p@5=pw18");
    assert_string_equal(FLAGS("podman", "login", "-ppw19", "registry").text[0], "-p@2=pw19");
    assert_int_equal(FLAGS("docker", "run", "-d", "-p", "8080:80", "img").count, 0);
    assert_int_equal(FLAGS("docker", "login", "-u", "ci", "--password-stdin", "registry").count, 0);
    assert_string_equal(FLAGS("sshpass", "-p", "pw20", "ssh", "u@h").text[0], "-p@2=pw20");
    assert_int_equal(FLAGS("sshpass", "-f", "/run/secrets/ssh", "ssh", "-p", "2222", "u@h").count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directive_lines),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_php),
        cmocka_unit_test(test_reference_and_mode_values),
        cmocka_unit_test(test_server_and_login_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
