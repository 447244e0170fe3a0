/* shellparse.h - a small POSIX-shell tokenizer for `sh -c` / `bash -c` scripts in pod specs:
 * simple commands split on ; && || | & and newlines, quote removal, assignments, redirections,
 * heredocs and here-strings. Expansions ($VAR, ${VAR}, $(cmd), `cmd`) are kept as written so
 * the secret scan can resolve them; text that was single-quoted never reads as an expansion. */
#ifndef SCHEMAGATE_SHELLPARSE_H
#define SCHEMAGATE_SHELLPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* In cooked words, a "$" that came from single quotes (a literal dollar) is this byte. */
#define SHELL_LITERAL_DOLLAR '\x01'

enum shell_word_role {
    SHELL_ASSIGN,      /* NAME=value before the command name */
    SHELL_ARG,         /* argv[0..] */
    SHELL_REDIRECT,    /* the target of > >> < 2> &> */
    SHELL_HEREDOC,     /* the body of <<DELIM (expansions live) */
    SHELL_HEREDOC_LITERAL, /* the body of <<'DELIM' (no expansion) */
    SHELL_HERESTRING,  /* the word after <<< */
};

struct shell_word {
    enum shell_word_role role;
    char *text;        /* cooked text, NUL-terminated */
};

struct shell_command {
    struct shell_word *words;
    size_t count;
};

typedef void (*shellparse_fn)(const struct shell_command *cmd, void *ctx);

/* Calls fn once per simple command, in script order. Returns 0, or -1 when out of memory
 * (commands already reported stay reported). Malformed scripts (an unclosed quote) are read
 * as far as they go, the way a reviewer would read them. */
int shellparse_run(const char *script, size_t len, shellparse_fn fn, void *ctx);

/* Index of the script in a shell argv ("sh -c SCRIPT", "bash -euo pipefail -c SCRIPT",
 * "sh -ec SCRIPT"), or -1 when argv is not a shell running a -c script. */
long shellparse_script_index(char *const *argv, size_t argc);

/* Basename of a command ("/usr/bin/psql" -> "psql"). */
const char *shellparse_basename(const char *path);

#endif
