/*
 * session.h - dashboard sessions (seed 000, WedoCOD; DESIGN section 4).
 *
 * A session is a row in the store (any instance serves it) named by a
 * random cookie value and carrying a CSRF token; the store holds only the
 * SHA-256 of each. A guest session (GET /sanctum/csrf-cookie) has no user;
 * a login moves it to a new id (fixation) bound to the user and a tenant,
 * keeping its CSRF token, as Laravel's session()->regenerate() does. A
 * session ends when idle for LATCHKEY_SESSION_IDLE_MINUTES, at
 * LATCHKEY_SESSION_LIFETIME_MINUTES after the login (or its creation), at
 * logout, or when its user or membership is suspended. Ended rows are
 * deleted when met, and a few at a time whenever a session starts.
 * Times are server_now() (LATCHKEY_TEST_CLOCK_OFFSET in tests).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"

struct arena;
struct server;

#define SESSION_ID_LEN      40 /* the cookie value: [A-Za-z0-9], about 238 bits */
#define SESSION_CSRF_LEN    40 /* the XSRF-TOKEN value: [A-Za-z0-9] */
#define SESSION_TOUCH_S     60 /* last_seen_at is written at most this often */
#define SESSION_PRUNE_BATCH 50 /* ended rows deleted when a session starts */
#define SESSION_COOKIE      "latchkey_session"
#define SESSION_CSRF_COOKIE "XSRF-TOKEN"

/* The plaintext values a reply sets as cookies. */
struct session_cookies {
    char id[SESSION_ID_LEN + 1];     /* SESSION_COOKIE */
    char csrf[SESSION_CSRF_LEN + 1]; /* SESSION_CSRF_COOKIE */
};

/*
 * The live session of a cookie value (NULL or malformed: none): 0 and
 * *out (arena strings); ERR_NOT_FOUND if there is none or it has ended
 * (the row is then deleted); ERR_STORE. Writes last_seen_at at most once
 * per SESSION_TOUCH_S.
 */
int session_find(struct server *srv, struct arena *a, const char *cookie, struct session *out)
    __attribute__((warn_unused_result));

/* Starts a guest session; *out and *ck filled. ip and ua may be NULL. */
int session_start_guest(struct server *srv, const char *ip, const char *ua, struct session *out,
                        struct session_cookies *ck) __attribute__((warn_unused_result));

/*
 * GET /sanctum/csrf-cookie on a live session s whose cookie value is
 * cookie: the token stays when presented (the client's XSRF-TOKEN cookie
 * matches), else a new one replaces it (its plaintext is not stored, so
 * it cannot be sent again). Fills *ck with both values.
 */
int session_refresh_csrf(struct server *srv, struct session *s, const char *cookie,
                         const char *presented, struct session_cookies *ck)
    __attribute__((warn_unused_result));

/* True if token is s's CSRF token (constant time; NULL is false). */
bool session_csrf_ok(const struct session *s, const char *token);

/*
 * Completes a login for p (user and tenant bound by login_check): moves
 * current (NULL: none) to a new id bound to them, keeping its CSRF token
 * csrf (the one the request presented); without a current session one is
 * made with a new token. *ck gets the new id and the token; *out the row.
 */
int session_login(struct server *srv, const struct session *current, const char *csrf,
                  const struct principal *p, const char *ip, const char *ua, struct session *out,
                  struct session_cookies *ck) __attribute__((warn_unused_result));

/*
 * The principal of a session with a user: the user, and its tenant with
 * the membership and role (principal_bind_tenant's checks), or no tenant
 * (staff). p->via is VIA_SESSION and p->session the row. ERR_UNAUTHENTICATED
 * for a guest session or a deleted user; ERR_FORBIDDEN with p->refusal
 * when the user or membership is suspended, inactive or gone, and the
 * session is then deleted (a suspended tenant keeps it); ERR_STORE.
 */
int session_principal(struct server *srv, struct arena *a, const struct session *s,
                      struct principal *p) __attribute__((warn_unused_result));

/*
 * Makes tenant_id the current tenant of the session of p (a session
 * principal; the dashboard's tenant switcher, Jetstream's PUT
 * /current-team): p's user is bound to it with principal_bind_tenant's
 * checks, then the session row is changed; every later request of the
 * session acts in that tenant. Audited as session.tenant_switched.
 * ERR_FORBIDDEN when the user is not an active member of that tenant, or
 * it is suspended or does not exist (one answer: nothing to enumerate);
 * ERR_NOT_FOUND if the session ended meanwhile; ERR_STORE.
 */
int session_switch_tenant(struct server *srv, struct arena *a, const struct principal *p,
                          int64_t tenant_id, const char *ip) __attribute__((warn_unused_result));

/* Ends a session (logout): deletes it; audited as logout. */
int session_logout(struct server *srv, const struct session *s, const char *ip)
    __attribute__((warn_unused_result));

/*
 * The live sessions of a user (those not yet ended by idle or absolute
 * expiry), most recently seen first (arena array): the profile page's
 * "active sessions".
 */
int session_list_user(struct server *srv, struct arena *a, int64_t user_id, struct session **out,
                      size_t *n) __attribute__((warn_unused_result));

/*
 * Ends every session of s's user but s (Jetstream's "log out other
 * browser sessions"); *n (may be NULL) receives how many. Tokens are left
 * alone, as in Jetstream. Audited as session.others_ended.
 */
int session_end_others(struct server *srv, const struct session *s, const char *ip, int64_t *n)
    __attribute__((warn_unused_result));
