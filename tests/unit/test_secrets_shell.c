/* test_secrets_shell.c - the shell tokenizer: commands, quoting, assignments, expansions kept
 * as written, heredocs, redirections, and finding the script in a shell argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "secrets/shellparse.h"

#define MAX_SEEN 64

struct seen {
    char text[MAX_SEEN][256];
    size_t count;
};

/* Records each command as "ROLE:text|ROLE:text" with A (assign), W (arg), R (redirect),
 * H (heredoc), L (literal heredoc), S (here-string). */
static void collect(const struct shell_command *cmd, void *arg)
{
    static const char roles[] = "AWRHLS";
    struct seen *s = arg;
    assert_true(s->count < MAX_SEEN);
    char *out = s->text[s->count++];
    out[0] = '\0';
    for (size_t i = 0; i < cmd->count; i++) {
        char part[200];
        snprintf(part, sizeof part, "%s%c:%s", i ? "|" : "", roles[cmd->words[i].role], cmd->words[i].text);
        strncat(out, part, 255 - strlen(out));
    }
}

static struct seen parse(const char *script)
{
    struct seen s = {.count = 0};
    assert_int_equal(shellparse_run(script, strlen(script), collect, &s), 0);
    return s;
}

static void test_commands_and_operators(void **state)
{
    (void)state;
    struct seen s = parse("set -e; psql -h db -c 'select 1' && echo ok || exit 1\npg_dump app | gzip > /b/a.gz &");
    assert_int_equal(s.count, 6);
    assert_string_equal(s.text[0], "W:set|W:-e");
    assert_string_equal(s.text[1], "W:psql|W:-h|W:db|W:-c|W:select 1");
    assert_string_equal(s.text[4], "W:pg_dump|W:app");
    assert_string_equal(s.text[5], "W:gzip|R:/b/a.gz");
}

static void test_assignments_and_quotes(void **state)
{
    (void)state;
    struct seen s = parse("PGPASSWORD='p w' FOO=\"a$B\" psql; export X=1; 'NOT=assign'");
    assert_string_equal(s.text[0], "A:PGPASSWORD=p w|A:FOO=a$B|W:psql");
    assert_string_equal(s.text[1], "W:export|W:X=1");
    assert_string_equal(s.text[2], "W:NOT=assign");
}

static void test_expansions_kept(void **state)
{
    (void)state;
    struct seen s = parse("X=\"$(cat /run/secrets/pw)\" Y=${A:-b} Z=`id -u` run \"$HOME\"");
    assert_string_equal(s.text[0], "A:X=$(cat /run/secrets/pw)|A:Y=${A:-b}|A:Z=`id -u`|W:run|W:$HOME");
}

static void test_single_quoted_dollar_is_literal(void **state)
{
    (void)state;
    struct seen s = parse("P='pa$word' Q='$(K8S_VAR)' cmd");
    char expect[64];
    snprintf(expect, sizeof expect, "A:P=pa%cword|A:Q=$(K8S_VAR)|W:cmd", SHELL_LITERAL_DOLLAR);
    assert_string_equal(s.text[0], expect);
}

static void test_heredocs(void **state)
{
    (void)state;
    struct seen s = parse("cat > /f.conf <<EOF\nuser=$U\npassword=x\nEOF\ncat <<-'END' > /g\n\tliteral $X\n\tEND\necho done");
    assert_int_equal(s.count, 3);
    assert_string_equal(s.text[0], "W:cat|R:/f.conf|H:user=$U\npassword=x\n");
    assert_string_equal(s.text[1], "W:cat|R:/g|L:literal $X\n");
    assert_string_equal(s.text[2], "W:echo|W:done");
}

static void test_herestring_comments_keywords(void **state)
{
    (void)state;
    struct seen s = parse("# a comment with password=x\nif true; then psql <<< 'select 1'; fi\n");
    assert_int_equal(s.count, 2);
    assert_string_equal(s.text[0], "W:true");
    assert_string_equal(s.text[1], "W:psql|S:select 1");
}

static void test_unclosed_quote_reads_to_end(void **state)
{
    (void)state;
    struct seen s = parse("echo 'unterminated");
    assert_int_equal(s.count, 1);
    assert_string_equal(s.text[0], "W:echo|W:unterminated");
}

static void test_script_index(void **state)
{
    (void)state;
    char *a[] = {"/bin/sh", "-c", "psql"};
    assert_int_equal(shellparse_script_index(a, 3), 2);
    char *b[] = {"bash", "-euo", "pipefail", "-c", "x"};
    assert_int_equal(shellparse_script_index(b, 5), 4);
    char *c[] = {"sh", "-ec", "x"};
    assert_int_equal(shellparse_script_index(c, 3), 2);
    char *d[] = {"sh", "/scripts/run.sh"};
    assert_int_equal(shellparse_script_index(d, 2), -1);
    char *e[] = {"psql", "-c", "select 1"};
    assert_int_equal(shellparse_script_index(e, 3), -1);
    char *f[] = {"sh", "-c", "--", "x"};
    assert_int_equal(shellparse_script_index(f, 4), 3);
    assert_string_equal(shellparse_basename("/usr/bin/psql"), "psql");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_and_operators),
        cmocka_unit_test(test_assignments_and_quotes),
        cmocka_unit_test(test_expansions_kept),
        cmocka_unit_test(test_single_quoted_dollar_is_literal),
        cmocka_unit_test(test_heredocs),
        cmocka_unit_test(test_herestring_comments_keywords),
        cmocka_unit_test(test_unclosed_quote_reads_to_end),
        cmocka_unit_test(test_script_index),
    };
    return cmocka_run_group_tests_name("shellparse", tests, NULL, NULL);
}
