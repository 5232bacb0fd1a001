/* model.c - text forms of the model's enums. */
#include "store/model.h"

#include <string.h>

static const char *const tenant_status_names[] = {"active", "suspended"};
static const char *const user_status_names[] = {"active", "inactive", "suspended"};
static const char *const member_status_names[] = {"active", "suspended"};
static const char *const token_kind_names[] = {"pat", "admin", "jwt", "api_key"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool lookup(const char *const *names, size_t n, const char *s, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s != NULL && strcmp(names[i], s) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return false;
}

const char *tenant_status_str(enum tenant_status s)
{
    return (size_t)s < N(tenant_status_names) ? tenant_status_names[s] : "active";
}

const char *user_status_str(enum user_status s)
{
    return (size_t)s < N(user_status_names) ? user_status_names[s] : "active";
}

const char *member_status_str(enum member_status s)
{
    return (size_t)s < N(member_status_names) ? member_status_names[s] : "active";
}

const char *token_kind_str(enum token_kind k)
{
    return (size_t)k < N(token_kind_names) ? token_kind_names[k] : "pat";
}

bool tenant_status_parse(const char *s, enum tenant_status *out)
{
    int v;
    if (!lookup(tenant_status_names, N(tenant_status_names), s, &v))
        return false;
    *out = (enum tenant_status)v;
    return true;
}

bool user_status_parse(const char *s, enum user_status *out)
{
    int v;
    if (!lookup(user_status_names, N(user_status_names), s, &v))
        return false;
    *out = (enum user_status)v;
    return true;
}

bool member_status_parse(const char *s, enum member_status *out)
{
    int v;
    if (!lookup(member_status_names, N(member_status_names), s, &v))
        return false;
    *out = (enum member_status)v;
    return true;
}

bool token_kind_parse(const char *s, enum token_kind *out)
{
    int v;
    if (!lookup(token_kind_names, N(token_kind_names), s, &v))
        return false;
    *out = (enum token_kind)v;
    return true;
}
