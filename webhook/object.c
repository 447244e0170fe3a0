/* object.c - common object fields (see object.h). */
#include "object.h"

#include <stdio.h>
#include <string.h>

const char *object_annotation(const cJSON *object, const char *key)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
    const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, key));
}

void object_split_api_version(const char *api, char *group, size_t gn, char *version, size_t vn)
{
    const char *slash = strchr(api, '/');
    snprintf(group, gn, "%.*s", slash ? (int)(slash - api) : 0, api);
    if (version != NULL)
        snprintf(version, vn, "%s", slash ? slash + 1 : api);
}
