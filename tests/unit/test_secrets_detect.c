/* test_secrets_detect.c - each detector on its own: the name and value classifiers, the
 * value shapes (URI userinfo, DSNs, key=value, PEM, .pgpass, SQL, tokens), the tool flag
 * tables with their traps, and the redaction routine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "secrets/redact.h"
#include "secrets/secretargv.h"
#include "secrets/secretclass.h"
#include "secrets/secretshape.h"
#include "strbuf.h"

#define NAME(s) secretclass_name(s, strlen(s))
#define VALUE(s) secretclass_value(s, strlen(s))

static void test_credential_names(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "FLYWAY_PASSWORD", "PGPASSWORD", "MYSQL_PWD", "LIQUIBASE_COMMAND_PASSWORD", "REDISCLI_AUTH",
        "spring.datasource.password", "DJANGO_SECRET_KEY", "SECRET_KEY_BASE", "NOTIFY_API_TOKEN",
        "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD_B64", "clientSecret", "apiKey", "DB_PASS", "REQUIRE_PASSWORD",
        "RABBITMQ_ERLANG_COOKIE", "server.ssl.key-store-password", "_authToken", NULL,
    };
    static const char *const no[] = {
        "AWS_ACCESS_KEY_ID", "PASSWORD_MIN_LENGTH", "PASSWORD_HASH_ALGORITHM", "PASSWORD_RESET_TOKEN_TTL",
        "SECRET_ROTATION_INTERVAL", "TOKEN_TTL_SECONDS", "POSTGRES_HOST_AUTH_METHOD", "DB_PASSWORD_SECRET_NAME",
        "DB_PASSWORD_SECRET_KEY", "SECRETS_PROVIDER", "VAULT_ROLE", "POSTGRES_PASSWORD_FILE", "PGPASSFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "JWT_PUBLIC_KEY", "existingSecret", "passwordKey", "CACHE_KEY_PREFIX",
        "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "password_encryption", "token-file", NULL,
    };
    for (const char *const *n = yes; *n; n++)
        if (!NAME(*n))
            fail_msg("%s should sound like a credential", *n);
    for (const char *const *n = no; *n; n++)
        if (NAME(*n))
            fail_msg("%s should not sound like a credential", *n);
}

static void test_value_classifier(void **state)
{
    (void)state;
    static const char *const inert[] = {
        "", "true", "yes", "12", "3600", "720h", "15m", "argon2id", "RS256", "/run/secrets/db", "~/.pgpass",
        "postgres://app@db/app", "$(DB_PASSWORD)", "${DB_PASSWORD}", "{{ .Data.password }}", "__DB_PASSWORD__",
        "<db-password>", "%(DB_PASS)s", "********", "PROMPT", "vault:secret/data/db#password", "secret/data/db",
        "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", "$2b$12$abcdefghijklmnopqrstuv",
        "os.environ['X']", "$DB_PASSWORD", NULL,
    };
    static const char *const secret[] = {"hunter2", "changeme", "postgres", "P@ss!word1", "12345678",
                                         "aHVudGVyMg==", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};
    for (const char *const *v = inert; *v; v++)
        if (VALUE(*v))
            fail_msg("\"%s\" should not be a secret", *v);
    for (const char *const *v = secret; *v; v++)
        if (!VALUE(*v))
            fail_msg("\"%s\" should be a secret", *v);
    assert_true(secretclass_slot_value("true", 4));     /* -password=true is a password */
    assert_false(secretclass_slot_value("$(X)", 4));
    assert_true(secretclass_default_looking("changeme", 8));
    assert_false(secretclass_default_looking("k9-unusual", 10));
}

struct hits {
    char text[16][128];
    size_t count;
};

static void collect_shape(const struct shape_hit *h, void *arg)
{
    static const char *const kinds[] = {"uri", "dsn", "kv", "pem", "pgpass", "sql", "token"};
    struct hits *s = arg;
    if (s->count < 16)
        snprintf(s->text[s->count++], 128, "%s:%.*s=%.*s", kinds[h->kind], (int)h->key_len, h->key ? h->key : "",
                 (int)(h->value_len > 40 ? 40 : h->value_len), h->value);
}

