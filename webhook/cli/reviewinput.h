/* reviewinput.h - the inputs of `schemagate review`: files, directories (walked recursively for
 * *.yaml, *.yml and *.json, in sorted order) and `-` for stdin; each read whole, bounded. */
#ifndef SCHEMAGATE_REVIEWINPUT_H
#define SCHEMAGATE_REVIEWINPUT_H

#include <stddef.h>

#include "error.h"

/* Inputs are read whole (reviewed document by document: the text, one document's tree and the
 * results are what a stream costs), so one may be as large as `kubectl get -A -o json` of a big
 * cluster. */
#define REVIEW_INPUT_MAX (256u * 1024u * 1024u)
#define REVIEW_INPUT_MAX_DEPTH 32

struct input_list {
    char **paths;
    size_t count;
    size_t cap;
};

/* Expands args into the files to read: a file as given (whatever its name), a directory as
 * its *.yaml, *.yml and *.json files below it (hidden entries skipped), sorted by path; "-" as is.
 * -1 with err on a path that does not exist or cannot be listed. */
int review_inputs_collect(char *const *args, size_t n, struct input_list *out, struct sg_error *err);
void input_list_free(struct input_list *l);

/* The whole of path ("-": stdin), NUL-terminated, at most REVIEW_INPUT_MAX bytes (malloc'd; a
 * regular file in one allocation of its size). */
char *review_input_read(const char *path, size_t *len, struct sg_error *err);

#endif
