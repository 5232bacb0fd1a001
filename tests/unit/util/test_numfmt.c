/*
 * test_numfmt.c - num_money2: money text rounded on its decimal value,
 * half away from zero, to two decimals, as Laravel's decimal:2 cast
 * (BigDecimal HALF_UP) and PHP's number_format($x, 2, '.', '') print the
 * seed's amounts; and the inputs it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "util/numfmt.h"

static void check(const char *in, const char *want)
{
    char out[NUM_MONEY_SIZE];
    size_t n = num_money2(in, strlen(in), out);
    if (want == NULL) {
        if (n != 0)
            fail_msg("\"%s\": got \"%s\", want a refusal", in, out);
        return;
    }
    if (n == 0 || strcmp(out, want) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", in, n ? out : "(refused)", want);
    assert_int_equal(n, strlen(want));
}

static void half_away_from_zero(void **state)
{
    (void)state;
    check("0.125", "0.13");
    check("0.005", "0.01");
    check("0.015", "0.02"); /* the double 0.015 is 0.01499999... */
    check("1.005", "1.01");
    check("2.675", "2.68");
    check("-0.125", "-0.13");
    check("-0.005", "-0.01");
    check("0.124", "0.12");
    check("0.1249999999999999999999999", "0.12");
    check("0.1250000000000000000000001", "0.13");
    check("0.12999999999999999999999999999", "0.13");
    check("0.995", "1.00");
    check("9.995", "10.00");
    check("-99.995", "-100.00");
    check("0.0049", "0.00");
}

static void plain_values(void **state)
{
    (void)state;
    check("0", "0.00");
    check("150.00", "150.00");
    check("150", "150.00");
    check("150.5", "150.50");
    check("00012.30", "12.30");
    check("+7.5", "7.50");
    check(".5", "0.50");
    check("5.", "5.00");
    check("1234567.891", "1234567.89"); /* no thousands separator */
    check("-0", "0.00");
    check("-0.001", "0.00"); /* never "-0.00" */
    check("-0.00", "0.00");
    check("0.000", "0.00");
}

static void large_and_exponents(void **state)
{
    (void)state;
    check("999999999999999.99", "999999999999999.99");
    check("999999999999999.995", "1000000000000000.00");
    check("1000000000000000", "1000000000000000.00");
    check("123456789012345678901234567890.125", "123456789012345678901234567890.13");
    check("1e3", "1000.00");
    check("1.5E+2", "150.00");
    check("125e-3", "0.13");
    check("5e-3", "0.01");
    check("4.9e-3", "0.00");
    check("1e-100000000", "0.00");
    check("0e999999999", "0.00");
    char big[80];
    memset(big, '9', 64);
    memcpy(big + 64, ".995", 5);
    char want[80];
    want[0] = '1';
    memset(want + 1, '0', 64);
    memcpy(want + 65, ".00", 4);
    check(big, want); /* 64 digits, 65 once rounded up */
    big[64] = '\0';
    memcpy(want, big, 64);
    memcpy(want + 64, ".00", 4);
    check(big, want);
    memset(big, '9', 65);
    big[65] = '\0';
    check(big, NULL);
    check("1e64", NULL);
    check("1e63", "1000000000000000000000000000000000000000000000000000000000000000.00");
}

static void refusals(void **state)
{
    (void)state;
    const char *bad[] = {"",          " 12",   "12 ", "12abc", "abc", "0x1A", "inf",
                         "-infinity", "nan",   ".",   "-",     "+",   "1e",   "1e+",
                         "e5",        "1.2.3", "1,5", "--1",   "1-",  "١٢"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check(bad[i], NULL);
    char longer[NUM_MONEY_INPUT_MAX + 2];
    memset(longer, '0', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    check(longer, NULL);
    longer[NUM_MONEY_INPUT_MAX] = '\0';
    check(longer, "0.00");
    /* Not NUL-terminated: only n bytes are read. */
    char out[NUM_MONEY_SIZE];
    assert_int_equal(num_money2("0.125xyz", 5, out), 4);
    assert_string_equal(out, "0.13");
}

static void integers(void **state)
{
    (void)state;
    static const struct {
        long long v;
        const char *want;
    } cases[] = {
        {0, "0"},
        {7, "7"},
        {-7, "-7"},
        {60, "60"},
        {1000000000, "1000000000"},
        {1796506567LL, "1796506567"},
        {LLONG_MAX, "9223372036854775807"},
        {LLONG_MIN, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[NUM_INT_SIZE];
        memset(out, 'x', sizeof(out));
        size_t n = num_int(cases[i].v, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(half_away_from_zero),
        cmocka_unit_test(plain_values),
        cmocka_unit_test(large_and_exponents),
        cmocka_unit_test(refusals),
        cmocka_unit_test(integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
