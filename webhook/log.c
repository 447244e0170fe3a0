/* log.c - JSON log lines. A line is built whole and written with a single stdio call (which
 * holds the stream lock), so lines from concurrent request threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void log_timestamp(char *out, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

/* Lines up to this long are printed into a stack buffer (no malloc on the request path). */
#define LOG_LINE_STACK 4096

/* One write(2) per line: stderr is unbuffered, so the newline goes out with the text. */
static void log_write(cJSON *line)
{
    char buf[LOG_LINE_STACK];
    if (line && cJSON_PrintPreallocated(line, buf, (int)sizeof buf - 1, 0)) {
        size_t n = strlen(buf);
        buf[n++] = '\n';
        fwrite(buf, 1, n, stderr);
    } else if (line) {
        char *text = cJSON_PrintUnformatted(line);
        if (text)
            fprintf(stderr, "%s\n", text);
        free(text);
    }
    cJSON_Delete(line);
}

static cJSON *log_line(const char *level, const char *event)
{
    char ts[48];
    log_timestamp(ts, sizeof ts);
    cJSON *line = cJSON_CreateObject();
    if (line) {
        cJSON_AddStringToObject(line, "time", ts);
        cJSON_AddStringToObject(line, "level", level);
        cJSON_AddStringToObject(line, "event", event);
    }
    return line;
}

void log_event(const char *level, const char *event, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *line = log_line(level, event);
    if (line)
        cJSON_AddStringToObject(line, "msg", msg);
    log_write(line);
}

static void add_list(cJSON *line, const char *key, const struct message_list *l)
{
    if (l->count == 0)
        return;
    cJSON *arr = cJSON_AddArrayToObject(line, key);
    for (size_t i = 0; arr && i < l->count; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(l->items[i]));
}

void log_decision(const struct admission_request *req, const struct verdict *v, const char *check,
                  const char *decision, double seconds)
{
    cJSON *line = log_line("info", "admission");
    if (line == NULL)
        return;
    cJSON_AddStringToObject(line, "uid", req->uid);
    cJSON_AddStringToObject(line, "kind", req->kind);
    cJSON_AddStringToObject(line, "namespace", req->namespace_);
    cJSON_AddStringToObject(line, "name", req->name);
    cJSON_AddStringToObject(line, "operation", req->operation_name);
    cJSON_AddStringToObject(line, "user", req->username);
    cJSON_AddBoolToObject(line, "dry_run", req->dry_run);
    cJSON_AddStringToObject(line, "check", check);
    cJSON_AddStringToObject(line, "decision", decision);
    add_list(line, "rules", &v->rules);
    add_list(line, "reasons", &v->denials);
    add_list(line, "warnings", &v->warnings);
    cJSON_AddNumberToObject(line, "duration_ms", seconds * 1000.0);
    log_write(line);
}
