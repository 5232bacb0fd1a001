/*
 * tenant.c - tenant creation with its default roles, in one transaction.
 */
#include "core/tenant.h"

#include <ctype.h>
#include <string.h>

#include "core/audit.h"
#include "core/product.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"

bool tenant_slug_valid(const char *slug)
{
    size_t n = strlen(slug);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
        if (!ok)
            return false;
    }
    return true;
}

int tenant_find_slug(struct server *srv, struct arena *a, const char *slug, struct tenant *out)
{
    if (slug == NULL || strlen(slug) > TENANT_SLUG_LOOKUP_MAX)
        return ERR_NOT_FOUND;
    return store_tenant_by_slug(srv->store, a, slug, out);
}

int tenant_list(struct server *srv, struct arena *a, struct tenant **out, size_t *n)
{
    return store_tenant_list(srv->store, a, out, n);
}

static bool currency_valid(const char *c)
{
    return strlen(c) == 3 && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) &&
           isupper((unsigned char)c[2]);
}

static int insert_roles(struct server *srv, struct arena *a, int64_t tenant_id,
                        const struct product *pr, struct role **roles, size_t *n_roles)
{
    struct role *rs = arena_alloc(a, sizeof(*rs) * pr->n_roles);
    for (size_t i = 0; i < pr->n_roles; i++) {
        const struct role_template *t = &pr->roles[i];
        size_t np = 0;
        while (t->permissions[np] != NULL)
            np++;
        rs[i] = (struct role){
            .tenant_id = tenant_id,
            .name = t->name,
            .slug = t->slug,
            .permissions = {.items = (const char **)(uintptr_t)t->permissions, .n = np},
            .is_system = true,
        };
        int rc = store_role_insert(srv->store, &rs[i]);
        if (rc != 0)
            return rc;
    }
    *roles = rs;
    *n_roles = pr->n_roles;
    return 0;
}

int tenant_insert_in_tx(struct server *srv, struct arena *a, const struct tenant_request *rq,
                        struct tenant *out, struct role **roles, size_t *n_roles)
{
    const char *currency = rq->currency ? rq->currency : "USD";
    const struct product *pr = product_find(rq->product);
    if (pr == NULL || !tenant_slug_valid(rq->slug) || rq->name == NULL || rq->name[0] == '\0' ||
        strlen(rq->name) > 255 || !currency_valid(currency) ||
        (rq->domain != NULL && strlen(rq->domain) > 255))
        return ERR_INVALID;
    *out = (struct tenant){
        .slug = rq->slug,
        .name = rq->name,
        .domain = rq->domain,
        .default_currency = currency,
        .enabled_products = rq->products,
        .status = TENANT_ACTIVE,
        .product = pr->name,
    };
    int rc = store_tenant_insert(srv->store, out);
    if (rc == 0)
        rc = insert_roles(srv, a, out->id, pr, roles, n_roles);
    return rc;
}

int tenant_create(struct server *srv, struct arena *a, const struct tenant_request *rq,
                  struct tenant *out, struct role **roles, size_t *n_roles)
{
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = tenant_insert_in_tx(srv, a, rq, out, roles, n_roles);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc == 0)
        audit_record(srv, out->id, 0, "tenant.create", NULL, NULL);
    return rc;
}

int tenant_update(struct server *srv, struct arena *a, const char *slug,
                  const struct tenant_update *up, struct tenant *out)
{
    int rc = store_tenant_by_slug(srv->store, a, slug, out);
    if (rc != 0)
        return rc;
    if (up->name != NULL)
        out->name = up->name;
    if (up->domain != NULL)
        out->domain = up->domain[0] != '\0' ? up->domain : NULL;
    if (up->currency != NULL)
        out->default_currency = up->currency;
    if (up->set_products)
        out->enabled_products = up->products;
    if (out->name[0] == '\0' || strlen(out->name) > 255 || !currency_valid(out->default_currency) ||
        (out->domain != NULL && strlen(out->domain) > 255))
        return ERR_INVALID;
    rc = store_tenant_update(srv->store, out);
    if (rc == 0)
        audit_record(srv, out->id, 0, "tenant.update", NULL, NULL);
    return rc;
}
