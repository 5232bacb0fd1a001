/*
 * invitation.h - invitations to join a tenant (AutoCom, seed 002; issue
 * #5): create, resend, cancel, list, and accept (DESIGN section 4).
 *
 * The token is 64 random [A-Za-z0-9] characters, emailed in a link
 * (LATCHKEY_PUBLIC_URL + INVITATION_LINK_PATH + "?token=...") and never
 * stored: the row keeps its SHA-256. It expires INVITATION_TTL_S after it
 * was (re)sent and works once. A resend replaces the token (the old one
 * is dead at once) and restarts the expiry. A tenant has at most one open
 * invitation per email; an expired one is cancelled when a new invitation
 * to the same address is made.
 *
 * Accepting is public (the token is the credential) and runs in three
 * steps, so that the password of a new account is hashed off the request
 * thread:
 *   accept_begin()   request thread: find the invitation by the token's
 *                    hash, check its state, look the email's account up
 *   accept_work()    hashing pool: hash the new account's password
 *   accept_finish()  request thread: one transaction marks the invitation
 *                    accepted (a conditional UPDATE: the single use holds
 *                    under concurrency), creates the user when new, adds
 *                    the membership with the invited role; audit
 * An existing account joins with the token alone; its name and password
 * are never changed by an invitation.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "crypto/password.h"
#include "store/model.h"

struct arena;
struct server;

#define INVITATION_TOKEN_LEN 64
#define INVITATION_TTL_S     (7 * 24 * 3600)
#define INVITATION_LINK_PATH "/invitations/accept"
/* The longest token accepted as input (longer: unknown without a lookup). */
#define INVITATION_TOKEN_MAX 255

enum invitation_state { INV_PENDING, INV_EXPIRED, INV_ACCEPTED, INV_CANCELLED };

/* The state of an invitation at now (accepted and cancelled win over
 * expired). */
enum invitation_state invitation_state(const struct invitation *inv, int64_t now);
/* "pending", "expired", "accepted", "cancelled". */
const char *invitation_state_str(enum invitation_state s);

/* Why an invitation could not be made, resent, cancelled or accepted. */
enum invite_refusal {
    INVITE_OK = 0,
    INVITE_BAD_ROLE,         /* role_id is not one of the tenant's roles (ERR_INVALID) */
    INVITE_ROLE_ABOVE,       /* the role grants what the inviter lacks (ERR_FORBIDDEN) */
    INVITE_MEMBER,           /* the email's account is a member already (ERR_CONFLICT) */
    INVITE_PENDING,          /* an open, unexpired invitation exists (ERR_CONFLICT) */
    INVITE_NOT_OPEN,         /* accepted, cancelled or expired: see the state (ERR_CONFLICT) */
    INVITE_USER_INACTIVE,    /* accept: the account is inactive (ERR_FORBIDDEN) */
    INVITE_USER_SUSPENDED,   /* accept: the account is suspended (ERR_FORBIDDEN) */
    INVITE_TENANT_SUSPENDED, /* accept: the tenant is suspended (ERR_FORBIDDEN) */
};

/*
 * The email checks of an invite, for the validation step (so that every
 * error is reported at once): *why gets INVITE_MEMBER (the address's
 * account is a member of tenant_id, active or suspended), INVITE_PENDING
 * (an open invitation that has not expired) or INVITE_OK. The role is
 * checked with team_role(). Returns 0 or a store error.
 */
int invitation_check_email(struct server *srv, struct arena *a, int64_t tenant_id,
                           const char *email, enum invite_refusal *why)
    __attribute__((warn_unused_result));

/*
 * Invites email (valid, any case) into the actor's tenant with role_id,
 * emails the link and audits invitation.create. *out is the new row.
 * Errors: ERR_INVALID/ERR_FORBIDDEN/ERR_CONFLICT with *why; the mailer's
 * ERR_BUSY or ERR_UNAVAILABLE (then the invitation is cancelled again);
 * store errors.
 */
int invitation_create(struct server *srv, struct arena *a, const struct principal *actor,
                      const char *email, int64_t role_id, const char *ip, struct invitation *out,
                      enum invite_refusal *why) __attribute__((warn_unused_result));

/*
 * A new token and expiry for an open invitation of the actor's tenant (an
 * expired one included), emailed; audits invitation.resend. ERR_NOT_FOUND
 * (no such invitation in this tenant), ERR_CONFLICT + INVITE_NOT_OPEN
 * (accepted or cancelled; *out holds it), mail and store errors.
 */
int invitation_resend(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t id, const char *ip, struct invitation *out, enum invite_refusal *why)
    __attribute__((warn_unused_result));

/* Cancels an open invitation of the actor's tenant; audits
 * invitation.cancel. Errors as invitation_resend. */
int invitation_cancel(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t id, const char *ip, struct invitation *out, enum invite_refusal *why)
    __attribute__((warn_unused_result));

/* The tenant's open invitations (expired ones included), newest first. */
int invitation_list(struct server *srv, struct arena *a, int64_t tenant_id, struct invitation **out,
                    size_t *n) __attribute__((warn_unused_result));

/*
 * Emails the invitation inv (of tenant, for role) with its plaintext
 * token; inviter is who sends it (for the wording; may be NULL). Returns
 * 0 or the mailer's error (ERR_INVALID, ERR_BUSY, ERR_UNAVAILABLE).
 * Implemented in invitation_mail.c.
 */
int invitation_mail(struct server *srv, struct arena *a, const struct invitation *inv,
                    const char *token, const struct tenant *tenant, const struct role *role,
                    const struct user *inviter) __attribute__((warn_unused_result));

/* ---- accepting ---- */

struct acceptance {
    struct server *srv;
    const char *ip;
    char hash[TOKEN_HASH_HEX + 1]; /* of the presented token */
    struct invitation inv;
    struct tenant tenant;
    struct role role;
    bool existing; /* the email has an account (user) */
    struct user user;
    const char *name; /* new account: borrowed */
    char *password;   /* new account: owned, wiped */
    int hash_rc;      /* set by accept_work */
    char pw_hash[PASSWORD_HASH_MAX];
};

/*
 * Finds the invitation of token and checks it. ERR_NOT_FOUND for an
 * unknown (or malformed) token; ERR_CONFLICT + INVITE_NOT_OPEN with the
 * state in *state (expired, cancelled, accepted); ERR_FORBIDDEN +
 * INVITE_TENANT_SUSPENDED; store errors. On success acc->existing tells
 * whether accept_set_password must be called before the work step.
 */
int accept_begin(struct server *srv, struct arena *a, struct acceptance *acc, const char *token,
                 const char *ip, enum invitation_state *state, enum invite_refusal *why)
    __attribute__((warn_unused_result));
/* For a new account: its name (borrowed) and password (copied). */
void accept_set_password(struct acceptance *acc, const char *name, const char *password);
/* The slow part (hashing a new account's password); any thread. arg is a
 * struct acceptance *. Does nothing for an existing account. */
void accept_work(void *arg);
/*
 * Completes it. On success *user is the account (new or existing) and
 * *role the invited role. ERR_CONFLICT + INVITE_NOT_OPEN (*state: it was
 * used, cancelled, renewed or expired meanwhile) or + INVITE_MEMBER;
 * ERR_FORBIDDEN + INVITE_USER_INACTIVE / _SUSPENDED; ERR_CRYPTO; store
 * errors.
 */
int accept_finish(struct acceptance *acc, struct arena *a, struct user *user,
                  enum invitation_state *state, enum invite_refusal *why)
    __attribute__((warn_unused_result));
/* Wipes and frees the password copy and its hash. */
void accept_fini(struct acceptance *acc);
