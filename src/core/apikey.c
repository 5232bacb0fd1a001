/*
 * apikey.c - API keys of a dashboard session (apikey.h), over token.c.
 *
 * Every rule is checked against the principal the session resolved: its
 * tenant (the account), role and, for staff without a tenant, the staff
 * role read here. A key of another account is answered exactly like an
 * unknown id, so ids reveal nothing.
 */
#include "core/apikey.h"

#include <string.h>

#include "core/product.h"
#include "core/staff.h"
#include "core/token.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

/* What platform staff may grant: reading leads and orders of every account. */
static const char *const staff_scopes[] = {"VIEW LEADS", "VIEW ORDERS"};

/* Whether p's role may grant scope: a catalogue entry of the tenant's
 * product that the role holds; for staff without a tenant, a staff scope
 * when their staff role reads accounts. */
static enum apikey_refusal scope_check(struct server *srv, struct arena *a,
                                       const struct principal *p, const char *scope)
{
    if (p->has_tenant) {
        const struct product *pr = product_find(p->tenant.product);
        if (pr == NULL || product_permission(pr, scope) == NULL)
            return APIKEY_UNKNOWN_SCOPE;
        return principal_can(p, scope) ? APIKEY_OK : APIKEY_SCOPE_DENIED;
    }
    bool known = false;
    for (size_t i = 0; i < sizeof(staff_scopes) / sizeof(staff_scopes[0]); i++)
        known = known || strcmp(staff_scopes[i], scope) == 0;
    const struct product *wedocod = product_find("wedocod");
    if (!known)
        return wedocod != NULL && product_permission(wedocod, scope) != NULL ? APIKEY_SCOPE_DENIED
                                                                             : APIKEY_UNKNOWN_SCOPE;
    struct role staff;
    if (staff_role_of(srv, a, p->user.id, &staff) != 0 ||
        !strlist_contains(&staff.permissions, APIKEY_STAFF_PERMISSION))
        return APIKEY_SCOPE_DENIED;
    return APIKEY_OK;
}

int apikey_generate(struct server *srv, struct arena *a, const struct principal *p,
                    const struct apikey_request *rq, struct token *out, char **plaintext,
                    enum apikey_refusal *why, const char **scope)
{
    *why = APIKEY_OK;
    *scope = NULL;
    if (rq->abilities.n > APIKEY_MAX_ABILITIES) {
        *why = APIKEY_TOO_MANY_SCOPES;
        return ERR_INVALID;
    }
    for (size_t i = 0; i < rq->abilities.n; i++) {
        *why = scope_check(srv, a, p, rq->abilities.items[i]);
        if (*why != APIKEY_OK) {
            *scope = rq->abilities.items[i];
            return ERR_INVALID;
        }
    }
    if (rq->expires_at != 0 && rq->expires_at <= server_now(srv)) {
        *why = APIKEY_EXPIRES_PAST;
        return ERR_INVALID;
    }
    struct token_request tr = {
        .user_id = p->user.id,
        .tenant_id = p->has_tenant ? p->tenant.id : 0,
        .name = rq->name,
        .abilities = rq->abilities,
        .kind = TOKEN_PAT,
        .expires_at = rq->expires_at,
        .ip = rq->ip,
    };
    /* An empty list would be Sanctum's ["*"]: never from this route. */
    if (tr.abilities.n == 0) {
        *why = APIKEY_UNKNOWN_SCOPE;
        return ERR_INVALID;
    }
    return token_issue(srv, a, &tr, out, plaintext);
}

/* True if p may see key t. */
static bool visible(const struct principal *p, const struct token *t)
{
    int64_t tenant = p->has_tenant ? p->tenant.id : 0;
    if (t->kind != TOKEN_PAT || t->revoked_at != 0 || t->tenant_id != tenant)
        return false;
    return t->user_id == p->user.id || (p->has_tenant && principal_can(p, APIKEY_MANAGE));
}

int apikey_list(struct server *srv, struct arena *a, const struct principal *p, struct token **out,
                size_t *n)
{
    struct token *all = NULL;
    size_t count = 0;
    int rc = p->has_tenant && principal_can(p, APIKEY_MANAGE)
                 ? store_token_list_tenant_pat(srv->store, a, p->tenant.id, &all, &count)
                 : token_list_user(srv, a, p->user.id, &all, &count);
    if (rc != 0)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        if (visible(p, &all[i]))
            all[k++] = all[i];
    }
    *out = all;
    *n = k;
    return 0;
}

int apikey_revoke(struct server *srv, struct arena *a, const struct principal *p, int64_t id,
                  const char *ip)
{
    struct token t;
    int rc = store_token_by_id(srv->store, a, id, &t);
    if (rc != 0)
        return rc;
    if (!visible(p, &t))
        return ERR_NOT_FOUND;
    return token_revoke(srv, id, p->user.id, ip);
}
