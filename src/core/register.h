/*
 * register.h - tenant self-registration (AutoCom, seed 002:
 * POST /api/v1/tenants): a new tenant with its default roles and its
 * owner, written in one transaction, with the slow password work off the
 * request thread:
 *   register_begin()   request thread: look up an account for the email,
 *                      copy the password
 *   register_work()    hashing pool: hash the new password, or verify it
 *                      against the existing account's hash
 *   register_finish()  request thread: insert tenant, roles, user (when
 *                      new) and owner membership; issue the JWT; audit
 * An email that already has an account is attached as the new tenant's
 * owner only when the password is that account's (docs/decisions.md).
 * struct registration owns a copy of the password, wiped by register_fini.
 */
#pragma once
#include <stdbool.h>

#include "core/principal.h"
#include "crypto/password.h"

struct arena;
struct server;

enum register_conflict { REG_NO_CONFLICT = 0, REG_DOMAIN_TAKEN, REG_EMAIL_TAKEN };

struct registration {
    struct server *srv;
    const char *company_name; /* borrowed */
    const char *slug;         /* borrowed, lower-case */
    const char *admin_name;   /* borrowed */
    const char *product;      /* borrowed: the tenant's product, set by the caller after
                                 register_begin (NULL: TENANT_PRODUCT_DEFAULT) */
    const char *email;        /* folded, arena */
    const char *ip;
    char *password; /* owned, wiped */
    bool existing;  /* the email has an account (user) */
    struct user user;
    bool verified; /* existing: the password is the account's (register_work) */
    int hash_rc;   /* new: result of hashing (register_work) */
    char hash[PASSWORD_HASH_MAX];
};

/* Fills r; strings are borrowed except the password, which is copied.
 * ERR_STORE. */
int register_begin(struct server *srv, struct arena *a, struct registration *r,
                   const char *company_name, const char *slug, const char *admin_name,
                   const char *email, const char *password, const char *ip)
    __attribute__((warn_unused_result));
/* The slow part; safe on any thread. arg is a struct registration *. */
void register_work(void *arg);
/*
 * Completes it. ERR_CONFLICT with *conflict (domain taken, or email taken:
 * also when the email has an account and the password is not its);
 * ERR_FORBIDDEN with p->refusal (the existing account is not active);
 * ERR_CRYPTO, ERR_UNAVAILABLE, ERR_STORE. On success p is the owner in the
 * new tenant and *jwt its access token (arena).
 */
int register_finish(struct registration *r, struct arena *a, struct principal *p, char **jwt,
                    enum register_conflict *conflict) __attribute__((warn_unused_result));
/* Wipes and frees the password copy and the hash. */
void register_fini(struct registration *r);
