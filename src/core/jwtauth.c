/*
 * jwtauth.c - JWT access tokens: issue (row + signature) and authenticate
 * (signature + claims + row + user + tenant), see jwtauth.h.
 *
 * Check order on a request: the token itself (signature, iss, aud, times)
 * and its row (present, kind jwt, not revoked, not expired, same user) all
 * answer 401 before anything about the account is looked at; user, tenant
 * and membership status answer 403 after. One exception: a revoked row
 * whose membership was suspended or removed since answers that 403
 * (principal_revoked), since its holder was signed out by that change. Like a Sanctum token, a JWT
 * costs one joined read of the store (store_principal_by_token) once its
 * signature is known (jwt_memo).
 */
#include "core/jwtauth.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/keyring.h"
#include "core/lastused.h"
#include "core/pcache.h"
#include "core/tenant.h"
#include "crypto/jwt.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

static const char *const all_abilities[] = {"*"};

int jwtauth_issue(struct server *srv, struct arena *a, struct principal *p, const char *name,
                  const char *ip, char **jwt)
{
    *jwt = NULL;
    if (name == NULL || name[0] == '\0' || strlen(name) > 255)
        return ERR_INVALID;
    int64_t now = time_now();
    struct token *t = &p->token;
    *t = (struct token){
        .user_id = p->user.id,
        .tenant_id = p->has_tenant ? p->tenant.id : 0,
        .name = name,
        .abilities = {.items = (const char **)(uintptr_t)all_abilities, .n = 1},
        .kind = TOKEN_JWT,
        .expires_at = now + srv->cfg.jwt_ttl_s,
    };
    int rc = store_token_insert(srv->store, t);
    if (rc != 0)
        return rc;
    struct jwt_claims c = {
        .iss = srv->cfg.public_url,
        .sub = arena_printf(a, "%lld", (long long)p->user.id),
        .aud = srv->cfg.jwt_audience,
        .tid = p->has_tenant ? p->tenant.slug : NULL,
        .jti = arena_printf(a, "%lld", (long long)t->id),
        .iat = now,
        .nbf = now,
        .exp = t->expires_at,
    };
    if (p->has_tenant)
        c.scopes = p->role.permissions;
    char *signed_jwt = NULL;
    char kid[JWT_KID_MAX + 1];
    rc = keyring_sign(srv->keys, &c, &signed_jwt, kid);
    if (rc != 0) {
        /* The row would never be usable: mark it dead. */
        if (store_token_revoke(srv->store, t->id, now) != 0)
            log_warnx("event=jwt_row_revoke_failed token=%lld", (long long)t->id);
        return rc;
    }
    *jwt = arena_strdup(a, signed_jwt);
    free(signed_jwt);
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "token_id", t->id);
    audit_detail_str(&d, "kind", "jwt");
    audit_detail_str(&d, "kid", kid);
    audit_record(srv, t->tenant_id, p->user.id, "token.create", ip, &d);
    return 0;
}

/* A positive decimal id of at most 18 digits, or 0. */
static int64_t parse_id(const char *s)
{
    int64_t v = 0;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 18)
            return 0;
        v = v * 10 + (s[n] - '0');
    }
    return n > 0 && s[0] != '0' ? v : 0;
}

/* The rows of a verified token (one joined read: token, user, tenant,
 * membership, role), the token row checked against its claims. The tenant
 * is the token's own, or the one whose slug is in (not NULL). */
static int load_rows(struct server *srv, struct arena *a, const struct jwt_claims *c,
                     const char *in, int64_t now, struct principal_rows *out)
{
    int64_t jti = parse_id(c->jti), sub = parse_id(c->sub);
    if (jti == 0 || sub == 0)
        return ERR_UNAUTHENTICATED;
    int rc = in != NULL ? pcache_principal_in_tenant(srv->pcache, srv->store, a, jti, in, out)
                        : pcache_principal_by_token(srv->pcache, srv->store, a, jti, NULL, out);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED; /* no such row, or its user is gone */
    if (rc != 0)
        return rc;
    const struct token *t = &out->token;
    if (t->kind != TOKEN_JWT || t->user_id != sub || (t->expires_at != 0 && t->expires_at <= now))
        return ERR_UNAUTHENTICATED;
    return 0;
}

/*
 * The tenant a request chooses with X-Tenant, when it is not the token's
 * own (named by the tid claim): NULL for the token's tenant. A value that
 * cannot be a slug is *unknown (no tenant has it; nothing to read).
 */
static const char *chosen_tenant(const char *x_tenant, const struct jwt_claims *c, bool *unknown)
{
    *unknown = false;
    if (x_tenant == NULL || x_tenant[0] == '\0' ||
        (c->tid != NULL && strcmp(x_tenant, c->tid) == 0))
        return NULL;
    *unknown = !tenant_slug_valid(x_tenant);
    return x_tenant;
}

/* principal_from_jwt and principal_from_jwt_user: x_tenant is ignored when
 * user_only is set, and no tenant is bound. */
static int from_jwt(struct server *srv, struct arena *a, const char *bearer, const char *x_tenant,
                    bool user_only, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    int64_t now = time_now();
    struct jwt_expect ex = {
        .iss = srv->cfg.public_url,
        .aud = srv->cfg.jwt_audience,
        .now = now,
        .leeway = JWT_DEFAULT_LEEWAY,
        .memo = keyring_memo(srv->keys),
    };
    struct jwt_claims c;
    enum jwt_fail why = JWT_FAIL_NONE;
    if (bearer == NULL)
        return ERR_UNAUTHENTICATED;
    int rc = jwt_verify(bearer, keyring_lookup, srv->keys, &ex, a, &c, &why);
    if (rc != 0) {
        log_debug("event=jwt_refused reason=%s", jwt_fail_str(why));
        return rc;
    }
    bool unknown = false;
    const char *in = user_only ? NULL : chosen_tenant(x_tenant, &c, &unknown);
    struct principal_rows rows;
    rc = load_rows(srv, a, &c, unknown ? NULL : in, now, &rows);
    if (rc != 0)
        return rc;
    if (rows.token.revoked_at != 0) {
        /* Only a tid that names the row's tenant gets the refusal. */
        if (user_only || in != NULL || !rows.has_tenant || c.tid == NULL ||
            strcmp(c.tid, rows.tenant.slug) != 0)
            return ERR_UNAUTHENTICATED;
        return principal_revoked(p, &rows);
    }
    p->via = VIA_JWT;
    lastused_touch(srv->lastused, rows.token.id, now);
    if (user_only) {
        p->token = rows.token;
        p->user = rows.user;
        return principal_check_user(p);
    }
    if (in != NULL) {
        /* Another organisation of the user: the rows are of that tenant. */
        if (unknown)
            rows.has_tenant = false;
        return principal_bind_rows_in(p, &rows);
    }
    rc = principal_bind_rows(srv, a, p, &rows, x_tenant);
    if (rc != 0)
        return rc;
    /* The row is the authority; a tid that disagrees is not ours. */
    if (p->has_tenant && (c.tid == NULL || strcmp(c.tid, p->tenant.slug) != 0))
        return ERR_UNAUTHENTICATED;
    return 0;
}

int principal_from_jwt(struct server *srv, struct arena *a, const char *bearer,
                       const char *x_tenant, struct principal *p)
{
    return from_jwt(srv, a, bearer, x_tenant, false, p);
}

int principal_from_jwt_user(struct server *srv, struct arena *a, const char *bearer,
                            struct principal *p)
{
    return from_jwt(srv, a, bearer, NULL, true, p);
}
