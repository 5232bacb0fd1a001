/*
 * admin.c - staff operations on users and tenants (admin.h).
 */
#include "core/admin.h"

#include <string.h>

#include "core/audit.h"
#include "core/role.h"
#include "core/staff.h"
#include "core/user.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"

int admin_user_search(struct server *srv, struct arena *a, const struct user_filter *f,
                      struct user **out, size_t *n, int64_t *total)
{
    return store_user_search(srv->store, a, f, out, n, total);
}

int admin_user_memberships(struct server *srv, struct arena *a, int64_t user_id,
                           struct admin_membership **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct membership *ms = NULL;
    size_t n_ms = 0;
    int rc = store_membership_list_by_user(srv->store, a, user_id, &ms, &n_ms);
    if (rc != 0)
        return rc;
    struct admin_membership *rows = arena_alloc(a, sizeof(*rows) * (n_ms + 1));
    for (size_t i = 0; i < n_ms; i++) {
        rows[i].membership = ms[i];
        rc = store_tenant_by_id(srv->store, a, ms[i].tenant_id, &rows[i].tenant);
        if (rc == 0 && ms[i].role_id != 0)
            rc = store_role_by_id(srv->store, a, ms[i].role_id, &rows[i].role);
        if (rc != 0)
            return rc;
    }
    *out = rows;
    *n = n_ms;
    return 0;
}

int admin_tenant_search(struct server *srv, struct arena *a, const struct tenant_filter *f,
                        struct tenant_summary **out, size_t *n, int64_t *total)
{
    return store_tenant_search(srv->store, a, f, out, n, total);
}

int admin_tenant_find(struct server *srv, struct arena *a, int64_t id, struct tenant_summary *out)
{
    *out = (struct tenant_summary){0};
    int rc = store_tenant_by_id(srv->store, a, id, &out->tenant);
    if (rc == 0)
        rc = store_tenant_member_count(srv->store, id, &out->member_count);
    return rc;
}

int admin_revoke_credentials(struct server *srv, int64_t user_id)
{
    int rc = store_token_revoke_user_except(srv->store, user_id, 0, time_now(), NULL);
    if (rc == 0)
        rc = store_session_delete_by_user(srv->store, user_id, NULL);
    return rc;
}

/* Audits action on target, with "status" in the detail when not NULL. */
static void audit_target(struct server *srv, const struct principal *actor, const char *action,
                         int64_t tenant_id, int64_t target, const char *status, const char *ip)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "target_id", target);
    if (status != NULL)
        audit_detail_str(&d, "status", status);
    audit_record(srv, tenant_id, actor->user.id, action, ip, &d);
}

/* "First Last", or "First" alone. */
static const char *full_name(struct arena *a, const char *first, const char *last)
{
    if (last == NULL || last[0] == '\0')
        return arena_strdup(a, first);
    return arena_printf(a, "%s %s", first, last);
}

int admin_user_create(struct server *srv, struct arena *a, const struct principal *actor,
                      const struct admin_user_create *rq, const char *ip, struct user *out)
{
    struct user_request ur = {
        .email = rq->email,
        .name = full_name(a, rq->first_name, rq->last_name),
        .password_hash = rq->password_hash,
        .status = rq->status,
        .first_name = rq->first_name,
        .last_name = rq->last_name,
    };
    int rc = user_create(srv, a, &ur, out);
    if (rc != 0)
        return rc;
    audit_target(srv, actor, "admin.user.create", 0, out->id, NULL, ip);
    return 0;
}

int admin_may_act_on(struct server *srv, struct arena *a, const struct principal *actor,
                     int64_t target)
{
    struct role role;
    int rc = staff_role_of(srv, a, target, &role);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0)
        return rc;
    /* The team API's rule (issue 16): only staff whose permissions are a
     * subset of the actor's own. An Owner holds every staff permission. */
    if (actor->token.kind != TOKEN_ADMIN ||
        !role_grants_all(&actor->role.permissions, &role.permissions))
        return ERR_FORBIDDEN;
    return 0;
}

static int update_names(struct server *srv, struct arena *a, struct user *u,
                        const struct admin_user_update *up)
{
    if (up->first_name == NULL && up->last_name == NULL)
        return 0;
    if (up->first_name != NULL)
        u->first_name = up->first_name;
    if (up->last_name != NULL)
        u->last_name = up->last_name[0] != '\0' ? up->last_name : NULL;
    const char *first = u->first_name != NULL ? u->first_name : u->name;
    u->name = full_name(a, first, u->last_name);
    return store_user_set_names(srv->store, u->id, u->name, u->first_name, u->last_name);
}

int admin_user_update(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t user_id, const struct admin_user_update *up, const char *ip,
                      struct user *out)
{
    int rc = store_user_by_id(srv->store, a, user_id, out);
    if (rc != 0)
        return rc;
    rc = admin_may_act_on(srv, a, actor, user_id);
    if (rc != 0)
        return rc;
    bool status_change = up->set_status && up->status != out->status;
    if (status_change && user_id == actor->user.id)
        return ERR_CONFLICT;
    rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = update_names(srv, a, out, up);
    if (rc == 0 && status_change)
        rc = store_user_set_status(srv->store, user_id, up->status);
    if (rc == 0 && status_change && up->status != USER_ACTIVE)
        rc = admin_revoke_credentials(srv, user_id);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc != 0)
        return rc;
    if (up->first_name != NULL || up->last_name != NULL)
        audit_target(srv, actor, "admin.user.update", 0, user_id, NULL, ip);
    if (status_change) {
        audit_target(srv, actor, "admin.user.status", 0, user_id, user_status_str(up->status), ip);
        out->status = up->status;
    }
    return 0;
}

int admin_user_delete(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t user_id, const char *ip)
{
    struct user u;
    int rc = store_user_by_id(srv->store, a, user_id, &u);
    if (rc != 0)
        return rc;
    if (user_id == actor->user.id)
        return ERR_CONFLICT;
    rc = admin_may_act_on(srv, a, actor, user_id);
    if (rc == 0)
        rc = store_user_delete(srv->store, user_id);
    if (rc == 0)
        audit_target(srv, actor, "admin.user.delete", 0, user_id, NULL, ip);
    return rc;
}

int admin_tenant_set_status(struct server *srv, const struct principal *actor, int64_t tenant_id,
                            enum tenant_status status, const char *ip)
{
    int rc = store_tenant_set_status(srv->store, tenant_id, status);
    if (rc == 0)
        audit_target(srv, actor, status == TENANT_ACTIVE ? "tenant.reactivate" : "tenant.suspend",
                     tenant_id, tenant_id, NULL, ip);
    return rc;
}
