/*
 * role.c - role lookup (the default roles are the products', see
 * core/product.h).
 */
#include "core/role.h"

#include <string.h>
#include <strings.h>

#include "server.h"
#include "store/store.h"
#include "util/err.h"

int role_list(struct server *srv, struct arena *a, int64_t tenant_id, struct role **out, size_t *n)
{
    return store_role_list(srv->store, a, tenant_id, out, n);
}

int role_get(struct server *srv, struct arena *a, int64_t id, struct role *out)
{
    return store_role_by_id(srv->store, a, id, out);
}

int role_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *name_or_slug,
              struct role *out)
{
    struct role *roles = NULL;
    size_t n = 0;
    int rc = role_list(srv, a, tenant_id, &roles, &n);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(roles[i].slug, name_or_slug) == 0) {
            *out = roles[i];
            return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(roles[i].name, name_or_slug) == 0) {
            *out = roles[i];
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}

bool role_grants_all(const struct strlist *held, const struct strlist *perms)
{
    if (strlist_contains(held, "*"))
        return true;
    for (size_t i = 0; i < perms->n; i++) {
        if (!strlist_contains(held, perms->items[i]))
            return false;
    }
    return true;
}
