/* testutil.h - helpers shared by the cmocka suites: reading files and loading the test cases
 * (tests/cases/README.md); wrapping and checking a case is lib/casefile.h. */
#ifndef SCHEMAGATE_TESTUTIL_H
#define SCHEMAGATE_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Reads a whole file (NUL-terminated); NULL on error. */
char *testutil_read_file(const char *path, size_t *len);

/* Repository root: $SCHEMAGATE_ROOT, else the current directory. */
const char *testutil_root(void);

/* Lists "*.json" files under dir (recursively), sorted; returns the count. */
size_t testutil_list_json(const char *dir, char ***out);
void testutil_free_list(char **list, size_t n);

/* Calls fn for every JSON file under tests/cases (sorted) with the file parsed by cJSON; doc is
 * NULL when the file does not parse, and is freed after fn returns; a file that cannot be read
 * fails the test. Returns the file count. */
size_t testutil_each_case_doc(void (*fn)(const char *path, cJSON *doc, void *arg), void *arg);

/* Scans a Pod holding one container (its JSON) with the secret scan and writes the findings'
 * paths into out, each followed by ";" ("" when there are none). A failed scan fails the test. */
void testutil_scan_pod_paths(const char *container_json, char *out, size_t n);

#endif
