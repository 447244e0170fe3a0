/* fuzz_shell.c - libFuzzer harness for the `sh -c` tokenizer (webhook/secrets/shellparse.c): no
 * crash, leak or sanitizer report on any script; every command it reports has words, each a
 * NUL-terminated string no longer than the script; the script index of a shell argv is in range. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secrets/shellparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    size_t commands;
    size_t limit;
};

static void on_command(const struct shell_command *cmd, void *arg)
{
    struct seen *s = arg;
    assert(cmd->count > 0);
    for (size_t i = 0; i < cmd->count; i++) {
        assert(cmd->words[i].text != NULL);
        assert(strlen(cmd->words[i].text) <= s->limit + 1);
    }
    s->commands++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen s = {0, size};
    int rc = shellparse_run((const char *)data, size, on_command, &s);
    assert(rc == 0 || rc == -1);
    /* The script's first words as an argv for shellparse_script_index. */
    char *copy = malloc(size + 1);
    assert(copy != NULL);
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[8];
    size_t argc = 0;
    for (char *tok = strtok(copy, " \n"); tok && argc < 8; tok = strtok(NULL, " \n"))
        argv[argc++] = tok;
    long si = shellparse_script_index(argv, argc);
    assert(si == -1 || (si >= 1 && (size_t)si < argc));
    free(copy);
    return 0;
}
