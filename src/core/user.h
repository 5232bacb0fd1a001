/*
 * user.h - users and memberships.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"
#include "store/store.h" /* struct org_row, the joined rows user_orgs returns */

struct arena;
struct server;

#define USER_EMAIL_MAX 254
#define USER_NAME_MAX  255

struct user_request {
    const char *email;
    const char *name;
    const char *password;      /* hashed with argon2id; or NULL with: */
    const char *password_hash; /* an imported argon2id or bcrypt hash */
    const char *phone;
    const char *avatar;
    enum user_status status;
    const char *preferences; /* JSON object text (validated by the caller) or NULL */
    const char *attributes;  /* JSON object text or NULL */
    bool verified;           /* email_verified_at = now */
    bool is_super_admin;
    int64_t tenant_id;      /* 0: no membership */
    int64_t role_id;        /* with tenant_id */
    const char *first_name; /* may be NULL */
    const char *last_name;  /* may be NULL */
};

/*
 * True if s is an address as Laravel's "email" rule (RFC validation) reads
 * ordinary input: one '@', a local part of printable ASCII without the
 * specials "(),:;<>[\] and without a leading, trailing or doubled dot,
 * and a domain of dot-separated labels (a dotless "localhost" too) that
 * neither start nor end with '-'. No length limit: that is "max".
 */
bool user_email_syntax(const char *s);
/* user_email_syntax(s) and at most USER_EMAIL_MAX bytes. */
bool user_email_valid(const char *s);
/* Lower-cased copy of an email in the arena. */
char *user_email_fold(struct arena *a, const char *email);

/*
 * Creates a user (and its membership when tenant_id is set) in one
 * transaction. Hashes the password inline: for the CLI, not request
 * threads. ERR_INVALID, ERR_CONFLICT (email taken).
 */
int user_create(struct server *srv, struct arena *a, const struct user_request *rq,
                struct user *out) __attribute__((warn_unused_result));
/*
 * Inserts a user (and its membership when tenant_id is set) inside the
 * caller's open transaction, without hashing (rq->password_hash is
 * required: hash off the request thread first) and without the audit
 * record. ERR_INVALID, ERR_CONFLICT.
 */
int user_insert_in_tx(struct server *srv, struct arena *a, const struct user_request *rq,
                      struct user *out) __attribute__((warn_unused_result));

/* Finds a user by email (folded). ERR_NOT_FOUND. */
int user_find_email(struct server *srv, struct arena *a, const char *email, struct user *out)
    __attribute__((warn_unused_result));
/* Finds a user by id (arena strings). ERR_NOT_FOUND. */
int user_find_id(struct server *srv, struct arena *a, int64_t id, struct user *out)
    __attribute__((warn_unused_result));
/* How many users exist (0 before the first start). */
int user_count(struct server *srv, int64_t *n) __attribute__((warn_unused_result));

/*
 * The user's organisations: every active membership whose tenant is active
 * and whose role exists, with that tenant and role, oldest first (arena
 * rows). Served from the principal cache while nothing has changed.
 */
int user_orgs(struct server *srv, struct arena *a, int64_t user_id, struct org_row **out, size_t *n)
    __attribute__((warn_unused_result));

/* The membership of a user in a tenant. ERR_NOT_FOUND: not a member. */
int member_get(struct server *srv, int64_t user_id, int64_t tenant_id, struct membership *out)
    __attribute__((warn_unused_result));

/* Adds a membership; audited. ERR_CONFLICT if already a member. */
int member_add(struct server *srv, int64_t user_id, int64_t tenant_id, int64_t role_id)
    __attribute__((warn_unused_result));
/* Changes a membership's status; audited. ERR_NOT_FOUND. */
int member_set_status(struct server *srv, int64_t user_id, int64_t tenant_id, enum member_status st)
    __attribute__((warn_unused_result));
/* Changes a user's status; audited. */
int user_set_status(struct server *srv, int64_t user_id, enum user_status st)
    __attribute__((warn_unused_result));
