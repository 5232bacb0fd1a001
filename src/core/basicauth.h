/*
 * basicauth.h - HTTP Basic (email and password) for gated routes (issue
 * 14), without an argon2id hash on every request.
 *
 * A verified credential is remembered for a short window (BASIC_WINDOW_S)
 * under a keyed hash: BLAKE2b of "email\0password" under a random key made
 * at start, so the table holds neither the password nor anything an
 * attacker could test guesses against without the process's key. An
 * entry holds the user id and a hash of the user's password hash. Each
 * use reads the user's row again: a hit counts only when the row's id and
 * password hash still match (a password change forgets the entry) and the
 * user is active (a suspension refuses at once and forgets it too). The
 * table is bounded (a fixed 4-way set-associative table, util/slots.h):
 * old entries are overwritten, never grown. Thread-safe.
 *
 *   basic_begin()   request thread: parse, read the user, try the cache
 *   basic_verify()  hashing pool (only on a miss): argon2id / bcrypt
 *   basic_finish()  request thread: remember, check the status, fill p
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"
#include "crypto/hash.h"

struct arena;
struct server;
struct basic_cache;

#define BASIC_WINDOW_S 60

/* A cache of about n entries (0: a cache that remembers nothing). */
struct basic_cache *basic_cache_new(size_t n);
void basic_cache_free(struct basic_cache *c);

struct basic_login {
    struct server *srv;
    struct basic_cache *cache; /* srv's, or NULL (nothing remembered) */
    char *password;            /* owned copy, wiped by basic_fini */
    uint8_t key[KEYED_HASH_BYTES];
    bool found;           /* the email names a user */
    bool hit;             /* remembered: no hash needed */
    bool verified;        /* the password matched (set by basic_verify or a hit) */
    struct user user;     /* when found; strings in the arena */
    const char *hash;     /* the user's hash, or the dummy for an unknown email */
    const char *email;    /* folded, arena: the account's guessing limit */
    const char *ip;       /* the client address, borrowed */
    uint32_t retry_after; /* basic_begin's ERR_LIMIT: seconds until allowed */
};

/*
 * Starts checking an Authorization header value ("Basic <base64>"):
 * ERR_UNAUTHENTICATED when it is missing or malformed; otherwise 0, and
 * b->hit tells whether basic_verify may be skipped. ERR_LIMIT (with
 * b->retry_after) when the email's guessing limit is reached for ip
 * (core/acctlimit.h); ip (the client address) is borrowed.
 */
int basic_begin(struct server *srv, struct arena *a, struct basic_login *b, const char *header,
                const char *ip) __attribute__((warn_unused_result));
/* The slow part (arg: a struct basic_login); safe on any thread. */
void basic_verify(void *arg);
/*
 * Completes: ERR_UNAUTHENTICATED for a wrong email or password,
 * ERR_FORBIDDEN with p->refusal for a user who is not active; else 0 with
 * p->user set (no tenant bound yet) and p->via VIA_PASSWORD.
 */
int basic_finish(struct basic_login *b, struct principal *p) __attribute__((warn_unused_result));
/* Wipes and frees the password copy. Accepts a zeroed struct. */
void basic_fini(struct basic_login *b);
