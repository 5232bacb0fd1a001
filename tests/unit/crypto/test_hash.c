/*
 * test_hash.c - SHA-256 and crc32b known vectors, constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static void expect_sha256(const char *in, size_t n, const char *hex)
{
    char out[65];

    memset(out, 'X', sizeof(out));
    sha256_hex(in, n, out);
    assert_string_equal(out, hex);
}

static void test_sha256_vectors(void **state)
{
    char big[1000];

    (void)state;
    expect_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(big, 'a', sizeof(big));
    expect_sha256(big, sizeof(big),
                  "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void test_sha256_binary(void **state)
{
    /* Embedded NUL bytes count: the length is explicit. */
    char a[65], b[65];

    (void)state;
    sha256_hex("a\0b", 3, a);
    sha256_hex("a", 1, b);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), 64);
}

static void test_crc32b_vectors(void **state)
{
    const char *fox = "The quick brown fox jumps over the lazy dog";

    (void)state;
    assert_int_equal(crc32b(fox, strlen(fox)), 0x414fa339u);
    assert_int_equal(crc32b("", 0), 0u);
    assert_int_equal(crc32b("123456789", 9), 0xcbf43926u);
    assert_int_equal(crc32b("a", 1), 0xe8b7be43u);
}

/* A bit-at-a-time reference, to check the table against. */
static uint32_t crc_reference(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static void test_crc32b_matches_reference(void **state)
{
    unsigned char buf[300];

    (void)state;
    for (size_t n = 0; n < sizeof(buf); n += 7) {
        random_bytes(buf, n);
        assert_int_equal(crc32b(buf, n), crc_reference(buf, n));
    }
    /* Every byte value once, so every table entry is used. */
    for (size_t i = 0; i < 256; i++)
        buf[i] = (unsigned char)i;
    assert_int_equal(crc32b(buf, 256), crc_reference(buf, 256));
}

/* sha256_hex (OpenSSL's SHA-256, own hex) answers as libsodium's SHA-256
 * and sodium_bin2hex, the code it replaced, for every length around the
 * block boundaries and beyond. */
static void test_sha256_matches_libsodium(void **state)
{
    unsigned char in[300], digest[crypto_hash_sha256_BYTES];
    char want[65], got[65];
    (void)state;
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof(in); n++) {
        crypto_hash_sha256(digest, in, n);
        sodium_bin2hex(want, sizeof(want), digest, sizeof(digest));
        sha256_hex(in, n, got);
        assert_string_equal(got, want);
    }
}

static void test_ct_equal(void **state)
{
    const unsigned char a[] = {1, 2, 3, 4, 5};
    const unsigned char b[] = {1, 2, 3, 4, 5};
    const unsigned char first[] = {0, 2, 3, 4, 5};
    const unsigned char last[] = {1, 2, 3, 4, 6};

    (void)state;
    assert_true(ct_equal(a, b, sizeof(a)));
    assert_false(ct_equal(a, first, sizeof(a)));
    assert_false(ct_equal(a, last, sizeof(a)));
    assert_true(ct_equal(a, last, 4));
    assert_true(ct_equal(a, first, 0));
}

/* The word-wise compare answers as memcmp for every length (the word loop
 * and the byte tail) and every position of a single differing bit. */
static void test_ct_equal_matches_memcmp(void **state)
{
    unsigned char a[80], b[80];
    (void)state;
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(a); n++) {
        memcpy(b, a, sizeof(b));
        assert_true(ct_equal(a, b, n));
        for (size_t at = 0; at < n; at++) {
            for (int bit = 0; bit < 8; bit += 7) {
                b[at] ^= (unsigned char)(1u << bit);
                assert_int_equal(ct_equal(a, b, n), memcmp(a, b, n) == 0);
                assert_false(ct_equal(a, b, n));
                b[at] ^= (unsigned char)(1u << bit);
            }
        }
        /* A difference past n is not looked at. */
        if (n < sizeof(a)) {
            b[n] ^= 1;
            assert_true(ct_equal(a, b, n));
        }
    }
    /* Unaligned starts. */
    memcpy(b, a, sizeof(b));
    assert_true(ct_equal(a + 1, b + 1, 63));
    b[40] ^= 0x80;
    assert_false(ct_equal(a + 3, b + 3, 60));
}

static void test_ct_streq(void **state)
{
    (void)state;
    assert_true(ct_streq("", ""));
    assert_true(ct_streq("secret", "secret"));
    assert_false(ct_streq("secret", "Secret"));
    assert_false(ct_streq("secret", "secreT"));
    assert_false(ct_streq("secret", "secret1"));
    assert_false(ct_streq("secret1", "secret"));
    assert_false(ct_streq("", "a"));
    assert_false(ct_streq("a", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_binary),
        cmocka_unit_test(test_crc32b_vectors),
        cmocka_unit_test(test_crc32b_matches_reference),
        cmocka_unit_test(test_sha256_matches_libsodium),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_ct_equal_matches_memcmp),
        cmocka_unit_test(test_ct_streq),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
