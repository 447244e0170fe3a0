/* certfile.h - the file side of schemagate-certs: output directory, atomic writes, bounded reads.
 * Writes go to a temporary file in the target directory that gets its final mode before any byte
 * is written and is then renamed over the old file, so a watching server never reads half a key. */
#ifndef SCHEMAGATE_CERTFILE_H
#define SCHEMAGATE_CERTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Largest certificate or key file we read; real ones are a few KiB. */
#define CERTFILE_READ_MAX (1024 * 1024)

/* Creates DIR and its missing parents with mode 0755; an existing directory is fine. */
int certfile_make_dir(const char *dir, struct sg_error *err);

/* True when DIR/NAME exists (as anything); errors other than "not found" count as existing so the
 * following read reports them precisely. */
bool certfile_exists(const char *dir, const char *name);

/* Writes DIR/NAME atomically with exactly MODE (umask does not apply). */
int certfile_write(const char *dir, const char *name, const void *data, size_t len, mode_t mode,
                   struct sg_error *err);

/* Reads a whole file of at most CERTFILE_READ_MAX bytes into a NUL-terminated heap buffer. */
int certfile_read(const char *path, char **data, size_t *len, struct sg_error *err);

/* Joins DIR and NAME into OUT; fails when the result does not fit. */
int certfile_path(char *out, size_t size, const char *dir, const char *name, struct sg_error *err);

/* Base64 of DATA on one line without newlines, NUL-terminated, heap-allocated; NULL when out of
 * memory. */
char *certfile_base64(const void *data, size_t len);

#endif
