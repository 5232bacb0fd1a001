/*
 * invitation.c - invitations: create, resend, cancel, list, accept
 * (invitation.h). The email itself is built in invitation_mail.c. Expiry
 * decisions use server_now() (the tests' clock offset).
 *
 * The plaintext token exists only on the stack of the call that makes it
 * (wiped before returning) and in the email; the store keeps its SHA-256.
 */
#include "core/invitation.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/team.h"
#include "core/user.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

enum invitation_state invitation_state(const struct invitation *inv, int64_t now)
{
    if (inv->accepted_at != 0)
        return INV_ACCEPTED;
    if (inv->cancelled_at != 0)
        return INV_CANCELLED;
    if (inv->expires_at <= now)
        return INV_EXPIRED;
    return INV_PENDING;
}

const char *invitation_state_str(enum invitation_state s)
{
    switch (s) {
    case INV_PENDING: return "pending";
    case INV_EXPIRED: return "expired";
    case INV_ACCEPTED: return "accepted";
    default: return "cancelled";
    }
}

static int refuse(enum invite_refusal *why, enum invite_refusal r, int rc)
{
    *why = r;
    return rc;
}

/* A fresh token and its hash. */
static void new_token(char token[INVITATION_TOKEN_LEN + 1], char hash[TOKEN_HASH_HEX + 1])
{
    random_alnum(token, INVITATION_TOKEN_LEN);
    sha256_hex(token, INVITATION_TOKEN_LEN, hash);
}

/* The audit detail {"invitation_id":N,"email":"...","role_id":N}. */
static void audit_invitation(struct server *srv, const struct principal *actor, const char *action,
                             const struct invitation *inv, const char *ip)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "invitation_id", inv->id);
    audit_detail_str(&d, "email", inv->email);
    audit_detail_int(&d, "role_id", inv->role_id);
    audit_record(srv, inv->tenant_id, actor->user.id, action, ip, &d);
}

