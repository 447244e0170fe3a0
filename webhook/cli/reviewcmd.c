/* reviewcmd.c - `schemagate review`: options, inputs split into objects (YAML and JSON streams,
 * List kinds item by item), each object through decision_run exactly as the webhook would
 * judge it, then one output format and an exit code for CI. */
#include "reviewcmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "decision.h"
#include "object.h"
#include "docstream.h"
#include "findingline.h"
#include "review.h"
#include "reviewinput.h"
#include "reviewout.h"
#include "reviewresult.h"
#include "reviewscope.h"
#include "schema/history.h"
#include "verdict.h"

#define NAMESPACE_MAX 253

enum output_format { OUT_TEXT, OUT_JSON, OUT_SARIF, OUT_JUNIT, OUT_POLICYREPORT };

struct review_options {
    const char *config_path;
    unsigned checks;
    const char *check_name;
    const char *namespace_;
    bool namespace_given;   /* -n/--namespace was on the command line */
    enum output_format format;
    bool fail_on_warning;
    bool quiet;
};

static void review_usage(FILE *out)
{
    fputs("usage: schemagate review [flags] [FILE|DIR|-]...\n"
          "\n"
          "Decides every Kubernetes object in the inputs offline, with the webhook's own decision\n"
          "code. Inputs: files (YAML or JSON, several objects each: `---` documents, JSON values one\n"
          "after another, List kinds), directories (their *.yaml, *.yml and *.json files, recursively,\n"
          "in sorted order) and - for stdin (the default when no input is given). An AdmissionReview\n"
          "is reviewed as it is; a bare object as a CREATE.\n"
          "\n"
          "flags:\n"
          "  --config FILE          the webhook's config file (default: none, the built-in defaults:\n"
          "                         no databases, so schema requirements cannot be checked)\n"
          "  --check all|secrets|schema\n"
          "                         which checks run (default: all; secrets includes the hygiene lint)\n"
          "  -n, --namespace NS     namespace of objects without metadata.namespace (default: default;\n"
          "                         cluster-scoped kinds get none)\n"
          "  -o, --output FORMAT    text, json, sarif, junit or policyreport (default: text)\n"
          "  --fail-on denial|warning\n"
          "                         exit 1 on a denial, or on a denial or a warning (default: denial)\n"
          "  -q, --quiet            write nothing on stdout; errors still go to stderr\n"
          "  -h, --help             this help\n"
          "  --version              the version\n"
          "\n"
          "exit codes: 0 all allowed (warnings allowed), 1 a denial (or a warning with --fail-on\n"
          "warning), 2 unusable input (unreadable, not YAML/JSON, no kind/apiVersion, bad --config),\n"
          "3 an answer depended on a database that could not be reached (schema.unreachable).\n"
          "The worst applies: 2, then 3, then 1.\n",
          out);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static const char *string_member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A List kind whose items are to be reviewed one by one ("List", "DeploymentList", ...). */
static cJSON *list_items(const cJSON *doc)
{
    const char *kind = string_member(doc, "kind");
    size_t n = kind ? strlen(kind) : 0;
    if (n < 4 || strcmp(kind + n - 4, "List") != 0 || string_member(doc, "apiVersion") == NULL)
        return NULL;
    cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
    return cJSON_IsArray(items) ? items : NULL;
}

struct review_run {
    const struct review_options *opt;
    const struct config *cfg;
    struct history_source *history;
    struct review_results *results;
    struct review_scopes scopes;   /* the CRDs reviewed so far */
    size_t assumed;                /* custom kinds without namespace or CRD, reviewed as namespaced */
    char assumed_example[320];     /* the first of them */
    bool out_of_memory;
};

/* Without --config no database is known, so a schema requirement cannot be checked: the
 * denial says how to give the config, or how to leave the schema checks out. */
static void add_config_hint(struct verdict *v)
{
    static const char hint[] = " (schemagate review ran without --config: give the webhook's config with "
                               "--config FILE to check schema requirements against its databases, or run "
                               "only the secrets checks with --check secrets)";
    for (size_t i = 0; i < v->denials.count && i < v->denial_rules.count; i++) {
        if (strncmp(v->denial_rules.items[i], "schema.", 7) != 0)
            continue;
        size_t n = strlen(v->denials.items[i]);
        char *longer = realloc(v->denials.items[i], n + sizeof hint);
        if (longer == NULL) {
            v->failed = true;
            return;
        }
        memcpy(longer + n, hint, sizeof hint);
        v->denials.items[i] = longer;
    }
}

static int set_error(struct review_result *res, const char *message)
{
    res->outcome = OUTCOME_ERROR;
    res->error = strdup(message);
    return res->error ? 0 : -1;
}

/* "line 12, column 3: ..." -> 12; 0 when the message names no line. */
static int line_of_message(const char *message)
{
    int line = 0;
    const char *at = strstr(message, "line ");
    if (at && sscanf(at, "line %d", &line) == 1 && line > 0)
        return line;
    return 0;
}

/* The line of each message's field in object (NULL for no messages; -1 on out of memory). */
static int finding_lines(const cJSON *object, const struct message_list *l, const struct line_map *lines,
                         int **out)
{
    *out = NULL;
    if (l->count == 0)
        return 0;
    if ((*out = calloc(l->count, sizeof **out)) == NULL)
        return -1;
    for (size_t i = 0; i < l->count; i++)
        (*out)[i] = object ? finding_line(object, l->items[i], lines) : 0;
    return 0;
}

/* Reviews one object (taking ownership of it) into a new result; dl, when set, has the line of
 * the object (and, completed when a finding needs them, of each of its values). */
static void review_one(struct review_run *run, const char *source, int document, int item, int line,
                       cJSON *object, struct doc_lines *dl)
{
    const struct line_map *lines = dl ? dl->lines : NULL;
    struct review_result *res = review_results_add(run->results);
    if (res == NULL || (res->source = strdup(source)) == NULL) {
        cJSON_Delete(object);
        run->out_of_memory = true;
        return;
    }
    res->document = document;
    res->item = item;
    int own_line = line_map_get(lines, object);
    res->line = own_line > 0 ? own_line : line;
    const cJSON *meta = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, "metadata") : NULL;
    const char *api = cJSON_IsObject(object) ? string_member(object, "apiVersion") : NULL;
    const char *kind = cJSON_IsObject(object) ? string_member(object, "kind") : NULL;
    const char *ns = cJSON_IsObject(meta) ? string_member(meta, "namespace") : NULL;
    char group[128] = "", version[64];
    if (api)
        object_split_api_version(api, group, sizeof group, version, sizeof version);
    enum review_scope scope = kind ? review_scope_of(&run->scopes, group, kind) : SCOPE_NAMESPACED;
    if (scope == SCOPE_UNKNOWN && ns == NULL && !run->opt->namespace_given && api &&
        strcmp(kind, "AdmissionReview") != 0 && run->assumed++ == 0) {
        const char *name = cJSON_IsObject(meta) ? string_member(meta, "name") : NULL;
        snprintf(run->assumed_example, sizeof run->assumed_example, "%s %s (%s)", kind, name ? name : "",
                 api);
    }
    /* copies first: on error review_from_document_in frees the object */
    res->api_version = dup_or_empty(api);
    res->kind = dup_or_empty(kind);
    res->namespace_ = dup_or_empty(ns);
    res->name = strdup("");
    res->object = strdup(kind ? kind : "(no kind)");
    if (!res->api_version || !res->kind || !res->namespace_ || !res->name || !res->object) {
        cJSON_Delete(object);
        run->out_of_memory = true;
        return;
    }

    struct sg_error err = {{0}};
    struct admission_request req;
    if (review_from_document_in(object, run->opt->namespace_, scope == SCOPE_CLUSTER, &req, &err) != 0) {
        if (set_error(res, err.message) != 0)
            run->out_of_memory = true;
        const char *shown = strcmp(source, "-") == 0 ? "stdin" : source;
        fprintf(stderr, "schemagate review: %s: line %d: %s\n", shown, line, err.message);
        return;
    }
    free(res->api_version);
    free(res->kind);
    free(res->namespace_);
    free(res->name);
    free(res->object);
    char object_name[320];
    review_describe_object(&req, object_name, sizeof object_name);
    char api_version[200];
    snprintf(api_version, sizeof api_version, "%s%s%s", req.group, req.group[0] ? "/" : "", req.version);
    res->api_version = strdup(api_version);
    res->kind = strdup(req.kind);
    res->namespace_ = strdup(req.namespace_);
    res->name = strdup(req.name);
    res->object = strdup(object_name);

    decision_run(&req, run->cfg, run->opt->checks, run->history, &res->verdict);
    if (review_scope_learn(&run->scopes, req.object) != 0)
        run->out_of_memory = true;
    if (run->opt->config_path == NULL)
        add_config_hint(&res->verdict);
    res->outcome = verdict_denied(&res->verdict) ? OUTCOME_DENIED : OUTCOME_ALLOWED;
    res->unreachable = verdict_has_rule(&res->verdict, "schema.unreachable");
    res->response = review_response_json(&req, &res->verdict);
    if ((res->verdict.denials.count || res->verdict.warnings.count) && doc_lines_complete(dl, req.object) != 0)
        run->out_of_memory = true;
    if (finding_lines(req.object, &res->verdict.denials, lines, &res->denial_lines) != 0 ||
        finding_lines(req.object, &res->verdict.warnings, lines, &res->warning_lines) != 0)
        run->out_of_memory = true;
    if (!res->api_version || !res->kind || !res->namespace_ || !res->name || !res->object ||
        !res->response || res->verdict.failed)
        run->out_of_memory = true;
    review_free(&req);
}

