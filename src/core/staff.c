/*
 * staff.c - platform staff roles, admin tokens and admin logins (staff.h).
 *
 * Order of checks at login, as for every surface: the password first
 * (wrong email and wrong password are one answer), and only then whether
 * the account may use the admin API, so a guesser learns nothing about
 * who is staff. On each admin request the staff row is read again, so
 * revoking someone's role (or suspending them) takes effect at once even
 * for tokens already issued.
 */
#include "core/staff.h"

#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/lastused.h"
#include "core/role.h"
#include "core/token.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

int staff_role_of(struct server *srv, struct arena *a, int64_t user_id, struct role *out)
{
    struct staff st;
    int rc = store_staff_get(srv->store, user_id, &st);
    if (rc != 0)
        return rc;
    rc = store_role_by_id(srv->store, a, st.role_id, out);
    return rc == ERR_NOT_FOUND ? ERR_STORE : rc;
}

int staff_roster_load(struct server *srv, struct arena *a, struct staff_roster *out)
{
    *out = (struct staff_roster){0};
    int rc = store_staff_list(srv->store, a, &out->staff, &out->n_staff);
    if (rc == 0)
        rc = role_list(srv, a, 0, &out->roles, &out->n_roles);
    return rc;
}

const struct role *staff_roster_role(const struct staff_roster *r, int64_t user_id)
{
    for (size_t i = 0; i < r->n_staff; i++) {
        if (r->staff[i].user_id != user_id)
            continue;
        for (size_t j = 0; j < r->n_roles; j++) {
            if (r->roles[j].id == r->staff[i].role_id)
                return &r->roles[j];
        }
    }
    return NULL;
}

int64_t staff_roster_count(const struct staff_roster *r, int64_t role_id)
{
    int64_t n = 0;
    for (size_t i = 0; i < r->n_staff; i++)
        n += r->staff[i].role_id == role_id;
    return n;
}

/* True if user_id is the only holder of the Owner role. */
static int is_last_owner(struct server *srv, struct arena *a, int64_t user_id, bool *last)
{
    struct role role;
    *last = false;
    int rc = staff_role_of(srv, a, user_id, &role);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0 || strcmp(role.slug, STAFF_OWNER_SLUG) != 0)
        return rc;
    int64_t owners = 0;
    rc = store_staff_count_role(srv->store, role.id, &owners);
    *last = rc == 0 && owners <= 1;
    return rc;
}

static void audit_staff(struct server *srv, const char *action, int64_t actor_id, int64_t user_id,
                        const char *role_slug)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "target_user_id", user_id);
    if (role_slug != NULL)
        audit_detail_str(&d, "role", role_slug);
    audit_record(srv, 0, actor_id != 0 ? actor_id : user_id, action, NULL, &d);
}

int staff_grant(struct server *srv, struct arena *a, int64_t user_id, const char *role,
                int64_t actor_id, struct role *out)
{
    int rc = role_find(srv, a, 0, role, out);
    if (rc != 0)
        return rc;
    bool last = false;
    if (strcmp(out->slug, STAFF_OWNER_SLUG) != 0) {
        rc = is_last_owner(srv, a, user_id, &last);
        if (rc != 0)
            return rc;
        if (last)
            return ERR_CONFLICT;
    }
    struct staff st = {.user_id = user_id, .role_id = out->id, .granted_by = actor_id};
    rc = store_staff_set(srv->store, &st);
    if (rc == 0)
        audit_staff(srv, "staff.grant", actor_id, user_id, out->slug);
    return rc;
}

/* Revokes every live admin token of the user. */
static int revoke_admin_tokens(struct server *srv, struct arena *a, int64_t user_id, int64_t at)
{
    struct token *toks = NULL;
    size_t n = 0;
    int rc = store_token_list_by_user(srv->store, a, user_id, &toks, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (toks[i].kind == TOKEN_ADMIN && toks[i].revoked_at == 0)
            rc = store_token_revoke(srv->store, toks[i].id, at);
    }
    return rc;
}

int staff_revoke(struct server *srv, struct arena *a, int64_t user_id, int64_t actor_id)
{
    bool last = false;
    int rc = is_last_owner(srv, a, user_id, &last);
    if (rc != 0)
        return rc;
    if (last)
        return ERR_CONFLICT;
    rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_staff_delete(srv->store, user_id);
    if (rc == 0)
        rc = revoke_admin_tokens(srv, a, user_id, time_now());
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc == 0)
        audit_staff(srv, "staff.revoke", actor_id, user_id, NULL);
    return rc;
}

