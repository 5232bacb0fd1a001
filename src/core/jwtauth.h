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
 * Authenticates a bearer JWT and fills *p (via VIA_JWT). x_tenant is the
 * X-Tenant header or NULL; when given it must name the token's tenant.
 * Returns 0; ERR_UNAUTHENTICATED for a token that fails jwt_verify (any
 * reason), whose row is missing, revoked, expired or not a jwt, or whose
 * claims disagree with the row; ERR_FORBIDDEN with p->refusal for an
 * inactive/suspended user, membership or tenant, or a foreign X-Tenant;
 * ERR_STORE. Records the use for the batched last_used_at.
 */
int principal_from_jwt(struct server *srv, struct arena *a, const char *bearer,
                       const char *x_tenant, struct principal *p)
    __attribute__((warn_unused_result));