static void source_error(struct review_run *run, const char *source, const char *message)
{
    const char *shown = strcmp(source, "-") == 0 ? "stdin" : source;
    fprintf(stderr, "schemagate review: %s: %s\n", shown, message);
    struct review_result *res = review_results_add(run->results);
    if (res == NULL || (res->source = strdup(source)) == NULL || set_error(res, message) != 0) {
        run->out_of_memory = true;
        return;
    }
    res->line = line_of_message(message);
    res->api_version = strdup("");
    res->kind = strdup("");
    res->namespace_ = strdup("");
    res->name = strdup("");
    res->object = strdup("(input)");
    if (!res->api_version || !res->kind || !res->namespace_ || !res->name || !res->object)
        run->out_of_memory = true;
}

/* One document of a source, or one item of a List, reviewed as soon as it is read; docstream
 * forgets each document's lines once it is done, so a stream costs one document's tree and
 * lines at a time (a JSON List: the parsed text and one item's copy). */
struct source_run {
    struct review_run *run;
    const char *source;
    struct doc_lines lines;
};

static int review_document(void *ctx, cJSON *doc, const struct doc_pos *pos, struct sg_error *err)
{
    struct source_run *sr = ctx;
    review_one(sr->run, sr->source, pos->document, pos->item, pos->line, doc, &sr->lines);
    return sr->run->out_of_memory ? sg_error_set(err, "out of memory") : 0;
}

