/*
 * token.h - personal access tokens: issue, authenticate, revoke, list
 * (DESIGN section 4). The plaintext exists only in the value returned by
 * token_issue(); the store holds its SHA-256.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

struct arena;
struct server;

struct token_request {
    int64_t user_id;
    int64_t tenant_id;        /* 0: none */
    const char *name;         /* device_name / label, 1..255 bytes */
    struct strlist abilities; /* empty = ["*"] */
    enum token_kind kind;
    int64_t expires_at; /* 0: never */
    const char *ip;     /* for the audit log; may be NULL */
};

/*
 * Creates a token and returns its plaintext "<id>|<secret>" in *plaintext
 * (arena). Audited as token.create. ERR_INVALID for a bad name.
 */
int token_issue(struct server *srv, struct arena *a, const struct token_request *rq,
                struct token *out, char **plaintext) __attribute__((warn_unused_result));

/*
 * Finds the token for a presented bearer value and checks its secret in
 * constant time, its revocation and its expiry at now. ERR_UNAUTHENTICATED
 * for every kind of failure (the caller cannot tell which).
 */
int token_authenticate(struct server *srv, struct arena *a, const char *bearer, int64_t now,
                       struct token *out) __attribute__((warn_unused_result));

/*
 * The two halves of token_authenticate, for callers that fetch the row
 * themselves (principal.c reads it joined with its user and tenant).
 * token_parse: the id ("<id>|" prefix, else 0) and the SHA-256 hex of the
 * secret of a bearer value; ERR_UNAUTHENTICATED if malformed.
 * token_check: the stored row against that hash (constant time), its
 * revocation and its expiry at now; ERR_UNAUTHENTICATED on any failure.
 */
int token_parse(const char *bearer, int64_t *id, char hash[TOKEN_HASH_HEX + 1])
    __attribute__((warn_unused_result));
int token_check(const struct token *t, const char hash[TOKEN_HASH_HEX + 1], int64_t now)
    __attribute__((warn_unused_result));

/* Revokes a token; audited as token.revoke with the actor. ERR_NOT_FOUND. */
int token_revoke(struct server *srv, int64_t token_id, int64_t actor_user_id, const char *ip)
    __attribute__((warn_unused_result));
/* A user's tokens of every kind and state, newest first (arena array;
 * hashes only, never a plaintext). */
int token_list_user(struct server *srv, struct arena *a, int64_t user_id, struct token **out,
                    size_t *n) __attribute__((warn_unused_result));
