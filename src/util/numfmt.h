/*
 * numfmt.h - numbers to text without printf: integers (num_int, for the
 * hot path's headers and keys) and money amounts from their decimal text
 * to the seed's two-decimal string, exactly, without a double in between.
 *
 * Laravel's decimal:2 cast (BigDecimal::of($v)->toScale(2, HALF_UP), and
 * before it number_format($v, 2, '.', '')) rounds the decimal value half
 * away from zero: "0.125" is "0.13", "-0.125" is "-0.13", "0.005" is
 * "0.01". A double cannot hold 0.125's neighbours (0.015 is
 * 0.01499999...), so the text is rounded digit by digit.
 *
 * No allocation, no global state; thread-safe.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Digits before the point that num_money2 accepts (10^64 is plenty). */
#define NUM_MONEY_INT_DIGITS 64
/* The size of num_money2's output buffer: sign, digits (one more after
 * rounding up), point, 2, NUL. */
#define NUM_MONEY_SIZE (NUM_MONEY_INT_DIGITS + 6)
/* The longest input num_money2 reads. */
#define NUM_MONEY_INPUT_MAX 256

/*
 * Writes the decimal text s[0..n) (need not be NUL-terminated) rounded
 * half away from zero to two decimals ("1234.50": no thousands separator,
 * never "-0.00") and returns the length. The grammar is BigDecimal::of's:
 * an optional sign, digits with an optional '.' (".5" and "5." too, at
 * least one digit), an optional exponent e[+-]digits. Returns 0 (out
 * untouched) for anything else: spaces, hex, "inf", more than
 * NUM_MONEY_INPUT_MAX bytes, or a value of more than NUM_MONEY_INT_DIGITS
 * digits before the point (before rounding).
 */
size_t num_money2(const char *s, size_t n, char out[NUM_MONEY_SIZE]);

/* The size of num_int's output buffer: sign, 19 digits, NUL. */
#define NUM_INT_SIZE 21

/* Writes v in decimal ("-42", LLONG_MIN too) with a NUL after it and
 * returns the length (without the NUL). */
size_t num_int(long long v, char out[NUM_INT_SIZE]);

/* The value of the hexadecimal digit c (0-9, a-f, A-F), or -1. */
int num_hex_digit(char c);