static struct hits shapes(const char *text)
{
    struct hits s = {.count = 0};
    secretshape_scan(text, strlen(text), collect_shape, &s);
    return s;
}

static void test_uri_userinfo(void **state)
{
    (void)state;
    struct hits s = shapes("postgres://app:pw1@db/app");
    assert_int_equal(s.count, 1);
    assert_string_equal(s.text[0], "uri:postgres=pw1");
    assert_string_equal(shapes("redis://:pw2@redis:6379/0").text[0], "uri:redis=pw2");
    assert_string_equal(shapes("postgresql+psycopg2://u:pw3@h/db").text[0], "uri:postgresql+psycopg2=pw3");
    assert_string_equal(shapes("x mongodb+srv://u:p%40w4@c.net/db").text[0], "uri:mongodb+srv=p%40w4");
    assert_string_equal(shapes("postgresql://{{ .Data.username }}:{{ .Data.password }}@db/app").text[0],
                        "uri:postgresql={{ .Data.password }}");
    assert_int_equal(shapes("postgres://app@db/app?sslmode=verify-full").count, 0);
    assert_int_equal(shapes("git@github.com:org/repo.git").count, 0);
    assert_int_equal(shapes("registry:5000/img@sha256:abc").count, 0);
    assert_int_equal(shapes("jdbc:oracle:thin:@//host:1521/SVC").count, 0);
    assert_int_equal(shapes("http://host:8080/path@x").count, 0);
}

static void test_go_dsn_and_key_values(void **state)
{
    (void)state;
    assert_string_equal(shapes("user:pw5@tcp(mysql:3306)/db").text[0], "dsn:=pw5");
    assert_string_equal(shapes("jdbc:postgresql://h/db?user=u&password=pw6&ssl=true").text[0], "kv:password=pw6");
    assert_string_equal(shapes("jdbc:sqlserver://h:1433;databaseName=x;user=u;password=pw7;encrypt=true").text[0],
                        "kv:password=pw7");
    assert_string_equal(shapes("host=h user=u password=pw8 dbname=d").text[0], "kv:password=pw8");
    assert_string_equal(shapes("Server=s;User Id=u;Password=pw9;").text[0], "kv:Password=pw9");
    assert_string_equal(shapes("-Xmx1g -Dspring.datasource.password=pw10 -Dx=y").text[0],
                        "kv:spring.datasource.password=pw10");
    assert_string_equal(shapes("a: 1\nspring:\n  datasource:\n    password: pw 11 # comment\n").text[0],
                        "kv:password=pw 11");
    assert_string_equal(shapes("[env]\npassword = \"pw12\"\n").text[0], "kv:password=pw12");
    assert_string_equal(shapes("{\"spring\":{\"datasource\":{\"password\":\"pw13\"}}}").text[0], "kv:password=pw13");
    assert_string_equal(shapes("--password=pw14").text[0], "kv:password=pw14");
    assert_string_equal(shapes("requirepass pw15\n").text[0], "kv:requirepass=pw15");
    /* Not credentials: comments, host:port, psql variables, keys that are not credential names. */
    assert_int_equal(shapes("# password=commented\nhost: db:5432\nuser=app\n").count, 0);
    assert_int_equal(shapes("ALTER USER app WITH PASSWORD :'app_password';").count, 0);
}

static void test_pem_pgpass_sql_tokens(void **state)
{
    (void)state;
    struct hits s = shapes("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n");
    assert_int_equal(s.count, 1);
    assert_string_equal(s.text[0], "pem:=-----BEGIN RSA PRIVATE KEY-----\nMIIE\n---");
    assert_int_equal(shapes("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----").count, 0);
    assert_string_equal(shapes("echo 'db:5432:app:app:pw16' > ~/.pgpass").text[0], "pgpass:=pw16");
    assert_int_equal(shapes("10:30:00:12:13").count, 0);
    assert_string_equal(shapes("CREATE ROLE r LOGIN PASSWORD 'pw17';").text[0], "sql:=pw17");
    assert_string_equal(shapes("CREATE USER 'u'@'%' IDENTIFIED BY 'pw18';").text[0], "sql:=pw18");
    assert_string_equal(shapes("x ghp_abcdefghijklmnopqrstuvwxyz0123456789 y").text[0],
                        "token:=ghp_abcdefghijklmnopqrstuvwxyz0123456789");
}

