/* verdict.c - accumulating denials, warnings and fired rules for one admission. */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps responses bounded whatever an object contains (the apiserver drops warnings past
 * 4096 characters in total anyway). */
#define VERDICT_MAX_MESSAGES 64
#define VERDICT_MESSAGE_MAX 1024

void verdict_init(struct verdict *v)
{
    memset(v, 0, sizeof *v);
}

static void message_list_free(struct message_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void verdict_free(struct verdict *v)
{
    message_list_free(&v->denials);
    message_list_free(&v->warnings);
    message_list_free(&v->rules);
    message_list_free(&v->denial_rules);
    message_list_free(&v->warning_rules);
}

bool verdict_denied(const struct verdict *v)
{
    return v->denials.count > 0 || v->failed;
}

/* Appends a copy of text; unless `repeat`, a text already there is not added again. Returns
 * whether it was added. */
static bool message_list_append(struct verdict *v, struct message_list *l, const char *text, bool repeat)
{
    if (!repeat)
        for (size_t i = 0; i < l->count; i++)
            if (strcmp(l->items[i], text) == 0)
                return false;     /* the same finding twice says nothing new */
    if (l->count >= VERDICT_MAX_MESSAGES)
        return false;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        char **items = realloc(l->items, cap * sizeof *items);
        if (items == NULL) {
            v->failed = true;
            return false;
        }
        l->items = items;
        l->cap = cap;
    }
    char *copy = strdup(text);
    if (copy == NULL) {
        v->failed = true;
        return false;
    }
    l->items[l->count++] = copy;
    return true;
}

static void message_list_add(struct verdict *v, struct message_list *l, const char *text)
{
    (void)message_list_append(v, l, text, false);
}

/* A denial or warning and, in step with it, its rule id (on failure neither is kept). */
static void finding_add(struct verdict *v, struct message_list *texts, struct message_list *rules,
                        const char *text, const char *rule)
{
    if (!message_list_append(v, texts, text, false))
        return;
    if (!message_list_append(v, rules, rule, true)) {
        free(texts->items[--texts->count]);
        v->failed = true;
    }
}

static void verdict_vreport(struct verdict *v, enum sg_action action, const char *rule,
                            const char *fmt, va_list ap)
{
    char text[VERDICT_MESSAGE_MAX];
    vsnprintf(text, sizeof text, fmt, ap);
    message_list_add(v, &v->rules, rule);
    if (action == SG_ACTION_DENY)
        finding_add(v, &v->denials, &v->denial_rules, text, rule);
    else if (action == SG_ACTION_WARN)
        finding_add(v, &v->warnings, &v->warning_rules, text, rule);
}

void verdict_report(struct verdict *v, enum sg_action action, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verdict_vreport(v, action, rule, fmt, ap);
    va_end(ap);
}

void verdict_warn(struct verdict *v, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verdict_vreport(v, SG_ACTION_WARN, rule, fmt, ap);
    va_end(ap);
}

bool verdict_has_rule(const struct verdict *v, const char *rule)
{
    for (size_t i = 0; i < v->rules.count; i++)
        if (strcmp(v->rules.items[i], rule) == 0)
            return true;
    return false;
}

void verdict_merge(struct verdict *dst, const struct verdict *src)
{
    for (size_t i = 0; i < src->rules.count; i++)
        message_list_add(dst, &dst->rules, src->rules.items[i]);
    for (size_t i = 0; i < src->denials.count; i++)
        message_list_add(dst, &dst->denials, src->denials.items[i]);
    for (size_t i = 0; i < src->warnings.count; i++)
        message_list_add(dst, &dst->warnings, src->warnings.items[i]);
    dst->failed = dst->failed || src->failed;
}
