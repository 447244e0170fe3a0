/* sgcase.c - the case library (tests/unit/lib/casefile.h) as a command for the e2e runners, so
 * that a case is wrapped and checked the same way in C and in Python:
 *   sgcase review CASE.json [--uid UID]    prints the AdmissionReview the case describes
 *   sgcase check CASE.json RESPONSE.json   prints every problem of the response, one a line
 * Either file may be "-" (standard input), not both. Exit status: 0 fine, 1 problems found,
 * 2 usage, an unreadable file or a malformed case. Built into BUILD/tests/ (not named test_*,
 * so tests/run.sh does not run it as a suite); tests/run.sh exports it as SCHEMAGATE_CASE_TOOL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/casefile.h"

/* How much of the response a failure report shows. */
#define EXCERPT_BYTES 2000

static int usage(void)
{
    fputs("usage: sgcase review CASE.json [--uid UID]\n"
          "       sgcase check CASE.json RESPONSE.json\n"
          "a file may be - (standard input), not both\n",
          stderr);
    return 2;
}

/* Reads a whole file, or standard input for "-"; NULL (and a message) on error. */
static char *read_all(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    if (f != stdin)
        fclose(f);
    if (buf == NULL || bad) {
        fprintf(stderr, "%s: %s\n", path, buf ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static cJSON *load_case(const char *path)
{
    char *text = read_all(path);
    if (text == NULL)
        return NULL;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    if (doc == NULL)
        fprintf(stderr, "%s: not valid JSON\n", path);
    return doc;
}

static int cmd_review(const char *case_path, const char *uid)
{
    cJSON *doc = load_case(case_path);
    if (doc == NULL)
        return 2;
    char why[256];
    cJSON *review = casefile_review(doc, uid, why, sizeof why);
    cJSON_Delete(doc);
    if (review == NULL) {
        fprintf(stderr, "%s: %s\n", case_path, why);
        return 2;
    }
    char *text = cJSON_PrintUnformatted(review);
    cJSON_Delete(review);
    if (text == NULL) {
        fputs("sgcase: out of memory\n", stderr);
        return 2;
    }
    int rc = puts(text) < 0 || fflush(stdout) != 0 ? 2 : 0;
    free(text);
    return rc;
}

static int cmd_check(const char *case_path, const char *response_path)
{
    cJSON *doc = load_case(case_path);
    if (doc == NULL)
        return 2;
    char *response = read_all(response_path);
    if (response == NULL) {
        cJSON_Delete(doc);
        return 2;
    }
    char *problems = NULL;
    int n = casefile_check(doc, response, NULL, NULL, &problems);
    char *excerpt = n > 0 ? casefile_excerpt(doc, response, EXCERPT_BYTES) : NULL;
    int rc = n < 0 || (n > 0 && excerpt == NULL) ? 2 : n > 0 ? 1 : 0;
    if (rc == 2)
        fputs("sgcase: out of memory\n", stderr);
    else if (n > 0 && printf("%sresponse: %s\n", problems, excerpt) < 0)
        rc = 2;
    if (fflush(stdout) != 0)
        rc = 2;
    free(excerpt);
    free(problems);
    free(response);
    cJSON_Delete(doc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "review") == 0)
        return cmd_review(argv[2], NULL);
    if (argc == 5 && strcmp(argv[1], "review") == 0 && strcmp(argv[3], "--uid") == 0)
        return cmd_review(argv[2], argv[4]);
    if (argc == 4 && strcmp(argv[1], "check") == 0 && !(strcmp(argv[2], "-") == 0 && strcmp(argv[3], "-") == 0))
        return cmd_check(argv[2], argv[3]);
    return usage();
}
