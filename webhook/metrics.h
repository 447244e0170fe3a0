/* metrics.h - Prometheus metrics (README "Metrics and alerts"). Counters are lock-free atomics indexed
 * by label values known in advance, so recording on the request path never allocates or
 * blocks. Rendering builds the text exposition format on demand. */
#ifndef SCHEMAGATE_METRICS_H
#define SCHEMAGATE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum metrics_decision { METRICS_ALLOWED = 0, METRICS_WARNED, METRICS_DENIED, METRICS_ERROR,
                        METRICS_DECISION_COUNT };

/* Sizes the per-database series from the config; call once before serving. Returns -1 on OOM. */
int metrics_init(const struct config *cfg);
void metrics_shutdown(void);

void metrics_record_admission(const char *check, const char *kind, const char *operation,
                              enum metrics_decision decision, bool dry_run, double seconds);
void metrics_record_http_error(int status);
void metrics_record_db_query(const char *database, double seconds);
void metrics_record_db_error(const char *database);
void metrics_record_cache_hit(const char *database);
void metrics_set_cert_expiry(double unix_seconds);

/* The exposition text (malloc'd), or NULL on OOM. */
char *metrics_render(void);

#endif
