/* scancost.c - runs the secret scan alone over AdmissionReview bodies or tests/cases files, for
 * instruction counts under callgrind (bench/scancost builds and runs it). Not part of the
 * server: it links the webhook objects and calls secrets_check directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "decision.h"
#include "review.h"
#include "secrets/secrets.h"
#include "verdict.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *b = realloc(buf, cap + 1);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A case file's "review" or "object", else the document itself (a bench body). */
static cJSON *document_of(cJSON *doc)
{
    cJSON *inner = cJSON_DetachItemFromObjectCaseSensitive(doc, "review");
    if (inner == NULL)
        inner = cJSON_DetachItemFromObjectCaseSensitive(doc, "object");
    if (inner == NULL)
        return doc;
    cJSON_Delete(doc);
    return inner;
}

static int scan_file(const char *path, const struct config *cfg, int reps)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    if (doc == NULL) {
        fprintf(stderr, "%s: not JSON\n", path);
        return 1;
    }
    struct admission_request req;
    struct sg_error err;
    if (review_from_document(document_of(doc), &req, &err) != 0) {
        fprintf(stderr, "%s: not a review\n", path);
        return 1;
    }
    struct check_context ctx = {.req = &req, .cfg = cfg};
    size_t denials = 0;
    for (int i = 0; i < reps; i++) {
        struct verdict v;
        verdict_init(&v);
        secrets_check(&ctx, &v);
        denials = verdict_denied(&v);
        verdict_free(&v);
    }
    printf("%s\t%s\n", path, denials ? "denied" : "allowed");
    review_free(&req);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: scancost REPS FILE...\n");
        return 2;
    }
    int reps = atoi(argv[1]);
    struct config cfg;
    struct sg_error err;
    if (config_defaults(&cfg, &err) != 0)
        return 2;
    int rc = 0;
    for (int i = 2; i < argc; i++)
        rc |= scan_file(argv[i], &cfg, reps);
    config_free(&cfg);
    return rc;
}
