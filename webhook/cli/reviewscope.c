/* reviewscope.c - the scope of a reviewed object's kind: tables of the built-in kinds and the
 * CRDs seen so far in the run. */
#include "reviewscope.h"

#include <stdlib.h>
#include <string.h>

struct scoped_kind {
    const char *group;
    const char *kind;   /* NULL: every kind of the group */
};

/* Cluster-scoped: the built-in kinds (Kubernetes 1.25 to 1.33, those removed since included for
 * old charts) and custom kinds that are cluster-scoped wherever their project is installed. */
static const struct scoped_kind cluster_kinds[] = {
    { "", "Namespace" }, { "", "Node" }, { "", "PersistentVolume" }, { "", "ComponentStatus" },
    { "rbac.authorization.k8s.io", "ClusterRole" }, { "rbac.authorization.k8s.io", "ClusterRoleBinding" },
    { "apiextensions.k8s.io", "CustomResourceDefinition" },
    { "apiregistration.k8s.io", "APIService" },
    { "storage.k8s.io", "StorageClass" }, { "storage.k8s.io", "CSIDriver" }, { "storage.k8s.io", "CSINode" },
    { "storage.k8s.io", "VolumeAttachment" }, { "storage.k8s.io", "VolumeAttributesClass" },
    { "scheduling.k8s.io", "PriorityClass" },
    { "networking.k8s.io", "IngressClass" }, { "networking.k8s.io", "IPAddress" },
    { "networking.k8s.io", "ServiceCIDR" },
    { "node.k8s.io", "RuntimeClass" },
    { "admissionregistration.k8s.io", "ValidatingWebhookConfiguration" },
    { "admissionregistration.k8s.io", "MutatingWebhookConfiguration" },
    { "admissionregistration.k8s.io", "ValidatingAdmissionPolicy" },
    { "admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding" },
    { "admissionregistration.k8s.io", "MutatingAdmissionPolicy" },
    { "admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding" },
    { "certificates.k8s.io", "CertificateSigningRequest" }, { "certificates.k8s.io", "ClusterTrustBundle" },
    { "flowcontrol.apiserver.k8s.io", "FlowSchema" },
    { "flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration" },
    { "internal.apiserver.k8s.io", "StorageVersion" },
    { "resource.k8s.io", "DeviceClass" }, { "resource.k8s.io", "ResourceSlice" },
    { "authentication.k8s.io", "TokenReview" }, { "authentication.k8s.io", "SelfSubjectReview" },
    { "authorization.k8s.io", "SubjectAccessReview" }, { "authorization.k8s.io", "SelfSubjectAccessReview" },
    { "authorization.k8s.io", "SelfSubjectRulesReview" },
    { "policy", "PodSecurityPolicy" }, { "extensions", "PodSecurityPolicy" },
    /* custom kinds that are cluster-scoped in every installation of their project */
    { "cert-manager.io", "ClusterIssuer" },
    { "wgpolicyk8s.io", "ClusterPolicyReport" },
    { "kyverno.io", "ClusterPolicy" }, { "kyverno.io", "ClusterCleanupPolicy" },
    { "templates.gatekeeper.sh", "ConstraintTemplate" }, { "constraints.gatekeeper.sh", NULL },
    { "external-secrets.io", "ClusterSecretStore" }, { "external-secrets.io", "ClusterExternalSecret" },
    { "karpenter.sh", "NodePool" }, { "karpenter.sh", "NodeClaim" }, { "karpenter.k8s.aws", "EC2NodeClass" },
    { NULL, NULL },
};

/* The API groups whose every kind is built in: a kind of theirs not in cluster_kinds is
 * namespaced (Pod, Deployment, Role, Ingress, ...). Other groups' kinds are custom. */
static const char *const builtin_groups[] = {
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "scheduling.k8s.io", "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
    "events.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "certificates.k8s.io", "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "resource.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io", "extensions", "storagemigration.k8s.io", NULL,
};

static bool in_cluster_table(const char *group, const char *kind)
{
    for (const struct scoped_kind *k = cluster_kinds; k->group; k++)
        if (strcmp(k->group, group) == 0 && (k->kind == NULL || strcmp(k->kind, kind) == 0))
            return true;
    return false;
}

enum review_scope review_scope_of(const struct review_scopes *s, const char *group, const char *kind)
{
    if (in_cluster_table(group, kind))
        return SCOPE_CLUSTER;
    for (const char *const *g = builtin_groups; *g; g++)
        if (strcmp(*g, group) == 0)
            return SCOPE_NAMESPACED;
    for (size_t i = 0; s && i < s->count; i++)
        if (strcmp(s->crds[i].group, group) == 0 && strcmp(s->crds[i].kind, kind) == 0)
            return s->crds[i].cluster ? SCOPE_CLUSTER : SCOPE_NAMESPACED;
    return SCOPE_UNKNOWN;
}

static const char *string_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int review_scope_learn(struct review_scopes *s, const cJSON *object)
{
    const char *kind = string_at(object, "kind");
    const char *api = string_at(object, "apiVersion");
    if (kind == NULL || strcmp(kind, "CustomResourceDefinition") != 0 || api == NULL ||
        strncmp(api, "apiextensions.k8s.io/", 21) != 0)
        return 0;
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(object, "spec");
    const char *group = string_at(spec, "group");
    const char *defined = string_at(cJSON_IsObject(spec) ? cJSON_GetObjectItemCaseSensitive(spec, "names") : NULL,
                                    "kind");
    const char *scope = string_at(spec, "scope");
    if (group == NULL || defined == NULL || scope == NULL ||
        (strcmp(scope, "Cluster") != 0 && strcmp(scope, "Namespaced") != 0))
        return 0;   /* the apiserver would refuse it; the kind stays unknown */
    bool cluster = strcmp(scope, "Cluster") == 0;
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->crds[i].group, group) == 0 && strcmp(s->crds[i].kind, defined) == 0) {
            s->crds[i].cluster = cluster;   /* a later definition replaces an earlier one */
            return 0;
        }
    if (s->count == REVIEW_SCOPE_MAX_CRDS)
        return 0;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct crd_scope *crds = realloc(s->crds, cap * sizeof *crds);
        if (crds == NULL)
            return -1;
        s->crds = crds;
        s->cap = cap;
    }
    struct crd_scope *c = &s->crds[s->count];
    c->group = strdup(group);
    c->kind = strdup(defined);
    c->cluster = cluster;
    if (c->group == NULL || c->kind == NULL) {
        free(c->group);
        free(c->kind);
        return -1;
    }
    s->count++;
    return 0;
}

void review_scopes_free(struct review_scopes *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->crds[i].group);
        free(s->crds[i].kind);
    }
    free(s->crds);
    memset(s, 0, sizeof *s);
}
