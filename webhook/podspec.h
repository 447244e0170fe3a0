/* podspec.h - where the pod spec lives in each workload kind, and a uniform walk over its
 * containers (containers, initContainers, ephemeralContainers) with exact field paths. */
#ifndef SCHEMAGATE_PODSPEC_H
#define SCHEMAGATE_PODSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "fieldpath.h"

struct pod_spec {
    const cJSON *spec;              /* the PodSpec object */
    const cJSON *template_metadata; /* the pod template's metadata (NULL for a bare Pod) */
    const char *spec_path;          /* "spec.template.spec", "spec", ... */
    const char *template_metadata_path; /* "spec.template.metadata" or NULL */
};

enum container_kind { CONTAINER_APP = 0, CONTAINER_INIT, CONTAINER_EPHEMERAL };

struct container_view {
    const cJSON *container;
    const char *name;          /* "" when missing */
    enum container_kind kind;
    size_t index;
    struct field_path path;    /* e.g. "spec.template.spec.initContainers[0]" */
};

/* The path of the pod spec inside an object of this kind, or NULL for kinds without one.
 * `group` may be NULL (then any group with a known kind name matches). */
const char *podspec_path_for_kind(const char *group, const char *kind);

/* Finds the pod spec of `object`. Returns true and fills *out when the kind has one and it is
 * present as an object. */
bool podspec_find(const char *group, const char *kind, const cJSON *object, struct pod_spec *out);

/* Calls fn for every container of every kind in order; stops early when fn returns non-zero
 * and returns that value. Entries that are not JSON objects are skipped. */
typedef int (*podspec_container_fn)(const struct container_view *c, void *ctx);
int podspec_foreach_container(const struct pod_spec *spec, podspec_container_fn fn, void *ctx);

const char *podspec_container_field(enum container_kind kind);

/* The pod template (spec.template or spec.jobTemplate.spec.template) as a subtree, for the
 * "did the pod template change" comparison on UPDATE; NULL when the kind has none. */
const cJSON *podspec_template(const char *group, const char *kind, const cJSON *object);

#endif
