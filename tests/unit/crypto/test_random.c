/*
 * test_random.c - initialisation, random bytes and the alnum alphabet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/random.h"

#define DRAWS_PER_CHAR 1000

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static int index_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return 26 + (c - 'a');
    if (c >= '0' && c <= '9')
        return 52 + (c - '0');
    return -1;
}

static void test_init_twice(void **state)
{
    (void)state;
    assert_int_equal(crypto_init(), 0);
    assert_int_equal(crypto_init(), 0);
}

static void test_random_bytes(void **state)
{
    unsigned char a[32], b[32], zero[32];

    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));
    random_bytes(a, sizeof(a));
    random_bytes(b, sizeof(b));
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    random_bytes(a, 0);
}

static void test_alnum_shape(void **state)
{
    char buf[66];

    (void)state;
    memset(buf, '#', sizeof(buf));
    random_alnum(buf, 64);
    assert_int_equal(buf[64], '\0');
    assert_int_equal(buf[65], '#');
    for (size_t i = 0; i < 64; i++)
        assert_true(index_of(buf[i]) >= 0);

    memset(buf, '#', sizeof(buf));
    random_alnum(buf, 0);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], '#');
}

/*
 * Every one of the 62 characters appears, and a chi-square statistic over
 * 62,000 draws stays far below what a biased or short alphabet produces
 * (61 degrees of freedom: the mean is 61; 200 is a very loose bound).
 */
static void test_alnum_uniform(void **state)
{
    static char buf[62 * DRAWS_PER_CHAR + 1];
    unsigned counts[62] = {0};
    double chi2 = 0;

    (void)state;
    random_alnum(buf, sizeof(buf) - 1);
    for (size_t i = 0; i < sizeof(buf) - 1; i++) {
        int k = index_of(buf[i]);

        assert_true(k >= 0);
        counts[k]++;
    }
    for (size_t k = 0; k < 62; k++) {
        double d = (double)counts[k] - DRAWS_PER_CHAR;

        if (counts[k] == 0)
            fail_msg("character %zu never drawn", k);
        chi2 += d * d / DRAWS_PER_CHAR;
    }
    if (chi2 > 200)
        fail_msg("chi-square %.1f: not uniform", chi2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_twice),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_alnum_shape),
        cmocka_unit_test(test_alnum_uniform),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
