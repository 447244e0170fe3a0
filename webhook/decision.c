/* decision.c - the pipeline: envelope -> exemptions -> pod spec -> checks -> verdict.
 * Checks are independent modules; each reads the request and the config and adds findings to
 * the verdict. Nothing here does I/O except through the history source handed in. */
#include "decision.h"

#include <string.h>

#include "hygiene/hygiene.h"
#include "schema/gate.h"
#include "secrets/secrets.h"

typedef void (*check_fn)(const struct check_context *ctx, struct verdict *v);

static const struct {
    unsigned bit;
    check_fn run;
} check_table[] = {
    {CHECK_SECRETS, secrets_check},
    {CHECK_HYGIENE, hygiene_check},
    {CHECK_SCHEMA, gate_check},
};

const char *decision_check_name(unsigned checks)
{
    if ((checks & CHECK_ALL) == CHECK_ALL)
        return "all";
    if (checks & CHECK_SCHEMA)
        return "schema";
    return "secrets";
}

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
    for (size_t i = 0; i < sizeof check_table / sizeof check_table[0]; i++)
        if (checks & check_table[i].bit)
            check_table[i].run(&ctx, out);
}
