/*
 * login.c - password login split around the slow hash (see login.h).
 *
 * Unknown emails verify against a dummy argon2id hash so that they cost
 * the same as known ones, and a known account whose hash is at other
 * parameters (older cost, bcrypt) also pays one hash at today's cost
 * (password_check); the answer is the same "incorrect credentials" either
 * way. Status and tenant checks happen only after the password is
 * proven, so they reveal nothing to someone who does not know it.
 */
#include "core/login.h"

#include <stdlib.h>
#include <string.h>

#include "core/acctlimit.h"
#include "core/audit.h"
#include "core/jwtauth.h"
#include "core/token.h"
#include "core/user.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

int login_begin(struct server *srv, struct arena *a, struct login *l, const char *email,
                const char *password, const char *device_name, const char *x_tenant, const char *ip)
{
    memset(l, 0, sizeof(*l));
    l->srv = srv;
    l->email = user_email_fold(a, email);
    l->password = xstrdup(password);
    l->device_name = device_name;
    l->x_tenant = x_tenant;
    l->ip = ip;
    if (acctlimit_locked(srv, l->email, ip, &l->retry_after))
        return ERR_LIMIT;
    int rc = user_find_email(srv, a, email, &l->user);
    if (rc == 0) {
        l->found = true;
        l->hash = l->user.password_hash;
    } else if (rc == ERR_NOT_FOUND) {
        l->hash = password_dummy_hash(&srv->pw);
    } else {
        return rc;
    }
    return 0;
}

void login_verify(void *arg)
{
    struct login *l = arg;
    bool rehashed = false;
    bool ok = password_check(&l->srv->pw, l->password, l->hash, l->new_hash, &rehashed);
    l->verified = ok && l->found;
    l->rehashed = l->verified && rehashed;
}

static void audit_failure(struct login *l, const char *reason)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "reason", reason);
    audit_record(l->srv, 0, l->found ? l->user.id : 0, "login.failure", l->ip, &d);
}

void login_count(struct login *l)
{
    acctlimit_record(l->srv, l->email, l->ip, l->verified);
}

int login_check(struct login *l, struct arena *a, struct principal *p)
{
    struct server *srv = l->srv;
    memset(p, 0, sizeof(*p));
    login_count(l);
    if (!l->verified) {
        audit_failure(l, "credentials");
        return ERR_UNAUTHENTICATED;
    }
    if (l->rehashed && store_user_set_password(srv->store, l->user.id, l->new_hash) != 0)
        log_warnx("event=rehash_failed user=%lld", (long long)l->user.id);
    p->via = VIA_PASSWORD;
    p->user = l->user;
    int rc = principal_bind_tenant(srv, a, p, l->x_tenant, 0);
    if (rc == ERR_FORBIDDEN)
        audit_failure(l, "refused");
    return rc;
}

void login_succeeded(struct login *l, struct principal *p, const char *via)
{
    struct server *srv = l->srv;
    int64_t now = time_now();
    if (store_user_set_last_login(srv->store, p->user.id, now) == 0)
        p->user.last_login_at = now;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "via", via);
    audit_record(srv, p->has_tenant ? p->tenant.id : 0, p->user.id, "login.success", l->ip, &d);
}

int login_finish(struct login *l, struct arena *a, struct principal *p, char **plaintext)
{
    struct server *srv = l->srv;
    int rc = login_check(l, a, p);
    if (rc != 0)
        return rc;
    struct token_request rq = {
        .user_id = p->user.id,
        .tenant_id = p->has_tenant ? p->tenant.id : 0,
        .name = l->device_name,
        .kind = TOKEN_PAT,
        .ip = l->ip,
    };
    if (l->jwt)
        rc = jwtauth_issue(srv, a, p, l->device_name, l->ip, plaintext);
    else
        rc = token_issue(srv, a, &rq, &p->token, plaintext);
    if (rc != 0)
        return rc;
    login_succeeded(l, p, l->jwt ? "jwt" : "token");
    return 0;
}

void login_fini(struct login *l)
{
    if (l->password != NULL) {
        secure_wipe(l->password, strlen(l->password));
        free(l->password);
        l->password = NULL;
    }
    secure_wipe(l->new_hash, sizeof(l->new_hash));
}
