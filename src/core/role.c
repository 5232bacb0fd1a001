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

int role_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *name_or_slug,
              struct role *out)
{
    struct role *roles = NULL;
    size_t n = 0;
    int rc = store_role_list(srv->store, a, tenant_id, &roles, &n);
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
