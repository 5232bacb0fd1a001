/*
 * jwt.h - RS256 JSON Web Tokens and their keys (DESIGN section 4), on
 * OpenSSL 3's libcrypto (EVP) for the RSA work and jansson for the JSON.
 *
 * Only one algorithm exists here: RS256 with RSA keys of at least 2048
 * bits, header {"typ":"JWT","alg":"RS256","kid":...}. A token is checked
 * before any signature work (size, shape, header alg and kid, no "crit"),
 * then its signature against the public key its kid names (never a key
 * carried in the token: a header with jwk, jku, x5u, x5c or x5t is
 * refused, and nothing is ever fetched), then its claims. "none", HS256 (also keyed with
 * the public key) and every other alg are refused.
 *
 * The RSA verification is the expensive step (~60 us); a caller may pass
 * a memo of the tokens that already verified (jwt_memo), so a token
 * presented again costs a table lookup and a byte comparison instead. A memo hit skips
 * only the work whose answer cannot change (decoding, header, signature,
 * claim types): the kid (still ours and still verifying), iss, aud and the
 * times are checked again on each call.
 *
 * Thread-safe: the only shared state is the memo (its own locks); each call
 * works on its own libcrypto objects. Private keys are PEM text owned by the caller; copies made
 * here are wiped before they are freed.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "util/strlist.h"

struct arena;

#define JWT_MAX_LEN        8192 /* longest token accepted, in bytes */
#define JWT_KID_MAX        64   /* longest kid accepted */
#define JWT_MAX_SCOPES     256  /* most scopes a token may carry */
#define JWT_DEFAULT_LEEWAY 30   /* seconds of clock skew allowed for iat and nbf */

/* A new key pair: kid is the RFC 7638 SHA-256 thumbprint (base64url). */
struct jwt_keypair {
    char kid[JWT_KID_MAX + 1];
    char *private_pem; /* owned, PKCS#1 PEM; wiped by jwt_keypair_fini */
    char *public_jwk;  /* owned, {"kty":"RSA","n":...,"e":...} */
};

/* Generates an RSA key pair of bits (>= 2048). 0 or ERR_CRYPTO. */
int jwt_keygen(unsigned bits, struct jwt_keypair *out) __attribute__((warn_unused_result));
/* Wipes and frees the pair's strings. Accepts a zeroed pair. */
void jwt_keypair_fini(struct jwt_keypair *kp);

/* Claims of an access token, in the order they are written. */
struct jwt_claims {
    const char *iss;
    const char *sub;
    const char *aud;
    const char *tid; /* may be NULL (left out) */
    const char *jti;
    int64_t iat;
    int64_t nbf;
    int64_t exp;
    struct strlist scopes;
};

/*
 * Signs c with the private key (PEM, borrowed) under kid. *out receives
 * the compact token (malloc'd, free() it). 0, ERR_INVALID (bad key or
 * claims) or ERR_CRYPTO.
 */
int jwt_sign(const char *kid, const char *private_pem, const struct jwt_claims *c, char **out)
    __attribute__((warn_unused_result));

/*
 * Returns the public JWK (JSON text) of kid, or NULL if the kid is
 * unknown or no longer verifies. The text may live in a (the request's
 * arena) and must stay valid until jwt_verify returns. With a NULL, only
 * the answer's being NULL or not counts (a token the memo holds needs no
 * key text): the lookup need not copy anything.
 */
typedef const char *(*jwt_key_lookup)(void *ctx, struct arena *a, const char *kid);

#define JWT_MEMO_TOKEN_MAX 4096 /* longest token the memo remembers, in bytes */
#define JWT_MEMO_ENTRY_MAX 1024 /* bytes of remembered claims per token, at most */

/*
 * A memo of the tokens whose signature verified, by all their bytes (up
 * to JWT_MEMO_TOKEN_MAX; a longer token is verified in full every time): a fixed table of slots
 * (util/slots: 4-way set-associative, a newer token replaces an older one in a full set), each
 * holding what the token says (kid, iss, sub, aud, tid, jti, iat, nbf, exp, scopes) once its
 * header, signature and claim types passed. A token presented again costs a lookup and a comparison
 * of its bytes: no hash, no base64, no JSON, no RSA. Every check that depends on time or
 * configuration runs again on each call (kid still known to the lookup, iss, aud, exp, nbf, iat),
 * so a hit answers exactly what a full verification would. A token whose claims take more than
 * JWT_MEMO_ENTRY_MAX bytes is remembered without them (its header and
 * claims are decoded again on each call, only the RSA work is skipped).
 * Memory: at most slots * (JWT_MEMO_TOKEN_MAX + JWT_MEMO_ENTRY_MAX + ~100)
 * bytes. Thread-safe: striped locks; the token is compared in constant time.
 */
