/*
 * apitoken.h - the per-user API token of the WNCMS API (seed 003's
 * "API Token", issue 14): a Sanctum token of the user named
 * API_TOKEN_NAME, stored hashed like every token, so it can be shown only
 * once ("copy existing token" is impossible). Generating one revokes the
 * user's previous one (rotation) in the same transaction.
 */
#pragma once
#include <stdint.h>

struct arena;
struct server;

#define API_TOKEN_NAME "wncms-api-token"

/*
 * Revokes the user's live API token(s) for tenant_id (0: the user's
 * earliest active membership's; without one, a token of no tenant) and
 * issues a new one for that tenant (a token works in its own site only): its plaintext in
 * *plaintext (arena). Audited as api_token.revoke (when one was live) and token.create.
 */
int apitoken_rotate(struct server *srv, struct arena *a, int64_t user_id, int64_t tenant_id,
                    const char *ip, char **plaintext) __attribute__((warn_unused_result));
