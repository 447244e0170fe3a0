/* check.c - the registry of checks (see check.h): what each runs, implies and checks at start-up. */
#include "check.h"

#include <string.h>

#include "hygiene/hygiene.h"
#include "schema/gate.h"
#include "schema/tool.h"
#include "secrets/secrets.h"

static const struct check checks[] = {
    {CHECK_SECRETS, "secrets", "secrets", CHECK_HYGIENE, secrets_check, NULL},
    {CHECK_HYGIENE, "hygiene", "hygiene", 0, hygiene_check, hygiene_markers_check},
    {CHECK_SCHEMA, "schema", "schema", 0, gate_check, tool_registry_check},
};

#define N_CHECKS (sizeof checks / sizeof checks[0])

const struct check *check_begin(void)
{
    return checks;
}

const struct check *check_end(void)
{
    return checks + N_CHECKS;
}

unsigned check_family_set(const struct check_family *f)
{
    unsigned set = f->checks;
    for (size_t i = 0; i < N_CHECKS; i++)
        if (set & checks[i].id)
            set |= checks[i].implies;
    return set;
}

const char *check_family_name(unsigned set)
{
    for (const struct check_family *f = check_family_begin(); f < check_family_end(); f++)
        if (check_family_set(f) == set)
            return f->name;
    return check_family_begin()->name;
}

int check_registry_check(struct sg_error *err)
{
    unsigned known = 0;
    for (size_t i = 0; i < N_CHECKS; i++) {
        const struct check *c = &checks[i];
        if (c->id == 0 || (c->id & (c->id - 1)) != 0 || (known & c->id))
            return sg_error_set(err, "check \"%s\" needs an id bit of its own", c->name);
        if (c->run == NULL || c->config_section == NULL)
            return sg_error_set(err, "check \"%s\" has no run function or config section", c->name);
        known |= c->id;
    }
    for (size_t i = 0; i < N_CHECKS; i++)
        if (checks[i].implies & ~known)
            return sg_error_set(err, "check \"%s\" implies an unknown check", checks[i].name);
    for (const struct check_family *f = check_family_begin(); f < check_family_end(); f++) {
        if (f->checks == 0 || (f->checks & ~known))
            return sg_error_set(err, "check family \"%s\" runs no known check", f->name);
        for (const struct check_family *g = check_family_begin(); g < f; g++)
            if (strcmp(f->name, g->name) == 0 || strcmp(f->path, g->path) == 0)
                return sg_error_set(err, "check family \"%s\" repeats a name or path", f->name);
    }
    for (size_t i = 0; i < N_CHECKS; i++)
        if (checks[i].self_check && checks[i].self_check(err) != 0)
            return -1;
    return 0;
}
