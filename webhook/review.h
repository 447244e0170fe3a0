/* review.h - the AdmissionReview envelope: parse and validate a request, build the response.
 * Responses follow what the kube-apiserver verifies: apiVersion admission.k8s.io/v1, kind
 * AdmissionReview, response.uid equal to request.uid, and a 403 status on denial. */
#ifndef SCHEMAGATE_REVIEW_H
#define SCHEMAGATE_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

struct verdict;

enum review_operation { OP_CREATE, OP_UPDATE, OP_DELETE, OP_CONNECT };

struct json_arena;

struct admission_request {
    cJSON *root;             /* owned: the whole parsed document */
    struct json_arena *arena;/* when set, root lives in it (review_parse); else cJSON_Delete */
    const char *uid;
    const char *group;       /* request.kind.group ("" for core) */
    const char *version;
    const char *kind;        /* request.kind.kind, e.g. "Deployment" */
    const char *name;        /* request.name, else object.metadata.name/generateName, else "" */
    const char *namespace_;  /* "" for cluster-scoped objects */
    enum review_operation operation;
    const char *operation_name;
    const char *username;    /* "" when userInfo is absent */
    bool dry_run;
    const cJSON *object;     /* NULL when null (DELETE) */
    const cJSON *old_object; /* NULL when null (CREATE) */
};

/* Parses an AdmissionReview (admission.k8s.io/v1). Any deviation from the shape the apiserver
 * sends is an error naming the field; on error *req holds nothing to free. The body is parsed
 * in place (json_arena_parse_insitu): its bytes are overwritten and *req's strings point into
 * it, so it must stay allocated until review_free(req). len 0 never touches body. */
int review_parse(char *body, size_t len, struct admission_request *req, struct sg_error *err);

/* Takes ownership of `doc`: an AdmissionReview, or a bare Kubernetes object that is wrapped in
 * a CREATE review (namespace from metadata.namespace, else "default"). Used by `review`. */
int review_from_document(cJSON *doc, struct admission_request *req, struct sg_error *err);
/* review_from_document with the namespace a bare object without metadata.namespace is
 * reviewed in; a cluster-scoped one is reviewed in none, whatever its metadata.namespace says
 * (the apiserver clears it before validating admission). */
int review_from_document_in(cJSON *doc, const char *default_namespace, bool cluster_scoped,
                            struct admission_request *req, struct sg_error *err);

void review_free(struct admission_request *req);

/* "Deployment shop/api" (or "Namespace prod" when cluster-scoped), bounded to n bytes. */
void review_describe_object(const struct admission_request *req, char *out, size_t n);

/* The AdmissionReview response for a verdict, as compact JSON (malloc'd; NULL on OOM). */
char *review_response_json(const struct admission_request *req, const struct verdict *v);

/* A JSON error body for an HTTP error status: {"error": message, "code": status}. */
char *review_error_json(int status, const char *message);

#endif
