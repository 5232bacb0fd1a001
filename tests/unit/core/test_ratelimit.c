/* test_ratelimit.c - fixed-window arithmetic and the striped table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/ratelimit.h"

static void window_counts_down_then_refuses(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    for (uint32_t i = 1; i <= 3; i++) {
        ratelimit_window(&start, &count, 3, 60, 1000, &r);
        assert_true(r.allowed);
        assert_int_equal(r.limit, 3);
        assert_int_equal(r.remaining, 3 - i);
        assert_int_equal(r.reset_at, 1060);
        assert_int_equal(r.retry_after, 0);
    }
    ratelimit_window(&start, &count, 3, 60, 1010, &r);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.retry_after, 50);
    assert_int_equal(count, 3); /* a refused hit is not counted */
}

static void window_resets_after_expiry(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    ratelimit_window(&start, &count, 1, 10, 500, &r);
    assert_true(r.allowed);
    ratelimit_window(&start, &count, 1, 10, 509, &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 1);
    ratelimit_window(&start, &count, 1, 10, 510, &r);
    assert_true(r.allowed);
    assert_int_equal(r.reset_at, 520);
}

static void clock_going_backwards_starts_a_new_window(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    ratelimit_window(&start, &count, 1, 60, 1000, &r);
    ratelimit_window(&start, &count, 1, 60, 900, &r);
    assert_true(r.allowed);
    assert_int_equal(r.reset_at, 960);
}

static void table_keys_are_independent(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    ratelimit_hit(rl, "login", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_hit(rl, "login", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_false(r.allowed);
    ratelimit_hit(rl, "login", "ip:1.2.3.5", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_hit(rl, "token", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_free(rl);
}

static void table_grows_and_keeps_counts(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_true(r.allowed);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_true(r.allowed);
        assert_int_equal(r.remaining, 0);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_false(r.allowed);
    }
    /* After the window, expired entries are dropped when the table grows. */
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "new:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 1000, &r);
        assert_true(r.allowed);
    }
    ratelimit_free(rl);
}

static void long_keys_are_truncated_safely(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    char key[1024];
    for (size_t i = 0; i < sizeof(key) - 1; i++)
        key[i] = 'k';
    key[sizeof(key) - 1] = '\0';
    ratelimit_hit(rl, "a-very-long-bucket-name-that-goes-on-and-on", key, 1, 60, 1, &r);
    assert_true(r.allowed);
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_counts_down_then_refuses),
        cmocka_unit_test(window_resets_after_expiry),
        cmocka_unit_test(clock_going_backwards_starts_a_new_window),
        cmocka_unit_test(table_keys_are_independent),
        cmocka_unit_test(table_grows_and_keeps_counts),
        cmocka_unit_test(long_keys_are_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
