/*
 * principal.c - credential -> principal, and can().
 *
 * The order of checks is fixed: token (401) before user status, tenant and
 * membership (403), so a caller without a valid credential learns nothing
 * about accounts.
 *
 * The hot path: a bearer token with a tenant (every token a login issues
 * for a member) is resolved from one joined read of the store
 * (store_principal_by_token), with exactly the checks and answers of
 * principal_bind_tenant. That read goes through the principal cache
 * (core/pcache, LATCHKEY_AUTH_CACHE) on SQLite: an entry is used only
 * under the store's change stamp it was read under, so any commit drops
 * it, and the checks below run on every request, cached or not. On
 * PostgreSQL nothing is cached. Either way a revocation or suspension
 * applies to the next request (another process's on SQLite within a
 * millisecond).
 */
#include "core/principal.h"

#include <string.h>

#include "core/hostcache.h"
#include "core/lastused.h"
#include "core/pcache.h"
#include "core/token.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

static int refuse(struct principal *p, enum refusal r)
{
    p->refusal = r;
    return ERR_FORBIDDEN;
}

int principal_check_user(struct principal *p)
{
    switch (p->user.status) {
    case USER_ACTIVE: return 0;
    case USER_INACTIVE: return refuse(p, REFUSE_USER_INACTIVE);
    default: return refuse(p, REFUSE_USER_SUSPENDED);
    }
}

/* Loads tenant, membership and role for tenant t; checks their status. */
static int load_context(struct server *srv, struct arena *a, struct principal *p,
                        const struct tenant *t)
{
    int rc = store_membership_get(srv->store, p->user.id, t->id, &p->membership);
    if (rc == ERR_NOT_FOUND)
        return refuse(p, REFUSE_NOT_MEMBER);
    if (rc != 0)
        return rc;
    if (t->status != TENANT_ACTIVE)
        return refuse(p, REFUSE_TENANT_SUSPENDED);
    if (p->membership.status != MEMBER_ACTIVE)
        return refuse(p, REFUSE_MEMBER_SUSPENDED);
    rc = store_role_by_id(srv->store, a, p->membership.role_id, &p->role);
    if (rc != 0)
        return rc == ERR_NOT_FOUND ? ERR_STORE : rc;
    p->tenant = *t;
    p->has_tenant = true;
    return 0;
}

/* The earliest active membership's tenant, or the earliest one at all (so
 * a user whose only membership is suspended is told so). */
static int default_tenant(struct server *srv, struct arena *a, struct principal *p,
                          struct tenant *t, bool *found)
{
    struct membership *ms = NULL;
    size_t n = 0;
    *found = false;
    int rc = store_membership_list_by_user(srv->store, a, p->user.id, &ms, &n);
    if (rc != 0 || n == 0)
        return rc;
    size_t pick = 0;
    for (size_t i = 0; i < n; i++) {
        if (ms[i].status == MEMBER_ACTIVE) {
            pick = i;
            break;
        }
    }
    rc = store_tenant_by_id(srv->store, a, ms[pick].tenant_id, t);
    *found = rc == 0;
    return rc;
}

int principal_bind_tenant(struct server *srv, struct arena *a, struct principal *p,
                          const char *x_tenant, int64_t want_tenant_id)
{
    int rc = principal_check_user(p);
    if (rc != 0)
        return rc;
    struct tenant t;
    p->has_tenant = false;
    if (x_tenant != NULL) {
        rc = store_tenant_by_slug(srv->store, a, x_tenant, &t);
        if (rc == ERR_NOT_FOUND)
            return refuse(p, REFUSE_NOT_MEMBER);
        if (rc != 0)
            return rc;
        if (want_tenant_id != 0 && t.id != want_tenant_id)
            return refuse(p, REFUSE_NOT_MEMBER);
        return load_context(srv, a, p, &t);
    }
    if (want_tenant_id != 0) {
        rc = store_tenant_by_id(srv->store, a, want_tenant_id, &t);
        if (rc == ERR_NOT_FOUND)
            return refuse(p, REFUSE_NOT_MEMBER);
        if (rc != 0)
            return rc;
        return load_context(srv, a, p, &t);
    }
    bool found;
    rc = default_tenant(srv, a, p, &t, &found);
    if (rc != 0 || !found)
        return rc;
    return load_context(srv, a, p, &t);
}

/*
 * principal_bind_tenant(p, x_tenant, token's tenant) on rows already read:
 * the same checks in the same order (user, then X-Tenant, membership,
 * tenant and membership status, role), without another query.
 */
