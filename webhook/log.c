/* log.c - JSON log lines on stderr, written straight into a buffer (no tree). A line goes out
 * with a single stdio call, which holds the stream lock, so lines from concurrent request
 * threads never interleave. The server buffers decision lines and flushes them from its main
 * loop (log_buffer_output / log_flush); every other event is flushed at once. Each event kind
 * is rate limited (a token bucket per kind, log.h): a flood of bad requests writes a few lines a
 * second and a count of the rest, not gigabytes. */
#include "log.h"

#include <pthread.h>
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

/* ---- rate limits ---- */

struct log_limit {
    const char *event;              /* a string literal of the code ("other" for the overflow) */
    double tokens;
    long long refilled_ns;
    unsigned long long dropped;     /* since start */
    unsigned long long unreported;  /* dropped since the last log_lines_dropped line */
    long long reported_ns;          /* when that line was written (or the first drop) */
};

static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_limit limits[LOG_KINDS];
static size_t limit_count;
static unsigned pending_reports;    /* kinds with unreported drops */

static long long real_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long (*clock_ns)(void) = real_clock_ns;

void log_use_clock(long long (*fn)(void))
{
    pthread_mutex_lock(&limit_lock);
    clock_ns = fn ? fn : real_clock_ns;
    memset(limits, 0, sizeof limits);
    limit_count = 0;
    pending_reports = 0;
    pthread_mutex_unlock(&limit_lock);
}

static bool is_decision(const char *event)
{
    return strcmp(event, "admission") == 0;
}

/* The bucket of an event kind; the caller holds limit_lock. */
static struct log_limit *limit_for(const char *event, long long now)
{
    for (size_t i = 0; i < limit_count; i++)
        if (strcmp(limits[i].event, event) == 0)
            return &limits[i];
    if (limit_count >= LOG_KINDS - 1)   /* the last slot is kept for "other" */
        event = "other";
    for (size_t i = 0; i < limit_count; i++)
        if (strcmp(limits[i].event, event) == 0)
            return &limits[i];
    struct log_limit *l = &limits[limit_count++];
    l->event = event;
    l->tokens = is_decision(event) ? LOG_DECISION_BURST : LOG_BURST;
    l->refilled_ns = now;
    return l;
}

/* True when a line of this kind may be written now; else counts it as dropped. */
static bool log_admit(const char *event)
{
    pthread_mutex_lock(&limit_lock);
    long long now = clock_ns();
    struct log_limit *l = limit_for(event, now);
    bool decision = is_decision(l->event);
    double burst = decision ? LOG_DECISION_BURST : LOG_BURST;
    double rate = decision ? LOG_DECISION_RATE_PER_S : LOG_RATE_PER_S;
    if (now > l->refilled_ns) {
        l->tokens += (double)(now - l->refilled_ns) * rate / 1e9;
        if (l->tokens > burst)
            l->tokens = burst;
        l->refilled_ns = now;
    }
    bool ok = l->tokens >= 1.0;
    if (ok) {
        l->tokens -= 1.0;
    } else {
        if (l->unreported++ == 0) {
            l->reported_ns = now;   /* the report comes LOG_DROP_REPORT_S after the first drop */
            pending_reports++;
        }
        l->dropped++;
    }
    pthread_mutex_unlock(&limit_lock);
    return ok;
}

size_t log_dropped_counts(const char **events, unsigned long long *counts, size_t max)
{
    pthread_mutex_lock(&limit_lock);
    size_t n = 0;
    for (size_t i = 0; i < limit_count && n < max; i++) {
        events[n] = limits[i].event;
        counts[n] = limits[i].dropped;
        n++;
    }
    pthread_mutex_unlock(&limit_lock);
    return n;
}

static void log_begin(struct strbuf *sb, const char *level, const char *event);
static void log_write_line(struct strbuf *sb, bool flush);

/* Writes the log_lines_dropped lines that are due (all of them when `all`). Not rate limited:
 * at most one line per kind per LOG_DROP_REPORT_S. */
static void report_drops(bool all)
{
    struct {
        const char *event;
        unsigned long long n;
    } due[LOG_KINDS];
    size_t count = 0;
    pthread_mutex_lock(&limit_lock);
    if (pending_reports > 0) {
        long long now = clock_ns();
        for (size_t i = 0; i < limit_count; i++) {
            struct log_limit *l = &limits[i];
            if (l->unreported == 0 || (!all && now - l->reported_ns < LOG_DROP_REPORT_S * 1000000000LL))
                continue;
            due[count].event = l->event;
            due[count].n = l->unreported;
            count++;
            l->unreported = 0;
            l->reported_ns = now;
            pending_reports--;
        }
    }
    pthread_mutex_unlock(&limit_lock);
    for (size_t i = 0; i < count; i++) {
        struct strbuf sb;
        log_begin(&sb, "warn", "log_lines_dropped");
        jsonout_member_string(&sb, false, "kind", due[i].event);
        strbuf_printf(&sb, ",\"dropped\":%llu", due[i].n);
        char msg[160];
        snprintf(msg, sizeof msg, "%llu \"%s\" lines dropped by the log rate limit (%d a second, bursts of %d); "
                 "schemagate_log_lines_dropped_total counts them all", due[i].n, due[i].event,
                 is_decision(due[i].event) ? LOG_DECISION_RATE_PER_S : LOG_RATE_PER_S,
                 is_decision(due[i].event) ? LOG_DECISION_BURST : LOG_BURST);
        jsonout_member_string(&sb, false, "msg", msg);
        log_write_line(&sb, true);
    }
}

void log_buffer_output(void)
{
    static char buffer[LOG_BUFFER_BYTES];
    setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
}

void log_flush(void)
{
    report_drops(false);
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

static void log_write_line(struct strbuf *sb, bool flush)
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

/* Writes a finished line, then any log_lines_dropped lines that are due. */
static void log_end(struct strbuf *sb, bool flush)
{
    log_write_line(sb, flush);
    report_drops(false);
}

void log_event(const char *level, const char *event, const char *fmt, ...)
{
    if (!log_admit(event)) {
        report_drops(false);
        return;
    }
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
    if (!log_admit("admission")) {
        report_drops(false);
        return;
    }
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

void log_db_notice(const char *database, const char *message)
{
    if (!log_admit("db_notice")) {
        report_drops(false);
        return;
    }
    /* libpq's text: "NOTICE:  relation ... already exists\n"; the level word is kept, the line
     * break dropped. */
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", message ? message : "");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    const char *level = strncmp(msg, "WARNING", 7) == 0 ? "warn" : "info";
    struct strbuf sb;
    log_begin(&sb, level, "db_notice");
    jsonout_member_string(&sb, false, "database", database ? database : "");
    jsonout_member_string(&sb, false, "msg", msg);
    log_end(&sb, true);
}
