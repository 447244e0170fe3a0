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
/* A line longer than this (a pathological verdict) is replaced by a log_line_dropped line. */
#define LOG_LINE_MAX (64 * 1024)
/* A decision line is a few hundred bytes: one allocation instead of growing by doubling. */
#define LOG_LINE_TYPICAL 1024

void log_buffer_output(void)
{
    static char buffer[LOG_BUFFER_BYTES];
    setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
}

void log_flush(void)
{
    fflush(stderr);
}

/* Writes n digits of v, zero-padded. */
static char *put_digits(char *o, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    return o + n;
}

/* Without gmtime/strftime: the days-to-civil-date conversion of H. Hinnant's chrono
 * algorithms, a few dozen instructions. */
void log_format_utc(long long secs, long nsec, char out[25])
{
    if (secs < 0)
        secs = 0;
    long long days = secs / 86400, rem = secs % 86400;
    long long z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned day = doy - (153 * mp + 2) / 5 + 1;
    unsigned month = mp < 10 ? mp + 3 : mp - 9;
    unsigned year = (unsigned)(yoe + era * 400) + (month <= 2);
    char *o = put_digits(out, year % 10000, 4);
    *o++ = '-';
    o = put_digits(o, month, 2);
    *o++ = '-';
    o = put_digits(o, day, 2);
    *o++ = 'T';
    o = put_digits(o, (unsigned)(rem / 3600), 2);
    *o++ = ':';
    o = put_digits(o, (unsigned)(rem / 60 % 60), 2);
    *o++ = ':';
    o = put_digits(o, (unsigned)(rem % 60), 2);
    *o++ = '.';
    o = put_digits(o, (unsigned)(nsec / 1000000 % 1000), 3);
    *o++ = 'Z';
    *o = '\0';
}

static void log_begin(struct strbuf *sb, const char *level, const char *event)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char when[25];
    log_format_utc((long long)ts.tv_sec, ts.tv_nsec, when);
    strbuf_init(sb, LOG_LINE_MAX);
    strbuf_presize(sb, LOG_LINE_TYPICAL);
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
