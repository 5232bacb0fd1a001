/*
 * jwt_int.h - what jwt.c and jwt_memo.c share, private to src/crypto/.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <stddef.h>

#include "crypto/jwt.h"
#include "util/strlist.h"

struct arena;

#define JWT_RSA_MIN_BITS 2048
#define JWT_PEM_MAX      16384 /* bytes of a private key's PEM text */
#define JWT_SIG_MAX      1024  /* bytes of a signature: RSA up to 8,192 bits */

/* jwt_rsa.c: an RSA key of at least JWT_RSA_MIN_BITS from PEM (private) or
 * from JWK text (public), owned (EVP_PKEY_free); NULL for anything else. */
EVP_PKEY *jwt_rsa_private(const char *pem);
EVP_PKEY *jwt_rsa_public(const char *jwk_text);
/* RSASSA-PKCS1-v1_5 SHA-256 of msg into sig (JWT_SIG_MAX bytes; *siglen:
 * in, its size; out, the length). 0 or ERR_CRYPTO. */
int jwt_rsa_sign(EVP_PKEY *k, const char *msg, size_t len, unsigned char *sig, size_t *siglen)
    __attribute__((warn_unused_result));
/* True if sig is k's RSASSA-PKCS1-v1_5 SHA-256 signature of msg. */
bool jwt_rsa_verify(EVP_PKEY *k, const char *msg, size_t len, const unsigned char *sig,
                    size_t siglen);

/*
 * What a token says, once every check that depends on the token alone has
 * passed (shape, header, signature, claim presence, types and lengths).
 * The checks that depend on the time or the configuration (kid lookup,
 * iss, aud, exp, nbf, iat) are made on these facts, on every call.
 */
struct jwt_facts {
    const char *kid;
    const char *iss;
    const char *sub;
    const char *jti;
    const char *tid;       /* NULL if the token has none */
    struct strlist aud;    /* "aud" as a string, or the strings of its array */
    struct strlist scopes; /* empty if the token has none */
    int64_t iat;
    int64_t nbf;
    int64_t exp;
};

enum memo_hit {
    MEMO_MISS = 0,
    MEMO_FACTS,     /* *out holds the facts (copied into the arena) */
    MEMO_SIGNATURE, /* the signature verified; the facts were too big to keep */
};

/* Looks the token (its len bytes) up; on MEMO_FACTS copies the facts into
 * a. A token longer than JWT_MEMO_TOKEN_MAX is never found. */
enum memo_hit jwt_memo_find(struct jwt_memo *m, const char *token, size_t len, struct arena *a,
                            struct jwt_facts *out);
/* Remembers a token whose signature verified: with its facts, or as
 * "signature verified" alone when f is NULL or its facts take more than
 * JWT_MEMO_ENTRY_MAX bytes. A token longer than JWT_MEMO_TOKEN_MAX is not
 * remembered. */
void jwt_memo_store(struct jwt_memo *m, const char *token, size_t len, const struct jwt_facts *f);