static void collect_argv(const struct argv_hit *h, void *arg)
{
    static const char *const kinds[] = {"pw", "userpass", "header", "set", "named"};
    struct hits *s = arg;
    if (s->count < 16)
        snprintf(s->text[s->count++], 128, "%s:%.*s@%zu=%.*s", kinds[h->kind], (int)h->flag_len, h->flag, h->index,
                 (int)h->value_len, h->value);
}

static struct hits flags(char **argv, size_t argc, bool has_command, const char *image)
{
    struct hits s = {.count = 0};
    secretargv_scan(argv, argc, has_command, image, collect_argv, &s);
    return s;
}

#define FLAGS(...) flags((char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), true, NULL)

static void test_tool_flags(void **state)
{
    (void)state;
    assert_string_equal(FLAGS("mysql", "-uroot", "-ppw1", "db").text[0], "pw:-p@2=pw1");
    assert_int_equal(FLAGS("mysql", "-u", "root", "-p", "shop", "-P3306").count, 0);  /* prompt, port */
    assert_int_equal(FLAGS("mysql", "--password", "shop").count, 0);
    assert_string_equal(FLAGS("mysqldump", "--password=pw2").text[0], "pw:--password@1=pw2");
    assert_int_equal(FLAGS("psql", "-p", "5432", "-W", "--password", "app", "-p5432").count, 0);
    assert_string_equal(FLAGS("/opt/mssql-tools/bin/sqlcmd", "-S", "h", "-P", "pw3").text[0], "pw:-P@4=pw3");
    assert_string_equal(FLAGS("redis-cli", "-a", "pw4", "ping").text[0], "pw:-a@2=pw4");
    assert_string_equal(FLAGS("mongosh", "-u", "a", "-p", "pw5").text[0], "pw:-p@4=pw5");
    assert_string_equal(FLAGS("liquibase", "--password", "pw6", "update").text[0], "pw:--password@2=pw6");
    assert_string_equal(FLAGS("curl", "-u", "admin:pw7", "http://x").text[0], "userpass:-u@2=admin:pw7");
    assert_string_equal(FLAGS("curl", "-H", "Authorization: Bearer t", "x").text[0], "header:-H@2=Authorization: Bearer t");
    assert_string_equal(FLAGS("helm", "upgrade", "--set", "a=b,auth.password=pw8").text[0], "set:--set@3=a=b,auth.password=pw8");
    assert_string_equal(FLAGS("env", "X=1", "app", "--db-password", "pw9").text[0], "named:--db-password@4=pw9");
    assert_int_equal(FLAGS("app", "--no-password", "mydb", "--password-stdin", "x").count, 0);
    assert_int_equal(FLAGS("docker", "run", "-p", "8080:80", "img").count, 0);
    /* args only: the image names the tool. */
    struct hits s = flags((char *[]){"-url=jdbc:x", "-password=pw10", "migrate"}, 3, false, "flyway/flyway:10");
    assert_string_equal(s.text[0], "pw:-password@1=pw10");
}

static void test_redaction(void **state)
{
    (void)state;
    struct redact_set r;
    redact_init(&r);
    redact_add(&r, " hunter2 ", 9);
    redact_add(&r, "hunter2-long", 12);
    redact_add(&r, "ab", 2);   /* too short to mask */
    struct strbuf out;
    strbuf_init(&out, 0);
    redact_apply(&r, "a hunter2-long b hunter2 ab", &out);
    assert_string_equal(strbuf_cstr(&out), "a " REDACT_MASK " b " REDACT_MASK " ab");
    strbuf_free(&out);
    redact_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credential_names),
        cmocka_unit_test(test_value_classifier),
        cmocka_unit_test(test_uri_userinfo),
        cmocka_unit_test(test_go_dsn_and_key_values),
        cmocka_unit_test(test_pem_pgpass_sql_tokens),
        cmocka_unit_test(test_tool_flags),
        cmocka_unit_test(test_redaction),
    };
    return cmocka_run_group_tests_name("secret detectors", tests, NULL, NULL);
}
