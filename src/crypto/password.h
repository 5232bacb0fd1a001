/*
 * password.h - password hashing (DESIGN section 10).
 *
 * New hashes: argon2id via libsodium, PHP-compatible encoding
 * "$argon2id$v=19$m=65536,t=4,p=1$...". Verification also accepts bcrypt
 * "$2y$"/"$2b$"/"$2a$" (crypt_r), for users imported from Laravel.
 * All of these are slow on purpose: call them off the request threads.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX  128
#define PASSWORD_MAX_BYTES 1024

struct password_params {
    unsigned long long opslimit; /* default 4 */
    size_t memlimit;             /* bytes; default 64 MiB */
};

/* The default parameters (t=4, m=64 MiB). */
struct password_params password_default_params(void);

/* Hashes password into out (PASSWORD_HASH_MAX bytes). 0 or ERR_CRYPTO /
 * ERR_LIMIT (password longer than PASSWORD_MAX_BYTES). */
int password_hash(const struct password_params *p, const char *password,
                  char out[PASSWORD_HASH_MAX]) __attribute__((warn_unused_result));

/* True if password matches hash (argon2id or bcrypt). Unknown formats and
 * malformed hashes give false. */
bool password_verify(const char *password, const char *hash);

/*
 * A login's verification: true if password matches hash. When hash is not
 * argon2id at exactly p (an older cost, bcrypt, NULL), password is also
 * hashed at p into new_hash whatever the outcome, so the call costs at
 * least one hash at today's parameters, as a check against
 * password_dummy_hash(p) does. *rehashed (may be NULL) is true when the
 * password matched and new_hash holds its hash at p, to be stored.
 */
bool password_check(const struct password_params *p, const char *password, const char *hash,
                    char new_hash[PASSWORD_HASH_MAX], bool *rehashed);

/* True if hash is not argon2id with exactly params p (e.g. bcrypt). */
bool password_needs_rehash(const struct password_params *p, const char *hash);

/* A valid argon2id hash of a random password made at start-up with params
 * p, so verification of unknown emails costs the same as of known ones.
 * Returns a static string; the first call is not thread-safe. */
const char *password_dummy_hash(const struct password_params *p);
