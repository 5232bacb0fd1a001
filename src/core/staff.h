/*
 * staff.h - platform staff (seed 001): who may use the admin API, with
 * which staff role, and the admin tokens they sign in with.
 *
 * A staff member is a user with a staff row naming one platform role
 * (roles.tenant_id NULL: Owner, Manager, Developer, Support, Marketing,
 * seeded by migration 0004). Their permissions are "resource:action"
 * names ("users:list"). Admin tokens are Sanctum tokens of kind admin that
 * expire LATCHKEY_ADMIN_TOKEN_TTL (24 h) after issue; they work only on
 * the admin API, and other tokens never work there. Expiry decisions use
 * server_now().
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/login.h"
#include "core/principal.h"
#include "store/model.h"

struct arena;
struct server;

#define STAFF_TOKEN_NAME "admin"
#define STAFF_OWNER_SLUG "owner"

/* The staff role of a user (arena strings). ERR_NOT_FOUND if not staff. */
int staff_role_of(struct server *srv, struct arena *a, int64_t user_id, struct role *out)
    __attribute__((warn_unused_result));

/* Every staff member and every platform role, read together (arena
 * arrays): who is staff and with which role, without a read per user. */
struct staff_roster {
    struct staff *staff; /* ordered by user id */
    size_t n_staff;
    struct role *roles; /* the platform roles, ordered by id */
    size_t n_roles;
};

int staff_roster_load(struct server *srv, struct arena *a, struct staff_roster *out)
    __attribute__((warn_unused_result));
/* The staff role of user_id in the roster, or NULL if they are not staff. */
const struct role *staff_roster_role(const struct staff_roster *r, int64_t user_id);
/* How many staff members hold role_id. */
int64_t staff_roster_count(const struct staff_roster *r, int64_t role_id);

/*
 * Grants the platform role named role (slug or name, case-insensitive) to
 * the user, or changes the role they hold; *out receives it. Audited as
 * staff.grant (actor_id 0: the CLI). ERR_NOT_FOUND: no such role.
 * ERR_CONFLICT: it would demote the last Owner.
 */
int staff_grant(struct server *srv, struct arena *a, int64_t user_id, const char *role,
                int64_t actor_id, struct role *out) __attribute__((warn_unused_result));
/*
 * Takes the user's staff role away and revokes their admin tokens.
 * Audited as staff.revoke. ERR_NOT_FOUND: not staff. ERR_CONFLICT: the
 * last Owner.
 */
int staff_revoke(struct server *srv, struct arena *a, int64_t user_id, int64_t actor_id)
    __attribute__((warn_unused_result));

/*
 * Sets p->platform when p (authenticated with a token that names no
 * tenant) belongs to a super-admin or to staff whose role grants
 * permission ("accounts:read"): such a principal reads every tenant's
 * rows. Leaves p as it is otherwise. 0 or a store error.
 */
int staff_bind_platform(struct server *srv, struct arena *a, struct principal *p,
                        const char *permission) __attribute__((warn_unused_result));

/* True if the principal (staff_authenticate, staff_bind) holds permission. */
bool staff_can(const struct principal *p, const char *permission);

/*
 * Makes an authenticated user (p->user set: a dashboard session's) a
 * staff principal: p->role becomes their staff role, p->staff is set and
 * no tenant is bound. ERR_FORBIDDEN with p->refusal for an inactive or
 * suspended user or one who is not staff (REFUSE_NOT_STAFF); ERR_STORE.
 */
int staff_bind(struct server *srv, struct arena *a, struct principal *p)
    __attribute__((warn_unused_result));

/*
 * Authenticates an admin bearer token: kind admin, not revoked, not
 * expired at server_now(), of an active user who is staff. Fills p: user,
 * token, role = the staff role, has_tenant false. ERR_UNAUTHENTICATED for
 * any token problem (and for other kinds of tokens); ERR_FORBIDDEN with
 * p->refusal for an inactive or suspended user or one who is no longer
 * staff; ERR_STORE.
 */
int staff_authenticate(struct server *srv, struct arena *a, const char *bearer, struct principal *p)
    __attribute__((warn_unused_result));

/*
 * Completes an admin login begun with login_begin() and login_verify():
 * ERR_UNAUTHENTICATED for a wrong email or password (the same for both);
 * ERR_FORBIDDEN with p->refusal when the password is right but the user
 * is not staff, or not active; else issues an admin token (*plaintext,
 * arena), sets last_login_at and fills p as staff_authenticate does.
 * Every outcome is audited (login.success / login.failure with
 * "surface":"admin").
 */
int staff_login_finish(struct login *l, struct arena *a, struct principal *p, char **plaintext)
    __attribute__((warn_unused_result));

/*
 * Issues a new admin token for p's user and revokes p's token, in one
 * transaction: the old one stops working at once. *out and *plaintext
 * receive the new token. Of concurrent refreshes with one token exactly
 * one succeeds; the others get ERR_UNAUTHENTICATED. Audited as
 * token.refresh.
 */
int staff_token_refresh(struct server *srv, struct arena *a, const struct principal *p,
                        const char *ip, struct token *out, char **plaintext)
    __attribute__((warn_unused_result));
