/* metrics.c - Prometheus counters and histograms in fixed atomic arrays. The label sets are
 * closed (known kinds, operations, decisions, configured databases), so the cardinality is
 * bounded whatever objects arrive: an unknown kind is counted as "other". */
#include "metrics.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "strbuf.h"

static const char *const kind_names[] = {"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
                                         "Job", "CronJob", "ReplicationController", "Rollout",
                                         "ConfigMap", "PodTemplate", "other"};
static const char *const operation_names[] = {"CREATE", "UPDATE", "DELETE", "CONNECT"};
static const char *const decision_names[] = {"allowed", "warned", "denied", "error"};
static const int http_error_codes[] = {400, 404, 405, 413, 415, 500, 503};

/* Series per check family (check.h), by its position in the family table. */
#define N_CHECKS CHECK_FAMILY_MAX
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])
#define N_OPS (sizeof operation_names / sizeof operation_names[0])
#define N_HTTP (sizeof http_error_codes / sizeof http_error_codes[0])

static const double admission_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25, 0.5, 1, 2.5, 5, 10};
static const double db_buckets[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                    0.5, 1, 2.5};
#define N_ADM_BUCKETS (sizeof admission_buckets / sizeof admission_buckets[0])
#define N_DB_BUCKETS (sizeof db_buckets / sizeof db_buckets[0])

struct histogram_adm {
    _Atomic uint64_t buckets[N_ADM_BUCKETS];
    _Atomic uint64_t count;
    _Atomic uint64_t sum_ns;
};

struct database_series {
    char *name;
    _Atomic uint64_t buckets[N_DB_BUCKETS];
    _Atomic uint64_t count;
    _Atomic uint64_t sum_ns;
    _Atomic uint64_t errors;
    _Atomic uint64_t cache_hits;
};

static _Atomic uint64_t requests[N_CHECKS][N_KINDS][N_OPS][METRICS_DECISION_COUNT][2];
static _Atomic uint64_t http_errors[N_HTTP];
static struct histogram_adm admission_duration;
static struct database_series *databases;
static size_t database_count;
static _Atomic uint64_t cert_expiry_seconds;

static size_t index_of(const char *const *names, size_t n, const char *name, size_t fallback)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return fallback;
}

int metrics_init(const struct config *cfg)
{
    metrics_shutdown();
    if (cfg->database_count == 0)
        return 0;
    databases = calloc(cfg->database_count, sizeof *databases);
    if (databases == NULL)
        return -1;
    database_count = cfg->database_count;
    for (size_t i = 0; i < database_count; i++)
        if ((databases[i].name = strdup(cfg->databases[i].name)) == NULL)
            return -1;
    return 0;
}

void metrics_shutdown(void)
{
    for (size_t i = 0; i < database_count; i++)
        free(databases[i].name);
    free(databases);
    databases = NULL;
    database_count = 0;
}

static uint64_t to_ns(double seconds)
{
    return seconds > 0 ? (uint64_t)llround(seconds * 1e9) : 0;
}

void metrics_record_admission(const char *check, const char *kind, const char *operation,
                              enum metrics_decision decision, bool dry_run, double seconds)
{
    size_t c = 0;
    for (const struct check_family *f = check_family_begin(); f < check_family_end(); f++)
        if (strcmp(f->name, check) == 0)
            c = (size_t)(f - check_family_begin());
    size_t k = index_of(kind_names, N_KINDS, kind, N_KINDS - 1);
    size_t o = index_of(operation_names, N_OPS, operation, 0);
    if (decision >= METRICS_DECISION_COUNT)
        decision = METRICS_ERROR;
    atomic_fetch_add_explicit(&requests[c][k][o][decision][dry_run ? 1 : 0], 1, memory_order_relaxed);
    for (size_t b = 0; b < N_ADM_BUCKETS; b++)
        if (seconds <= admission_buckets[b])
            atomic_fetch_add_explicit(&admission_duration.buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&admission_duration.count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&admission_duration.sum_ns, to_ns(seconds), memory_order_relaxed);
}

void metrics_record_http_error(int status)
{
    for (size_t i = 0; i < N_HTTP; i++)
        if (http_error_codes[i] == status)
            atomic_fetch_add_explicit(&http_errors[i], 1, memory_order_relaxed);
}

static struct database_series *series_for(const char *database)
{
    for (size_t i = 0; database && i < database_count; i++)
        if (strcmp(databases[i].name, database) == 0)
            return &databases[i];
    return NULL;
}

void metrics_record_db_query(const char *database, double seconds)
{
    struct database_series *s = series_for(database);
    if (s == NULL)
        return;
    for (size_t b = 0; b < N_DB_BUCKETS; b++)
        if (seconds <= db_buckets[b])
            atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_ns, to_ns(seconds), memory_order_relaxed);
}

void metrics_record_db_error(const char *database)
{
    struct database_series *s = series_for(database);
    if (s)
        atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
}

void metrics_record_cache_hit(const char *database)
{
    struct database_series *s = series_for(database);
    if (s)
        atomic_fetch_add_explicit(&s->cache_hits, 1, memory_order_relaxed);
}

void metrics_set_cert_expiry(double unix_seconds)
{
    atomic_store(&cert_expiry_seconds, unix_seconds > 0 ? (uint64_t)unix_seconds : 0);
}

