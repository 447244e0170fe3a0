/* reviewresult.c - the list of per-object review results and what is counted over it. */
#include "reviewresult.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct review_result *review_results_add(struct review_results *r)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct review_result *items = realloc(r->items, cap * sizeof *items);
        if (items == NULL)
            return NULL;
        r->items = items;
        r->cap = cap;
    }
    struct review_result *res = &r->items[r->count++];
    memset(res, 0, sizeof *res);
    verdict_init(&res->verdict);
    res->document = -1;
    res->item = -1;
    return res;
}

void review_results_free(struct review_results *r)
{
    for (size_t i = 0; i < r->count; i++) {
        struct review_result *res = &r->items[i];
        free(res->source);
        free(res->api_version);
        free(res->kind);
        free(res->namespace_);
        free(res->name);
        free(res->object);
        free(res->response);
        free(res->error);
        free(res->denial_lines);
        free(res->warning_lines);
        verdict_free(&res->verdict);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}

void review_results_tally(const struct review_results *r, struct review_tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < r->count; i++) {
        const struct review_result *res = &r->items[i];
        if (res->outcome == OUTCOME_ERROR)
            t->errors++;
        else if (res->outcome == OUTCOME_DENIED)
            t->denied++;
        else
            t->allowed++;
        if (res->verdict.warnings.count > 0)
            t->with_warnings++;
        if (res->unreachable)
            t->unreachable++;
    }
}

const char *review_result_denial_rule(const struct review_result *res, size_t i)
{
    return i < res->verdict.denial_rules.count ? res->verdict.denial_rules.items[i] : "unknown";
}

const char *review_result_warning_rule(const struct review_result *res, size_t i)
{
    return i < res->verdict.warning_rules.count ? res->verdict.warning_rules.items[i] : "unknown";
}

int review_result_denial_line(const struct review_result *res, size_t i)
{
    return res->denial_lines && res->denial_lines[i] > 0 ? res->denial_lines[i] : res->line;
}

int review_result_warning_line(const struct review_result *res, size_t i)
{
    return res->warning_lines && res->warning_lines[i] > 0 ? res->warning_lines[i] : res->line;
}

void review_result_where(const struct review_result *res, char *out, size_t n)
{
    const char *source = strcmp(res->source, "-") == 0 ? "stdin" : res->source;
    if (res->document < 0)
        snprintf(out, n, "%s", source);
    else if (res->item < 0)
        snprintf(out, n, "%s[%d]", source, res->document);
    else
        snprintf(out, n, "%s[%d].items[%d]", source, res->document, res->item);
}

void review_rule_family(const char *rule, char *out, size_t n)
{
    const char *dot = strchr(rule, '.');
    snprintf(out, n, "%.*s", dot ? (int)(dot - rule) : (int)strlen(rule), rule);
}
