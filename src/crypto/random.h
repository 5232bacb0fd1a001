/*
 * random.h - cryptographically secure randomness (libsodium).
 * crypto_init() must have been called once before any of these.
 */
#pragma once
#include <stddef.h>

/* Initialises libsodium; returns 0 or ERR_CRYPTO. Safe to call twice. */
int crypto_init(void) __attribute__((warn_unused_result));
void random_bytes(void *out, size_t n);
/* Writes n characters drawn uniformly from [A-Za-z0-9] plus a NUL. */
void random_alnum(char *out, size_t n);
