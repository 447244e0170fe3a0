/* testutil.c - file and directory helpers for the cmocka suites, and a one-container Pod run
 * through the secret scan. */
#include "testutil.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "secrets/secrets.h"

char *testutil_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (buf == NULL || n != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *testutil_root(void)
{
    const char *root = getenv("SCHEMAGATE_ROOT");
    return root && *root ? root : ".";
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_into(const char *dir, char ***out, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            list_into(path, out, n, cap);
            continue;
        }
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            char **grown = realloc(*out, *cap * sizeof **out);
            if (grown == NULL)
                break;
            *out = grown;
        }
        (*out)[(*n)++] = strdup(path);
    }
    closedir(d);
}

size_t testutil_list_json(const char *dir, char ***out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    list_into(dir, out, &n, &cap);
    if (n > 1)
        qsort(*out, n, sizeof **out, compare_strings);
    return n;
}

void testutil_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

size_t testutil_each_case_doc(void (*fn)(const char *path, cJSON *doc, void *arg), void *arg)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/cases", testutil_root());
    char **files = NULL;
    size_t n = testutil_list_json(dir, &files);
    for (size_t i = 0; i < n; i++) {
        char *text = testutil_read_file(files[i], NULL);
        assert_non_null(text);
        cJSON *doc = cJSON_Parse(text);
        free(text);
        fn(files[i], doc, arg);
        cJSON_Delete(doc);
    }
    testutil_free_list(files, n);
    return n;
}

void testutil_scan_pod_paths(const char *container_json, char *out, size_t n)
{
    char doc[4096];
    snprintf(doc, sizeof doc, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                              "\"spec\":{\"containers\":[%s]}}", container_json);
    cJSON *pod = cJSON_Parse(doc);
    assert_non_null(pod);
    struct secret_findings f;
    secretjudge_init(&f);
    secrets_scan("", "Pod", pod, &f);
    assert_false(f.failed);
    out[0] = '\0';
    for (size_t i = 0; i < f.count; i++) {
        strncat(out, f.items[i].path, n - strlen(out) - 1);
        strncat(out, ";", n - strlen(out) - 1);
    }
    secretjudge_free(&f);
    cJSON_Delete(pod);
}
