/* reviewscope.h - whether a reviewed object lives in a namespace: the apiserver knows from the
 * resource (built-in kinds by their API group, custom resources by their CRD's spec.scope);
 * `schemagate review` knows the built-in kinds, a few widely installed cluster-scoped custom
 * kinds, and the CustomResourceDefinitions it has reviewed earlier in the same run. */
#ifndef SCHEMAGATE_REVIEWSCOPE_H
#define SCHEMAGATE_REVIEWSCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* CRDs remembered per run; a stream with more is judged by the first ones (and the table). */
#define REVIEW_SCOPE_MAX_CRDS 1024

enum review_scope {
    SCOPE_NAMESPACED,   /* a built-in namespaced kind, or a CRD with scope Namespaced */
    SCOPE_CLUSTER,      /* a built-in or well-known cluster-scoped kind, or a CRD with scope Cluster */
    SCOPE_UNKNOWN,      /* a custom kind whose CRD was not among the inputs before it */
};

struct crd_scope {
    char *group;
    char *kind;
    bool cluster;
};

struct review_scopes {
    struct crd_scope *crds;
    size_t count, cap;
};

/* The scope of kind in API group ("" for the core group). */
enum review_scope review_scope_of(const struct review_scopes *s, const char *group, const char *kind);

/* When object is a CustomResourceDefinition (apiextensions.k8s.io), remembers the scope of the
 * kind it defines (spec.group, spec.names.kind, spec.scope). -1 on out of memory. */
int review_scope_learn(struct review_scopes *s, const cJSON *object);

void review_scopes_free(struct review_scopes *s);

#endif
