/*
 * jwt_common.h - what the two JWT harnesses share: one RSA key pair made
 * once through the public API (crypto/jwt.h), the verifier's key lookup,
 * the expectations tokens are checked against, and base64url.
 *
 * The harnesses use jwt.h alone (jwt_keygen, jwt_verify), so they keep
 * working whichever library implements RS256 underneath.
 */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "util/arena.h"

#define FUZZ_NOW 1800000000LL
#define FUZZ_ISS "https://auth.example.com"
#define FUZZ_AUD "latchkey"

static struct jwt_keypair fuzz_kp;

/* Makes the key pair on the first call (about 0.1 s); aborts if it cannot. */
static void fuzz_jwt_init(void)
{
    if (fuzz_kp.private_pem == NULL && jwt_keygen(2048, &fuzz_kp) != 0)
        abort();
}

/* The verifier's lookup: our one key under its kid, nothing else. */
static const char *fuzz_lookup(void *ctx, struct arena *a, const char *kid)
{
    (void)ctx;
    (void)a;
    return strcmp(kid, fuzz_kp.kid) == 0 ? fuzz_kp.public_jwk : NULL;
}

/* Appends the unpadded base64url of p[0..n) at out (room for 4n/3+4), NUL-terminated;
 * returns the end. */
static char *fuzz_b64url(char *out, const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *out++ = tab[v >> 18 & 63];
        *out++ = tab[v >> 12 & 63];
        *out++ = tab[v >> 6 & 63];
        *out++ = tab[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *out++ = tab[v >> 18 & 63];
        *out++ = tab[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *out++ = tab[v >> 18 & 63];
        *out++ = tab[v >> 12 & 63];
        *out++ = tab[v >> 6 & 63];
    }
    *out = '\0';
    return out;
}

/*
 * Verifies token at FUZZ_NOW against our key, through memo (may be NULL),
 * into out; returns the reason (JWT_FAIL_NONE for a pass). A token that
 * passes must carry what jwt_verify promises (every required claim, iss
 * and aud as expected, not expired), and a refusal must give a reason:
 * aborts when either promise is broken.
 */
static enum jwt_fail fuzz_verify_in(const char *token, struct jwt_memo *memo, struct arena *a,
                                    struct jwt_claims *out)
{
    struct jwt_expect ex = {.iss = FUZZ_ISS,
                            .aud = FUZZ_AUD,
                            .now = FUZZ_NOW,
                            .leeway = JWT_DEFAULT_LEEWAY,
                            .memo = memo};
    enum jwt_fail why = JWT_FAIL_NONE;
    int rc = jwt_verify(token, fuzz_lookup, NULL, &ex, a, out, &why);
    if ((rc == 0) != (why == JWT_FAIL_NONE))
        abort();
    if (rc == 0 && (out->iss == NULL || out->sub == NULL || out->jti == NULL ||
                    strcmp(out->iss, FUZZ_ISS) != 0 || out->exp <= FUZZ_NOW))
        abort();
    return why;
}

/* fuzz_verify_in without a memo, in an arena of its own. */
static inline void fuzz_verify(const char *token)
{
    struct arena *a = arena_new();
    struct jwt_claims c;
    fuzz_verify_in(token, NULL, a, &c);
    arena_free(a);
}
