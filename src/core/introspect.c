/*
 * introspect.c - introspection and revocation of any token (introspect.h).
 *
 * No checker of its own: a JWT (three dot-separated parts) goes through
 * principal_from_jwt, anything else through principal_from_bearer (PATs,
 * API keys) and then staff_authenticate (admin tokens, which
 * principal_from_bearer refuses). Each answers 0 for a token its surface
 * accepts, and ERR_FORBIDDEN with the token row set for a genuine token
 * whose account, membership or tenant is refused: such a token is
 * inactive, but still revocable, so reactivating its user does not bring
 * it back after a revocation.
 */
#include "core/introspect.h"

#include <string.h>

#include "core/jwtauth.h"
#include "core/staff.h"
#include "core/token.h"
#include "server.h"
#include "util/err.h"

/* The platform reach of user (a super-admin, or staff holding the
 * permission). */
static int platform_reach(struct server *srv, struct arena *a, const struct user *u, bool *out)
{
    struct role r;
    *out = u->is_super_admin;
    if (*out)
        return 0;
    int rc = staff_role_of(srv, a, u->id, &r);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc == 0)
        *out = strlist_contains(&r.permissions, INTROSPECT_PERMISSION);
    return rc;
}

int introspect_caller_bearer(struct server *srv, struct arena *a, const char *bearer,
                             struct introspect_caller *out)
{
    struct principal p;
    memset(out, 0, sizeof(*out));
    int rc = principal_from_bearer(srv, a, bearer, NULL, &p);
    if (rc == ERR_FORBIDDEN || rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != 0)
        return rc;
    if (!strlist_contains(&p.token.abilities, INTROSPECT_ABILITY))
        return ERR_FORBIDDEN;
    out->user_id = p.user.id;
    if (p.token.tenant_id != 0) {
        out->tenant_id = p.token.tenant_id;
        return 0;
    }
    rc = platform_reach(srv, a, &p.user, &out->platform);
    if (rc != 0)
        return rc;
    return out->platform ? 0 : ERR_FORBIDDEN;
}

int introspect_caller_user(struct server *srv, struct arena *a, struct principal *p,
                           struct introspect_caller *out)
{
    memset(out, 0, sizeof(*out));
    int rc = principal_check_user(p);
    if (rc != 0)
        return rc;
    out->user_id = p->user.id;
    rc = platform_reach(srv, a, &p->user, &out->platform);
    if (rc != 0)
        return rc;
    return out->platform ? 0 : ERR_FORBIDDEN;
}

/* Whether token has a JWT's shape (header.payload.signature). */
static bool jwt_shaped(const char *token)
{
    const char *dot = strchr(token, '.');
    return dot != NULL && (dot = strchr(dot + 1, '.')) != NULL && strchr(dot + 1, '.') == NULL;
}

static bool within_reach(const struct introspect_caller *c, const struct token *t)
{
    return c->platform || (c->tenant_id != 0 && t->tenant_id == c->tenant_id);
}

/* Authenticates token as its own surface would; rc as described above. */
static int authenticate_any(struct server *srv, struct arena *a, const char *token,
                            struct principal *p)
{
    if (jwt_shaped(token))
        return principal_from_jwt(srv, a, token, NULL, p);
    int rc = principal_from_bearer(srv, a, token, NULL, p);
    if (rc != ERR_UNAUTHENTICATED)
        return rc;
    return staff_authenticate(srv, a, token, p);
}

int introspect_token(struct server *srv, struct arena *a, const struct introspect_caller *caller,
                     const char *token, struct introspection *out)
{
    memset(out, 0, sizeof(*out));
    if (token == NULL || token[0] == '\0' || strlen(token) > INTROSPECT_TOKEN_MAX)
        return 0;
    int rc = authenticate_any(srv, a, token, &out->p);
    if (rc != 0 && rc != ERR_UNAUTHENTICATED && rc != ERR_FORBIDDEN && rc != ERR_NOT_FOUND)
        return rc;
    const struct token *t = &out->p.token;
    bool genuine = (rc == 0 || rc == ERR_FORBIDDEN) && t->id != 0;
    if (!genuine || !within_reach(caller, t))
        return 0;
    out->active = rc == 0;
    if (t->revoked_at == 0)
        out->revoke_id = t->id;
    return 0;
}

int introspect_revoke(struct server *srv, struct arena *a, const struct introspect_caller *caller,
                      const char *token, const char *ip)
{
    struct introspection in;
    int rc = introspect_token(srv, a, caller, token, &in);
    if (rc != 0 || in.revoke_id == 0)
        return rc;
    rc = token_revoke(srv, in.revoke_id, caller->user_id, ip);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}
