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
