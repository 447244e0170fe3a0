/* admission.h - one admission review end to end for the server: parse the body, run the
 * decision, build the response, write the log line, count the metrics. */
#ifndef SCHEMAGATE_ADMISSION_H
#define SCHEMAGATE_ADMISSION_H

#include <stddef.h>

#include "config.h"

struct history_source;

struct admission_result {
    int http_status;   /* 200 with an AdmissionReview, 400 with a JSON error, 500 on OOM */
    char *body;        /* malloc'd JSON; NULL only on OOM */
};

/* The body is parsed in place (review_parse): its bytes are overwritten. */
void admission_handle(char *body, size_t len, const struct config *cfg, unsigned checks,
                      struct history_source *history, struct admission_result *out);

#endif
