/*
 * introspect.h - token introspection (RFC 7662) and revocation (RFC 7009)
 * for every kind of latchkey token: Sanctum PATs (travel tokens, WedoCOD
 * API keys, WNCMS API tokens), admin tokens (seed 001) and AutoCom JWTs.
 *
 * A presented token is checked by the same functions that authenticate it
 * on its own surface (principal_from_jwt, principal_from_bearer,
 * staff_authenticate): a token is active exactly when its surface would
 * accept it now, with no tenant chosen by the request.
 *
 * Callers are services with a reach: one tenant (a service token of that
 * tenant), or the whole platform (a tenantless service token of a
 * super-admin or of staff holding INTROSPECT_PERMISSION, or HTTP Basic of
 * such a staff member: a "service account"). A caller sees and revokes
 * only the tokens within its reach; any other token is inactive to it.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"

struct arena;
struct server;

/* The ability a service token must list explicitly ("*" is not enough),
 * and the staff permission of a platform-wide caller. */
#define INTROSPECT_ABILITY    "tokens:introspect"
#define INTROSPECT_PERMISSION "tokens:introspect"

/* Longest token looked at; a longer one is inactive without a lookup. */
#define INTROSPECT_TOKEN_MAX 8192

/* Whose tokens a caller may introspect and revoke. */
struct introspect_caller {
    int64_t user_id;   /* for the audit log */
    bool platform;     /* every tenant's tokens, and tokens of no tenant */
    int64_t tenant_id; /* else only this tenant's tokens */
};

/*
 * A caller presenting "Authorization: Bearer <PAT>": the token must be
 * active (principal_from_bearer) and list INTROSPECT_ABILITY. Its tenant is
 * the caller's reach; a token of no tenant reaches the platform when its
 * user is a super-admin or staff holding INTROSPECT_PERMISSION.
 * ERR_UNAUTHENTICATED (any credential problem, a refused account too),
 * ERR_FORBIDDEN (no such ability or reach), store errors.
 */
int introspect_caller_bearer(struct server *srv, struct arena *a, const char *bearer,
                             struct introspect_caller *out) __attribute__((warn_unused_result));

/*
 * A caller whose password was checked (p->user set, basic_finish): a
 * super-admin or a staff member holding INTROSPECT_PERMISSION reaches the
 * platform. ERR_FORBIDDEN otherwise (with p->refusal for an inactive
 * user), store errors.
 */
int introspect_caller_user(struct server *srv, struct arena *a, struct principal *p,
                           struct introspect_caller *out) __attribute__((warn_unused_result));

/* What a presented token is. */
struct introspection {
    bool active;        /* accepted now by its surface, and within reach */
    struct principal p; /* when active: user, token, tenant and role */
    int64_t revoke_id;  /* a genuine, unrevoked token within reach, else 0 */
};

/*
 * Looks token up (any kind) for caller and fills *out. A token that is
 * unknown, malformed, expired, revoked, of a refused user, membership or
 * tenant, or beyond the caller's reach is inactive (0 is returned). Only
 * store failures are errors. Records a use for the batched last_used_at,
 * like any authentication.
 */
int introspect_token(struct server *srv, struct arena *a, const struct introspect_caller *caller,
                     const char *token, struct introspection *out)
    __attribute__((warn_unused_result));

/*
 * Revokes token (any kind) if it is genuine and within caller's reach; a
 * JWT's row (its jti), so every instance refuses it at once. Anything else
 * is silently ignored (RFC 7009 2.2: 200 even for an unknown token).
 * Audited as token.revoke with the caller as actor. Store errors only.
 */
int introspect_revoke(struct server *srv, struct arena *a, const struct introspect_caller *caller,
                      const char *token, const char *ip) __attribute__((warn_unused_result));