static void review_source(struct review_run *run, const char *source)
{
    struct sg_error err = {{0}};
    size_t len = 0;
    char *text = review_input_read(source, &len, &err);
    if (text == NULL) {
        source_error(run, source, err.message);
        return;
    }
    struct source_run sr = { .run = run, .source = source,
                             .lines = { .lines = line_map_create(), .starts = line_map_create(),
                                        .per_document = true } };
    if (sr.lines.lines == NULL || sr.lines.starts == NULL) {
        free(text);
        line_map_free(sr.lines.lines);
        line_map_free(sr.lines.starts);
        run->out_of_memory = true;
        return;
    }
    int rc = docstream_each(text, len, &sr.lines, list_items, review_document, &sr, &err);
    free(text);
    line_map_free(sr.lines.lines);
    line_map_free(sr.lines.starts);
    if (rc != 0 && !run->out_of_memory)
        source_error(run, source, err.message);
}

static int review_exit_code(const struct review_results *r, bool fail_on_warning)
{
    struct review_tally t;
    review_results_tally(r, &t);
    if (t.errors > 0)
        return REVIEW_EXIT_UNUSABLE;
    if (t.unreachable > 0)
        return REVIEW_EXIT_UNREACHABLE;
    if (t.denied > 0 || (fail_on_warning && t.with_warnings > 0))
        return REVIEW_EXIT_DENIED;
    return REVIEW_EXIT_ALLOWED;
}

static int parse_options(int argc, char **argv, struct review_options *opt, int *exit_now)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check", required_argument, NULL, 'k'},
        {"namespace", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},
        {"fail-on", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *opt = (struct review_options){ .checks = CHECK_ALL, .check_name = "all", .namespace_ = "default" };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opt->config_path = optarg; break;
        case 'k': {
            const struct check_family *f = check_family_by_name(optarg);
            if (f == NULL) {
                char names[128];
                check_family_list(false, names, sizeof names);
                fprintf(stderr, "schemagate review: --check is %s (got \"%s\")\n", names, optarg);
                return -1;
            }
            opt->checks = check_family_set(f);
            opt->check_name = f->name;
            break;
        }
        case 'n':
            if (optarg[0] == '\0' || strlen(optarg) > NAMESPACE_MAX) {
                fprintf(stderr, "schemagate review: --namespace takes a namespace name (1 to %d characters)\n",
                        NAMESPACE_MAX);
                return -1;
            }
            opt->namespace_ = optarg;
            opt->namespace_given = true;
            break;
        case 'o':
            if (strcmp(optarg, "text") == 0) opt->format = OUT_TEXT;
            else if (strcmp(optarg, "json") == 0) opt->format = OUT_JSON;
            else if (strcmp(optarg, "sarif") == 0) opt->format = OUT_SARIF;
            else if (strcmp(optarg, "junit") == 0) opt->format = OUT_JUNIT;
            else if (strcmp(optarg, "policyreport") == 0) opt->format = OUT_POLICYREPORT;
            else {
                fprintf(stderr, "schemagate review: --output is text, json, sarif, junit or policyreport "
                                "(got \"%s\")\n", optarg);
                return -1;
            }
            break;
        case 'f':
            if (strcmp(optarg, "denial") == 0) opt->fail_on_warning = false;
            else if (strcmp(optarg, "warning") == 0) opt->fail_on_warning = true;
            else {
                fprintf(stderr, "schemagate review: --fail-on is denial or warning (got \"%s\")\n", optarg);
                return -1;
            }
            break;
        case 'q': opt->quiet = true; break;
        case 'h': review_usage(stdout); *exit_now = 1; return 0;
        case 'V': puts("schemagate " SCHEMAGATE_VERSION); *exit_now = 1; return 0;
        default:
            fputs("schemagate review: see schemagate review --help\n", stderr);
            return -1;
        }
    }
    return 0;
}

