/* test_slug.c - util/slug: slugs of names and titles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/slug.h"

static void slugs(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(slug_make(a, "Alice's Team", 40, "team"), "alice-s-team");
    assert_string_equal(slug_make(a, "  Acme   Sales! ", 40, "team"), "acme-sales");
    assert_string_equal(slug_make(a, "--", 40, "team"), "team");
    assert_string_equal(slug_make(a, "", 40, "post"), "post");
    assert_string_equal(slug_make(a, "\xc3\xa9t\xc3\xa9 2024", 40, "x"), "t-2024");
    /* Cut at max, then no dash left at the end. */
    assert_string_equal(slug_make(a, "abcd efgh", 5, "x"), "abcd");
    assert_string_equal(slug_make(a, "abcdefgh", 5, "x"), "abcde");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slugs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
