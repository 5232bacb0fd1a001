/*
 * jwtauth.h - RS256 JWT access tokens bound to a tokens row (AutoCom,
 * seed 002; DESIGN section 4).
 *
 * Every JWT has a row in tokens (kind jwt, no hash, expires_at = exp) whose
 * id is the jti, so logout and password changes revoke a JWT at once even
 * though other services can verify it offline until exp.
 *
 * Claims: iss (LATCHKEY_PUBLIC_URL), sub (user id), aud
 * (LATCHKEY_JWT_AUDIENCE), tid (tenant slug, the X-Tenant value), jti
 * (row id), iat = nbf = issue time, exp = iat + LATCHKEY_JWT_TTL, scopes
 * (the permissions the user's role granted at issue time: a snapshot for
 * offline verifiers; latchkey itself checks the live role every request).
 */
#pragma once
#include "core/principal.h"

struct arena;
struct server;

/*
 * Issues a JWT for p (user and, when has_tenant, tenant and role set):
 * inserts the row (named name), signs, audits token.create. Fills p->token
 * and sets *jwt (arena). ERR_INVALID, ERR_UNAVAILABLE (no signing key),
 * ERR_CRYPTO, store errors.
 */
int jwtauth_issue(struct server *srv, struct arena *a, struct principal *p, const char *name,
                  const char *ip, char **jwt) __attribute__((warn_unused_result));

/*
 * Authenticates a bearer JWT and fills *p (via VIA_JWT). A login is for
 * the user (DESIGN section 5): x_tenant, the X-Tenant header, chooses the
 * tenant of this request among the user's organisations; NULL or empty:
 * the token's own. The membership there and its status, and the tenant's,
 * are checked on every request. Returns 0; ERR_UNAUTHENTICATED for a token
 * that fails jwt_verify (any reason), whose row is missing, revoked,
 * expired or not a jwt, or whose claims disagree with the row;
 * ERR_FORBIDDEN with p->refusal for an inactive/suspended user, membership
 * or tenant, or a tenant the user is not a member of; ERR_NOT_FOUND with
 * REFUSE_TENANT_UNKNOWN when no tenant has the slug x_tenant; ERR_STORE.
 * Records the use for the batched last_used_at.
 */
int principal_from_jwt(struct server *srv, struct arena *a, const char *bearer,
                       const char *x_tenant, struct principal *p)
    __attribute__((warn_unused_result));

/*
 * The same for routes that take no tenant (AutoCom's /auth/tenants and
 * /auth/change-password): the token and the user's status only; no tenant
 * is bound (has_tenant false) and a revoked token is ERR_UNAUTHENTICATED.
 */
int principal_from_jwt_user(struct server *srv, struct arena *a, const char *bearer,
                            struct principal *p) __attribute__((warn_unused_result));
