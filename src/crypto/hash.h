/*
 * hash.h - SHA-256, crc32b and constant-time comparison.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* out receives 64 lower-case hex chars and a NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);
/* crc32b as PHP's hash('crc32b', ...) computes it (the zlib CRC-32). */
uint32_t crc32b(const void *data, size_t n);
/* Constant-time equality of two buffers of the same length n. */
bool ct_equal(const void *a, const void *b, size_t n);
/* Constant-time equality of two NUL-terminated strings; the time depends
 * only on the lengths. */
bool ct_streq(const char *a, const char *b);

#define KEYED_HASH_KEY   32
#define KEYED_HASH_BYTES 32
/* BLAKE2b (libsodium's generichash) of data under key, into out. */
void keyed_hash(const uint8_t key[KEYED_HASH_KEY], const void *data, size_t n,
                uint8_t out[KEYED_HASH_BYTES]);
/*
 * Decodes standard base64 (with or without padding) text[0..n) into out
 * (room for size bytes); *len the decoded length. false if malformed or
 * too long for out.
 */
bool base64_decode(const char *text, size_t n, void *out, size_t size, size_t *len);
