/*
 * team.c - member list and member changes with their rules (team.h).
 *
 * Every change runs in one transaction: lock the tenant row, read the
 * member, check the rules, write, commit. The audit record is written
 * after the commit (a failed audit write never undoes the change).
 */
#include "core/team.h"

#include <string.h>

#include "core/audit.h"
#include "core/role.h"
#include "server.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"

bool team_is_owner_role(const struct role *r)
{
    return r != NULL && r->slug != NULL && strcmp(r->slug, TEAM_OWNER_SLUG) == 0;
}

bool team_within_actor(const struct principal *actor, const struct strlist *perms)
{
    if (actor->user.is_super_admin)
        return true;
    if (!actor->has_tenant)
        return false;
    return role_grants_all(&actor->role.permissions, perms);
}

bool team_keeps_an_owner(bool active_owner_before, bool active_owner_after, int64_t active_owners)
{
    return !active_owner_before || active_owner_after || active_owners > 1;
}

int team_list(struct server *srv, struct arena *a, int64_t tenant_id, int64_t page,
              int64_t per_page, struct member_row **rows, size_t *n, int64_t *total)
{
    *rows = NULL;
    *n = 0;
    *total = 0;
    if (page < 1 || page > TEAM_PAGE_MAX || per_page < 1 || per_page > TEAM_PER_PAGE_MAX)
        return ERR_INVALID;
    int rc = store_member_count(srv->store, tenant_id, total);
    if (rc != 0)
        return rc;
    int64_t offset = (page - 1) * per_page;
    if (offset >= *total)
        return 0;
    return store_member_list(srv->store, a, tenant_id, offset, per_page, rows, n);
}

int team_role(struct server *srv, struct arena *a, int64_t tenant_id, int64_t role_id,
              struct role *out)
{
    if (role_id <= 0)
        return ERR_NOT_FOUND;
    int rc = store_role_by_id(srv->store, a, role_id, out);
    if (rc == 0 && out->tenant_id != tenant_id)
        return ERR_NOT_FOUND;
    return rc;
}

int team_member(struct server *srv, struct arena *a, int64_t tenant_id, int64_t user_id,
                struct member_row *out)
{
    memset(out, 0, sizeof(*out));
    if (user_id <= 0)
        return ERR_NOT_FOUND;
    int rc = store_membership_get(srv->store, user_id, tenant_id, &out->membership);
    if (rc == 0)
        rc = store_user_by_id(srv->store, a, user_id, &out->user);
    if (rc != 0 || out->membership.role_id == 0)
        return rc;
    rc = store_role_by_id(srv->store, a, out->membership.role_id, &out->role);
    if (rc == ERR_NOT_FOUND)
        return 0;
    out->has_role = rc == 0;
    return rc;
}

static const char *action_name(enum team_action act)
{
    switch (act) {
    case TEAM_SET_ROLE: return "member.role_change";
    case TEAM_SUSPEND: return "member.suspend";
    case TEAM_REACTIVATE: return "member.reactivate";
    default: return "member.remove";
    }
}

static int refuse(enum team_refusal *why, enum team_refusal r, int rc)
{
    *why = r;
    return rc;
}

/* The rules of team.h for c on member m (new_role: TEAM_SET_ROLE only). */
static int check_rules(struct server *srv, const struct principal *actor,
                       const struct team_change *c, const struct member_row *m,
                       const struct role *new_role, enum team_refusal *why)
{
    static const struct strlist none = {NULL, 0};
    if (!team_within_actor(actor, m->has_role ? &m->role.permissions : &none))
        return refuse(why, TEAM_TARGET_ABOVE_ACTOR, ERR_FORBIDDEN);
    if (new_role != NULL && !team_within_actor(actor, &new_role->permissions))
        return refuse(why, TEAM_ROLE_ABOVE_ACTOR, ERR_FORBIDDEN);
    bool active = m->membership.status == MEMBER_ACTIVE;
    bool before = active && m->has_role && team_is_owner_role(&m->role);
    bool after;
    switch (c->action) {
    case TEAM_SET_ROLE: after = active && team_is_owner_role(new_role); break;
    case TEAM_REACTIVATE: after = m->has_role && team_is_owner_role(&m->role); break;
    default: after = false;
    }
    if (before && !after) {
        int64_t owners = 0;
        int rc =
            store_member_count_active_slug(srv->store, actor->tenant.id, TEAM_OWNER_SLUG, &owners);
        if (rc != 0)
            return rc;
        if (!team_keeps_an_owner(before, after, owners))
            return refuse(why, TEAM_LAST_OWNER, ERR_CONFLICT);
    }
    /* Suspending oneself locks one out with no way back but another
     * member (issue 16); leaving (remove) stays possible. */
    if (c->action == TEAM_SUSPEND && c->user_id == actor->user.id)
        return refuse(why, TEAM_SELF, ERR_CONFLICT);
    return 0;
}

