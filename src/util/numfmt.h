/*
 * numfmt.h - numbers to and from text without printf or strtod, for the
 * request hot path (a profile prints a money amount on every request).
 *
 * Each function gives exactly what its libc reference gives, and the unit
 * test compares the two over many values: num_fixed2 is
 * snprintf("%.2f") and num_parse_decimal is strtod. An input outside the
 * range a function can do exactly goes to the reference (num_fixed2) or
 * is refused (num_parse_decimal), never approximated.
 *
 * Both assume the default floating-point rounding mode (to nearest, ties
 * to even), which the program never changes. No allocation, no global
 * state; thread-safe.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* The size of num_fixed2's output buffer (snprintf truncates to it). */
#define NUM_FIXED2_SIZE 64

/*
 * Writes what snprintf(out, NUM_FIXED2_SIZE, "%.2f", d) writes and returns
 * its length. Exact and without printf for |d| < 2^53 ("-0.00" for -0.0
 * and for negatives that round to zero, like printf); snprintf itself for
 * larger values, infinities and NaN.
 */
size_t num_fixed2(double d, char out[NUM_FIXED2_SIZE]);

/*
 * The value strtod gives for the text s[0..n) (which need not be
 * NUL-terminated) when all of it is a plain decimal: an optional sign,
 * digits, and an optional '.' with more digits; at least one digit, at
 * most 15 with a '.', 18 without. False for anything else (spaces,
 * exponents, hex, "inf", "nan", trailing text, more digits): the caller
 * then asks strtod.
 */
bool num_parse_decimal(const char *s, size_t n, double *out);
