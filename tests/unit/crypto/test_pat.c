/*
 * test_pat.c - Sanctum 4 token generation, parsing of hostile input and
 * the crc32b checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/pat.h"
#include "crypto/random.h"
#include "util/err.h"

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Checks the 48-char tail independently of pat_checksum_ok(). */
static void assert_tail_valid(const char *tail)
{
    char crc[9];

    assert_int_equal(strlen(tail), PAT_RANDOM_LEN + 8);
    for (size_t i = 0; i < PAT_RANDOM_LEN; i++)
        assert_true(is_alnum(tail[i]));
    for (size_t i = PAT_RANDOM_LEN; i < PAT_RANDOM_LEN + 8; i++)
        assert_true(is_lower_hex(tail[i]));
    snprintf(crc, sizeof(crc), "%08" PRIx32, crc32b(tail, PAT_RANDOM_LEN));
    assert_string_equal(tail + PAT_RANDOM_LEN, crc);
}

/* out is exactly PAT_SECRET_MAX + 1 bytes on the heap, so ASan sees overflows. */
static char *new_out(void)
{
    char *out = malloc(PAT_SECRET_MAX + 1);

    assert_non_null(out);
    return out;
}

static void test_generate_no_prefix(void **state)
{
    char *a = new_out();
    char *b = new_out();

    (void)state;
    assert_int_equal(pat_generate_secret("", a), 0);
    assert_int_equal(strlen(a), 48);
    assert_tail_valid(a);
    assert_true(pat_checksum_ok(a));
    assert_int_equal(pat_generate_secret("", b), 0);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_generate_prefix(void **state)
{
    char *out = new_out();
    char max[PAT_PREFIX_MAX + 1];

    (void)state;
    assert_int_equal(pat_generate_secret("lk_", out), 0);
    assert_int_equal(strlen(out), 3 + 48);
    assert_memory_equal(out, "lk_", 3);
    assert_tail_valid(out + 3);
    assert_true(pat_checksum_ok(out));

    memset(max, 'p', PAT_PREFIX_MAX);
    max[PAT_PREFIX_MAX] = '\0';
    assert_int_equal(pat_generate_secret(max, out), 0);
    assert_int_equal(strlen(out), PAT_SECRET_MAX);
    assert_memory_equal(out, max, PAT_PREFIX_MAX);
    assert_tail_valid(out + PAT_PREFIX_MAX);
    free(out);
}

static void test_generate_prefix_too_long(void **state)
{
    char *out = new_out();
    char big[PAT_PREFIX_MAX + 2];
    char huge[4096];

    (void)state;
    memset(big, 'p', PAT_PREFIX_MAX + 1);
    big[PAT_PREFIX_MAX + 1] = '\0';
    assert_int_equal(pat_generate_secret(big, out), ERR_INVALID);
    memset(huge, 'p', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(pat_generate_secret(huge, out), ERR_INVALID);
    free(out);
}

static void test_parse_valid(void **state)
{
    const char *in = "1|abc";
    const char *secret = NULL;
    int64_t id = -1;

    (void)state;
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, 1);
    assert_ptr_equal(secret, in + 2);
    assert_string_equal(secret, "abc");

    in = "123456789|tok";
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, 123456789);
    assert_string_equal(secret, "tok");

    in = "9223372036854775807|x";
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, INT64_MAX);
    assert_string_equal(secret, "x");
}

static void test_parse_no_pipe(void **state)
{
    const char *in = "abcDEF123";
    const char *secret = NULL;
    int64_t id = -1;

    (void)state;
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, 0);
    assert_ptr_equal(secret, in);
}

static void test_parse_multiple_pipes(void **state)
{
    const char *in = "7|a|b|c";
    const char *secret = NULL;
    int64_t id = -1;

    (void)state;
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, 7);
    assert_ptr_equal(secret, in + 2);
    assert_string_equal(secret, "a|b|c");
}

static void expect_reject(const char *in)
{
    const char *secret = NULL;
    int64_t id = 0;

    assert_false(pat_parse(in, &id, &secret));
}

