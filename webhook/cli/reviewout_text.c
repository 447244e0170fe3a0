/* reviewout_text.c - `-o text`: one line per object (ALLOWED/DENIED, where it is, what it is),
 * its denials and warnings indented with their rule ids and the line of the value each is about,
 * and a summary line (unusable inputs are counted there; their messages went to stderr). */
#include <stdio.h>

#include "reviewout.h"

static const char *outcome_word(enum review_outcome o)
{
    return o == OUTCOME_DENIED ? "DENIED " : "ALLOWED";
}

int reviewout_text(FILE *out, const struct review_results *r)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct review_result *res = &r->items[i];
        char where[4400];
        review_result_where(res, where, sizeof where);
        if (res->outcome == OUTCOME_ERROR)
            continue;   /* on stderr already, with what to do */
        fprintf(out, "%s %s %s (line %d)\n", outcome_word(res->outcome), where, res->object, res->line);
        const struct verdict *v = &res->verdict;
        for (size_t k = 0; k < v->denials.count; k++)
            fprintf(out, "  - %s [%s] (line %d)\n", v->denials.items[k],
                    review_result_denial_rule(res, k), review_result_denial_line(res, k));
        for (size_t k = 0; k < v->warnings.count; k++)
            fprintf(out, "  warning: %s [%s] (line %d)\n", v->warnings.items[k],
                    review_result_warning_rule(res, k), review_result_warning_line(res, k));
    }
    struct review_tally t;
    review_results_tally(r, &t);
    size_t objects = t.allowed + t.denied;
    fprintf(out, "%zu object%s: %zu allowed, %zu denied, %zu with warnings", objects, objects == 1 ? "" : "s",
            t.allowed, t.denied, t.with_warnings);
    if (t.unreachable)
        fprintf(out, ", %zu depending on an unreachable database", t.unreachable);
    if (t.errors)
        fprintf(out, "; %zu unusable input%s", t.errors, t.errors == 1 ? "" : "s");
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
