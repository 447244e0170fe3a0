/* verdict.h - what the checks conclude about one admission: denials, warnings, and the rule ids
 * behind them (for the log and metrics). Checks add findings; review.c turns the verdict into
 * the AdmissionReview response. Messages must already be redacted: they are shown to users. */
#ifndef SCHEMAGATE_VERDICT_H
#define SCHEMAGATE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct message_list {
    char **items;
    size_t count;
    size_t cap;
};

struct verdict {
    struct message_list denials;   /* reasons the object is denied (without the object prefix) */
    struct message_list warnings;  /* returned as response.warnings */
    struct message_list rules;     /* rule ids that fired, any action */
    struct message_list denial_rules;  /* denial_rules.items[i]: the rule behind denials.items[i] */
    struct message_list warning_rules; /* the same for warnings */
    bool failed;                   /* out of memory while recording: treat as an error */
    bool needs_database;           /* the gate stopped: an answer must wait for a database */
};

void verdict_init(struct verdict *v);
void verdict_free(struct verdict *v);
bool verdict_denied(const struct verdict *v);

/* Records a finding under `action`: deny -> a denial, warn -> a warning, off -> the rule only.
 * `rule` is a stable id such as "secrets.env-literal" or "schema.not-applied". */
void verdict_report(struct verdict *v, enum sg_action action, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A warning that is never a denial (hygiene lint, "would be denied" on dry run). */
void verdict_warn(struct verdict *v, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

bool verdict_has_rule(const struct verdict *v, const char *rule);

/* Adds src's findings after dst's, as if the check that wrote src had run on dst. */
void verdict_merge(struct verdict *dst, const struct verdict *src);

#endif