static void test_parse_hostile(void **state)
{
    static const char *const bad[] = {
        "",
        "|",
        "||",
        "|secret",
        "0|x",
        "00|x",
        "01|x",
        "-1|x",
        "+1|x",
        " 1|x",
        "1 |x",
        "1a|x",
        "0x1|x",
        "1e3|x",
        "1|",
        "|1|x",
        "9223372036854775808|x",
        "18446744073709551616|x",
        "99999999999999999999|x",
        "99999999999999999999999999999999999999999|x",
        "1|a\x01z",
        "1|a\tb",
        "1|a\nb",
        "1|a\rb",
        "1|ab\x7f",
        "1|ab\x80",
        "1|\xff\xfe",
        "\x1b[31m",
        "abc\x7f",
    };

    (void)state;
    expect_reject(NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *secret = NULL;
        int64_t id = 0;

        /* Report the index: the inputs hold control bytes. */
        if (pat_parse(bad[i], &id, &secret))
            fail_msg("pat_parse accepted bad[%zu]", i);
    }
}

static void test_parse_length_limit(void **state)
{
    char *in = malloc(100001);
    const char *secret = NULL;
    int64_t id = -1;

    (void)state;
    assert_non_null(in);
    memcpy(in, "1|", 2);
    memset(in + 2, 'a', PAT_INPUT_MAX - 2);
    in[PAT_INPUT_MAX] = '\0';
    assert_true(pat_parse(in, &id, &secret));
    assert_int_equal(id, 1);
    assert_int_equal(strlen(secret), PAT_INPUT_MAX - 2);

    in[PAT_INPUT_MAX] = 'a';
    in[PAT_INPUT_MAX + 1] = '\0';
    expect_reject(in);

    memset(in, 'a', 100000);
    in[100000] = '\0';
    expect_reject(in);
    free(in);
}

static void test_parse_generated(void **state)
{
    char *secret = new_out();
    char token[32 + PAT_SECRET_MAX];
    const char *got = NULL;
    int64_t id = 0;

    (void)state;
    assert_int_equal(pat_generate_secret("lk_", secret), 0);
    snprintf(token, sizeof(token), "42|%s", secret);
    assert_true(pat_parse(token, &id, &got));
    assert_int_equal(id, 42);
    assert_string_equal(got, secret);
    assert_true(pat_checksum_ok(got));
    free(secret);
}

static void test_checksum_known(void **state)
{
    (void)state;
    /* Expected hex from Python's zlib.crc32, i.e. PHP's hash('crc32b'). */
    assert_true(pat_checksum_ok("abcdefghijABCDEFGHIJ0123456789klmnopqrsta2e37cfd"));
    assert_true(pat_checksum_ok("Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zba6a3c37"));
    assert_true(pat_checksum_ok("any_prefix|abcdefghijABCDEFGHIJ0123456789klmnopqrsta2e37cfd"));
    assert_false(pat_checksum_ok("abcdefghijABCDEFGHIJ0123456789klmnopqrstA2E37CFD"));
    assert_false(pat_checksum_ok("bcdefghijABCDEFGHIJ0123456789klmnopqrsta2e37cfd"));
    assert_false(pat_checksum_ok("abcdefghijABCDEFGHIJ0123456789klmnopqr_ta2e37cfd"));
    assert_false(pat_checksum_ok(""));
    assert_false(pat_checksum_ok(NULL));
}

/* Replaces c by a different character of the same class. */
static char other(char c, bool hex)
{
    if (hex)
        return c == 'a' ? 'b' : 'a';
    return c == 'Q' ? 'R' : 'Q';
}

static void test_checksum_flipped(void **state)
{
    char *s = new_out();

    (void)state;
    assert_int_equal(pat_generate_secret("pfx_", s), 0);
    assert_true(pat_checksum_ok(s));
    for (size_t i = 4; i < strlen(s); i++) {
        char saved = s[i];

        s[i] = other(saved, i >= 4 + PAT_RANDOM_LEN);
        if (pat_checksum_ok(s))
            fail_msg("flipped char %zu still passes", i);
        s[i] = saved;
    }
    assert_true(pat_checksum_ok(s));
    /* The prefix is not covered by the checksum. */
    s[0] = 'X';
    assert_true(pat_checksum_ok(s));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_no_prefix),
        cmocka_unit_test(test_generate_prefix),
        cmocka_unit_test(test_generate_prefix_too_long),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_no_pipe),
        cmocka_unit_test(test_parse_multiple_pipes),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test(test_parse_length_limit),
        cmocka_unit_test(test_parse_generated),
        cmocka_unit_test(test_checksum_known),
        cmocka_unit_test(test_checksum_flipped),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
