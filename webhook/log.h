/* log.h - structured logs: one JSON object per line on stderr. Every field that could come
 * from an object is written escaped (jsonout.c) and must already be redacted. */
#ifndef SCHEMAGATE_LOG_H
#define SCHEMAGATE_LOG_H

#include "review.h"
#include "verdict.h"

/* While serving: stderr becomes fully buffered; decision lines wait there until log_flush
 * (the server's main loop calls it every LOG_FLUSH_MS) or until the buffer fills. Any other
 * event is flushed when written. Without this call every line goes out at once. */
void log_buffer_output(void);
void log_flush(void);

/* "2026-11-21T07:21:29.123Z" (24 bytes and a NUL) for a time since the epoch (UTC, years up
 * to 9999; negative times print as the epoch). */
void log_format_utc(long long secs, long nsec, char out[25]);

void log_event(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The one line per admission decision. */
void log_decision(const struct admission_request *req, const struct verdict *v, const char *check,
                  const char *decision, double seconds);

/* Rate limits. Each event kind (the `event` field; decision lines are "admission") has a token
 * bucket: LOG_BURST lines at once, refilled at LOG_RATE_PER_S (decision lines LOG_DECISION_BURST
 * and LOG_DECISION_RATE_PER_S); a line past it is dropped and counted. At most every
 * LOG_DROP_REPORT_S a kind that dropped lines gets one "log_lines_dropped" line saying how many
 * (written by the next line of any kind, or by log_flush). Up to LOG_KINDS kinds are counted
 * apart; further kinds share the bucket "other". */
#define LOG_BURST 50
#define LOG_RATE_PER_S 10
#define LOG_DECISION_BURST 2000
#define LOG_DECISION_RATE_PER_S 500
#define LOG_DROP_REPORT_S 10
#define LOG_KINDS 32

/* Lines dropped so far, per kind: fills up to max (event, count) pairs, returns how many. */
size_t log_dropped_counts(const char **events, unsigned long long *counts, size_t max);

/* Tests only: the clock the limits read (nanoseconds, monotonic); NULL restores the real one. */
void log_use_clock(long long (*clock_ns)(void));

/* A notice or warning a database server sent (libpq's notice processor, schema/pqload.c): one
 * "db_notice" line with the database name; `message` is the server's text. */
void log_db_notice(const char *database, const char *message);

#endif
