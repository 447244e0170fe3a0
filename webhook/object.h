/* object.h - the fields every Kubernetes object has, read one way everywhere: an annotation's
 * value, and the group and version of an apiVersion. */
#ifndef SCHEMAGATE_OBJECT_H
#define SCHEMAGATE_OBJECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* metadata.annotations[key] when it is a string, else NULL. */
const char *object_annotation(const cJSON *object, const char *key);

/* "apps/v1" -> group "apps", version "v1"; "v1" -> "", "v1". Bounded; version may be NULL. */
void object_split_api_version(const char *api, char *group, size_t gn, char *version, size_t vn);

#endif
