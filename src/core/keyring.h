/*
 * keyring.h - the deployment's JWT signing keys (DESIGN section 4).
 *
 * The keys live in the store (signing_keys), so every instance over the
 * same database signs and verifies with the same set. A keyring caches
 * them and reloads them at most once per KEYRING_REFRESH_MS, so a key
 * rotated or revoked by the CLI or by another instance is picked up within
 * KEYRING_REFRESH_MS plus one read (well under a second), without a
 * restart.
 *
 * At rest the private keys are sealed under the key encryption key
 * (keyring_set_kek, crypto/jwt.h); the cache holds them opened. Keys
 * stored in clear by an older version are sealed by keyring_ensure. A
 * revoked key (the kill switch) is dropped from the cache at the next
 * reload: it neither signs nor verifies nor appears in the JWKS.
 *
 * Life of a key: created active; the newest active key signs. Rotation
 * adds a new active key and retires the others (retired_at = now). A
 * retired key still verifies (and stays in the JWKS) until retired_at +
 * the token lifetime + KEYRING_GRACE_S, by which time every token it
 * signed has expired. The grace covers an instance that signed with the
 * old key in the second before it reloaded, and small clock differences.
 *
 * The keyring also keeps the jwt_memo of its verifier: the bytes and the
 * claims of the last KEYRING_MEMO_SLOTS tokens that verified (4-way
 * set-associative, the oldest way replaced in a full set), so a token used
 * again skips the decoding and the RSA work. A hit still asks
 * keyring_lookup whether its kid verifies.
 *
 * Thread-safe: one mutex (mu) guards the cache, the memo has its own locks;
 * store reads run outside both. The private keys in the cache are wiped
 * when it is freed.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/jwt.h"
#include "store/model.h"

struct arena;
struct store;
struct keyring;

#define KEYRING_REFRESH_MS 250 /* a revocation acts within 1 s with room to spare */
#define KEYRING_GRACE_S    5
#define KEYRING_RSA_BITS   2048
#define KEYRING_MEMO_SLOTS 8192 /* ~14 MiB full of tokens like ours (1.2 KB), 43 MiB at most */

/* store is borrowed and must outlive the keyring; ttl_s is the longest
 * token lifetime. Loads nothing yet. */
struct keyring *keyring_new(struct store *store, int64_t ttl_s);
/* Frees the cache (wiping private keys). Accepts NULL. */
void keyring_free(struct keyring *kr);

/*
 * Sets the key encryption key (copied; wiped on free) that seals the
 * private keys in the store (crypto/jwt.h). Call before other threads use
 * the keyring (keyring_rewrap, which calls it, is for the CLI). Without one, sealed keys
 * cannot be loaded and no key can be created (ERR_CRYPTO).
 */
void keyring_set_kek(struct keyring *kr, const unsigned char kek[JWT_KEK_BYTES]);

/*
 * Makes sure there is an active key: generates and stores one when there
 * is none (first start). *created (may be NULL) tells whether it did.
 * 0, ERR_CRYPTO or a store error.
 */
int keyring_ensure(struct keyring *kr, bool *created) __attribute__((warn_unused_result));

/*
 * The kill switch: revokes kid at once. A revoked key neither signs nor
 * verifies, leaves the JWKS, and its private key is erased from the store;
 * every instance drops it at its next reload (within KEYRING_REFRESH_MS),
 * and the tokens it signed are refused from then on (memo hits too: they
 * look the kid up). With rotate, a new active key is made first, in the
 * same transaction (new_kid receives its kid). 0; ERR_NOT_FOUND (no such
 * key, or already revoked); ERR_CONFLICT (kid is the only active key and
 * rotate is false); ERR_CRYPTO; a store error.
 */
int keyring_revoke(struct keyring *kr, const char *kid, bool rotate, char new_kid[JWT_KID_MAX + 1])
    __attribute__((warn_unused_result));

/*
 * Rotates the key encryption key: opens every unrevoked private key with
 * the current KEK (a clear one as it is) and seals it under new_kek, in
 * one transaction; the keyring then uses new_kek. *n receives how many
 * keys were rewrapped. ERR_CRYPTO (a key cannot be opened: nothing
 * written) or a store error.
 */
int keyring_rewrap(struct keyring *kr, const unsigned char new_kek[JWT_KEK_BYTES], size_t *n)
    __attribute__((warn_unused_result));

/*
 * Generates a new active key and retires every other active key, in one
 * transaction. kid receives the new key's id. 0, ERR_CRYPTO or a store
 * error.
 */
int keyring_rotate(struct keyring *kr, char kid[JWT_KID_MAX + 1])
    __attribute__((warn_unused_result));

/*
 * Signs c with the newest active key; *token is malloc'd (free()). kid
 * (may be NULL) receives the key's id. ERR_UNAVAILABLE when there is no
 * active key, ERR_CRYPTO.
 */
int keyring_sign(struct keyring *kr, const struct jwt_claims *c, char **token,
                 char kid[JWT_KID_MAX + 1]) __attribute__((warn_unused_result));

/*
 * jwt_key_lookup for jwt_verify (ctx: the keyring): the public JWK of kid
 * copied into a, or NULL if kid is unknown or no longer verifies. With a
 * NULL a, "" (not to be read) when kid verifies: nothing is copied.
 */
const char *keyring_lookup(void *ctx, struct arena *a, const char *kid);

/*
 * The keys that verify at now, oldest first: an arena array of copies
 * without their private keys (private_pem NULL).
 */
int keyring_verifying(struct keyring *kr, struct arena *a, int64_t now, struct signing_key **out,
                      size_t *n) __attribute__((warn_unused_result));

/*
 * Every stored key, whatever its state, oldest first, read from the
 * store now (not the cache): an arena array of copies without their
 * private keys (private_pem NULL), which are wiped once read.
 */
int keyring_list(struct keyring *kr, struct arena *a, struct signing_key **out, size_t *n)
    __attribute__((warn_unused_result));

/* The memo for jwt_expect.memo (owned by the keyring). */
struct jwt_memo *keyring_memo(struct keyring *kr);

/* The last second k verifies (0: no end, it is active). */
int64_t keyring_verifies_until(const struct keyring *kr, const struct signing_key *k);