static int bind_token_tenant(struct principal *p, const struct principal_rows *r,
                             const char *x_tenant)
{
    int rc = principal_check_user(p);
    if (rc != 0)
        return rc;
    p->has_tenant = false;
    /* An X-Tenant naming any other tenant, known or not, is not the
     * token's: tenant slugs are unique and compared exactly. */
    if (!r->has_tenant || (x_tenant != NULL && strcmp(x_tenant, r->tenant.slug) != 0))
        return refuse(p, REFUSE_NOT_MEMBER);
    if (!r->has_membership)
        return refuse(p, REFUSE_NOT_MEMBER);
    p->membership = r->membership;
    if (r->tenant.status != TENANT_ACTIVE)
        return refuse(p, REFUSE_TENANT_SUSPENDED);
    if (p->membership.status != MEMBER_ACTIVE)
        return refuse(p, REFUSE_MEMBER_SUSPENDED);
    if (!r->has_role)
        return ERR_STORE; /* a membership without its role */
    p->role = r->role;
    p->tenant = r->tenant;
    p->has_tenant = true;
    return 0;
}

int principal_from_bearer(struct server *srv, struct arena *a, const char *bearer,
                          const char *x_tenant, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    int64_t now = time_now();
    int64_t id;
    char hash[TOKEN_HASH_HEX + 1];
    int rc = token_parse(bearer, &id, hash);
    if (rc != 0)
        return rc;
    struct principal_rows rows;
    rc = pcache_principal_by_token(srv->pcache, srv->store, a, id, hash, &rows);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED; /* no such token, or its user is gone */
    if (rc != 0)
        return rc;
    rc = token_check(&rows.token, hash, now);
    if (rc != 0 && rows.token.revoked_at != 0 && rows.token.kind != TOKEN_ADMIN) {
        struct token live = rows.token;
        live.revoked_at = 0;
        if (token_check(&live, hash, now) == 0)
            return principal_revoked(p, &rows);
    }
    if (rc != 0)
        return rc;
    if (rows.token.kind == TOKEN_ADMIN)
        return ERR_UNAUTHENTICATED;
    p->via = VIA_PAT;
    lastused_touch(srv->lastused, rows.token.id, now);
    return principal_bind_rows(srv, a, p, &rows, x_tenant);
}

int principal_revoked(struct principal *p, const struct principal_rows *rows)
{
    /* Only the rows of the token's own tenant explain its revocation. */
    if (!rows->has_tenant || rows->tenant.id != rows->token.tenant_id ||
        (rows->has_membership && rows->membership.status == MEMBER_ACTIVE))
        return ERR_UNAUTHENTICATED;
    p->user = rows->user;
    p->token = rows->token;
    return refuse(p, rows->has_membership ? REFUSE_MEMBER_SUSPENDED : REFUSE_NOT_MEMBER);
}

int principal_bind_rows(struct server *srv, struct arena *a, struct principal *p,
                        const struct principal_rows *rows, const char *x_tenant)
{
    p->token = rows->token;
    p->user = rows->user;
    if (x_tenant != NULL && p->token.tenant_id == 0 && !p->user.is_super_admin)
        return refuse(p, REFUSE_NOT_MEMBER);
    if (p->token.tenant_id == 0)
        return principal_bind_tenant(srv, a, p, x_tenant, 0);
    return bind_token_tenant(p, rows, x_tenant);
}

int principal_bind_rows_in(struct principal *p, const struct principal_rows *rows)
{
    p->token = rows->token;
    p->user = rows->user;
    int rc = principal_check_user(p);
    if (rc != 0)
        return rc;
    if (!rows->has_tenant) {
        p->refusal = REFUSE_TENANT_UNKNOWN;
        return ERR_NOT_FOUND;
    }
    return bind_token_tenant(p, rows, NULL);
}

int principal_tenant_hint(struct server *srv, struct arena *a, const char *x_tenant,
                          const char *host, const char **slug)
{
    *slug = x_tenant;
    if (x_tenant != NULL || host == NULL)
        return 0;
    return hostcache_tenant_slug(srv->hosts, srv->store, a, host, slug);
}

bool principal_token_can(const struct principal *p, const char *ability)
{
    if (p->via != VIA_PAT && p->via != VIA_JWT)
        return true;
    return strlist_contains(&p->token.abilities, "*") ||
           strlist_contains(&p->token.abilities, ability);
}

bool principal_can(const struct principal *p, const char *permission)
{
    if (!principal_token_can(p, permission))
        return false;
    if (p->user.is_super_admin || p->platform)
        return true;
    return p->has_tenant && (strlist_contains(&p->role.permissions, permission) ||
                             strlist_contains(&p->role.permissions, "*"));
}
