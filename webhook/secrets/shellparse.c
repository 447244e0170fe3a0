/* shellparse.c - the shell tokenizer. It reads like a careful human: enough of the POSIX
 * grammar to find commands, their arguments, assignments and the files they write, and no
 * more (no expansion, no control-flow semantics: keywords are skipped). */
#include "shellparse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define SHELL_WORD_MAX (1u << 20)
#define SHELL_HEREDOCS_MAX 8

struct heredoc_pending {
    char *delim;
    bool strip_tabs;
    bool literal;
};

struct parser {
    const char *s;
    size_t len;
    size_t i;
    struct shell_command cmd;
    size_t cap;
    bool has_arg;      /* cmd holds an SHELL_ARG word: later words are not assignments or keywords */
    struct heredoc_pending pending[SHELL_HEREDOCS_MAX];
    size_t pending_count;
    shellparse_fn fn;
    void *ctx;
    bool failed;
};

static void command_add(struct parser *p, enum shell_word_role role, char *text)
{
    if (text == NULL) {
        p->failed = true;
        return;
    }
    if (p->cmd.count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct shell_word *w = realloc(p->cmd.words, cap * sizeof *w);
        if (w == NULL) {
            free(text);
            p->failed = true;
            return;
        }
        p->cmd.words = w;
        p->cap = cap;
    }
    p->cmd.words[p->cmd.count].role = role;
    p->cmd.words[p->cmd.count].text = text;
    p->cmd.count++;
    if (role == SHELL_ARG)
        p->has_arg = true;
}

static void command_flush(struct parser *p)
{
    if (p->cmd.count > 0 && p->fn)
        p->fn(&p->cmd, p->ctx);
    for (size_t i = 0; i < p->cmd.count; i++)
        free(p->cmd.words[i].text);
    p->cmd.count = 0;
    p->has_arg = false;
}

static bool is_operator(char c)
{
    return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' || c == '\n';
}

/* Copies a $( ) / ${ } / $(( )) / `...` construct verbatim; returns false if none starts here. */
static bool copy_expansion(struct parser *p, struct strbuf *w)
{
    const char *s = p->s;
    size_t i = p->i;
    if (s[i] == '`') {
        size_t e = i + 1;
        while (e < p->len && s[e] != '`')
            e += (s[e] == '\\' && e + 1 < p->len) ? 2 : 1;
        size_t end = e < p->len ? e + 1 : p->len;
        strbuf_append(w, s + i, end - i);
        p->i = end;
        return true;
    }
    if (s[i] != '$' || i + 1 >= p->len || (s[i + 1] != '(' && s[i + 1] != '{'))
        return false;
    char open = s[i + 1], close = open == '(' ? ')' : '}';
    int depth = 0;
    char quote = 0;
    size_t e = i + 1;
    for (; e < p->len; e++) {
        char c = s[e];
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"')
                e++;
            continue;
        }
        if (c == '\\') {
            e++;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == open) {
            depth++;
        } else if (c == close && --depth == 0) {
            break;
        }
    }
    size_t end = e < p->len ? e + 1 : p->len;
    strbuf_append(w, s + i, end - i);
    p->i = end;
    return true;
}

static void read_single_quoted(struct parser *p, struct strbuf *w)
{
    p->i++;
    while (p->i < p->len && p->s[p->i] != '\'') {
        char c = p->s[p->i];
        /* Kubernetes expands $(VAR) before the shell runs, quotes or not. */
        bool k8s = c == '$' && p->i + 1 < p->len && p->s[p->i + 1] == '(';
        strbuf_putc(w, c == '$' && !k8s ? SHELL_LITERAL_DOLLAR : c);
        p->i++;
    }
    if (p->i < p->len)
        p->i++;
}

static void read_double_quoted(struct parser *p, struct strbuf *w)
{
    p->i++;
    while (p->i < p->len && p->s[p->i] != '"') {
        char c = p->s[p->i];
        if (c == '\\' && p->i + 1 < p->len && strchr("\"\\$`\n", p->s[p->i + 1])) {
            char n = p->s[p->i + 1];
            if (n != '\n')
                strbuf_putc(w, n == '$' ? SHELL_LITERAL_DOLLAR : n);
            p->i += 2;
            continue;
        }
        if (copy_expansion(p, w))
            continue;
        strbuf_putc(w, c);
        p->i++;
    }
    if (p->i < p->len)
        p->i++;
}

