/*
 * reset.h - password resets by email (seed 001's forgot-password and
 * reset-password; DESIGN section 4).
 *
 * A request mails a link holding a 64-character random token; the store
 * keeps only its SHA-256. The token works once, for RESET_TTL_S seconds
 * (server_now()), and only with the email it was sent to. Completing a
 * reset sets the new password, uses up every pending reset of that email,
 * and revokes every token and session of the user.
 */
#pragma once
#include <stdint.h>

#include "crypto/password.h"
#include "store/model.h"

struct arena;
struct server;

#define RESET_TOKEN_LEN 64
#define RESET_TTL_S     3600
/* The page the emailed link opens (under LATCHKEY_PUBLIC_URL): the admin
 * API's takes the token in the query, WedoCOD's in the path. */
#define RESET_LINK_PATH     "/admin/reset-password"
#define RESET_WEB_LINK_PATH "/reset-password/"

/* Who may get a reset email, and what it links to. */
enum reset_audience {
    RESET_STAFF, /* active staff (seed 001): RESET_LINK_PATH?token=...&email=... */
    RESET_USERS, /* any active user (seed 000): RESET_WEB_LINK_PATH<token>?email=... */
};

/*
 * Handles a forgot-password request for email (any string; the caller
 * answers the same whatever happens here). Copies it into a job for the
 * mail thread and returns: the same work for every address. The job
 * checks the throttle, makes and hashes a token, looks the user (and
 * their staff role) up and, only for an active user of the audience who
 * got no email in the last minute (bucket admin_reset_email or
 * web_reset_email), stores the reset and queues the email; it writes one
 * audit row either way. Failures are logged, never reported. Needs
 * srv->mailer (serve).
 */
void reset_request(struct server *srv, const char *email, const char *ip, enum reset_audience who);

/*
 * Checks a presented token and email: ERR_INVALID if the token is unknown,
 * used, expired, or was sent to another address (one answer for all), or
 * the user no longer exists; ERR_STORE. On success *reset and *user are
 * filled (arena).
 */
int reset_check(struct server *srv, struct arena *a, const char *token, const char *email,
                struct password_reset *reset, struct user *user)
    __attribute__((warn_unused_result));

/*
 * Completes a checked reset with a new password hash, in one transaction:
 * uses the token (ERR_INVALID if it was used meanwhile), stores the hash,
 * uses up the email's other resets, revokes every token and deletes every
 * session of the user. Audited as password.reset.
 */
int reset_complete(struct server *srv, const struct password_reset *reset, int64_t user_id,
                   const char *new_hash, const char *ip) __attribute__((warn_unused_result));

/*
 * A reset completed in three steps, so the new password is hashed off
 * the request thread (as login.h does):
 *   reset_begin()   request thread: reset_check, copy the password
 *   reset_work()    hashing pool: hash it
 *   reset_finish()  request thread: reset_complete with the hash
 * struct reset_completion owns the copy and the hash, wiped by
 * reset_fini() (also after a failed begin).
 */
struct reset_completion {
    struct server *srv;
    struct password_reset reset;
    int64_t user_id;
    char *password; /* owned, wiped */
    int hash_rc;    /* set by reset_work */
    char hash[PASSWORD_HASH_MAX];
};

/* reset_check's errors; strings are borrowed except the password. */
int reset_begin(struct server *srv, struct arena *a, struct reset_completion *c, const char *token,
                const char *email, const char *password) __attribute__((warn_unused_result));
/* The slow part; safe on any thread. arg is a struct reset_completion *. */
void reset_work(void *arg);
/* reset_complete's errors, or the hash's (ERR_CRYPTO). */
int reset_finish(struct reset_completion *c, const char *ip) __attribute__((warn_unused_result));
void reset_fini(struct reset_completion *c);
