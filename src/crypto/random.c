/*
 * random.c - cryptographically secure randomness from libsodium.
 *
 * libsodium's generator is thread-safe once sodium_init() has run, so
 * nothing here needs a lock. No state of our own.
 */
#include "crypto/random.h"

#include <sodium.h>

#include "util/err.h"

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int crypto_init(void)
{
    /* sodium_init() returns 1 when already initialised; only -1 is failure. */
    if (sodium_init() < 0)
        return ERR_CRYPTO;
    return 0;
}

void random_bytes(void *out, size_t n)
{
    randombytes_buf(out, n);
}

void random_alnum(char *out, size_t n)
{
    _Static_assert(sizeof(alnum) - 1 == 62, "alphabet must have 62 characters");

    /* randombytes_uniform() rejects samples to avoid modulo bias. */
    for (size_t i = 0; i < n; i++)
        out[i] = alnum[randombytes_uniform(62)];
    out[n] = '\0';
}
