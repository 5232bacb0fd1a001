/*
 * numfmt.c - "%.2f" and strtod for the values the hot path meets.
 *
 * num_fixed2 rounds the exact binary value, as glibc's printf does: a
 * double below 2^53 is m * 2^e with a 53-bit integer m, so 100 * |d| is
 * m * 100 / 2^-e, an integer below 2^60 shifted right; the bits shifted
 * out decide the rounding (half way: to even). num_parse_decimal is the
 * classic exact case of decimal conversion: an integer below 2^53 and a
 * power of ten up to 10^22 are both exact doubles, so one division (or
 * one conversion) rounds once, correctly, like strtod.
 */
#include "util/numfmt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 2^53: from here on not every integer is a double. */
#define EXACT_LIMIT_EXP 1076 /* biased exponent of 2^53 */

/* 100 * |d| rounded to an integer as printf rounds; false if |d| >= 2^53
 * or d is not finite. *neg is the sign bit. */
static bool cents(double d, uint64_t *out, bool *neg)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    *neg = (bits >> 63) != 0;
    int biased = (int)((bits >> 52) & 0x7ff);
    if (biased >= EXACT_LIMIT_EXP)
        return false;
    uint64_t m = bits & ((1ULL << 52) - 1);
    int e = -1074; /* a subnormal: no implicit bit */
    if (biased != 0) {
        m |= 1ULL << 52;
        e = biased - 1075;
    }
    if (e >= 0) {
        *out = (m << e) * 100; /* an integer below 2^53 */
        return true;
    }
    int k = -e;
    uint64_t p = m * 100; /* below 2^60 */
    if (k > 60) {
        *out = 0; /* p < 2^60 <= half of 2^k: rounds down */
        return true;
    }
    uint64_t q = p >> k;
    uint64_t rest = p & ((1ULL << k) - 1);
    uint64_t half = 1ULL << (k - 1);
    if (rest > half || (rest == half && (q & 1) != 0))
        q++;
    *out = q;
    return true;
}

size_t num_fixed2(double d, char out[NUM_FIXED2_SIZE])
{
    uint64_t q;
    bool neg;
    if (!cents(d, &q, &neg)) {
        int n = snprintf(out, NUM_FIXED2_SIZE, "%.2f", d);
        if (n < 0) {
            out[0] = '\0';
            return 0;
        }
        return (size_t)n < NUM_FIXED2_SIZE ? (size_t)n : NUM_FIXED2_SIZE - 1;
    }
    /* Digits from the end: two decimals, the point, the integer part. */
    char tmp[24];
    size_t i = sizeof(tmp);
    tmp[--i] = (char)('0' + q % 10);
    tmp[--i] = (char)('0' + q / 10 % 10);
    tmp[--i] = '.';
    uint64_t whole = q / 100;
    do {
        tmp[--i] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole > 0);
    if (neg)
        tmp[--i] = '-';
    size_t n = sizeof(tmp) - i;
    memcpy(out, tmp + i, n);
    out[n] = '\0';
    return n;
}

bool num_parse_decimal(const char *s, size_t n, double *out)
{
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t v = 0;
    unsigned digits = 0, decimals = 0;
    bool point = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        digits++;
        if (digits > 18)
            return false;
        v = v * 10 + (uint64_t)(c - '0');
        if (point)
            decimals++;
    }
    if (digits == 0 || (point && digits > 15))
        return false;
    /* v < 10^15 < 2^53 with a point: exact, and so is 10^decimals. */
    double d = point ? (double)v / pow10[decimals] : (double)v;
    *out = neg ? -d : d;
    return true;
}
