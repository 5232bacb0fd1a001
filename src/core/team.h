/*
 * team.h - a tenant's members and what its managers may do to them
 * (AutoCom, seed 002, "Team Management Endpoints"; issue #5).
 *
 * A member is identified by its user id within the actor's tenant: a user
 * who is not a member of that tenant is "not found", whatever else they
 * belong to, so no id of another tenant ever answers differently from an
 * unknown one.
 *
 * The rules every change obeys, checked inside one transaction that holds
 * the tenant's row (store_tenant_lock), so two concurrent changes cannot
 * both pass a check that only one of them may pass:
 *   - nobody acts on a member whose role grants a permission the actor's
 *     role does not (an admin cannot suspend an owner);
 *   - nobody assigns a role that grants a permission the actor's role does
 *     not (a member cannot raise their own role above what they hold, nor
 *     anyone else's above their own);
 *   - the tenant keeps at least one active owner: the last one cannot be
 *     demoted, suspended or removed.
 *   - nobody suspends themself (they may still leave: remove).
 * Suspension and removal revoke the member's tokens and end their
 * dashboard sessions in this tenant only, in the same transaction.
 * Every change is audited with the actor, the target and the tenant.
 * The actor's own role is read again under the lock, so a demotion
 * committed while their request was in flight already applies.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"
#include "store/store.h"

struct arena;
struct server;

/* The slug of the role that owns a tenant (role templates). */
#define TEAM_OWNER_SLUG "owner"
/* Pagination bounds of the member list. */
#define TEAM_PER_PAGE_DEFAULT 15
#define TEAM_PER_PAGE_MAX     100
#define TEAM_PAGE_MAX         1000000000

/* Why a change was refused (with the error code in parentheses). */
enum team_refusal {
    TEAM_OK = 0,
    TEAM_BAD_ROLE,           /* the role is not one of the tenant's (ERR_INVALID) */
    TEAM_TARGET_ABOVE_ACTOR, /* the member's role grants more (ERR_FORBIDDEN) */
    TEAM_ROLE_ABOVE_ACTOR,   /* the new role grants more (ERR_FORBIDDEN) */
    TEAM_LAST_OWNER,         /* it would leave no active owner (ERR_CONFLICT) */
    TEAM_ACTOR_GONE,         /* the actor was suspended or removed meanwhile (ERR_FORBIDDEN) */
    TEAM_SELF,               /* the actor would suspend themself (ERR_CONFLICT) */
};

enum team_action { TEAM_SET_ROLE, TEAM_SUSPEND, TEAM_REACTIVATE, TEAM_REMOVE };

struct team_change {
    enum team_action action;
    int64_t user_id; /* the member */
    int64_t role_id; /* TEAM_SET_ROLE: the new role */
    const char *ip;  /* for the audit log; may be NULL */
};

/* True if r is an owner role. */
bool team_is_owner_role(const struct role *r);
/*
 * True if every permission of perms is one the actor's role grants (a
 * "*" in the actor's role grants all; super-admins hold everything). A
 * "*" in perms is only within an actor who holds "*" too.
 */
bool team_within_actor(const struct principal *actor, const struct strlist *perms);
/*
 * The last-owner rule on counts: false (refuse) when the member is an
 * active owner now, will not be one after the change, and is the only
 * active owner of the tenant (active_owners <= 1).
 */
bool team_keeps_an_owner(bool active_owner_before, bool active_owner_after, int64_t active_owners);

/*
 * One page of the tenant's members (1-based page, per_page in
 * 1..TEAM_PER_PAGE_MAX), oldest first; *total is the member count. A page
 * past the end is empty. ERR_INVALID for bounds out of range.
 */
int team_list(struct server *srv, struct arena *a, int64_t tenant_id, int64_t page,
              int64_t per_page, struct member_row **rows, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/*
 * One member of the tenant, with user and role. ERR_NOT_FOUND if the user
 * is not a member of tenant_id.
 */
int team_member(struct server *srv, struct arena *a, int64_t tenant_id, int64_t user_id,
                struct member_row *out) __attribute__((warn_unused_result));

/*
 * A tenant role by id: ERR_NOT_FOUND unless role_id is a role of
 * tenant_id.
 */
int team_role(struct server *srv, struct arena *a, int64_t tenant_id, int64_t role_id,
              struct role *out) __attribute__((warn_unused_result));

/*
 * Applies c in the actor's tenant (actor->has_tenant required). On
 * success *out is the member after the change (for TEAM_REMOVE, as it
 * was). Errors: ERR_NOT_FOUND (not a member here), ERR_INVALID,
 * ERR_FORBIDDEN or ERR_CONFLICT with *why set, store errors.
 */
int team_apply(struct server *srv, struct arena *a, const struct principal *actor,
               const struct team_change *c, struct member_row *out, enum team_refusal *why)
    __attribute__((warn_unused_result));
