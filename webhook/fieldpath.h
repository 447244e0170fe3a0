/* fieldpath.h - the one JSON field-path builder ("spec.template.spec.containers[0].env[2].value").
 * A path is a fixed buffer used as a stack: push a segment, work, pop back to the saved mark.
 * Paths are bounded; an over-long path is cut and ends in "..." rather than overflowing. */
#ifndef SCHEMAGATE_FIELDPATH_H
#define SCHEMAGATE_FIELDPATH_H

#include <stddef.h>

#define FIELDPATH_MAX 512

struct field_path {
    char text[FIELDPATH_MAX];
    size_t len;
};

void fieldpath_init(struct field_path *p, const char *root);
/* Each push returns the mark to pass to fieldpath_pop. */
size_t fieldpath_push_key(struct field_path *p, const char *key);
size_t fieldpath_push_index(struct field_path *p, size_t index);
void fieldpath_pop(struct field_path *p, size_t mark);

#endif
