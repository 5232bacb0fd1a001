/*
 * test_password.c - argon2id hashing, argon2id and bcrypt verification,
 * rehash decisions and the dummy hash. Small parameters keep most cases
 * fast; one case uses the defaults to pin PHP's encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/password.h"
#include "crypto/random.h"
#include "util/err.h"

/* Laravel's UserFactory hash of "password" (bcrypt, cost 10). */
#define LARAVEL_HASH   "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi"
#define SMALL_PREFIX   "$argon2id$v=19$m=8192,t=1,p=1$"
#define DEFAULT_PREFIX "$argon2id$v=19$m=65536,t=4,p=1$"

static const struct password_params small = {
    .opslimit = 1,
    .memlimit = (size_t)8 * 1024 * 1024,
};

static int setup(void **state)
{
    (void)state;
    return crypto_init();
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void test_default_params(void **state)
{
    struct password_params p = password_default_params();

    (void)state;
    assert_int_equal(p.opslimit, 4);
    assert_int_equal(p.memlimit, 64 * 1024 * 1024);
}

static void test_argon2id_round_trip(void **state)
{
    char h1[PASSWORD_HASH_MAX];
    char h2[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(password_hash(&small, "correct horse battery staple", h1), 0);
    assert_prefix(h1, SMALL_PREFIX);
    assert_true(password_verify("correct horse battery staple", h1));
    assert_false(password_verify("correct horse battery stapl", h1));
    assert_false(password_verify("Correct horse battery staple", h1));
    assert_false(password_verify("", h1));

    /* A fresh salt each time. */
    assert_int_equal(password_hash(&small, "correct horse battery staple", h2), 0);
    assert_string_not_equal(h1, h2);
    assert_true(password_verify("correct horse battery staple", h2));
}

static void test_argon2id_empty_password(void **state)
{
    char h[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(password_hash(&small, "", h), 0);
    assert_true(password_verify("", h));
    assert_false(password_verify(" ", h));
}

static void test_argon2id_default_params(void **state)
{
    struct password_params p = password_default_params();
    char h[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(password_hash(&p, "hunter2", h), 0);
    assert_prefix(h, DEFAULT_PREFIX);
    assert_true(password_verify("hunter2", h));
    assert_false(password_verify("hunter3", h));
    assert_false(password_needs_rehash(&p, h));
    assert_true(password_needs_rehash(&small, h));
}

static void test_password_length_limit(void **state)
{
    char *pw = malloc(PASSWORD_MAX_BYTES + 2);
    char h[PASSWORD_HASH_MAX];

    (void)state;
    assert_non_null(pw);
    memset(pw, 'x', PASSWORD_MAX_BYTES);
    pw[PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(password_hash(&small, pw, h), 0);
    assert_true(password_verify(pw, h));

    pw[PASSWORD_MAX_BYTES] = 'x';
    pw[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_int_equal(password_hash(&small, pw, h), ERR_LIMIT);
    assert_false(password_verify(pw, h));
    free(pw);
}

static void test_hash_bad_params(void **state)
{
    struct password_params zero_ops = {.opslimit = 0, .memlimit = small.memlimit};
    struct password_params tiny_mem = {.opslimit = 1, .memlimit = 1};
    char h[PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(password_hash(&zero_ops, "pw", h), ERR_CRYPTO);
    assert_int_equal(password_hash(&tiny_mem, "pw", h), ERR_CRYPTO);
}

static void test_bcrypt_laravel(void **state)
{
    (void)state;
    assert_true(password_verify("password", LARAVEL_HASH));
    assert_false(password_verify("Password", LARAVEL_HASH));
    assert_false(password_verify("password ", LARAVEL_HASH));
    assert_false(password_verify("", LARAVEL_HASH));
}

static void test_bcrypt_variants(void **state)
{
    char h[] = LARAVEL_HASH;

    (void)state;
    /* For ASCII passwords $2a$, $2b$ and $2y$ compute the same hash. */
    h[2] = 'b';
    assert_true(password_verify("password", h));
    assert_false(password_verify("Password", h));
    h[2] = 'a';
    assert_true(password_verify("password", h));
    assert_false(password_verify("Password", h));
    /* One changed hash character must not verify. */
    h[2] = 'y';
    h[sizeof(h) - 2] = h[sizeof(h) - 2] == 'i' ? 'j' : 'i';
    assert_false(password_verify("password", h));
}

static void test_malformed_hashes(void **state)
{
    static const char *const bad[] = {
        "",
        "$",
        "password",
        "*0",
        "$argon2id$",
        "$argon2id$garbage",
        "$argon2id$v=19$m=65536,t=4,p=1$",
        "$argon2id$v=19$m=65536,t=4,p=1$$",
        "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$",
        "$argon2id$v=19$m=0,t=0,p=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2i$v=19$m=65536,t=4,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        "$2y$",
        "$2y$10$short",
        "$2y$99$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi",
        "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/ig",
        "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igii",
        "$2x$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi",
        "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0",
        "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7O",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (password_verify("password", bad[i]))
            fail_msg("verified against \"%s\"", bad[i]);
        if (password_verify("", bad[i]))
            fail_msg("verified empty password against \"%s\"", bad[i]);
        if (!password_needs_rehash(&small, bad[i]))
            fail_msg("no rehash needed for \"%s\"", bad[i]);
    }
    assert_false(password_verify(NULL, LARAVEL_HASH));
    assert_false(password_verify("password", NULL));
}

static void test_overlong_hash(void **state)
{
    char h[PASSWORD_HASH_MAX];
    char *big = malloc(4096);

    (void)state;
    assert_non_null(big);
    assert_int_equal(password_hash(&small, "pw", h), 0);
    /* A valid hash followed by junk up to well past PASSWORD_HASH_MAX. */
    memset(big, 'A', 4095);
    big[4095] = '\0';
    memcpy(big, h, strlen(h));
    assert_false(password_verify("pw", big));
    assert_true(password_needs_rehash(&small, big));
    free(big);
}

static void test_argon2i_is_unknown(void **state)
{
    char h[crypto_pwhash_STRBYTES];

    (void)state;
    /* A genuine argon2i hash: not a format we accept. */
    assert_int_equal(
        crypto_pwhash_str_alg(h, "pw", 2, 3, small.memlimit, crypto_pwhash_ALG_ARGON2I13), 0);
    assert_prefix(h, "$argon2i$");
    assert_false(password_verify("pw", h));
    assert_true(password_needs_rehash(&small, h));
}

static void test_needs_rehash(void **state)
{
    struct password_params more_ops = {.opslimit = 2, .memlimit = small.memlimit};
    struct password_params more_mem = {.opslimit = 1, .memlimit = small.memlimit * 2};
    char h[PASSWORD_HASH_MAX];

    (void)state;
    assert_true(password_needs_rehash(&small, LARAVEL_HASH));
    assert_int_equal(password_hash(&small, "pw", h), 0);
    assert_false(password_needs_rehash(&small, h));
    assert_true(password_needs_rehash(&more_ops, h));
    assert_true(password_needs_rehash(&more_mem, h));
    assert_true(password_needs_rehash(NULL, h));
    assert_true(password_needs_rehash(&small, NULL));
}

static void test_dummy_hash(void **state)
{
    struct password_params more_ops = {.opslimit = 2, .memlimit = small.memlimit};
    char copy[PASSWORD_HASH_MAX];
    const char *d;

    (void)state;
    d = password_dummy_hash(&small);
    assert_non_null(d);
    assert_prefix(d, SMALL_PREFIX);
    assert_false(password_needs_rehash(&small, d));
    assert_false(password_verify("", d));
    assert_false(password_verify("password", d));
    assert_false(password_verify(d, d));
    /* Computed once: the same string every time, even with other params. */
    snprintf(copy, sizeof(copy), "%s", d);
    assert_ptr_equal(password_dummy_hash(&small), d);
    assert_string_equal(password_dummy_hash(&small), copy);
    assert_string_equal(password_dummy_hash(&more_ops), copy);
}

/*
 * password_check (issue 16, item 3): a hash at other parameters costs one
 * hash at today's parameters whatever the outcome, so a stale account is
 * never cheaper than an unknown email; only a match is offered for storing.
 */
static void test_check_pays_todays_cost(void **state)
{
    (void)state;
    static const struct password_params cheaper = {.opslimit = 1, .memlimit = (size_t)16 * 1024};
    char stale[PASSWORD_HASH_MAX], fresh[PASSWORD_HASH_MAX];
    bool rehashed = true;
    assert_int_equal(password_hash(&cheaper, "old-cost-secret", stale), 0);

    memset(fresh, 0, sizeof(fresh));
    assert_false(password_check(&small, "wrong-guess", stale, fresh, &rehashed));
    assert_false(rehashed);
    assert_prefix(fresh, SMALL_PREFIX);
    assert_true(password_verify("wrong-guess", fresh));

    memset(fresh, 0, sizeof(fresh));
    assert_true(password_check(&small, "old-cost-secret", stale, fresh, &rehashed));
    assert_true(rehashed);
    assert_prefix(fresh, SMALL_PREFIX);
    assert_true(password_verify("old-cost-secret", fresh));

    memset(fresh, 0, sizeof(fresh));
    assert_false(password_check(&small, "password", LARAVEL_HASH "x", fresh, &rehashed));
    assert_prefix(fresh, SMALL_PREFIX);
    assert_true(password_check(&small, "password", LARAVEL_HASH, fresh, &rehashed));
    assert_true(rehashed);

    /* At today's parameters nothing more is done. */
    assert_int_equal(password_hash(&small, "todays-secret", stale), 0);
    memset(fresh, 0, sizeof(fresh));
    assert_false(password_check(&small, "wrong-guess", stale, fresh, &rehashed));
    assert_false(rehashed);
    assert_int_equal(fresh[0], '\0');
    assert_false(password_check(&small, "x", NULL, fresh, NULL));
    assert_prefix(fresh, SMALL_PREFIX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_params),
        cmocka_unit_test(test_argon2id_round_trip),
        cmocka_unit_test(test_argon2id_empty_password),
        cmocka_unit_test(test_argon2id_default_params),
        cmocka_unit_test(test_password_length_limit),
        cmocka_unit_test(test_hash_bad_params),
        cmocka_unit_test(test_bcrypt_laravel),
        cmocka_unit_test(test_bcrypt_variants),
        cmocka_unit_test(test_malformed_hashes),
        cmocka_unit_test(test_overlong_hash),
        cmocka_unit_test(test_argon2i_is_unknown),
        cmocka_unit_test(test_needs_rehash),
        cmocka_unit_test(test_dummy_hash),
        cmocka_unit_test(test_check_pays_todays_cost),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
