/* reviewinput.c - finding and reading the files `schemagate review` was given. */
#include "reviewinput.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"

void input_list_free(struct input_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof *l);
}

static int list_add(struct input_list *l, const char *path, struct sg_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **paths = realloc(l->paths, cap * sizeof *paths);
        if (paths == NULL)
            return sg_error_set(err, "out of memory");
        l->paths = paths;
        l->cap = cap;
    }
    if ((l->paths[l->count] = strdup(path)) == NULL)
        return sg_error_set(err, "out of memory");
    l->count++;
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static bool is_manifest_name(const char *name)
{
    return has_suffix(name, ".yaml") || has_suffix(name, ".yml") || has_suffix(name, ".json");
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the manifests below dir (any order; the caller sorts). */
static int walk(const char *dir, int depth, struct input_list *out, struct sg_error *err)
{
    if (depth > REVIEW_INPUT_MAX_DEPTH)
        return sg_error_set(err, "%s: directories nested deeper than %d levels (a symlink loop?)",
                            dir, REVIEW_INPUT_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (d == NULL)
        return sg_error_set(err, "cannot list %s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;   /* ".", "..", and hidden files and folders (.git, .helmignore) */
        char path[4096];
        int n = snprintf(path, sizeof path, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/", e->d_name);
        if (n < 0 || (size_t)n >= sizeof path) {
            rc = sg_error_set(err, "%s/%s: path too long", dir, e->d_name);
            break;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            rc = sg_error_set(err, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode))
            rc = walk(path, depth + 1, out, err);
        else if (S_ISREG(st.st_mode) && is_manifest_name(e->d_name))
            rc = list_add(out, path, err);
    }
    closedir(d);
    return rc;
}

int review_inputs_collect(char *const *args, size_t n, struct input_list *out, struct sg_error *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        struct stat st;
        int rc;
        if (strcmp(arg, "-") == 0) {
            rc = list_add(out, arg, err);
        } else if (stat(arg, &st) != 0) {
            rc = sg_error_set(err, "cannot open %s: %s", arg, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            size_t first = out->count;
            rc = walk(arg, 0, out, err);
            if (rc == 0)
                qsort(out->paths + first, out->count - first, sizeof *out->paths, path_cmp);
        } else {
            rc = list_add(out, arg, err);
        }
        if (rc != 0) {
            input_list_free(out);
            return -1;
        }
    }
    return 0;
}

char *review_input_read(const char *path, size_t *len, struct sg_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        sg_error_set(err, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct strbuf sb;
    strbuf_init(&sb, REVIEW_INPUT_MAX);
    struct stat st;
    if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size <= REVIEW_INPUT_MAX)
        strbuf_presize(&sb, (size_t)st.st_size);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && !sb.failed)
        strbuf_append(&sb, chunk, got);
    bool bad = ferror(f) != 0;
    if (!is_stdin)
        fclose(f);
    if (bad || sb.failed) {
        sg_error_set(err, "%s: %s", is_stdin ? "stdin" : path,
                     bad ? "read error" : "input larger than 256 MiB; split it into several files");
        strbuf_free(&sb);
        return NULL;
    }
    *len = sb.len;
    char *text = strbuf_take(&sb);   /* "" for an empty input */
    if (text == NULL)
        sg_error_set(err, "out of memory");
    return text;
}
