/*
 * user.c - user creation, lookup, status, and memberships.
 */
#include "core/user.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/pcache.h"
#include "crypto/password.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* A dot-separated part (local part or domain) with no empty label; in a
 * domain (hyphens true) no label starts or ends with '-'. */
static bool labels_ok(const char *p, const char *end, bool hyphens)
{
    const char *label = p;
    for (;; p++) {
        if (p == end || *p == '.') {
            if (p == label)
                return false;
            if (hyphens && (label[0] == '-' || p[-1] == '-'))
                return false;
            if (p == end)
                return true;
            label = p + 1;
        }
    }
}

bool user_email_syntax(const char *s)
{
    const char *at = strchr(s, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
            c == ';' || c == '<' || c == '>' || c == '[' || c == '\\' || c == ']')
            return false;
    }
    return labels_ok(s, at, false) && labels_ok(at + 1, at + strlen(at), true);
}

bool user_email_valid(const char *s)
{
    return strlen(s) <= USER_EMAIL_MAX && user_email_syntax(s);
}

char *user_email_fold(struct arena *a, const char *email)
{
    char *s = arena_strdup(a, email);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static bool hash_importable(const char *h)
{
    return strncmp(h, "$argon2id$", 10) == 0 || strncmp(h, "$2y$", 4) == 0 ||
           strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2a$", 4) == 0;
}

static int validate(const struct user_request *rq)
{
    if (rq->email == NULL || !user_email_valid(rq->email))
        return ERR_INVALID;
    if (rq->name == NULL || rq->name[0] == '\0' || strlen(rq->name) > USER_NAME_MAX)
        return ERR_INVALID;
    if ((rq->password == NULL) == (rq->password_hash == NULL))
        return ERR_INVALID;
    if (rq->password != NULL && (rq->password[0] == '\0' || strlen(rq->password) > 1024))
        return ERR_INVALID;
    if (rq->password_hash != NULL &&
        (!hash_importable(rq->password_hash) || strlen(rq->password_hash) >= PASSWORD_HASH_MAX))
        return ERR_INVALID;
    if ((rq->phone && strlen(rq->phone) > 64) || (rq->avatar && strlen(rq->avatar) > 2048))
        return ERR_INVALID;
    if ((rq->tenant_id == 0) != (rq->role_id == 0))
        return ERR_INVALID;
    return 0;
}

/* Inserts the user row and its membership; hash is the final hash. */
static int insert_user(struct server *srv, struct arena *a, const struct user_request *rq,
                       const char *hash, struct user *out)
{
    int64_t now = time_now();
    *out = (struct user){
        .name = rq->name,
        .first_name = rq->first_name,
        .last_name = rq->last_name,
        .email = user_email_fold(a, rq->email),
        .phone = rq->phone,
        .avatar = rq->avatar,
        .password_hash = arena_strdup(a, hash),
        .status = rq->status,
        .is_super_admin = rq->is_super_admin,
        .email_verified_at = rq->verified ? now : 0,
        .preferences = rq->preferences ? rq->preferences : "{}",
        .attributes = rq->attributes ? rq->attributes : "{}",
    };
    int rc = store_user_insert(srv->store, out);
    if (rc == 0 && rq->tenant_id != 0) {
        struct membership m = {
            .user_id = out->id,
            .tenant_id = rq->tenant_id,
            .role_id = rq->role_id,
            .status = MEMBER_ACTIVE,
            .joined_at = now,
        };
        rc = store_membership_insert(srv->store, &m);
    }
    return rc;
}

int user_insert_in_tx(struct server *srv, struct arena *a, const struct user_request *rq,
                      struct user *out)
{
    if (rq->password != NULL || rq->password_hash == NULL)
        return ERR_INVALID;
    int rc = validate(rq);
    if (rc != 0)
        return rc;
    return insert_user(srv, a, rq, rq->password_hash, out);
}

int user_create(struct server *srv, struct arena *a, const struct user_request *rq,
                struct user *out)
{
    int rc = validate(rq);
    if (rc != 0)
        return rc;
    char hash[PASSWORD_HASH_MAX];
    if (rq->password != NULL) {
        rc = password_hash(&srv->pw, rq->password, hash);
        if (rc != 0)
            return rc;
    } else {
        snprintf(hash, sizeof(hash), "%s", rq->password_hash);
    }
    if ((rc = store_tx_begin(srv->store)) != 0)
        return rc;
    rc = insert_user(srv, a, rq, hash, out);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc == 0)
        audit_record(srv, rq->tenant_id, out->id, "user.create", NULL, NULL);
    return rc;
}

int user_find_email(struct server *srv, struct arena *a, const char *email, struct user *out)
{
    if (email == NULL || strlen(email) > USER_EMAIL_MAX)
        return ERR_NOT_FOUND;
    return store_user_by_email(srv->store, a, user_email_fold(a, email), out);
}

int user_find_id(struct server *srv, struct arena *a, int64_t id, struct user *out)
{
    return store_user_by_id(srv->store, a, id, out);
}

int user_count(struct server *srv, int64_t *n)
{
    return store_user_count(srv->store, n);
}

int user_orgs(struct server *srv, struct arena *a, int64_t user_id, struct org_row **out, size_t *n)
{
    return pcache_orgs_by_user(srv->pcache, srv->store, a, user_id, out, n);
}

int member_get(struct server *srv, int64_t user_id, int64_t tenant_id, struct membership *out)
{
    return store_membership_get(srv->store, user_id, tenant_id, out);
}

int member_add(struct server *srv, int64_t user_id, int64_t tenant_id, int64_t role_id)
{
    struct membership m = {
        .user_id = user_id,
        .tenant_id = tenant_id,
        .role_id = role_id,
        .status = MEMBER_ACTIVE,
        .joined_at = time_now(),
    };
    int rc = store_membership_insert(srv->store, &m);
    if (rc == 0)
        audit_record(srv, tenant_id, user_id, "member.add", NULL, NULL);
    return rc;
}

int member_set_status(struct server *srv, int64_t user_id, int64_t tenant_id, enum member_status st)
{
    int rc = store_membership_set_status(srv->store, user_id, tenant_id, st);
    if (rc == 0)
        audit_record(srv, tenant_id, user_id,
                     st == MEMBER_ACTIVE ? "member.reactivate" : "member.suspend", NULL, NULL);
    return rc;
}

int user_set_status(struct server *srv, int64_t user_id, enum user_status st)
{
    int rc = store_user_set_status(srv->store, user_id, st);
    if (rc == 0) {
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_str(&d, "status", user_status_str(st));
        audit_record(srv, 0, user_id, "user.status", NULL, &d);
    }
    return rc;
}
