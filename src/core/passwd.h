/*
 * passwd.h - a signed-in user changes their password (AutoCom, seed 002:
 * POST /api/v1/auth/change-password), with the slow work off the request
 * thread:
 *   passwd_begin()   request thread: copy both passwords, note the hash
 *   passwd_work()    hashing pool: verify the current password, hash the
 *                    new one
 *   passwd_finish()  request thread: store the new hash and revoke every
 *                    other token and end every other session of the
 *                    user, in one transaction; audit password.change
 * The token or the dashboard session the request came with stays valid
 * (issue 13: a change ends the user's *other* sessions).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "crypto/password.h"

struct arena;
struct server;

/* Laravel's min:8 and max:255 for a new password. */
#define PASSWD_NEW_MIN 8
#define PASSWD_NEW_MAX 255

struct passwd_change {
    struct server *srv;
    int64_t user_id;
    int64_t tenant_id;        /* for the audit log; 0 = none */
    int64_t keep_token_id;    /* the token in use */
    const char *keep_session; /* the id hash of the session in use (arena), or NULL */
    const char *ip;
    const char *old_hash; /* arena */
    char *current;        /* owned, wiped */
    char *new_password;   /* owned, wiped */
    bool verified;        /* set by passwd_work */
    int hash_rc;          /* set by passwd_work */
    char new_hash[PASSWORD_HASH_MAX];
};

/* Fills pc for principal p; the passwords are copied. */
void passwd_begin(struct server *srv, struct arena *a, struct passwd_change *pc,
                  const struct principal *p, const char *current, const char *new_password,
                  const char *ip);
/* The slow part; safe on any thread. arg is a struct passwd_change *. */
void passwd_work(void *arg);
/*
 * Completes the change: ERR_UNAUTHENTICATED when the current password was
 * wrong; ERR_CRYPTO, ERR_STORE. *revoked (may be NULL) receives how many
 * tokens were revoked.
 */
int passwd_finish(struct passwd_change *pc, int64_t *revoked) __attribute__((warn_unused_result));
/* Wipes and frees the password copies and the new hash. */
void passwd_fini(struct passwd_change *pc);
