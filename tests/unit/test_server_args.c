/* test_server_args.c - what `schemagate serve` reads from a request line and its flags: the
 * apiserver's `?timeout=` as a Go duration (it bounds the database budget), and listen
 * addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/socket.h>

#include "server.h"

static void go_durations(void **state)
{
    (void)state;
    assert_int_equal(server_parse_duration_ms("10s"), 10000);
    assert_int_equal(server_parse_duration_ms("1m30s"), 90000);
    assert_int_equal(server_parse_duration_ms("500ms"), 500);
    assert_int_equal(server_parse_duration_ms("1.5s"), 1500);
    assert_int_equal(server_parse_duration_ms("2500000us"), 2500);
    assert_int_equal(server_parse_duration_ms("1h"), 3600000);
    assert_int_equal(server_parse_duration_ms("0s"), 0);
    assert_int_equal(server_parse_duration_ms(NULL), -1);
    assert_int_equal(server_parse_duration_ms(""), -1);
    assert_int_equal(server_parse_duration_ms("10"), -1);      /* a unit is required */
    assert_int_equal(server_parse_duration_ms("ten s"), -1);
    assert_int_equal(server_parse_duration_ms("-5s"), -1);
    assert_int_equal(server_parse_duration_ms("10x"), -1);
    assert_int_equal(server_parse_duration_ms("999999h"), -1); /* absurd: ignored */
}

static void listen_addresses(void **state)
{
    (void)state;
    struct sockaddr_storage a;
    struct sg_error err = {{0}};
    assert_int_equal(server_parse_address("127.0.0.1:8443", &a, &err), 0);
    assert_int_equal(a.ss_family, AF_INET);
    assert_int_equal(server_parse_address("[::1]:8443", &a, &err), 0);
    assert_int_equal(a.ss_family, AF_INET6);
    assert_int_equal(server_parse_address("127.0.0.1", &a, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go_durations),
        cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
