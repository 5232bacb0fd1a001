/*
 * admin.h - what staff do to users and tenants through the admin API
 * (seed 001). Every change is audited with the acting staff member as the
 * entry's user and the target in its detail.
 *
 * Guards: nobody suspends, deactivates or deletes their own account, and
 * only an Owner may change or delete another Owner (ERR_FORBIDDEN).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "store/model.h"

struct arena;
struct server;

/* Ends every way the user is signed in: revokes all their tokens (every
 * kind, every tenant) and deletes all their sessions. */
int admin_revoke_credentials(struct server *srv, int64_t user_id)
    __attribute__((warn_unused_result));

struct admin_user_create {
    const char *first_name;
    const char *last_name; /* may be NULL */
    const char *email;
    const char *password_hash; /* argon2id, hashed off the request thread */
    enum user_status status;
};

/* Creates a user without any tenant. ERR_CONFLICT: the email is taken. */
int admin_user_create(struct server *srv, struct arena *a, const struct principal *actor,
                      const struct admin_user_create *rq, const char *ip, struct user *out)
    __attribute__((warn_unused_result));

struct admin_user_update {
    const char *first_name; /* NULL: unchanged */
    const char *last_name;  /* NULL: unchanged */
    bool set_status;
    enum user_status status;
};

/*
 * Updates names and/or status; *out receives the user as stored. A status
 * other than active also revokes the user's credentials everywhere.
 * ERR_NOT_FOUND; ERR_FORBIDDEN (another Owner, not being Owner);
 * ERR_CONFLICT (changing one's own status).
 */
int admin_user_update(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t user_id, const struct admin_user_update *up, const char *ip,
                      struct user *out) __attribute__((warn_unused_result));

/* Deletes a user. ERR_NOT_FOUND, ERR_FORBIDDEN, ERR_CONFLICT (oneself). */
int admin_user_delete(struct server *srv, struct arena *a, const struct principal *actor,
                      int64_t user_id, const char *ip) __attribute__((warn_unused_result));

/* Suspends or reactivates a tenant; its members are refused on every
 * surface while it is suspended (principal.c). ERR_NOT_FOUND. */
int admin_tenant_set_status(struct server *srv, const struct principal *actor, int64_t tenant_id,
                            enum tenant_status status, const char *ip)
    __attribute__((warn_unused_result));
