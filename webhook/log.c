/* log.c - JSON log lines on stderr, written straight into a buffer (no tree). A line goes out
 * with a single stdio call, which holds the stream lock, so lines from concurrent request
 * threads never interleave. The server buffers decision lines and flushes them from its main
 * loop (log_buffer_output / log_flush); every other event is flushed at once. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonout.h"
#include "strbuf.h"

/* stdio buffer for stderr while serving: a few dozen decision lines, one write(2) for all. */
#define LOG_BUFFER_BYTES (16 * 1024)
/* A line longer than this (a pathological verdict) is cut; the cut is marked in the line. */
#define LOG_LINE_MAX (64 * 1024)

void log_buffer_output(void)
{
    static char buffer[LOG_BUFFER_BYTES];
    setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
}

void log_flush(void)
{
    fflush(stderr);
}

static void log_begin(struct strbuf *sb, const char *level, const char *event)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);
    strbuf_init(sb, LOG_LINE_MAX);
    strbuf_putc(sb, '{');
    jsonout_member_string(sb, true, "time", when);
    jsonout_member_string(sb, false, "level", level);
    jsonout_member_string(sb, false, "event", event);
}

static void log_end(struct strbuf *sb, bool flush)
{
    if (sb->failed) {   /* out of memory or past LOG_LINE_MAX: say so rather than drop it */
        fputs("{\"level\":\"error\",\"event\":\"log_line_dropped\",\"msg\":\"a log line was too long or "
              "memory ran out\"}\n", stderr);
    } else {
        strbuf_puts(sb, "}\n");
        if (!sb->failed)
            fwrite(sb->data, 1, sb->len, stderr);
    }
    if (flush)
        fflush(stderr);
    strbuf_free(sb);
}

void log_event(const char *level, const char *event, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct strbuf sb;
    log_begin(&sb, level, event);
    jsonout_member_string(&sb, false, "msg", msg);
    log_end(&sb, true);
}

static void add_list(struct strbuf *sb, const char *key, const struct message_list *l)
{
    if (l->count > 0)
        jsonout_member_strings(sb, key, l->items, l->count);
}

void log_decision(const struct admission_request *req, const struct verdict *v, const char *check,
                  const char *decision, double seconds)
{
    struct strbuf sb;
    log_begin(&sb, "info", "admission");
    jsonout_member_string(&sb, false, "uid", req->uid);
    jsonout_member_string(&sb, false, "kind", req->kind);
    jsonout_member_string(&sb, false, "namespace", req->namespace_);
    jsonout_member_string(&sb, false, "name", req->name);
    jsonout_member_string(&sb, false, "operation", req->operation_name);
    jsonout_member_string(&sb, false, "user", req->username);
    jsonout_member_bool(&sb, false, "dry_run", req->dry_run);
    jsonout_member_string(&sb, false, "check", check);
    jsonout_member_string(&sb, false, "decision", decision);
    add_list(&sb, "rules", &v->rules);
    add_list(&sb, "reasons", &v->denials);
    add_list(&sb, "warnings", &v->warnings);
    strbuf_printf(&sb, ",\"duration_ms\":%.3f", seconds * 1000.0);
    log_end(&sb, false);
}
