/*
 * test_pwpolicy.c - the new-password policy (issue 16): the embedded
 * common-password list (its first and last entries, case-insensitive
 * lookups, nothing beyond it), one character repeated, the personal rule,
 * and the speed of a lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/pwpolicy.h"

static void test_list(void **state)
{
    (void)state;
    const char *in[] = {"123456",     "password", "PASSWORD", "Password1", "12345678",
                        "qwertyuiop", "!qaz2wsx", "zzzzzzz1", "dragon"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        if (!pwpolicy_is_common(in[i]))
            fail_msg("\"%s\" is in the list", in[i]);
    }
    const char *out[] = {
        "",        "securepass123", "correct horse battery staple", "Kv8-unlisted-Zt4", "zzzzzzzz2",
        "123456 ", " 123456"};
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        if (pwpolicy_is_common(out[i]))
            fail_msg("\"%s\" is not in the list", out[i]);
    }
    char longer[200];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_false(pwpolicy_is_common(longer));
}

static void test_check(void **state)
{
    (void)state;
    assert_int_equal(pwpolicy_check(NULL, "12345678", NULL, NULL), PWPOLICY_COMMON);
    assert_int_equal(pwpolicy_check(NULL, "aaaaaaaa", NULL, NULL), PWPOLICY_COMMON);
    assert_int_equal(pwpolicy_check(NULL, "########", NULL, NULL), PWPOLICY_COMMON);
    assert_int_equal(pwpolicy_check(NULL, "aaaaaaab", NULL, NULL), PWPOLICY_OK);
    assert_int_equal(pwpolicy_check(NULL, "jane.doe@example.com", "jane.doe@example.com", NULL),
                     PWPOLICY_PERSONAL);
    assert_int_equal(pwpolicy_check(NULL, "JANE.DOE", "jane.doe@example.com", NULL),
                     PWPOLICY_PERSONAL);
    assert_int_equal(pwpolicy_check(NULL, "jane.doe@", "jane.doe@example.com", NULL), PWPOLICY_OK);
    assert_int_equal(pwpolicy_check(NULL, "jane doe 1", "j@example.com", "Jane Doe 1"),
                     PWPOLICY_PERSONAL);
    assert_int_equal(pwpolicy_check(NULL, "Kv8-unlisted-Zt4", "k@example.com", "Kay"), PWPOLICY_OK);
    assert_int_equal(pwpolicy_check(NULL, NULL, "k@example.com", "Kay"), PWPOLICY_OK);
    assert_null(pwpolicy_message(PWPOLICY_OK));
    assert_string_equal(
        pwpolicy_message(PWPOLICY_COMMON),
        "The given password has appeared in a data leak. Please choose a different password.");
}

/* A lookup is a bsearch: a million take well under a second. */
static void test_fast(void **state)
{
    (void)state;
    char pw[32];
    clock_t t0 = clock();
    size_t hits = 0;
    for (int i = 0; i < 1000000; i++) {
        snprintf(pw, sizeof(pw), "pw%d", i % 5000);
        hits += pwpolicy_is_common(pw);
    }
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(s < 2.0);
    (void)hits;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
