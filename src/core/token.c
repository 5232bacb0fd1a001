/*
 * token.c - Sanctum personal access tokens.
 *
 * Issue: insert the row first (its id is part of the plaintext), with the
 * hash of a secret generated before the insert. Authenticate: parse
 * "<id>|<secret>", fetch by id (or by hash when there is no id), compare
 * the SHA-256 of the presented secret with the stored one in constant
 * time, then check revoked_at and expires_at.
 */
#include "core/token.h"

#include <string.h>

#include "core/audit.h"
#include "crypto/hash.h"
#include "crypto/pat.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static const char *const all_abilities[] = {"*"};

int token_issue(struct server *srv, struct arena *a, const struct token_request *rq,
                struct token *out, char **plaintext)
{
    if (rq->name == NULL || rq->name[0] == '\0' || strlen(rq->name) > 255)
        return ERR_INVALID;
    char secret[PAT_SECRET_MAX + 1];
    int rc = pat_generate_secret(srv->cfg.token_prefix, secret);
    if (rc != 0)
        return rc;
    *out = (struct token){
        .user_id = rq->user_id,
        .tenant_id = rq->tenant_id,
        .name = rq->name,
        .abilities = rq->abilities,
        .kind = rq->kind,
        .expires_at = rq->expires_at,
    };
    if (out->abilities.n == 0)
        out->abilities = (struct strlist){.items = (const char **)(uintptr_t)all_abilities, .n = 1};
    sha256_hex(secret, strlen(secret), out->token_hash);
    rc = store_token_insert(srv->store, out);
    if (rc == 0) {
        *plaintext = arena_printf(a, "%lld|%s", (long long)out->id, secret);
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_int(&d, "token_id", out->id);
        audit_detail_str(&d, "kind", token_kind_str(out->kind));
        audit_record(srv, rq->tenant_id, rq->user_id, "token.create", rq->ip, &d);
    }
    secure_wipe(secret, sizeof(secret));
    return rc;
}

int token_parse(const char *bearer, int64_t *id, char hash[TOKEN_HASH_HEX + 1])
{
    const char *secret;
    if (bearer == NULL || !pat_parse(bearer, id, &secret))
        return ERR_UNAUTHENTICATED;
    sha256_hex(secret, strlen(secret), hash);
    return 0;
}

int token_check(const struct token *t, const char hash[TOKEN_HASH_HEX + 1], int64_t now)
{
    if (!ct_equal(hash, t->token_hash, TOKEN_HASH_HEX))
        return ERR_UNAUTHENTICATED;
    if (t->revoked_at != 0)
        return ERR_UNAUTHENTICATED;
    if (t->expires_at != 0 && t->expires_at <= now)
        return ERR_UNAUTHENTICATED;
    return 0;
}

int token_authenticate(struct server *srv, struct arena *a, const char *bearer, int64_t now,
                       struct token *out)
{
    int64_t id;
    char hash[TOKEN_HASH_HEX + 1];
    int rc = token_parse(bearer, &id, hash);
    if (rc != 0)
        return rc;
    rc = id > 0 ? store_token_by_id(srv->store, a, id, out)
                : store_token_by_hash(srv->store, a, hash, out);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != 0)
        return rc;
    return token_check(out, hash, now);
}

int token_revoke(struct server *srv, int64_t token_id, int64_t actor_user_id, const char *ip)
{
    int rc = store_token_revoke(srv->store, token_id, time_now());
    if (rc == 0) {
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_int(&d, "token_id", token_id);
        audit_record(srv, 0, actor_user_id, "token.revoke", ip, &d);
    }
    return rc;
}

int token_list_user(struct server *srv, struct arena *a, int64_t user_id, struct token **out,
                    size_t *n)
{
    return store_token_list_by_user(srv->store, a, user_id, out, n);
}
