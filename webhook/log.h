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

#endif
