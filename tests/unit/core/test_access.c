/*
 * test_access.c - forward-auth (issue 17): the original URI normalised as
 * nginx picks its location, and access rules checked and put in canonical
 * form. (The decision itself is tested end to end: tests/e2e/fwdauth/.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/access.h"
#include "util/arena.h"
#include "util/err.h"

/* The normalised path of uri, or NULL when it is refused. */
static const char *norm(const char *uri, bool decoded)
{
    static char out[64];
    return access_normalize_path(uri, decoded, out, sizeof(out)) == 0 ? out : NULL;
}

static void paths_are_normalised(void **state)
{
    (void)state;
    assert_string_equal(norm("/", false), "/");
    assert_string_equal(norm("/a/b?x=1#f", false), "/a/b");
    assert_string_equal(norm("//a///b/", false), "/a/b");
    assert_string_equal(norm("/a/./b/../c", false), "/a/c");
    assert_string_equal(norm("/a/%2e%2E/b", false), "/b");
    assert_string_equal(norm("/a%2fb", false), "/a/b");
    assert_string_equal(norm("/%41", false), "/A");
    assert_string_equal(norm("/a/..", false), "/");
    assert_string_equal(norm("/a/...", false), "/a/...");
    assert_null(norm("", false));
    assert_null(norm("a/b", false));
    assert_null(norm("http://h/a", false));
    assert_null(norm("/..", false));
    assert_null(norm("/a/../..", false));
    assert_null(norm("/%00", false));
    assert_null(norm("/%0", false));
    assert_null(norm("/%g0", false));
    assert_null(norm("/a%", false));
    /* Longer than the buffer. */
    char big[100];
    memset(big, 'a', sizeof(big) - 1);
    big[0] = '/';
    big[sizeof(big) - 1] = '\0';
    assert_null(norm(big, false));
    /* Decoded already: '%', '?' and '#' are characters of the path. */
    assert_string_equal(norm("/a/%2e%2e/b", true), "/a/%2e%2e/b");
    assert_string_equal(norm("/a?b", true), "/a?b");
    assert_string_equal(norm("/a/../b", true), "/b");
}

/* Checks r; returns the field refused, or NULL (and r is canonical). */
static const char *check(struct arena *a, struct access_rule *r)
{
    const char *field, *why;
    int rc = access_rule_check(a, r, &field, &why);
    if (rc == 0)
        return NULL;
    assert_int_equal(rc, ERR_INVALID);
    assert_non_null(why);
    return field;
}

static void rules_are_checked(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct access_rule r = {.method = "get", .pattern = "/api/{id}/x", .ability = ""};
    assert_null(check(a, &r));
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.auth, "pat,jwt,session");
    assert_string_equal(r.tenant_from, "header");
    assert_null(r.ability);
    r = (struct access_rule){.method = "any", .pattern = "/*", .auth = "session,apikey,jwt"};
    assert_null(check(a, &r));
    assert_string_equal(r.method, "*");
    assert_string_equal(r.auth, "pat,jwt,session");
    r = (struct access_rule){.method = "*",
                             .pattern = "/a/*",
                             .auth = "none",
                             .role = "none",
                             .tenant_from = "credential"};
    assert_null(check(a, &r));
    assert_null(r.role);
    r = (struct access_rule){.method = "*", .pattern = "/a", .ability = "VIEW LEADS"};
    assert_null(check(a, &r));

    static const struct {
        struct access_rule r;
        const char *field;
    } bad[] = {
        {{.method = "BREW", .pattern = "/a"}, "method"},
        {{.method = NULL, .pattern = "/a"}, "method"},
        {{.method = "*", .pattern = NULL}, "pattern"},
        {{.method = "*", .pattern = "a"}, "pattern"},
        {{.method = "*", .pattern = "/a/*/b"}, "pattern"},
        {{.method = "*", .pattern = "/a*"}, "pattern"},
        {{.method = "*", .pattern = "/a/{x"}, "pattern"},
        {{.method = "*", .pattern = "/a/{x*}"}, "pattern"},
        {{.method = "*", .pattern = "/a/{}"}, "pattern"},
        {{.method = "*", .pattern = "/a/../b"}, "pattern"},
        {{.method = "*", .pattern = "/a b"}, "pattern"},
        {{.method = "*", .pattern = "/a?b"}, "pattern"},
        {{.method = "*", .pattern = "/a%2f"}, "pattern"},
        {{.method = "*", .pattern = "/a//b"}, "pattern"},
        {{.method = "*", .pattern = "/a", .auth = ""}, "auth"},
        {{.method = "*", .pattern = "/a", .auth = "pat,"}, "auth"},
        {{.method = "*", .pattern = "/a", .auth = "pat,x"}, "auth"},
        {{.method = "*", .pattern = "/a", .auth = "none", .ability = "x"}, "auth"},
        {{.method = "*", .pattern = "/a", .ability = "a,b"}, "ability"},
        {{.method = "*", .pattern = "/a", .ability = "a\r\nX-Auth-Role: owner"}, "ability"},
        {{.method = "*", .pattern = "/a", .role = " owner"}, "role"},
        {{.method = "*", .pattern = "/a", .tenant_from = "cookie"}, "tenant"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct access_rule b = bad[i].r;
        const char *field = check(a, &b);
        assert_non_null(field);
        assert_string_equal(field, bad[i].field);
    }
    char long_pattern[300];
    memset(long_pattern, 'a', sizeof(long_pattern) - 1);
    long_pattern[0] = '/';
    long_pattern[sizeof(long_pattern) - 1] = '\0';
    r = (struct access_rule){.method = "*", .pattern = long_pattern};
    assert_string_equal(check(a, &r), "pattern");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_normalised),
        cmocka_unit_test(rules_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
