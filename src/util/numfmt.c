/*
 * numfmt.c - exact decimal rounding of money text (see numfmt.h).
 *
 * The text is read as a digit string d[0..m) without leading zeros and a
 * decimal exponent q: the value is 0.d0 d1 d2 ... * 10^q, so digit i is
 * worth 10^(q-1-i) and the hundredths are digit q+1. The cents are the
 * digits up to q+1; digit q+2 decides the rounding (5 or more: up, which
 * for the magnitude is away from zero).
 */
#include "util/numfmt.h"

#include <stdint.h>
#include <string.h>

/* The largest exponent magnitude read; beyond it the value is out of range
 * (or zero) either way. */
#define EXP_MAX 100000

struct decimal {
    bool neg;
    const char *digits; /* significant digits, the first nonzero */
    size_t m;           /* how many; 0 for zero */
    const char *skip;   /* where the fraction's '.' sits among them, or NULL */
    long q;             /* the value is 0.digits * 10^q */
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses s[0..n) into *d; false if it is not BigDecimal::of's grammar. */
static bool parse(const char *s, size_t n, struct decimal *d)
{
    const char *p = s, *end = s + n;
    memset(d, 0, sizeof(*d));
    if (p < end && (*p == '-' || *p == '+'))
        d->neg = *p++ == '-';
    const char *int_start = p;
    while (p < end && is_digit(*p))
        p++;
    size_t int_len = (size_t)(p - int_start);
    size_t frac_len = 0;
    const char *frac_start = NULL;
    if (p < end && *p == '.') {
        frac_start = ++p;
        while (p < end && is_digit(*p))
            p++;
        frac_len = (size_t)(p - frac_start);
    }
    if (int_len + frac_len == 0)
        return false;
    long exp = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end)
            return false;
        for (; p < end && is_digit(*p); p++) {
            if (exp < EXP_MAX)
                exp = exp * 10 + (*p - '0');
        }
        exp = eneg ? -exp : exp;
    }
    if (p != end)
        return false;
    /* Drop leading zeros of the integer part, then (when it is empty) of
     * the fraction, moving the exponent with them. */
    d->q = (long)int_len + exp;
    const char *first = int_start;
    while (first < int_start + int_len && *first == '0') {
        first++;
        d->q--;
    }
    if (first == int_start + int_len) {
        first = frac_start;
        while (first != NULL && first < frac_start + frac_len && *first == '0') {
            first++;
            d->q--;
        }
        if (first == NULL || first == frac_start + frac_len)
            return true; /* zero */
        d->digits = first;
        d->m = (size_t)(frac_start + frac_len - first);
        return true;
    }
    d->digits = first;
    d->m = (size_t)(int_start + int_len - first) + frac_len;
    d->skip = frac_len > 0 ? frac_start - 1 : NULL;
    return true;
}

/* Digit i of d (0 past either end). */
static int digit_at(const struct decimal *d, long i)
{
    if (i < 0 || (size_t)i >= d->m)
        return 0;
    const char *c = d->digits + i;
    if (d->skip != NULL && c >= d->skip)
        c++; /* the digits continue after the '.' */
    return *c - '0';
}

size_t num_money2(const char *s, size_t n, char out[NUM_MONEY_SIZE])
{
    struct decimal d;
    if (n > NUM_MONEY_INPUT_MAX || !parse(s, n, &d))
        return 0;
    if (d.m > 0 && d.q > NUM_MONEY_INT_DIGITS)
        return 0;
    /* cents[]: the digits 0..q+1 (at least three, zero-padded in front),
     * then + 1 if digit q+2 is 5 or more. */
    char cents[NUM_MONEY_INT_DIGITS + 4];
    long last = d.m > 0 ? d.q + 1 : -1;
    size_t len = last >= 0 ? (size_t)last + 1 : 0;
    size_t pad = len < 3 ? 3 - len : 0;
    memset(cents, '0', pad);
    for (size_t i = 0; i < len; i++)
        cents[pad + i] = (char)('0' + digit_at(&d, (long)i));
    len += pad;
    if (d.m > 0 && digit_at(&d, d.q + 2) >= 5) {
        size_t i = len;
        while (i > 0 && cents[i - 1] == '9')
            cents[--i] = '0';
        if (i == 0) {
            memmove(cents + 1, cents, len++);
            cents[0] = '1';
        } else {
            cents[i - 1]++;
        }
    }
    bool zero = true;
    for (size_t i = 0; i < len; i++)
        zero = zero && cents[i] == '0';
    size_t o = 0;
    if (d.neg && !zero)
        out[o++] = '-';
    memcpy(out + o, cents, len - 2);
    o += len - 2;
    out[o++] = '.';
    out[o++] = cents[len - 2];
    out[o++] = cents[len - 1];
    out[o] = '\0';
    return o;
}

size_t num_int(long long v, char out[NUM_INT_SIZE])
{
    char rev[NUM_INT_SIZE];
    size_t n = 0;
    /* Unsigned, so LLONG_MIN's magnitude fits. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = rev[--n];
    out[len] = '\0';
    return len;
}

int num_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