/* Reads one word; returns false at an operator or the end. *quoted tells whether any part
 * of it was quoted (a quoted heredoc delimiter turns expansion off). */
static bool read_word(struct parser *p, struct strbuf *w, bool *quoted, size_t *quote_at)
{
    *quoted = false;
    *quote_at = SIZE_MAX;
    strbuf_reset(w);
    bool any = false;
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\r' || is_operator(c))
            break;
        any = true;
        if ((c == '\'' || c == '"' || c == '\\') && *quote_at == SIZE_MAX)
            *quote_at = w->len;
        if (c == '\\' && p->i + 1 < p->len) {
            if (p->s[p->i + 1] != '\n')
                strbuf_putc(w, p->s[p->i + 1] == '$' ? SHELL_LITERAL_DOLLAR : p->s[p->i + 1]);
            p->i += 2;
        } else if (c == '\'') {
            *quoted = true;
            read_single_quoted(p, w);
        } else if (c == '$' && p->i + 1 < p->len && p->s[p->i + 1] == '\'') {
            *quoted = true;
            p->i++;
            read_single_quoted(p, w);   /* $'...' */
        } else if (c == '"') {
            *quoted = true;
            read_double_quoted(p, w);
        } else if (!copy_expansion(p, w)) {
            strbuf_putc(w, c);
            p->i++;
        }
    }
    return any;
}

static void skip_blanks(struct parser *p)
{
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\r') {
            p->i++;
        } else if (c == '\\' && p->i + 1 < p->len && p->s[p->i + 1] == '\n') {
            p->i += 2;   /* line continuation */
        } else {
            break;
        }
    }
}

static void read_heredoc_bodies(struct parser *p)
{
    for (size_t h = 0; h < p->pending_count; h++) {
        struct heredoc_pending *d = &p->pending[h];
        struct strbuf body;
        strbuf_init(&body, SHELL_WORD_MAX);
        while (p->i < p->len) {
            size_t ls = p->i;
            const char *nl = memchr(p->s + ls, '\n', p->len - ls);
            size_t le = nl ? (size_t)(nl - p->s) : p->len;
            p->i = nl ? le + 1 : p->len;
            size_t k = ls;
            if (d->strip_tabs)
                while (k < le && p->s[k] == '\t')
                    k++;
            size_t e = le;
            if (e > k && p->s[e - 1] == '\r')
                e--;
            if (e - k == strlen(d->delim) && memcmp(p->s + k, d->delim, e - k) == 0)
                break;
            strbuf_append(&body, p->s + k, le - k);
            strbuf_putc(&body, '\n');
        }
        /* A body past the word limit is dropped rather than failing the whole script. */
        if (body.failed)
            strbuf_free(&body);
        else
            command_add(p, d->literal ? SHELL_HEREDOC_LITERAL : SHELL_HEREDOC, strbuf_take(&body));
        free(d->delim);
    }
    p->pending_count = 0;
}

static bool is_keyword(const char *w)
{
    static const char *const words[] = {
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "case", "esac", "{", "}", "!",
        "time", NULL,
    };
    for (const char *const *k = words; *k; k++)
        if (strcmp(w, *k) == 0)
            return true;
    return false;
}

static bool is_assignment(const char *w)
{
    if (!(isalpha((unsigned char)w[0]) || w[0] == '_'))
        return false;
    for (const char *c = w; *c; c++) {
        if (*c == '=' || (*c == '+' && c[1] == '='))
            return true;
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return false;
    }
    return false;
}

