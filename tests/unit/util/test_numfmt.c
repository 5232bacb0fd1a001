/*
 * test_numfmt.c - the printf-free money formatter and the strtod-free
 * decimal parser, against snprintf("%.2f") and strtod themselves (the
 * references they must match exactly) over edge cases and a few hundred
 * thousand pseudo-random values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/numfmt.h"

/* A fixed-seed xorshift64*: the same values on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

/* num_fixed2(d) is snprintf's text, and its length. */
static void check_fixed2(double d)
{
    char want[NUM_FIXED2_SIZE], got[NUM_FIXED2_SIZE];
    snprintf(want, sizeof(want), "%.2f", d);
    size_t n = num_fixed2(d, got);
    if (strcmp(got, want) != 0) {
        uint64_t bits;
        memcpy(&bits, &d, sizeof(bits));
        fail_msg("%.17g (bits %016llx): got \"%s\", snprintf \"%s\"", d, (unsigned long long)bits,
                 got, want);
    }
    assert_int_equal(n, strlen(want));
}

static void fixed2_edge_cases(void **state)
{
    (void)state;
    const double two53 = 9007199254740992.0;
    const double cases[] = {
        0.0,
        -0.0,
        0.001,
        -0.001,
        0.004999,
        0.005, /* not exactly 0.005: printf rounds the binary value, and so must we */
        -0.005,
        0.015,
        0.025,
        0.035,
        0.045,
        0.125, /* exact ties: to even */
        0.375,
        0.625,
        0.875,
        -0.125,
        2.5,
        1.005,
        2.675,
        -1.005,
        0.995,
        9.995,
        99.995,
        150.0,
        150.5,
        150.004999,
        1234567.891,
        1e15,
        -1e15,
        1e15 + 0.125,
        999999999999999.875,
        4503599627370495.5, /* 2^52 - 0.5 */
        4503599627370496.0,
        two53 - 1,
        -(two53 - 1),
        two53, /* from here on: snprintf */
        two53 + 2,
        1e16,
        1e20,
        1e300,
        -1e300,
        DBL_MAX,
        -DBL_MAX,
        DBL_MIN,
        -DBL_MIN,
        DBL_TRUE_MIN,
        -DBL_TRUE_MIN,
        INFINITY,
        -INFINITY,
        NAN,
        -NAN,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_fixed2(cases[i]);
    /* Every exact tie of the form k/8 near the extremes of the range. */
    for (int64_t k = -4000; k <= 4000; k++) {
        check_fixed2((double)k / 8);
        check_fixed2(1e15 + (double)k / 8);
    }
}

static void fixed2_random(void **state)
{
    (void)state;
    for (int i = 0; i < 100000; i++) {
        uint64_t r = rng();
        /* Any bit pattern: mostly huge or tiny, some NaN. */
        check_fixed2(from_bits(r));
        /* Cents, and thousandths (the half-cent cases), of money-sized values. */
        int64_t k = (int64_t)(r % 2000000001ULL) - 1000000000;
        check_fixed2((double)k / 100);
        check_fixed2((double)k / 1000);
        check_fixed2((double)(k * 1000003) / 1000);
        /* A random mantissa at any scale up to 2^60, both signs. */
        int e = (int)(rng() % 140) - 80;
        double m = (double)(rng() >> 11);
        check_fixed2(ldexp(m, e - 52) * ((r & 1) ? -1 : 1));
    }
}

/* num_parse_decimal, when it answers, gives strtod's double bit for bit,
 * and strtod reads the whole text. */
static void check_parse(const char *s, size_t n, bool want_fast)
{
    char copy[64];
    assert_true(n < sizeof(copy));
    memcpy(copy, s, n);
    copy[n] = '\0';
    double got;
    bool fast = num_parse_decimal(s, n, &got);
    if (want_fast && !fast)
        fail_msg("\"%s\" refused", copy);
    if (!fast)
        return;
    char *end;
    double want = strtod(copy, &end);
    assert_ptr_equal(end, copy + n);
    if (memcmp(&got, &want, sizeof(got)) != 0)
        fail_msg("\"%s\": got %.17g, strtod %.17g", copy, got, want);
}

static void parse_cases(void **state)
{
    (void)state;
    static const char *const fast[] = {
        "0",
        "-0",
        "+0",
        "0.0",
        "-0.00",
        "150.00",
        "150",
        "150.",
        ".5",
        "-.5",
        "+1.25",
        "1.005",
        "2.675",
        "0.1",
        "0.3",
        "123456789012345",
        "12345678901234.5",
        "1.23456789012345",
        ".000000000000001",
        "123456789012345678",
        "-123456789012345678",
        "9007199254740993", /* 2^53 + 1: rounds to even */
        "000000000000001",
    };
    static const char *const slow[] = {
        "",
        "+",
        "-",
        ".",
        "+.",
        "1e5",
        "1E5",
        " 1",
        "1 ",
        "\t1",
        "0x1A",
        "inf",
        "-inf",
        "nan",
        "infinity",
        "1.2.3",
        "1,5",
        "--1",
        "+-1",
        "1-",
        "12abc",
        "1.5e-3",
        "1234567890123456789",
        "1.2345678901234567",
        "0000000000000001.5",
    };
    for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
        check_parse(fast[i], strlen(fast[i]), true);
    for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
        double d;
        if (num_parse_decimal(slow[i], strlen(slow[i]), &d))
            fail_msg("\"%s\" accepted", slow[i]);
    }
    /* The text need not end with a NUL: only n bytes are read. */
    double d = 0;
    assert_true(num_parse_decimal("1.50xyz", 4, &d));
    assert_true(d == 1.5);
}

static void parse_random(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        char s[48];
        size_t n = 0;
        uint64_t r = rng();
        if (r % 3 == 1)
            s[n++] = '-';
        else if (r % 3 == 2 && (r & 8))
            s[n++] = '+';
        r >>= 4;
        unsigned int_digits = (unsigned)(r % 19);
        r >>= 5;
        bool point = (r & 1) != 0;
        r >>= 1;
        unsigned frac_digits = point ? (unsigned)(r % 17) : 0;
        for (unsigned k = 0; k < int_digits; k++)
            s[n++] = (char)('0' + rng() % 10);
        if (point)
            s[n++] = '.';
        for (unsigned k = 0; k < frac_digits; k++)
            s[n++] = (char)('0' + rng() % 10);
        unsigned digits = int_digits + frac_digits;
        bool want_fast = digits > 0 && (point ? digits <= 15 : digits <= 18);
        check_parse(s, n, want_fast);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed2_edge_cases),
        cmocka_unit_test(fixed2_random),
        cmocka_unit_test(parse_cases),
        cmocka_unit_test(parse_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
