/* findingline.h - the input line of the field a finding is about: its message names a field
 * path as fieldpath.c writes it ("spec.template.spec.containers[0].env[2].value",
 * `metadata.annotations["schemagate.io/requires"]`); the path is walked in the object and the
 * deepest value on it with a known line gives the line. */
#ifndef SCHEMAGATE_FINDINGLINE_H
#define SCHEMAGATE_FINDINGLINE_H

#include <cjson/cJSON.h>

#include "linemap.h"

/* The line of the field named in message, else of the object, else 0. */
int finding_line(const cJSON *object, const char *message, const struct line_map *lines);

#endif
