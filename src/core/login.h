/*
 * login.h - password login in three steps, so the slow hash runs off the
 * request thread:
 *   login_begin()   request thread: find the user (or a dummy hash, so an
 *                   unknown email costs the same), copy the password
 *   login_verify()  hashing pool: verify, and rehash bcrypt/old argon2id
 *   login_finish()  request thread: check status and tenant, issue the
 *                   token, update last_login_at, audit success or failure
 * struct login owns a copy of the password, wiped by login_fini().
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "crypto/password.h"

struct arena;
struct server;

struct login {
    struct server *srv;
    const char *email;       /* folded, arena */
    char *password;          /* owned, wiped */
    const char *device_name; /* token name */
    const char *x_tenant;    /* optional slug */
    const char *ip;
    bool jwt; /* issue a JWT (AutoCom) instead of a PAT; set after login_begin */
    bool found;
    struct user user;
    const char *hash;     /* user's hash or the dummy */
    bool verified;        /* set by login_verify */
    uint32_t retry_after; /* login_begin's ERR_LIMIT: seconds until the account may try again */
    bool rehashed;
    char new_hash[PASSWORD_HASH_MAX];
};

/*
 * Fills l; strings are borrowed except the password, which is copied.
 * ERR_LIMIT (l->retry_after set) when the account's guessing limit is
 * reached for this address (core/acctlimit.h): nothing was looked up.
 */
int login_begin(struct server *srv, struct arena *a, struct login *l, const char *email,
                const char *password, const char *device_name, const char *x_tenant, const char *ip)
    __attribute__((warn_unused_result));
/* The slow part; safe on any thread. arg is a struct login *. */
void login_verify(void *arg);
/*
 * Completes the login: ERR_UNAUTHENTICATED for wrong credentials,
 * ERR_FORBIDDEN with p->refusal, ERR_STORE. On success p is the principal
 * and *plaintext the new token (a PAT, or a JWT when l->jwt).
 */
int login_finish(struct login *l, struct arena *a, struct principal *p, char **plaintext)
    __attribute__((warn_unused_result));
/*
 * login_finish up to the credential, for callers that issue their own (a
 * dashboard session): the same checks, errors and failure audit; on
 * success p is the principal. Then login_succeeded() once the credential
 * exists.
 */
int login_check(struct login *l, struct arena *a, struct principal *p)
    __attribute__((warn_unused_result));
/* Records a completed login: last_login_at, and login.success in the
 * audit log with the tenant and via ("token", "jwt", "session"). */
void login_succeeded(struct login *l, struct principal *p, const char *via);
/* Counts the password check's outcome in the account's guessing limit;
 * login_check and staff_login_finish call it once. */
void login_count(struct login *l);
/* Wipes and frees the password copy. */
void login_fini(struct login *l);
