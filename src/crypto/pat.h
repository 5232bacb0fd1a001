/*
 * pat.h - Sanctum 4 personal access token text format (DESIGN section 4).
 *
 * Plaintext: "<id>|<secret>"; secret = prefix + 40 random [A-Za-z0-9] +
 * 8 lower-case hex of crc32b(the 40 random chars). Stored: SHA-256 hex of
 * the secret (prefix included, as Sanctum does).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAT_RANDOM_LEN 40
#define PAT_PREFIX_MAX 32
#define PAT_SECRET_MAX (PAT_PREFIX_MAX + PAT_RANDOM_LEN + 8)
/* The longest bearer value accepted at all; longer input is rejected early. */
#define PAT_INPUT_MAX 256

/*
 * Generates a secret: prefix (may be "" but not NULL, at most PAT_PREFIX_MAX
 * bytes) + 40 random + 8 hex. out must hold PAT_SECRET_MAX + 1 bytes.
 * Returns 0 or ERR_INVALID (prefix too long).
 */
int pat_generate_secret(const char *prefix, char *out) __attribute__((warn_unused_result));

/*
 * Splits a presented bearer value. "<id>|<secret>": *id > 0 and *secret
 * points into input. Without '|': *id = 0 and *secret = input (look up by
 * hash). Returns false for empty input, input longer than PAT_INPUT_MAX,
 * an id that is not a positive decimal int64 without sign or leading
 * zeros, an empty secret, or any byte outside printable ASCII.
 */
bool pat_parse(const char *input, int64_t *id, const char **secret);

/* True if the last 48 chars of secret are 40 alnum + the matching crc32b
 * hex. Used for display/scanning only; authentication is by hash. */
bool pat_checksum_ok(const char *secret);
