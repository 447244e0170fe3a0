/* decision.c - the pipeline: envelope -> exemptions -> pod spec -> checks -> verdict.
 * Checks are independent modules (check.h lists them); each reads the request and the config
 * and adds findings to the verdict. Nothing here does I/O except through the history source
 * handed in. */
#include "decision.h"

#include "deadline.h"

bool decision_prepare(const struct admission_request *req, const struct config *cfg, struct history_source *history,
                      struct check_context *ctx)
{
    /* Deleting an object cannot leak a credential or outrun a migration. */
    if (req->operation != OP_CREATE && req->operation != OP_UPDATE)
        return false;
    if (config_namespace_exempt(cfg, req->namespace_))
        return false;
    *ctx = (struct check_context){.req = req, .cfg = cfg, .history = history};
    ctx->has_pod_spec = podspec_find(req->group, req->kind, req->object, &ctx->pod);
    return true;
}

void decision_run_checks(const struct check_context *ctx, unsigned checks, const struct timespec *deadline,
                         long budget_ms, struct verdict *out)
{
    struct check_context run = *ctx;
    run.deadline = deadline;
    run.budget_ms = budget_ms;
    for (const struct check *c = check_begin(); c < check_end(); c++)
        if (checks & c->id)
            c->run(&run, out);
}

void decision_run(const struct admission_request *req, const struct config *cfg, unsigned checks,
                  struct history_source *history, struct verdict *out)
{
    struct check_context ctx;
    if (!decision_prepare(req, cfg, history, &ctx))
        return;
    struct timespec deadline;
    deadline_in(&deadline, cfg->schema.timeout_ms);
    decision_run_checks(&ctx, checks, &deadline, cfg->schema.timeout_ms, out);
}
