/* test_hygiene_markers.c - hygiene finds migration containers with one stem pass over a stack
 * text before any substring search; it must answer exactly as the plain definition (a strstr per
 * marker of every registered tool over the lower-cased image + command + args, empty past 4096 bytes) on every container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/hygiene.h"
#include "lib/testutil.h"
#include "schema/tool.h"
#include "strbuf.h"


/* The definition, as hygiene.c had it before the stem pass. */
static bool reference(const cJSON *container)
{
    struct strbuf sb;
    strbuf_init(&sb, 4096);
    const cJSON *image = cJSON_GetObjectItemCaseSensitive(container, "image");
    if (cJSON_IsString(image))
        strbuf_puts(&sb, image->valuestring);
    static const char *const fields[] = {"command", "args"};
    for (size_t f = 0; f < 2; f++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(container, fields[f])) {
            if (cJSON_IsString(item)) {
                strbuf_putc(&sb, ' ');
                strbuf_puts(&sb, item->valuestring);
            }
        }
    }
    for (size_t i = 0; i < sb.len; i++)
        if (sb.data[i] >= 'A' && sb.data[i] <= 'Z')
            sb.data[i] = (char)(sb.data[i] + 32);
    const char *text = strbuf_cstr(&sb);
    bool yes = false;
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end() && !yes; t++)
        for (const char *const *m = (*t)->markers; *m && !yes; m++)
            yes = strstr(text, *m) != NULL;
    strbuf_free(&sb);
    return yes;
}

static size_t checked;

static void agree(const cJSON *container)
{
    bool want = reference(container);
    bool got = hygiene_is_migration_container(container);
    if (want != got) {
        char *text = cJSON_PrintUnformatted(container);
        fail_msg("hygiene says %d, the definition %d, for %.300s", got, want, text ? text : "?");
    }
    checked++;
}

/* A container with the given image and a command split into argv at every space. */
static void agree_split(const char *image, const char *command)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "image", image);
    cJSON *cmd = cJSON_AddArrayToObject(c, "command");
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", command);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        cJSON_AddItemToArray(cmd, cJSON_CreateString(tok));
    agree(c);
    cJSON_Delete(c);
}

static void agree_whole(const char *image, const char *command, const char *args)
{
    cJSON *c = cJSON_CreateObject();
    if (image)
        cJSON_AddStringToObject(c, "image", image);
    if (command)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "command"), cJSON_CreateString(command));
    if (args)
        cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "args"), cJSON_CreateString(args));
    agree(c);
    cJSON_Delete(c);
}

/* Every marker, in upper and mixed case, whole, cut short by one byte, with a byte changed,
 * at the start, middle and end of image, command and args, and split across argv elements. */
static void test_markers_and_near_misses(void **state)
{
    (void)state;
    checked = 0;
    for (const struct migration_tool *const *t = tool_begin(); t < tool_end(); t++) {
        for (const char *const *m = (*t)->markers; *m; m++) {
            size_t n = strlen(*m);
            assert_true(n > 0 && n < 64);
            char variants[6][64];
            snprintf(variants[0], 64, "%s", *m);
            for (size_t i = 0; i < n; i++) {
                char c = (*m)[i];
                variants[1][i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
                variants[2][i] = (char)(i % 2 && c >= 'a' && c <= 'z' ? c - 32 : c);
                variants[3][i] = c;
                variants[4][i] = c;
                variants[5][i] = c;
            }
            variants[1][n] = variants[2][n] = '\0';
            variants[3][n - 1] = '\0';                       /* cut short */
            variants[4][n] = '\0';
            variants[4][n / 2] = 'x';                        /* a byte changed */
            snprintf(variants[5], 64, "%s", *m + 1);         /* first byte gone */
            for (size_t v = 0; v < 6; v++) {
                char text[256];
                const char *w = variants[v];
                agree_whole(w, NULL, NULL);
                agree_whole("img", w, NULL);
                agree_whole("img", NULL, w);
                snprintf(text, sizeof text, "registry.example.com/%s:1.0", w);
                agree_whole(text, NULL, NULL);
                snprintf(text, sizeof text, "sh -c 'exec %s now'", w);
                agree_whole("busybox", text, NULL);
                agree_whole("busybox", "sh", text);
                snprintf(text, sizeof text, "x%sx", w);
                agree_whole("busybox", text, text);
                agree_split("busybox", w);
                agree_split(w, "run it");
                snprintf(text, sizeof text, "bin/run %s --now", w);
                agree_split("app:1", text);
            }
        }
    }
    /* Markers that only appear when image and argv are joined by spaces. */
    agree_whole("python", "manage.py", "migrate");
    agree_whole("migrate", "-path", "/m");
    agree_whole("alembic", "upgrade", NULL);
    agree_whole("goose", "up", NULL);
    agree_whole("ghcr.io/x/goose", NULL, NULL);
    agree_whole(NULL, "goose", "-dir");
    print_message("%zu containers agree\n", checked);
}

/* Texts just under, at and past 4096 bytes: past it the definition reads "" (no migration). */
static void test_length_limit(void **state)
{
    (void)state;
    static char pad[5000];
    for (size_t len = 4070; len <= 4110; len++) {
        for (size_t where = 0; where < 3; where++) {
            memset(pad, 'a', sizeof pad);
            size_t n = len > 4090 ? len - 6 : len;
            pad[n] = '\0';
            if (where == 0)
                memcpy(pad, "flyway", 6);
            else if (where == 1)
                memcpy(pad + n / 2, "dbmate", 6);
            else if (n >= 6)
                memcpy(pad + n - 6, "liquibase" + 3, 6);
            agree_whole(pad, NULL, NULL);
            agree_whole("img", pad, NULL);
            agree_whole("img", "migrate", pad);
            agree_whole(pad + 2000, pad + 2000, pad + 3000);
        }
    }
}

/* Containers sit anywhere (Deployments, Jobs, CronJobs, Pods): any object with an image. */
static void agree_containers(const char *path, cJSON *doc, void *arg)
{
    (void)path;
    size_t *containers = arg;
    cJSON *stack[256];
    size_t top = 0;
    if (doc)
        stack[top++] = doc;
    while (top > 0) {
        cJSON *node = stack[--top];
        if (cJSON_IsObject(node) && cJSON_GetObjectItemCaseSensitive(node, "image")) {
            agree(node);
            (*containers)++;
        }
        for (cJSON *child = node->child; child; child = child->next)
            if (top < 256)
                stack[top++] = child;
    }
}

/* Every container of every case. */
static void test_every_case_container(void **state)
{
    (void)state;
    size_t containers = 0;
    assert_true(testutil_each_case_doc(agree_containers, &containers) > 100);
    assert_true(containers > 100);
    print_message("%zu case containers agree\n", containers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markers_and_near_misses),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_every_case_container),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
