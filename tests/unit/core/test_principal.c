/* test_principal.c - can() = role permission AND token ability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/principal.h"

static const char *role_perms[] = {"orders.view", "orders.create"};
static const char *star[] = {"*"};
static const char *only_view[] = {"orders.view"};

static struct principal make(const char **abilities, size_t n, enum auth_via via)
{
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.via = via;
    p.has_tenant = true;
    p.role.permissions = (struct strlist){role_perms, 2};
    p.token.abilities = (struct strlist){abilities, n};
    return p;
}

static void star_token_allows_what_the_role_grants(void **state)
{
    (void)state;
    struct principal p = make(star, 1, VIA_PAT);
    assert_true(principal_can(&p, "orders.view"));
    assert_true(principal_can(&p, "orders.create"));
    assert_false(principal_can(&p, "orders.delete"));
    assert_true(principal_token_can(&p, "anything"));
}

static void narrow_token_limits_the_role(void **state)
{
    (void)state;
    struct principal p = make(only_view, 1, VIA_PAT);
    assert_true(principal_can(&p, "orders.view"));
    assert_false(principal_can(&p, "orders.create"));
    assert_false(principal_token_can(&p, "orders.create"));
}

static void empty_abilities_allow_nothing(void **state)
{
    (void)state;
    struct principal p = make(NULL, 0, VIA_PAT);
    assert_false(principal_can(&p, "orders.view"));
}

static void password_principal_has_the_whole_role(void **state)
{
    (void)state;
    struct principal p = make(NULL, 0, VIA_PASSWORD);
    assert_true(principal_can(&p, "orders.create"));
    assert_false(principal_can(&p, "orders.delete"));
}

static void no_tenant_no_permission(void **state)
{
    (void)state;
    struct principal p = make(star, 1, VIA_PAT);
    p.has_tenant = false;
    assert_false(principal_can(&p, "orders.view"));
}

static void super_admin_passes_role_but_not_token(void **state)
{
    (void)state;
    struct principal p = make(only_view, 1, VIA_PAT);
    p.has_tenant = false;
    p.user.is_super_admin = true;
    assert_true(principal_can(&p, "orders.view"));
    assert_false(principal_can(&p, "orders.delete"));
}

static void principal_check_user_maps_status(void **state)
{
    (void)state;
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.user.status = USER_ACTIVE;
    assert_int_equal(principal_check_user(&p), 0);
    p.user.status = USER_INACTIVE;
    assert_int_not_equal(principal_check_user(&p), 0);
    assert_int_equal(p.refusal, REFUSE_USER_INACTIVE);
    p.user.status = USER_SUSPENDED;
    assert_int_not_equal(principal_check_user(&p), 0);
    assert_int_equal(p.refusal, REFUSE_USER_SUSPENDED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_token_allows_what_the_role_grants),
        cmocka_unit_test(narrow_token_limits_the_role),
        cmocka_unit_test(empty_abilities_allow_nothing),
        cmocka_unit_test(password_principal_has_the_whole_role),
        cmocka_unit_test(no_tenant_no_permission),
        cmocka_unit_test(super_admin_passes_role_but_not_token),
        cmocka_unit_test(principal_check_user_maps_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
