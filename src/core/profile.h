/*
 * profile.h - what a signed-in user changes about their own account on
 * the dashboard's profile page (issue 15): their name, and the password
 * confirmation that guards "sign out other sessions" (Jetstream's
 * LogoutOtherBrowserSessionsForm). The password change itself is
 * core/passwd.h; the session list and the sign-out are core/session.h.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct server;
struct principal;

#define PROFILE_NAME_MAX 255

/* Sets the user's display name (first and last names are then derived
 * from it). Audited as profile.update. ERR_NOT_FOUND, ERR_STORE. */
int profile_rename(struct server *srv, const struct principal *p, const char *name, const char *ip)
    __attribute__((warn_unused_result));

/*
 * A password checked against the user's hash off the request thread:
 *   profile_confirm_begin()  request thread: copy the password and hash
 *   profile_confirm_work()   hashing pool: verify (sets ok)
 *   profile_confirm_fini()   wipes and frees the copy
 */
struct profile_confirm {
    char *password;   /* owned, wiped */
    const char *hash; /* arena; NULL: no password set, never confirmed */
    bool ok;
};

void profile_confirm_begin(struct arena *a, struct profile_confirm *c, const struct principal *p,
                           const char *password);
/* The slow part; safe on any thread. arg is a struct profile_confirm *. */
void profile_confirm_work(void *arg);
void profile_confirm_fini(struct profile_confirm *c);
