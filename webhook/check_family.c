/* check_family.c - the check families (see check.h): the names and URL paths callers use. Data
 * only, so the support layer (metrics) can read it without reaching the checks themselves. */
#include "check.h"

#include <stdio.h>
#include <string.h>

static const struct check_family families[] = {
    {"all", "/validate", CHECK_SECRETS | CHECK_HYGIENE | CHECK_SCHEMA},
    {"secrets", "/validate/secrets", CHECK_SECRETS},
    {"schema", "/validate/schema", CHECK_SCHEMA},
};

#define N_FAMILIES (sizeof families / sizeof families[0])
_Static_assert(N_FAMILIES <= CHECK_FAMILY_MAX, "raise CHECK_FAMILY_MAX");

const struct check_family *check_family_begin(void)
{
    return families;
}

const struct check_family *check_family_end(void)
{
    return families + N_FAMILIES;
}

const struct check_family *check_family_by_name(const char *name)
{
    for (size_t i = 0; i < N_FAMILIES; i++)
        if (strcmp(families[i].name, name) == 0)
            return &families[i];
    return NULL;
}

const struct check_family *check_family_by_path(const char *path)
{
    for (size_t i = 0; i < N_FAMILIES; i++)
        if (strcmp(families[i].path, path) == 0)
            return &families[i];
    return NULL;
}

void check_family_list(bool paths, char *out, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < N_FAMILIES; i++) {
        const char *sep = i == 0 ? "" : i + 1 == N_FAMILIES ? " or " : ", ";
        int w = snprintf(out + len, n - len, "%s%s", sep, paths ? families[i].path : families[i].name);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
    }
}
