/* podspec.c - locating the PodSpec in each workload kind and walking its containers.
 * The table below is the one place that knows where each kind keeps its pods. */
#include "podspec.h"

#include <string.h>

struct kind_layout {
    const char *group;          /* API group ("" = core) */
    const char *kind;
    const char *const *spec;    /* keys from the object root to the PodSpec */
    const char *spec_path;
    const char *const *template;/* keys to the pod template (NULL for Pod) */
    const char *template_path;
};

static const char *const pod_keys[] = {"spec", NULL};
static const char *const template_spec_keys[] = {"spec", "template", "spec", NULL};
static const char *const template_keys[] = {"spec", "template", NULL};
static const char *const cron_spec_keys[] = {"spec", "jobTemplate", "spec", "template", "spec", NULL};
static const char *const cron_template_keys[] = {"spec", "jobTemplate", "spec", "template", NULL};

#define TEMPLATED(g, k)                                                                      \
    {g, k, template_spec_keys, "spec.template.spec", template_keys, "spec.template"}

static const struct kind_layout layouts[] = {
    {"", "Pod", pod_keys, "spec", NULL, NULL},
    TEMPLATED("apps", "Deployment"),
    TEMPLATED("apps", "ReplicaSet"),
    TEMPLATED("apps", "StatefulSet"),
    TEMPLATED("apps", "DaemonSet"),
    TEMPLATED("batch", "Job"),
    TEMPLATED("", "ReplicationController"),
    TEMPLATED("", "PodTemplate"),
    TEMPLATED("argoproj.io", "Rollout"),
    {"batch", "CronJob", cron_spec_keys, "spec.jobTemplate.spec.template.spec", cron_template_keys,
     "spec.jobTemplate.spec.template"},
};

/* PodTemplate keeps its template at the root ("template.spec"), not under spec. */
static const char *const podtemplate_spec_keys[] = {"template", "spec", NULL};
static const char *const podtemplate_keys[] = {"template", NULL};

static const struct kind_layout *layout_for(const char *group, const char *kind)
{
    if (kind == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        if (strcmp(layouts[i].kind, kind) != 0)
            continue;
        /* extensions/v1beta1 Deployments and friends are long gone; the group still has to
         * agree so a CRD that happens to be called "Job" is not misread. */
        if (group == NULL || strcmp(layouts[i].group, group) == 0)
            return &layouts[i];
    }
    return NULL;
}

static const cJSON *walk(const cJSON *node, const char *const *keys)
{
    for (; node && *keys; keys++)
        node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, *keys) : NULL;
    return node;
}

const char *podspec_path_for_kind(const char *group, const char *kind)
{
    const struct kind_layout *l = layout_for(group, kind);
    if (l == NULL)
        return NULL;
    return strcmp(l->kind, "PodTemplate") == 0 ? "template.spec" : l->spec_path;
}

bool podspec_find(const char *group, const char *kind, const cJSON *object, struct pod_spec *out)
{
    memset(out, 0, sizeof *out);
    const struct kind_layout *l = layout_for(group, kind);
    if (l == NULL || !cJSON_IsObject(object))
        return false;
    bool pod_template = strcmp(l->kind, "PodTemplate") == 0;
    const cJSON *spec = walk(object, pod_template ? podtemplate_spec_keys : l->spec);
    if (!cJSON_IsObject(spec))
        return false;
    out->spec = spec;
    out->spec_path = pod_template ? "template.spec" : l->spec_path;
    if (l->template) {
        const cJSON *tmpl = walk(object, pod_template ? podtemplate_keys : l->template);
        const cJSON *meta = cJSON_IsObject(tmpl) ? cJSON_GetObjectItemCaseSensitive(tmpl, "metadata") : NULL;
        if (cJSON_IsObject(meta)) {
            out->template_metadata = meta;
            out->template_metadata_path = pod_template ? "template.metadata"
                                          : strcmp(l->kind, "CronJob") == 0
                                              ? "spec.jobTemplate.spec.template.metadata"
                                              : "spec.template.metadata";
        }
    }
    return true;
}

const cJSON *podspec_template(const char *group, const char *kind, const cJSON *object)
{
    const struct kind_layout *l = layout_for(group, kind);
    if (l == NULL || !cJSON_IsObject(object))
        return NULL;
    if (strcmp(l->kind, "PodTemplate") == 0)
        return walk(object, podtemplate_keys);
    return walk(object, l->template ? l->template : l->spec);
}

const char *podspec_container_field(enum container_kind kind)
{
    switch (kind) {
    case CONTAINER_APP: return "containers";
    case CONTAINER_INIT: return "initContainers";
    case CONTAINER_EPHEMERAL: return "ephemeralContainers";
    }
    return "containers";
}

int podspec_foreach_container(const struct pod_spec *spec, podspec_container_fn fn, void *ctx)
{
    /* Init containers first: that is the order they run in, and migration init containers
     * are the usual place for a leak, so they lead the denial message. */
    static const enum container_kind order[] = {CONTAINER_INIT, CONTAINER_APP, CONTAINER_EPHEMERAL};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const char *field = podspec_container_field(order[k]);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(spec->spec, field);
        if (!cJSON_IsArray(list))
            continue;
        size_t index = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, list) {
            if (cJSON_IsObject(c)) {
                struct container_view view;
                view.container = c;
                view.kind = order[k];
                view.index = index;
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
                view.name = cJSON_IsString(name) ? name->valuestring : "";
                fieldpath_init(&view.path, spec->spec_path);
                fieldpath_push_key(&view.path, field);
                fieldpath_push_index(&view.path, index);
                int rc = fn(&view, ctx);
                if (rc != 0)
                    return rc;
            }
            index++;
        }
    }
    return 0;
}
