/* decision.c - the pipeline: envelope -> exemptions -> pod spec -> checks -> verdict.
 * Checks are independent modules (check.h lists them); each reads the request and the config
 * and adds findings to the verdict. Nothing here does I/O except through the history source
 * handed in. */
#include "decision.h"

void decision_run(const struct admission_request *req, const struct config *cfg, unsigned checks,
                  struct history_source *history, struct verdict *out)
{
    /* Deleting an object cannot leak a credential or outrun a migration. */
    if (req->operation != OP_CREATE && req->operation != OP_UPDATE)
        return;
    if (config_namespace_exempt(cfg, req->namespace_))
        return;
    struct check_context ctx = {.req = req, .cfg = cfg, .history = history};
    ctx.has_pod_spec = podspec_find(req->group, req->kind, req->object, &ctx.pod);
    for (const struct check *c = check_begin(); c < check_end(); c++)
        if (checks & c->id)
            c->run(&ctx, out);
}