static int write_output(const struct review_options *opt, const struct review_results *r)
{
    if (opt->quiet)
        return 0;
    int rc;
    switch (opt->format) {
    case OUT_JSON: rc = reviewout_json(stdout, r); break;
    case OUT_SARIF: rc = reviewout_sarif(stdout, r); break;
    case OUT_JUNIT: rc = reviewout_junit(stdout, r); break;
    case OUT_POLICYREPORT: rc = reviewout_policyreport(stdout, r); break;
    default: rc = reviewout_text(stdout, r); break;
    }
    if (fflush(stdout) != 0)
        rc = -1;
    return rc;
}

int review_command(int argc, char **argv)
{
    struct review_options opt;
    int exit_now = 0;
    if (parse_options(argc, argv, &opt, &exit_now) != 0)
        return REVIEW_EXIT_UNUSABLE;
    if (exit_now)
        return 0;
    char *stdin_only[] = { "-" };
    char *const *args = optind < argc ? argv + optind : stdin_only;
    size_t nargs = optind < argc ? (size_t)(argc - optind) : 1;

    struct sg_error err = {{0}};
    struct input_list inputs;
    if (review_inputs_collect(args, nargs, &inputs, &err) != 0) {
        fprintf(stderr, "schemagate review: %s\n", err.message);
        return REVIEW_EXIT_UNUSABLE;
    }
    struct config cfg;
    int rc = opt.config_path ? config_load(opt.config_path, &cfg, &err) : config_defaults(&cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "schemagate review: %s\n", err.message);
        input_list_free(&inputs);
        return REVIEW_EXIT_UNUSABLE;
    }
    /* With databases configured, CI checks against them exactly as the cluster would. */
    struct history_source *history = cfg.database_count ? history_open(&cfg, &err) : NULL;
    if (cfg.database_count && history == NULL) {
        fprintf(stderr, "schemagate review: %s\n", err.message);
        config_free(&cfg);
        input_list_free(&inputs);
        return REVIEW_EXIT_UNUSABLE;
    }
    struct review_results results = {0};
    struct review_run run = { .opt = &opt, .cfg = &cfg, .history = history, .results = &results };
    for (size_t i = 0; i < inputs.count && !run.out_of_memory; i++)
        review_source(&run, inputs.paths[i]);
    history_close(history);
    if (run.assumed > 0 && !run.out_of_memory)
        fprintf(stderr, "schemagate review: note: %zu object%s of custom kinds without metadata.namespace (the "
                "first: %s) reviewed as namespaced, in namespace %s: their CustomResourceDefinition was not "
                "among the inputs before them. Give it first (Helm's crds/ come first), or -n NAMESPACE, or "
                "metadata.namespace\n", run.assumed, run.assumed == 1 ? "" : "s", run.assumed_example,
                opt.namespace_);
    review_scopes_free(&run.scopes);

    int code;
    if (run.out_of_memory) {
        fputs("schemagate review: out of memory\n", stderr);
        code = REVIEW_EXIT_UNUSABLE;
    } else if (results.count == 0) {
        const char *first = inputs.count && strcmp(inputs.paths[0], "-") != 0 ? inputs.paths[0] : "stdin";
        if (inputs.count > 1)
            fprintf(stderr, "schemagate review: no object in %s nor in the %zu other inputs", first,
                    inputs.count - 1);
        else
            fprintf(stderr, "schemagate review: %s: no object in it", first);
        fputs(" (nothing but comments or empty documents); check that the manifests were rendered\n", stderr);
        code = REVIEW_EXIT_UNUSABLE;
    } else if (write_output(&opt, &results) != 0) {
        fputs("schemagate review: could not write the output (out of memory or a write error)\n", stderr);
        code = REVIEW_EXIT_UNUSABLE;
    } else {
        code = review_exit_code(&results, opt.fail_on_warning);
    }
    review_results_free(&results);
    config_free(&cfg);
    input_list_free(&inputs);
    return code;
}
