/*
 * register.c - tenant self-registration (see register.h).
 *
 * Everything the request writes (tenant, its roles, the user when new, the
 * owner membership) commits or rolls back together, so a failure never
 * leaves a tenant without its owner. The token is issued after the commit:
 * if that fails, the tenant exists and its owner can log in.
 */
#include "core/register.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/jwtauth.h"
#include "core/tenant.h"
#include "core/user.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

int register_begin(struct server *srv, struct arena *a, struct registration *r,
                   const char *company_name, const char *slug, const char *admin_name,
                   const char *email, const char *password, const char *ip)
{
    memset(r, 0, sizeof(*r));
    r->srv = srv;
    r->company_name = company_name;
    r->slug = slug;
    r->admin_name = admin_name;
    r->email = user_email_fold(a, email);
    r->ip = ip;
    r->password = xstrdup(password);
    int rc = user_find_email(srv, a, email, &r->user);
    if (rc == 0)
        r->existing = true;
    else if (rc != ERR_NOT_FOUND)
        return rc;
    return 0;
}

void register_work(void *arg)
{
    struct registration *r = arg;
    if (r->existing)
        r->verified =
            r->user.password_hash != NULL && password_verify(r->password, r->user.password_hash);
    else
        r->hash_rc = password_hash(&r->srv->pw, r->password, r->hash);
}

static const struct role *owner_role(const struct role *roles, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(roles[i].slug, "owner") == 0)
            return &roles[i];
    }
    return NULL;
}

/* The writes, inside the caller's transaction. */
static int write_rows(struct registration *r, struct arena *a, struct principal *p,
                      enum register_conflict *conflict)
{
    struct server *srv = r->srv;
    struct tenant_request trq = {
        .slug = r->slug, .name = r->company_name, .domain = r->slug, .product = r->product};
    struct role *roles = NULL;
    size_t n_roles = 0;
    int rc = tenant_insert_in_tx(srv, a, &trq, &p->tenant, &roles, &n_roles);
    if (rc == ERR_CONFLICT)
        *conflict = REG_DOMAIN_TAKEN;
    if (rc != 0)
        return rc;
    const struct role *owner = owner_role(roles, n_roles);
    if (owner == NULL)
        return ERR_STORE;
    p->role = *owner;
    if (r->existing) {
        p->user = r->user;
        p->membership = (struct membership){.user_id = r->user.id,
                                            .tenant_id = p->tenant.id,
                                            .role_id = owner->id,
                                            .status = MEMBER_ACTIVE,
                                            .joined_at = time_now()};
        return store_membership_insert(srv->store, &p->membership);
    }
    struct user_request urq = {
        .email = r->email,
        .name = r->admin_name,
        .password_hash = r->hash,
        .status = USER_ACTIVE,
        .tenant_id = p->tenant.id,
        .role_id = owner->id,
    };
    rc = user_insert_in_tx(srv, a, &urq, &p->user);
    if (rc == ERR_CONFLICT)
        *conflict = REG_EMAIL_TAKEN;
    if (rc != 0)
        return rc;
    return store_membership_get(srv->store, p->user.id, p->tenant.id, &p->membership);
}

/* The password step's verdict, before anything is written. */
static int check_password(struct registration *r, struct principal *p,
                          enum register_conflict *conflict)
{
    if (!r->existing)
        return r->hash_rc;
    if (!r->verified) {
        *conflict = REG_EMAIL_TAKEN;
        return ERR_CONFLICT;
    }
    p->user = r->user;
    return principal_check_user(p);
}

int register_finish(struct registration *r, struct arena *a, struct principal *p, char **jwt,
                    enum register_conflict *conflict)
{
    struct server *srv = r->srv;
    memset(p, 0, sizeof(*p));
    *conflict = REG_NO_CONFLICT;
    *jwt = NULL;
    int rc = check_password(r, p, conflict);
    if (rc != 0)
        return rc;
    if ((rc = store_tx_begin(srv->store)) != 0)
        return rc;
    rc = write_rows(r, a, p, conflict);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    if ((rc = store_tx_commit(srv->store)) != 0)
        return rc;
    p->via = VIA_PASSWORD;
    p->has_tenant = true;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "slug", r->slug);
    audit_detail_bool(&d, "existing_user", r->existing);
    audit_record(srv, p->tenant.id, p->user.id, "tenant.register", r->ip, &d);
    rc = jwtauth_issue(srv, a, p, "autocom:register", r->ip, jwt);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    if (store_user_set_last_login(srv->store, p->user.id, now) == 0)
        p->user.last_login_at = now;
    return 0;
}

void register_fini(struct registration *r)
{
    if (r->password != NULL) {
        secure_wipe(r->password, strlen(r->password));
        free(r->password);
        r->password = NULL;
    }
    secure_wipe(r->hash, sizeof(r->hash));
}