struct jwt_memo;

/* A memo of `slots` tokens (rounded up to a power of two, at least 1). */
struct jwt_memo *jwt_memo_new(size_t slots);
/* Frees the memo. Accepts NULL. No other thread may use it by then. */
void jwt_memo_free(struct jwt_memo *m);

struct jwt_memo_stats {
    uint64_t hits;   /* answered from remembered claims */
    uint64_t sigs;   /* signature-only hits: header and claims decoded again */
    uint64_t misses; /* full verification (RSA) */
};
/* Counters since jwt_memo_new (for tests and diagnostics). m may be NULL. */
void jwt_memo_stats(struct jwt_memo *m, struct jwt_memo_stats *out);

struct jwt_expect {
    const char *iss;       /* required value of "iss" */
    const char *aud;       /* required value of "aud" (a string, or one of an array) */
    int64_t now;           /* Unix time the token is checked at */
    int64_t leeway;        /* seconds of skew allowed for "nbf" and "iat" (not "exp") */
    struct jwt_memo *memo; /* may be NULL */
};

/* Why a token was refused (for logs and tests; callers answer one 401). */
enum jwt_fail {
    JWT_FAIL_NONE = 0,
    JWT_FAIL_FORMAT,    /* size, shape, base64url, header JSON, "typ", "crit" */
    JWT_FAIL_ALG,       /* anything but RS256 */
    JWT_FAIL_KID,       /* missing or unknown kid */
    JWT_FAIL_SIGNATURE, /* bad signature (tampered, other key) */
    JWT_FAIL_ISS,
    JWT_FAIL_AUD,
    JWT_FAIL_EXPIRED, /* now >= exp */
    JWT_FAIL_NOT_YET, /* nbf or iat later than now + leeway */
    JWT_FAIL_CLAIMS,  /* a required claim is missing or of the wrong type */
};

const char *jwt_fail_str(enum jwt_fail f);

/*
 * Verifies token against the key lookup and ex. On success fills *out
 * (strings in a) and returns 0; otherwise ERR_UNAUTHENTICATED with *why
 * set (why may be NULL).
 */
int jwt_verify(const char *token, jwt_key_lookup lookup, void *ctx, const struct jwt_expect *ex,
               struct arena *a, struct jwt_claims *out, enum jwt_fail *why)
    __attribute__((warn_unused_result));

/*
 * Private keys at rest (jwt_seal.c): sealed with crypto_secretbox
 * (XSalsa20-Poly1305) under a 32-byte key encryption key (KEK) that is
 * not in the database. A sealed key is text ("sealed:v1:" + base64 of
 * nonce || box); a text without that prefix is a clear PEM.
 */
#define JWT_KEK_BYTES 32

/* True if text is a sealed key (else it is a clear PEM). */
bool jwt_key_is_sealed(const char *text);
/* Seals pem (borrowed) under kek: the sealed text, malloc'd (free()). */
char *jwt_key_seal(const unsigned char kek[JWT_KEK_BYTES], const char *pem);
/*
 * Opens a sealed key: *pem receives the PEM (malloc'd; wipe it, then
 * free). 0; ERR_INVALID (not a sealed text, or corrupt); ERR_CRYPTO (sealed
 * under another key, or altered); ERR_LIMIT (too long).
 */
int jwt_key_open(const unsigned char kek[JWT_KEK_BYTES], const char *text, char **pem)
    __attribute__((warn_unused_result));
/* A KEK from its text, standard base64 of 32 bytes (a trailing newline is
 * allowed). 0 or ERR_INVALID. */
int jwt_kek_parse(const char *text, unsigned char kek[JWT_KEK_BYTES])
    __attribute__((warn_unused_result));
/* Creates a key file at path (O_EXCL, mode 0600) holding a new random KEK,
 * returned in kek. 0, ERR_CONFLICT (the file exists) or ERR_IO. */
int jwt_kek_create(const char *path, unsigned char kek[JWT_KEK_BYTES])
    __attribute__((warn_unused_result));
/*
 * Reads the KEK from the key file at path; with create, a missing file is
 * created (*created true). 0; ERR_NOT_FOUND (missing, !create); ERR_INVALID
 * (not 32 bytes of base64); ERR_IO.
 */
int jwt_kek_load(const char *path, bool create, unsigned char kek[JWT_KEK_BYTES], bool *created)
    __attribute__((warn_unused_result));
