/* reviewout_json.c - `-o json`: an array with one entry per reviewed object (or unusable input):
 * where it is, what it is, the outcome, its findings with rule ids, and the AdmissionReview
 * response the webhook would send. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reviewout.h"

int reviewout_print_json(FILE *out, cJSON *doc)
{
    char *text = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (text == NULL)
        return -1;
    int rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

bool reviewout_drop(cJSON *node)
{
    cJSON_Delete(node);
    return false;
}

static const char *outcome_name(enum review_outcome o)
{
    return o == OUTCOME_DENIED ? "denied" : o == OUTCOME_ERROR ? "error" : "allowed";
}

static bool add_findings(cJSON *entry, const char *key, const struct message_list *texts,
                         const struct message_list *rules, const struct review_result *res, bool denials)
{
    cJSON *list = cJSON_AddArrayToObject(entry, key);
    if (list == NULL)
        return false;
    for (size_t i = 0; i < texts->count; i++) {
        cJSON *f = cJSON_CreateObject();
        if (f == NULL || !cJSON_AddItemToArray(list, f))
            return reviewout_drop(f);
        if (!cJSON_AddStringToObject(f, "rule", i < rules->count ? rules->items[i] : "") ||
            !cJSON_AddStringToObject(f, "message", texts->items[i]) ||
            !cJSON_AddNumberToObject(f, "line", denials ? review_result_denial_line(res, i)
                                                        : review_result_warning_line(res, i)))
            return false;
    }
    return true;
}

static cJSON *entry_json(const struct review_result *res)
{
    cJSON *e = cJSON_CreateObject();
    if (e == NULL)
        return NULL;
    bool ok = cJSON_AddStringToObject(e, "source", res->source) &&
              cJSON_AddNumberToObject(e, "document", res->document) &&
              (res->item >= 0 ? cJSON_AddNumberToObject(e, "item", res->item) != NULL
                              : cJSON_AddNullToObject(e, "item") != NULL) &&
              cJSON_AddNumberToObject(e, "line", res->line) &&
              cJSON_AddStringToObject(e, "apiVersion", res->api_version) &&
              cJSON_AddStringToObject(e, "kind", res->kind) &&
              cJSON_AddStringToObject(e, "namespace", res->namespace_) &&
              cJSON_AddStringToObject(e, "name", res->name) &&
              cJSON_AddStringToObject(e, "object", res->object) &&
              cJSON_AddStringToObject(e, "result", outcome_name(res->outcome));
    if (ok && res->outcome == OUTCOME_ERROR) {
        ok = cJSON_AddStringToObject(e, "error", res->error) != NULL;
    } else if (ok) {
        ok = add_findings(e, "denials", &res->verdict.denials, &res->verdict.denial_rules, res, true) &&
             add_findings(e, "warnings", &res->verdict.warnings, &res->verdict.warning_rules, res, false) &&
             cJSON_AddBoolToObject(e, "unreachable", res->unreachable);
        cJSON *review = ok ? cJSON_Parse(res->response) : NULL;
        ok = review && cJSON_AddItemToObject(e, "review", review);
        if (!ok)
            cJSON_Delete(review);
    }
    if (!ok) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

/* The array is written entry by entry, each printed and freed before the next, in the layout
 * cJSON_Print gives the whole array (an entry's lines one tab further in): a review of many
 * thousand objects never holds its output twice over. */
int reviewout_json(FILE *out, const struct review_results *r)
{
    if (fputc('[', out) == EOF)
        return -1;
    for (size_t i = 0; i < r->count; i++) {
        cJSON *e = entry_json(&r->items[i]);
        char *text = e ? cJSON_Print(e) : NULL;
        cJSON_Delete(e);
        if (text == NULL || (i > 0 && fputs(", ", out) == EOF)) {
            free(text);
            return -1;
        }
        int rc = 0;
        for (const char *p = text, *nl; rc == 0 && *p; p = nl ? nl + 1 : p + strlen(p)) {
            nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
            rc = fwrite(p, 1, n, out) != n || (nl && fputc('\t', out) == EOF) ? -1 : 0;
        }
        free(text);
        if (rc != 0)
            return -1;
    }
    return fputs("]\n", out) == EOF ? -1 : 0;
}