static uint64_t load(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static void render_histogram(struct strbuf *sb, const char *name, const char *labels,
                             const double *bounds, size_t n, _Atomic uint64_t *buckets,
                             _Atomic uint64_t *count, _Atomic uint64_t *sum_ns)
{
    const char *sep = labels[0] ? "," : "";
    for (size_t b = 0; b < n; b++)
        strbuf_printf(sb, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bounds[b],
                      (unsigned long long)load(&buckets[b]));
    strbuf_printf(sb, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
                  (unsigned long long)load(count));
    const char *open = labels[0] ? "{" : "";
    const char *close = labels[0] ? "}" : "";
    strbuf_printf(sb, "%s_sum%s%s%s %.9f\n", name, open, labels, close, (double)load(sum_ns) / 1e9);
    strbuf_printf(sb, "%s_count%s%s%s %llu\n", name, open, labels, close, (unsigned long long)load(count));
}

char *metrics_render(void)
{
    struct strbuf sb;
    strbuf_init(&sb, 0);
    strbuf_puts(&sb, "# HELP schemagate_admission_requests_total Admission reviews answered.\n"
                     "# TYPE schemagate_admission_requests_total counter\n");
    size_t families = (size_t)(check_family_end() - check_family_begin());
    for (size_t c = 0; c < families; c++)
        for (size_t k = 0; k < N_KINDS; k++)
            for (size_t o = 0; o < N_OPS; o++)
                for (size_t d = 0; d < METRICS_DECISION_COUNT; d++)
                    for (size_t r = 0; r < 2; r++) {
                        uint64_t n = load(&requests[c][k][o][d][r]);
                        if (n == 0)
                            continue;
                        strbuf_printf(&sb,
                                      "schemagate_admission_requests_total{check=\"%s\",kind=\"%s\","
                                      "operation=\"%s\",decision=\"%s\",dry_run=\"%s\"} %llu\n",
                                      check_family_begin()[c].name, kind_names[k], operation_names[o],
                                      decision_names[d], r ? "true" : "false", (unsigned long long)n);
                    }
    strbuf_puts(&sb, "# HELP schemagate_admission_duration_seconds Time to answer one admission review.\n"
                     "# TYPE schemagate_admission_duration_seconds histogram\n");
    render_histogram(&sb, "schemagate_admission_duration_seconds", "", admission_buckets, N_ADM_BUCKETS,
                     admission_duration.buckets, &admission_duration.count, &admission_duration.sum_ns);
    strbuf_puts(&sb, "# HELP schemagate_http_errors_total Requests refused before a decision, by HTTP status.\n"
                     "# TYPE schemagate_http_errors_total counter\n");
    for (size_t i = 0; i < N_HTTP; i++)
        strbuf_printf(&sb, "schemagate_http_errors_total{code=\"%d\"} %llu\n", http_error_codes[i],
                      (unsigned long long)load(&http_errors[i]));
    strbuf_puts(&sb, "# HELP schemagate_log_lines_dropped_total Log lines dropped by the per-kind rate limit (log.h).\n"
                     "# TYPE schemagate_log_lines_dropped_total counter\n");
    const char *log_events[LOG_KINDS];
    unsigned long long log_dropped[LOG_KINDS];
    size_t log_kinds = log_dropped_counts(log_events, log_dropped, LOG_KINDS);
    for (size_t i = 0; i < log_kinds; i++)
        strbuf_printf(&sb, "schemagate_log_lines_dropped_total{event=\"%s\"} %llu\n", log_events[i], log_dropped[i]);
    strbuf_puts(&sb, "# HELP schemagate_db_query_duration_seconds History-table query time per database.\n"
                     "# TYPE schemagate_db_query_duration_seconds histogram\n");
    for (size_t i = 0; i < database_count; i++) {
        char labels[160];
        snprintf(labels, sizeof labels, "database=\"%s\"", databases[i].name);
        render_histogram(&sb, "schemagate_db_query_duration_seconds", labels, db_buckets, N_DB_BUCKETS,
                         databases[i].buckets, &databases[i].count, &databases[i].sum_ns);
    }
    strbuf_puts(&sb, "# HELP schemagate_db_errors_total Failed connections or queries per database.\n"
                     "# TYPE schemagate_db_errors_total counter\n");
    for (size_t i = 0; i < database_count; i++)
        strbuf_printf(&sb, "schemagate_db_errors_total{database=\"%s\"} %llu\n", databases[i].name,
                      (unsigned long long)load(&databases[i].errors));
    strbuf_puts(&sb, "# HELP schemagate_history_cache_hits_total Gate answers served from the history cache.\n"
                     "# TYPE schemagate_history_cache_hits_total counter\n");
    for (size_t i = 0; i < database_count; i++)
        strbuf_printf(&sb, "schemagate_history_cache_hits_total{database=\"%s\"} %llu\n", databases[i].name,
                      (unsigned long long)load(&databases[i].cache_hits));
    strbuf_puts(&sb, "# HELP schemagate_tls_cert_expiry_timestamp_seconds notAfter of the serving certificate.\n"
                     "# TYPE schemagate_tls_cert_expiry_timestamp_seconds gauge\n");
    strbuf_printf(&sb, "schemagate_tls_cert_expiry_timestamp_seconds %llu\n",
                  (unsigned long long)load(&cert_expiry_seconds));
    return strbuf_take(&sb);
}