int staff_bind_platform(struct server *srv, struct arena *a, struct principal *p,
                        const char *permission)
{
    if (p->token.tenant_id != 0)
        return 0;
    if (p->user.is_super_admin) {
        p->platform = true;
        return 0;
    }
    struct role r;
    int rc = staff_role_of(srv, a, p->user.id, &r);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc == 0)
        p->platform = strlist_contains(&r.permissions, permission);
    return rc;
}

bool staff_can(const struct principal *p, const char *permission)
{
    return p->staff && strlist_contains(&p->role.permissions, permission);
}

/* Loads the staff role of p->user; refuses inactive users and non-staff. */
int staff_bind(struct server *srv, struct arena *a, struct principal *p)
{
    int rc = principal_check_user(p);
    if (rc != 0)
        return rc;
    rc = staff_role_of(srv, a, p->user.id, &p->role);
    if (rc == ERR_NOT_FOUND) {
        p->refusal = REFUSE_NOT_STAFF;
        return ERR_FORBIDDEN;
    }
    p->has_tenant = false;
    p->staff = rc == 0;
    return rc;
}

int staff_authenticate(struct server *srv, struct arena *a, const char *bearer, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    int rc = token_authenticate(srv, a, bearer, server_now(srv), &p->token);
    if (rc != 0)
        return rc;
    if (p->token.kind != TOKEN_ADMIN)
        return ERR_UNAUTHENTICATED;
    lastused_touch(srv->lastused, p->token.id, time_now());
    rc = store_user_by_id(srv->store, a, p->token.user_id, &p->user);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != 0)
        return rc;
    p->via = VIA_PAT;
    return staff_bind(srv, a, p);
}

static void audit_login(struct login *l, const char *action, const char *reason)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "surface", "admin");
    if (reason != NULL)
        audit_detail_str(&d, "reason", reason);
    audit_record(l->srv, 0, l->found ? l->user.id : 0, action, l->ip, &d);
}

int staff_login_finish(struct login *l, struct arena *a, struct principal *p, char **plaintext)
{
    struct server *srv = l->srv;
    memset(p, 0, sizeof(*p));
    login_count(l);
    if (!l->verified) {
        audit_login(l, "login.failure", "credentials");
        return ERR_UNAUTHENTICATED;
    }
    if (l->rehashed && store_user_set_password(srv->store, l->user.id, l->new_hash) != 0)
        log_warnx("event=rehash_failed user=%lld", (long long)l->user.id);
    p->via = VIA_PASSWORD;
    p->user = l->user;
    int rc = staff_bind(srv, a, p);
    if (rc == ERR_FORBIDDEN)
        audit_login(l, "login.failure", p->refusal == REFUSE_NOT_STAFF ? "not_staff" : "refused");
    if (rc != 0)
        return rc;
    int64_t now = server_now(srv);
    struct token_request rq = {
        .user_id = p->user.id,
        .name = STAFF_TOKEN_NAME,
        .kind = TOKEN_ADMIN,
        .expires_at = now + srv->cfg.admin_token_ttl_s,
        .ip = l->ip,
    };
    rc = token_issue(srv, a, &rq, &p->token, plaintext);
    if (rc != 0)
        return rc;
    p->via = VIA_PAT;
    if (store_user_set_last_login(srv->store, p->user.id, time_now()) == 0)
        p->user.last_login_at = time_now();
    audit_login(l, "login.success", NULL);
    return 0;
}

int staff_token_refresh(struct server *srv, struct arena *a, const struct principal *p,
                        const char *ip, struct token *out, char **plaintext)
{
    struct token_request rq = {
        .user_id = p->user.id,
        .name = STAFF_TOKEN_NAME,
        .kind = TOKEN_ADMIN,
        .expires_at = server_now(srv) + srv->cfg.admin_token_ttl_s,
        .ip = ip,
    };
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    /* Only the request that still finds its token live may replace it:
     * a concurrent refresh with the same token loses with 401. */
    rc = store_token_revoke_live(srv->store, p->token.id, time_now());
    if (rc == ERR_NOT_FOUND)
        rc = ERR_UNAUTHENTICATED;
    if (rc == 0)
        rc = token_issue(srv, a, &rq, out, plaintext);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc == 0) {
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_int(&d, "old_token_id", p->token.id);
        audit_detail_int(&d, "token_id", out->id);
        audit_record(srv, 0, p->user.id, "token.refresh", ip, &d);
    }
    return rc;
}
