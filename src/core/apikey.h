/*
 * apikey.h - API keys a dashboard session manages (seed 000, WedoCOD's
 * Settings -> API Keys): Sanctum personal access tokens (kind pat) of the
 * session's user and tenant, with scopes the user's role grants.
 *
 * Who sees what: a member holding "api_keys.manage" sees and revokes
 * every live key of the account (tenant); anybody else only their own.
 * Platform staff without a tenant manage their own keys without a tenant,
 * whose scopes are APIKEY_STAFF_SCOPES when their staff role holds
 * APIKEY_STAFF_PERMISSION (read-only across accounts), and nothing else.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"

struct arena;
struct server;

#define APIKEY_MANAGE           "api_keys.manage"
#define APIKEY_STAFF_PERMISSION "accounts:read"
#define APIKEY_MAX_ABILITIES    64

/* Why a generate request was refused (ERR_INVALID). */
enum apikey_refusal {
    APIKEY_OK = 0,
    APIKEY_UNKNOWN_SCOPE,  /* not in the product's catalogue */
    APIKEY_SCOPE_DENIED,   /* the role does not grant it */
    APIKEY_EXPIRES_PAST,   /* expires_at is not in the future */
    APIKEY_TOO_MANY_SCOPES /* more than APIKEY_MAX_ABILITIES */
};

struct apikey_request {
    const char *name;         /* 1..255 bytes */
    struct strlist abilities; /* scopes as the seed spells them, at least one */
    int64_t expires_at;       /* 0: never */
    const char *ip;
};

/*
 * Issues a key for p (a session principal) with rq's scopes: ERR_INVALID
 * with *why and *scope (the offending scope, borrowed from rq, or NULL)
 * for a request the rules above refuse. On success *out is the row and
 * *plaintext the "<id>|<secret>" (arena), shown once. Audited as
 * token.create.
 */
int apikey_generate(struct server *srv, struct arena *a, const struct principal *p,
                    const struct apikey_request *rq, struct token *out, char **plaintext,
                    enum apikey_refusal *why, const char **scope)
    __attribute__((warn_unused_result));

/* The live keys p may see, newest first (arena array). */
int apikey_list(struct server *srv, struct arena *a, const struct principal *p, struct token **out,
                size_t *n) __attribute__((warn_unused_result));

/* Revokes key id if p may see it; ERR_NOT_FOUND otherwise (another
 * account's key, someone else's without api_keys.manage, unknown,
 * already revoked). Audited as token.revoke. */
int apikey_revoke(struct server *srv, struct arena *a, const struct principal *p, int64_t id,
                  const char *ip) __attribute__((warn_unused_result));
