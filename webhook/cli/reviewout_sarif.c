/* reviewout_sarif.c - `-o sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab): one rule per
 * rule id found, one result per denial (level error) and warning (level warning) located at
 * the file and line of the offending field (read from YAML) or else of the object, and one
 * per unusable input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reviewout.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* A relative URI reference for a path: unreserved characters and '/' kept, the rest
 * percent-encoded; absolute paths become file:// URIs and stdin "stdin". */
static void path_uri(const char *path, char *out, size_t n)
{
    size_t o = 0;
    if (strcmp(path, "-") == 0) {
        snprintf(out, n, "stdin");
        return;
    }
    if (path[0] == '/')
        o = (size_t)snprintf(out, n, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < n; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
    }
    out[o < n ? o : n - 1] = '\0';
}

/* The index of rule in rules (added, with its level, when new); -1 on out of memory. */
static int rule_index(cJSON *rules, const char *rule, const char *level)
{
    int i = 0;
    for (cJSON *r = rules->child; r; r = r->next, i++)
        if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, rule) == 0)
            return i;
    cJSON *r = cJSON_CreateObject();
    cJSON *desc = r ? cJSON_CreateObject() : NULL;
    cJSON *conf = desc ? cJSON_CreateObject() : NULL;
    char text[256];
    snprintf(text, sizeof text, "schemagate rule %s", rule);
    if (conf == NULL || !cJSON_AddStringToObject(r, "id", rule) || !cJSON_AddStringToObject(r, "name", rule) ||
        !cJSON_AddStringToObject(desc, "text", text) || !cJSON_AddStringToObject(conf, "level", level) ||
        !cJSON_AddItemToObject(r, "shortDescription", desc)) {
        cJSON_Delete(conf);
        cJSON_Delete(desc);
        cJSON_Delete(r);
        return -1;
    }
    if (!cJSON_AddItemToObject(r, "defaultConfiguration", conf)) {
        cJSON_Delete(conf);
        cJSON_Delete(r);
        return -1;
    }
    if (!cJSON_AddItemToArray(rules, r)) {
        cJSON_Delete(r);
        return -1;
    }
    return i;
}

static bool add_result(cJSON *results, cJSON *rules, const struct review_result *res, const char *rule,
                       const char *level, const char *message, int line)
{
    int index = rule_index(rules, rule, level);
    if (index < 0)
        return false;
    char uri[8192];
    path_uri(res->source, uri, sizeof uri);
    char text[2048];
    char where[4400];
    review_result_where(res, where, sizeof where);
    if (res->outcome == OUTCOME_ERROR)
        snprintf(text, sizeof text, "%s: %s", where, message);
    else
        snprintf(text, sizeof text, "%s (%s): %s", res->object, where, message);
    cJSON *r = cJSON_CreateObject();
    if (r == NULL || !cJSON_AddItemToArray(results, r))
        return reviewout_drop(r);
    cJSON *msg = cJSON_AddObjectToObject(r, "message");
    cJSON *locs = cJSON_AddArrayToObject(r, "locations");
    cJSON *loc = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(r, "ruleId", rule) || !cJSON_AddNumberToObject(r, "ruleIndex", index) ||
        !cJSON_AddStringToObject(r, "level", level) || !msg || !cJSON_AddStringToObject(msg, "text", text) ||
        !locs || !loc || !cJSON_AddItemToArray(locs, loc))
        return reviewout_drop(loc);
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *art = phys ? cJSON_AddObjectToObject(phys, "artifactLocation") : NULL;
    if (!art || !cJSON_AddStringToObject(art, "uri", uri))
        return false;
    if (line > 0) {
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        if (!region || !cJSON_AddNumberToObject(region, "startLine", line))
            return false;
    }
    if (res->outcome != OUTCOME_ERROR) {
        cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
        cJSON *l = cJSON_CreateObject();
        if (!logical || !l || !cJSON_AddItemToArray(logical, l))
            return reviewout_drop(l);
        if (!cJSON_AddStringToObject(l, "name", res->object) || !cJSON_AddStringToObject(l, "kind", "object"))
            return false;
    }
    return true;
}

int reviewout_sarif(FILE *out, const struct review_results *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *runs = doc && cJSON_AddStringToObject(doc, "version", "2.1.0") &&
                  cJSON_AddStringToObject(doc, "$schema", SARIF_SCHEMA)
                ? cJSON_AddArrayToObject(doc, "runs") : NULL;
    cJSON *run = cJSON_CreateObject();
    bool ok = runs && run && cJSON_AddItemToArray(runs, run);
    if (!ok)
        cJSON_Delete(run);
    cJSON *tool = ok ? cJSON_AddObjectToObject(run, "tool") : NULL;
    cJSON *driver = tool ? cJSON_AddObjectToObject(tool, "driver") : NULL;
    cJSON *rules = NULL, *results = NULL;
    ok = driver && cJSON_AddStringToObject(driver, "name", "schemagate") &&
         cJSON_AddStringToObject(driver, "version", SCHEMAGATE_VERSION) &&
         (rules = cJSON_AddArrayToObject(driver, "rules")) != NULL &&
         (results = cJSON_AddArrayToObject(run, "results")) != NULL;
    for (size_t i = 0; ok && i < r->count; i++) {
        const struct review_result *res = &r->items[i];
        if (res->outcome == OUTCOME_ERROR) {
            ok = add_result(results, rules, res, REVIEWOUT_INPUT_RULE, "error", res->error, res->line);
            continue;
        }
        const struct verdict *v = &res->verdict;
        for (size_t k = 0; ok && k < v->denials.count; k++)
            ok = add_result(results, rules, res, review_result_denial_rule(res, k),
                            "error", v->denials.items[k], review_result_denial_line(res, k));
        for (size_t k = 0; ok && k < v->warnings.count; k++)
            ok = add_result(results, rules, res, review_result_warning_rule(res, k),
                            "warning", v->warnings.items[k], review_result_warning_line(res, k));
    }
    if (!ok) {
        cJSON_Delete(doc);
        return -1;
    }
    return reviewout_print_json(out, doc);
}
