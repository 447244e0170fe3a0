/* reviewout_junit.c - `-o junit`: JUnit XML for CI test reports: a testsuite per input file,
 * a testcase per object (a failure per denial, an error per unusable input, warnings in
 * system-out). Every text is XML-escaped; characters XML 1.0 cannot hold become '?'. */
#include <stdio.h>
#include <string.h>

#include "reviewout.h"

static void xml_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                fputc('?', out);
            else
                fputc(*p, out);
        }
    }
}

static void xml_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    xml_escaped(out, value);
    fputc('"', out);
}

struct suite_counts {
    size_t tests, failures, errors;
};

/* Results [from, to) share a source. */
static void count_suite(const struct review_results *r, size_t from, size_t to, struct suite_counts *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = from; i < to; i++) {
        c->tests++;
        if (r->items[i].outcome == OUTCOME_DENIED)
            c->failures++;
        else if (r->items[i].outcome == OUTCOME_ERROR)
            c->errors++;
    }
}

static void testcase(FILE *out, const struct review_result *res)
{
    char where[4400], name[5000];
    review_result_where(res, where, sizeof where);
    snprintf(name, sizeof name, "%s %s", res->object, where);
    fputs("    <testcase", out);
    xml_attr(out, "classname", strcmp(res->source, "-") == 0 ? "stdin" : res->source);
    xml_attr(out, "name", name);
    xml_attr(out, "file", strcmp(res->source, "-") == 0 ? "stdin" : res->source);
    fprintf(out, " line=\"%d\">\n", res->line);
    const struct verdict *v = &res->verdict;
    if (res->outcome == OUTCOME_ERROR) {
        fputs("      <error", out);
        xml_attr(out, "type", REVIEWOUT_INPUT_RULE);
        xml_attr(out, "message", res->error);
        fputs(">", out);
        xml_escaped(out, res->error);
        fputs("</error>\n", out);
    } else if (res->outcome == OUTCOME_DENIED) {
        fputs("      <failure", out);
        xml_attr(out, "type", v->denial_rules.count ? v->denial_rules.items[0] : "denied");
        xml_attr(out, "message", v->denials.count ? v->denials.items[0] : "denied");
        fputs(">", out);
        for (size_t k = 0; k < v->denials.count; k++) {
            fputs(k ? "\n" : "", out);
            fprintf(out, "[%s] ", review_result_denial_rule(res, k));
            xml_escaped(out, v->denials.items[k]);
        }
        fputs("</failure>\n", out);
    }
    if (v->warnings.count) {
        fputs("      <system-out>", out);
        for (size_t k = 0; k < v->warnings.count; k++) {
            fprintf(out, "%swarning [%s] ", k ? "\n" : "", review_result_warning_rule(res, k));
            xml_escaped(out, v->warnings.items[k]);
        }
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

int reviewout_junit(FILE *out, const struct review_results *r)
{
    struct suite_counts all;
    count_suite(r, 0, r->count, &all);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"schemagate review\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            all.tests, all.failures, all.errors);
    for (size_t from = 0; from < r->count;) {
        size_t to = from + 1;
        while (to < r->count && strcmp(r->items[to].source, r->items[from].source) == 0)
            to++;
        struct suite_counts c;
        count_suite(r, from, to, &c);
        fputs("  <testsuite", out);
        xml_attr(out, "name", strcmp(r->items[from].source, "-") == 0 ? "stdin" : r->items[from].source);
        fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n",
                c.tests, c.failures, c.errors);
        for (size_t i = from; i < to; i++)
            testcase(out, &r->items[i]);
        fputs("  </testsuite>\n", out);
        from = to;
    }
    fputs("</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}