int invitation_check_email(struct server *srv, struct arena *a, int64_t tenant_id,
                           const char *email, enum invite_refusal *why)
{
    *why = INVITE_OK;
    struct user u;
    int rc = user_find_email(srv, a, email, &u);
    if (rc == 0) {
        struct membership m;
        rc = store_membership_get(srv->store, u.id, tenant_id, &m);
        if (rc == 0)
            return refuse(why, INVITE_MEMBER, 0);
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    struct invitation inv;
    rc = store_invitation_open_by_email(srv->store, a, tenant_id, user_email_fold(a, email), &inv);
    if (rc == 0 && invitation_state(&inv, server_now(srv)) == INV_PENDING)
        return refuse(why, INVITE_PENDING, 0);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* Inserts inv inside a transaction, cancelling an expired open invitation
 * of the same address first. */
static int insert_in_tx(struct server *srv, struct arena *a, struct invitation *inv, int64_t now,
                        enum invite_refusal *why)
{
    int rc = store_tenant_lock(srv->store, inv->tenant_id);
    if (rc != 0)
        return rc;
    struct invitation old;
    rc = store_invitation_open_by_email(srv->store, a, inv->tenant_id, inv->email, &old);
    if (rc == 0 && invitation_state(&old, now) == INV_PENDING)
        return refuse(why, INVITE_PENDING, ERR_CONFLICT);
    if (rc == 0)
        rc = store_invitation_cancel(srv->store, old.id, now);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    rc = store_invitation_insert(srv->store, inv);
    if (rc == ERR_CONFLICT)
        *why = INVITE_PENDING;
    return rc;
}

int invitation_create(struct server *srv, struct arena *a, const struct principal *actor,
                      const char *email, int64_t role_id, const char *ip, struct invitation *out,
                      enum invite_refusal *why)
{
    *why = INVITE_OK;
    memset(out, 0, sizeof(*out));
    if (!actor->has_tenant)
        return ERR_NOT_FOUND;
    if (email == NULL || !user_email_valid(email) || !mail_address_valid(email))
        return ERR_INVALID;
    struct role role;
    int rc = team_role(srv, a, actor->tenant.id, role_id, &role);
    if (rc == ERR_NOT_FOUND)
        return refuse(why, INVITE_BAD_ROLE, ERR_INVALID);
    if (rc != 0)
        return rc;
    if (!team_within_actor(actor, &role.permissions))
        return refuse(why, INVITE_ROLE_ABOVE, ERR_FORBIDDEN);
    rc = invitation_check_email(srv, a, actor->tenant.id, email, why);
    if (rc != 0 || *why != INVITE_OK)
        return rc != 0 ? rc : ERR_CONFLICT;

    char token[INVITATION_TOKEN_LEN + 1];
    int64_t now = server_now(srv);
    *out = (struct invitation){
        .tenant_id = actor->tenant.id,
        .email = user_email_fold(a, email),
        .role_id = role.id,
        .invited_by = actor->user.id,
        .created_at = now,
        .expires_at = now + INVITATION_TTL_S,
    };
    new_token(token, out->token_hash);
    rc = store_tx_begin(srv->store);
    if (rc == 0) {
        rc = insert_in_tx(srv, a, out, now, why);
        if (rc == 0)
            rc = store_tx_commit(srv->store);
        else
            store_tx_rollback(srv->store);
    }
    if (rc == 0) {
        rc = invitation_mail(srv, a, out, token, &actor->tenant, &role, &actor->user);
        if (rc != 0) {
            log_error("event=invitation_not_sent invitation=%lld err=\"%s\"", (long long)out->id,
                      err_str(rc));
            if (store_invitation_cancel(srv->store, out->id, server_now(srv)) != 0)
                log_error("event=invitation_cancel_failed invitation=%lld", (long long)out->id);
        }
    }
    secure_wipe(token, sizeof(token));
    if (rc == 0)
        audit_invitation(srv, actor, "invitation.create", out, ip);
    return rc;
}

/* An invitation of the actor's tenant that is still open. */
static int load_open(struct server *srv, struct arena *a, const struct principal *actor, int64_t id,
                     struct invitation *out, enum invite_refusal *why)
{
    *why = INVITE_OK;
    memset(out, 0, sizeof(*out));
    if (!actor->has_tenant || id <= 0)
        return ERR_NOT_FOUND;
    int rc = store_invitation_by_id(srv->store, a, id, out);
    if (rc == 0 && out->tenant_id != actor->tenant.id)
        return ERR_NOT_FOUND;
    if (rc != 0)
        return rc;
    enum invitation_state st = invitation_state(out, server_now(srv));
    if (st == INV_ACCEPTED || st == INV_CANCELLED)
        return refuse(why, INVITE_NOT_OPEN, ERR_CONFLICT);
    return 0;
}

/* After a conditional UPDATE found nothing: re-read to report the state. */
static int now_closed(struct server *srv, struct arena *a, struct invitation *inv,
                      enum invite_refusal *why)
{
    int rc = store_invitation_by_id(srv->store, a, inv->id, inv);
    return rc != 0 ? rc : refuse(why, INVITE_NOT_OPEN, ERR_CONFLICT);
}

int invitation_resend(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t id, const char *ip, struct invitation *out, enum invite_refusal *why)
{
    int rc = load_open(srv, a, actor, id, out, why);
    if (rc != 0)
        return rc;
    struct role role;
    rc = team_role(srv, a, actor->tenant.id, out->role_id, &role);
    if (rc == ERR_NOT_FOUND)
        return refuse(why, INVITE_BAD_ROLE, ERR_INVALID);
    if (rc != 0)
        return rc;
    char token[INVITATION_TOKEN_LEN + 1];
    char hash[TOKEN_HASH_HEX + 1];
    new_token(token, hash);
    int64_t expires = server_now(srv) + INVITATION_TTL_S;
    rc = store_invitation_renew(srv->store, out->id, hash, expires);
    if (rc == ERR_NOT_FOUND)
        rc = now_closed(srv, a, out, why);
    if (rc == 0) {
        memcpy(out->token_hash, hash, sizeof(hash));
        out->expires_at = expires;
        rc = invitation_mail(srv, a, out, token, &actor->tenant, &role, &actor->user);
        if (rc != 0)
            log_error("event=invitation_not_sent invitation=%lld err=\"%s\"", (long long)out->id,
                      err_str(rc));
    }
    secure_wipe(token, sizeof(token));
    if (rc == 0)
        audit_invitation(srv, actor, "invitation.resend", out, ip);
    return rc;
}

int invitation_cancel(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t id, const char *ip, struct invitation *out, enum invite_refusal *why)
{
    int rc = load_open(srv, a, actor, id, out, why);
    if (rc != 0)
        return rc;
    int64_t now = server_now(srv);
    rc = store_invitation_cancel(srv->store, out->id, now);
    if (rc == ERR_NOT_FOUND)
        return now_closed(srv, a, out, why);
    if (rc != 0)
        return rc;
    out->cancelled_at = now;
    audit_invitation(srv, actor, "invitation.cancel", out, ip);
    return 0;
}

int invitation_list(struct server *srv, struct arena *a, int64_t tenant_id, struct invitation **out,
                    size_t *n)
{
    return store_invitation_list_open(srv->store, a, tenant_id, out, n);
}

/* ---- accepting ---- */

/* The account's status as a refusal (accepting is refused to accounts
 * that could not sign in anyway). */
static int check_account(const struct user *u, enum invite_refusal *why)
{
    switch (u->status) {
    case USER_ACTIVE: return 0;
    case USER_INACTIVE: return refuse(why, INVITE_USER_INACTIVE, ERR_FORBIDDEN);
    default: return refuse(why, INVITE_USER_SUSPENDED, ERR_FORBIDDEN);
    }
}

/* The invitation's tenant and role (a role deleted since: not open). */
static int load_target(struct server *srv, struct arena *a, struct acceptance *acc,
                       enum invitation_state *state, enum invite_refusal *why)
{
    int rc = store_tenant_by_id(srv->store, a, acc->inv.tenant_id, &acc->tenant);
    if (rc != 0)
        return rc;
    if (acc->tenant.status != TENANT_ACTIVE)
        return refuse(why, INVITE_TENANT_SUSPENDED, ERR_FORBIDDEN);
    rc = team_role(srv, a, acc->inv.tenant_id, acc->inv.role_id, &acc->role);
    if (rc == ERR_NOT_FOUND) {
        *state = INV_CANCELLED;
        return refuse(why, INVITE_NOT_OPEN, ERR_CONFLICT);
    }
    return rc;
}

int accept_begin(struct server *srv, struct arena *a, struct acceptance *acc, const char *token,
                 const char *ip, enum invitation_state *state, enum invite_refusal *why)
{
    memset(acc, 0, sizeof(*acc));
    acc->srv = srv;
    acc->ip = ip;
    *why = INVITE_OK;
    *state = INV_PENDING;
    if (token == NULL || token[0] == '\0' || strlen(token) > INVITATION_TOKEN_MAX)
        return ERR_NOT_FOUND;
    sha256_hex(token, strlen(token), acc->hash);
    int rc = store_invitation_by_hash(srv->store, a, acc->hash, &acc->inv);
    if (rc != 0)
        return rc;
    *state = invitation_state(&acc->inv, server_now(srv));
    if (*state != INV_PENDING)
        return refuse(why, INVITE_NOT_OPEN, ERR_CONFLICT);
    rc = load_target(srv, a, acc, state, why);
    if (rc != 0)
        return rc;
    rc = store_user_by_email(srv->store, a, acc->inv.email, &acc->user);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0)
        return rc;
    acc->existing = true;
    rc = check_account(&acc->user, why);
    if (rc != 0)
        return rc;
    struct membership m;
    rc = store_membership_get(srv->store, acc->user.id, acc->inv.tenant_id, &m);
    if (rc == 0)
        return refuse(why, INVITE_MEMBER, ERR_CONFLICT);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

void accept_set_password(struct acceptance *acc, const char *name, const char *password)
{
    acc->name = name;
    free(acc->password);
    acc->password = xstrdup(password);
}

void accept_work(void *arg)
{
    struct acceptance *acc = arg;
    if (!acc->existing)
        acc->hash_rc = acc->password != NULL
                           ? password_hash(&acc->srv->pw, acc->password, acc->pw_hash)
                           : ERR_INVALID;
}

/* The writes, inside the caller's transaction. */
static int accept_in_tx(struct acceptance *acc, struct arena *a, struct user *user, int64_t now,
                        enum invitation_state *state, enum invite_refusal *why)
{
    struct server *srv = acc->srv;
    int rc = store_invitation_accept(srv->store, acc->inv.id, acc->hash, now);
    if (rc == ERR_NOT_FOUND) {
        rc = store_invitation_by_id(srv->store, a, acc->inv.id, &acc->inv);
        if (rc != 0)
            return rc;
        /* A resend changed the token: this one is dead, as if unknown. */
        if (strcmp(acc->inv.token_hash, acc->hash) != 0)
            return ERR_NOT_FOUND;
        *state = invitation_state(&acc->inv, now);
        return refuse(why, INVITE_NOT_OPEN, ERR_CONFLICT);
    }
    if (rc != 0)
        return rc;
    if (acc->existing) {
        *user = acc->user;
        struct membership m = {.user_id = acc->user.id,
                               .tenant_id = acc->inv.tenant_id,
                               .role_id = acc->role.id,
                               .status = MEMBER_ACTIVE,
                               .joined_at = now};
        rc = store_membership_insert(srv->store, &m);
        return rc == ERR_CONFLICT ? refuse(why, INVITE_MEMBER, rc) : rc;
    }
    struct user_request urq = {
        .email = acc->inv.email,
        .name = acc->name,
        .password_hash = acc->pw_hash,
        .status = USER_ACTIVE,
        .verified = true, /* the token came by email to this address */
        .tenant_id = acc->inv.tenant_id,
        .role_id = acc->role.id,
    };
    rc = user_insert_in_tx(srv, a, &urq, user);
    /* The address got an account since accept_begin: the client retries
     * and then joins as that account. */
    return rc == ERR_CONFLICT ? ERR_BUSY : rc;
}

int accept_finish(struct acceptance *acc, struct arena *a, struct user *user,
                  enum invitation_state *state, enum invite_refusal *why)
{
    struct server *srv = acc->srv;
    *why = INVITE_OK;
    *state = INV_PENDING;
    memset(user, 0, sizeof(*user));
    if (!acc->existing && acc->hash_rc != 0)
        return acc->hash_rc;
    int64_t now = server_now(srv);
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = accept_in_tx(acc, a, user, now, state, why);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc != 0)
        return rc;
    acc->inv.accepted_at = now;
    struct audit_detail d;
    if (!acc->existing) {
        audit_detail_init(&d);
        audit_detail_str(&d, "via", "invitation");
        audit_record(srv, acc->inv.tenant_id, user->id, "user.create", acc->ip, &d);
    }
    audit_detail_init(&d);
    audit_detail_int(&d, "invitation_id", acc->inv.id);
    audit_detail_int(&d, "role_id", acc->role.id);
    audit_detail_int(&d, "invited_by", acc->inv.invited_by);
    audit_detail_bool(&d, "new_user", !acc->existing);
    audit_record(srv, acc->inv.tenant_id, user->id, "invitation.accept", acc->ip, &d);
    return 0;
}

void accept_fini(struct acceptance *acc)
{
    if (acc->password != NULL) {
        secure_wipe(acc->password, strlen(acc->password));
        free(acc->password);
        acc->password = NULL;
    }
    secure_wipe(acc->pw_hash, sizeof(acc->pw_hash));
}
