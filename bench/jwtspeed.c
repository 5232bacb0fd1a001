/*
 * jwtspeed.c - RS256 sign and verify throughput of src/crypto/jwt.c on one
 * thread, with a 2048-bit key and claims like the server's, per second of
 * CPU time (so a busy machine slows the run down but not the figures).
 *
 *   jwtspeed [SECONDS]   signs for SECONDS (default 1), then verifies
 *                        (without the memo, so every call does the RSA
 *                        work) for SECONDS; prints "sign_per_s=..." and
 *                        "verify_per_s=..."
 *
 * It measures the library under the JWT code (rhonabwy or libcrypto), so
 * the two can be compared on the same machine (docs/decisions.md).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/jwt.h"
#include "util/arena.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *the_jwk;

static const char *lookup(void *ctx, struct arena *a, const char *kid)
{
    (void)ctx;
    (void)kid;
    return arena_strdup(a, the_jwk);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (secs <= 0 || sodium_init() < 0)
        return 2;
    struct jwt_keypair kp;
    if (jwt_keygen(2048, &kp) != 0)
        return 1;
    the_jwk = kp.public_jwk;
    const char *scopes[] = {"orders.view", "team.invite"};
    struct jwt_claims c = {.iss = "https://auth.example.com",
                           .sub = "42",
                           .aud = "latchkey",
                           .tid = "acme",
                           .jti = "123456",
                           .iat = time(NULL),
                           .nbf = time(NULL),
                           .exp = time(NULL) + 3600,
                           .scopes = {.items = scopes, .n = 2}};
    char *token = NULL;
    long n = 0;
    double t0 = now_s(), t1;
    do {
        free(token);
        if (jwt_sign(kp.kid, kp.private_pem, &c, &token) != 0)
            return 1;
        n++;
        t1 = now_s();
    } while (t1 - t0 < secs);
    printf("sign_per_s=%.0f\n", (double)n / (t1 - t0));
    struct jwt_expect ex = {.iss = c.iss, .aud = c.aud, .now = time(NULL), .leeway = 30};
    n = 0;
    t0 = now_s();
    do {
        struct arena *a = arena_new();
        struct jwt_claims out;
        if (jwt_verify(token, lookup, NULL, &ex, a, &out, NULL) != 0)
            return 1;
        arena_free(a);
        n++;
        t1 = now_s();
    } while (t1 - t0 < secs);
    printf("verify_per_s=%.0f\n", (double)n / (t1 - t0));
    free(token);
    jwt_keypair_fini(&kp);
    return 0;
}