/* Handles the redirection operator at p->i (already known to be < or > or a digit before one). */
static void read_redirection(struct parser *p, struct strbuf *w)
{
    const char *s = p->s;
    bool heredoc = p->i + 1 < p->len && s[p->i] == '<' && s[p->i + 1] == '<';
    bool herestring = heredoc && p->i + 2 < p->len && s[p->i + 2] == '<';
    if (herestring) {
        p->i += 3;
    } else if (heredoc) {
        p->i += 2;
    } else {
        p->i++;
        while (p->i < p->len && (s[p->i] == '>' || s[p->i] == '&' || s[p->i] == '|'))
            p->i++;
    }
    bool strip_tabs = false;
    if (heredoc && !herestring && p->i < p->len && s[p->i] == '-') {
        strip_tabs = true;
        p->i++;
    }
    skip_blanks(p);
    bool quoted;
    size_t quote_at;
    if (!read_word(p, w, &quoted, &quote_at))
        return;
    char *text = strdup(strbuf_cstr(w));
    if (herestring) {
        command_add(p, SHELL_HERESTRING, text);
    } else if (heredoc) {
        if (text && p->pending_count < SHELL_HEREDOCS_MAX) {
            p->pending[p->pending_count].delim = text;
            p->pending[p->pending_count].strip_tabs = strip_tabs;
            p->pending[p->pending_count].literal = quoted;
            p->pending_count++;
        } else {
            free(text);
        }
    } else {
        command_add(p, SHELL_REDIRECT, text);
    }
}

int shellparse_run(const char *script, size_t len, shellparse_fn fn, void *ctx)
{
    struct parser p = {.s = script, .len = len, .fn = fn, .ctx = ctx};
    struct strbuf w;
    strbuf_init(&w, SHELL_WORD_MAX);
    while (p.i < p.len && !p.failed) {
        skip_blanks(&p);
        if (p.i >= p.len)
            break;
        char c = p.s[p.i];
        if (c == '#') {
            while (p.i < p.len && p.s[p.i] != '\n')
                p.i++;
            continue;
        }
        if (c == '\n') {
            p.i++;
            read_heredoc_bodies(&p);
            command_flush(&p);
            continue;
        }
        if (c == '<' || c == '>' ||
            (isdigit((unsigned char)c) && p.i + 1 < p.len && (p.s[p.i + 1] == '>' || p.s[p.i + 1] == '<'))) {
            if (isdigit((unsigned char)c))
                p.i++;
            read_redirection(&p, &w);
            continue;
        }
        if (c == '&' && p.i + 1 < p.len && p.s[p.i + 1] == '>') {
            p.i++;
            read_redirection(&p, &w);
            continue;
        }
        if (is_operator(c)) {
            p.i++;
            if (p.pending_count == 0)
                command_flush(&p);
            continue;
        }
        bool quoted;
        size_t quote_at;
        if (!read_word(&p, &w, &quoted, &quote_at))
            continue;
        const char *text = strbuf_cstr(&w);
        /* Kept as a flag, not found by rescanning the command: one command may hold 100k words. */
        bool first = !p.has_arg;
        if (first && !quoted && is_keyword(text))
            continue;
        /* NAME='value' is an assignment; 'NAME=value' is not. */
        const char *eq = strchr(text, '=');
        bool assignment = first && is_assignment(text) && eq && (size_t)(eq - text) < quote_at;
        enum shell_word_role role = assignment ? SHELL_ASSIGN : SHELL_ARG;
        command_add(&p, role, strdup(text));
    }
    read_heredoc_bodies(&p);
    command_flush(&p);
    for (size_t h = 0; h < p.pending_count; h++)
        free(p.pending[h].delim);
    free(p.cmd.words);
    bool failed = p.failed || w.failed;
    strbuf_free(&w);
    return failed ? -1 : 0;
}

const char *shellparse_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

long shellparse_script_index(char *const *argv, size_t argc)
{
    static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "su", "runuser", NULL};
    if (argc < 2)
        return -1;
    const char *name = shellparse_basename(argv[0]);
    bool shell = false;
    for (const char *const *s = shells; *s; s++)
        if (strcmp(name, *s) == 0)
            shell = true;
    size_t i = 1;
    if (shell && strcmp(name, "busybox") == 0) {
        if (argc < 3 || strcmp(argv[1], "sh") != 0)
            return -1;
        i = 2;
    }
    if (!shell)
        return -1;
    for (; i + 1 < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '-')
            continue;
        if (strchr(a + 1, 'c')) {
            if (strcmp(argv[i + 1], "--") == 0 && i + 2 < argc)
                return (long)(i + 2);
            return (long)(i + 1);
        }
    }
    return -1;
}
