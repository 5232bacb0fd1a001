/*
 * admin.h - what staff do to users and tenants through the admin API
 * (seed 001). Every change is audited with the acting staff member as the
 * entry's user and the target in its detail.
 *
 * Guards: nobody suspends, deactivates or deletes their own account, and
 * a staff member changes, deletes or makes an API token for another staff
 * member only when that one's permissions are a subset of their own
 * (ERR_FORBIDDEN; so only an Owner touches an Owner).
 *
 * Reads: staff see every user and tenant, whichever tenants they belong
 * to; which staff may read at all is the route's permission (users:list,
 * tenants:list). The filters and summary rows are the store's
 * (user_filter, tenant_filter, tenant_summary).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"
#include "store/model.h"
#include "store/store.h"

struct arena;
struct server;

/* A page of users matching f, ordered by id, and *total over all pages. */
int admin_user_search(struct server *srv, struct arena *a, const struct user_filter *f,
                      struct user **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/* One membership of a user with its tenant and role (role.id 0: none). */
struct admin_membership {
    struct membership membership;
    struct tenant tenant;
    struct role role;
};

/* Every membership of a user, oldest first (arena array). */
int admin_user_memberships(struct server *srv, struct arena *a, int64_t user_id,
                           struct admin_membership **out, size_t *n)
    __attribute__((warn_unused_result));

/* A page of tenants matching f, ordered by id, each with its member count. */
int admin_tenant_search(struct server *srv, struct arena *a, const struct tenant_filter *f,
                        struct tenant_summary **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
/* A tenant with its member count. ERR_NOT_FOUND. */
int admin_tenant_find(struct server *srv, struct arena *a, int64_t id, struct tenant_summary *out)
    __attribute__((warn_unused_result));

/* Ends every way the user is signed in: revokes all their tokens (every
 * kind, every tenant) and deletes all their sessions. */
int admin_revoke_credentials(struct server *srv, int64_t user_id)
    __attribute__((warn_unused_result));

/* The staff guard above for actor acting on user target: 0 when target
 * is not staff or their role's permissions are a subset of the actor's;
 * ERR_FORBIDDEN; ERR_STORE. */
int admin_may_act_on(struct server *srv, struct arena *a, const struct principal *actor,
                     int64_t target) __attribute__((warn_unused_result));

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