/* Revokes the member's tokens and sessions in the tenant (suspend, remove). */
static int cut_access(struct server *srv, int64_t user_id, int64_t tenant_id, int64_t *tokens,
                      int64_t *sessions)
{
    int rc = store_token_revoke_user_tenant(srv->store, user_id, tenant_id, time_now(), tokens);
    if (rc == 0)
        rc = store_session_delete_by_user_tenant(srv->store, user_id, tenant_id, sessions);
    return rc;
}

/* The write of c; *tokens and *sessions count what suspension/removal cut. */
static int write_change(struct server *srv, int64_t tenant_id, const struct team_change *c,
                        int64_t *tokens, int64_t *sessions)
{
    struct store *st = srv->store;
    int rc;
    switch (c->action) {
    case TEAM_SET_ROLE: return store_membership_set_role(st, c->user_id, tenant_id, c->role_id);
    case TEAM_REACTIVATE:
        return store_membership_set_status(st, c->user_id, tenant_id, MEMBER_ACTIVE);
    case TEAM_SUSPEND:
        rc = store_membership_set_status(st, c->user_id, tenant_id, MEMBER_SUSPENDED);
        return rc != 0 ? rc : cut_access(srv, c->user_id, tenant_id, tokens, sessions);
    default:
        rc = cut_access(srv, c->user_id, tenant_id, tokens, sessions);
        return rc != 0 ? rc : store_membership_delete(st, c->user_id, tenant_id);
    }
}

/* Reads, checks and writes inside the caller's transaction. */
static int apply_in_tx(struct server *srv, struct arena *a, const struct principal *actor,
                       const struct team_change *c, struct member_row *m, struct role *new_role,
                       int64_t *tokens, int64_t *sessions, enum team_refusal *why)
{
    int64_t tenant_id = actor->tenant.id;
    int rc = store_tenant_lock(srv->store, tenant_id);
    if (rc != 0)
        return rc;
    /* The actor's role as it is now, under the lock: a change committed
     * since their request was authenticated (a demotion) counts. */
    struct principal me = *actor;
    struct member_row self;
    rc = team_member(srv, a, tenant_id, actor->user.id, &self);
    if (rc == 0 && (self.membership.status != MEMBER_ACTIVE || !self.has_role))
        rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND && !actor->user.is_super_admin)
        return refuse(why, TEAM_ACTOR_GONE, ERR_FORBIDDEN);
    if (rc == 0)
        me.role = self.role;
    else if (rc != ERR_NOT_FOUND)
        return rc;
    actor = &me;
    rc = team_member(srv, a, tenant_id, c->user_id, m);
    if (rc != 0)
        return rc;
    bool set_role = c->action == TEAM_SET_ROLE;
    if (set_role) {
        rc = team_role(srv, a, tenant_id, c->role_id, new_role);
        if (rc == ERR_NOT_FOUND)
            return refuse(why, TEAM_BAD_ROLE, ERR_INVALID);
        if (rc != 0)
            return rc;
    }
    rc = check_rules(srv, actor, c, m, set_role ? new_role : NULL, why);
    if (rc == 0)
        rc = write_change(srv, tenant_id, c, tokens, sessions);
    return rc;
}

static void audit_change(struct server *srv, const struct principal *actor,
                         const struct team_change *c, const struct member_row *before,
                         int64_t tokens, int64_t sessions)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "target_user_id", c->user_id);
    if (c->action == TEAM_SET_ROLE) {
        audit_detail_int(&d, "from_role_id", before->membership.role_id);
        audit_detail_int(&d, "to_role_id", c->role_id);
    } else if (c->action != TEAM_REACTIVATE) {
        audit_detail_int(&d, "revoked_tokens", tokens);
        audit_detail_int(&d, "deleted_sessions", sessions);
    }
    audit_record(srv, actor->tenant.id, actor->user.id, action_name(c->action), c->ip, &d);
}

int team_apply(struct server *srv, struct arena *a, const struct principal *actor,
               const struct team_change *c, struct member_row *out, enum team_refusal *why)
{
    *why = TEAM_OK;
    memset(out, 0, sizeof(*out));
    if (!actor->has_tenant)
        return ERR_NOT_FOUND;
    struct role new_role;
    int64_t tokens = 0, sessions = 0;
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = apply_in_tx(srv, a, actor, c, out, &new_role, &tokens, &sessions, why);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc != 0)
        return rc;
    audit_change(srv, actor, c, out, tokens, sessions);
    if (c->action == TEAM_SET_ROLE) {
        out->membership.role_id = new_role.id;
        out->role = new_role;
        out->has_role = true;
    } else if (c->action == TEAM_SUSPEND) {
        out->membership.status = MEMBER_SUSPENDED;
    } else if (c->action == TEAM_REACTIVATE) {
        out->membership.status = MEMBER_ACTIVE;
    }
    return 0;
}
