/*
 * test_reads.c - the reads the surfaces and the CLI make through core
 * (never the store directly), over a real store on both backends: tenants by slug,
 * the staff roster, a user's memberships with their tenants and roles, a
 * tenant with its member count, memberships and roles by id, and the
 * signing keys without their private halves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "core/admin.h"
#include "core/health.h"
#include "core/keyring.h"
#include "core/role.h"
#include "core/staff.h"
#include "core/tenant.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/random.h"
#include "server.h"
#include "util/arena.h"
#include "util/err.h"

static int setup(void **state)
{
    *state = test_server_new(&(struct test_server_options){.keys = true});
    return 0;
}

static int teardown(void **state)
{
    test_server_free(*state);
    return 0;
}

static int64_t new_user(struct test_server *f, const char *email)
{
    struct user_request rq = {.email = email, .name = email, .password = "a password 1"};
    struct user u;
    assert_int_equal(user_create(&f->srv, f->a, &rq, &u), 0);
    return u.id;
}

static int64_t join(struct test_server *f, int64_t user_id, int64_t tenant_id, const char *role)
{
    struct role r;
    assert_int_equal(role_find(&f->srv, f->a, tenant_id, role, &r), 0);
    assert_int_equal(member_add(&f->srv, user_id, tenant_id, r.id), 0);
    return r.id;
}

static void tenants_by_slug_and_list(void **state)
{
    struct test_server *f = *state;
    int64_t acme = test_tenant_new(f, "acme");
    int64_t beta = test_tenant_new(f, "beta");
    struct tenant t;
    assert_int_equal(tenant_find_slug(&f->srv, f->a, "beta", &t), 0);
    assert_int_equal(t.id, beta);
    assert_int_equal(tenant_find_slug(&f->srv, f->a, "gamma", &t), ERR_NOT_FOUND);
    assert_int_equal(tenant_find_slug(&f->srv, f->a, NULL, &t), ERR_NOT_FOUND);
    char long_slug[TENANT_SLUG_LOOKUP_MAX + 2];
    memset(long_slug, 'a', sizeof(long_slug) - 1);
    long_slug[sizeof(long_slug) - 1] = '\0';
    assert_int_equal(tenant_find_slug(&f->srv, f->a, long_slug, &t), ERR_NOT_FOUND);

    struct tenant *all = NULL;
    size_t n = 0;
    assert_int_equal(tenant_list(&f->srv, f->a, &all, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].id, acme);
    assert_string_equal(all[1].slug, "beta");
}

static void staff_roster_labels_and_counts(void **state)
{
    struct test_server *f = *state;
    int64_t owner = new_user(f, "owner@example.com");
    int64_t support = new_user(f, "support@example.com");
    int64_t nobody = new_user(f, "nobody@example.com");
    struct role r;
    assert_int_equal(staff_grant(&f->srv, f->a, owner, "owner", 0, &r), 0);
    assert_int_equal(staff_grant(&f->srv, f->a, support, "Support", 0, &r), 0);

    struct staff_roster roster;
    assert_int_equal(staff_roster_load(&f->srv, f->a, &roster), 0);
    assert_int_equal(roster.n_staff, 2);
    struct role *platform = NULL;
    size_t n_platform = 0;
    assert_int_equal(role_list(&f->srv, f->a, 0, &platform, &n_platform), 0);
    assert_int_equal(roster.n_roles, n_platform);
    assert_int_equal(n_platform, 6); /* the five of 0004, Service of 0013 */

    assert_string_equal(staff_roster_role(&roster, owner)->slug, "owner");
    assert_string_equal(staff_roster_role(&roster, support)->slug, "support");
    assert_null(staff_roster_role(&roster, nobody));
    for (size_t i = 0; i < roster.n_roles; i++) {
        const char *slug = roster.roles[i].slug;
        int64_t want = strcmp(slug, "owner") == 0 || strcmp(slug, "support") == 0 ? 1 : 0;
        assert_int_equal(staff_roster_count(&roster, roster.roles[i].id), want);
    }
}

static void user_memberships_with_tenants_and_roles(void **state)
{
    struct test_server *f = *state;
    int64_t acme = test_tenant_new(f, "acme");
    int64_t beta = test_tenant_new(f, "beta");
    int64_t u = new_user(f, "member@example.com");
    int64_t lonely = new_user(f, "lonely@example.com");
    int64_t admin_role = join(f, u, acme, "admin");
    join(f, u, beta, "owner");
    assert_int_equal(member_set_status(&f->srv, u, beta, MEMBER_SUSPENDED), 0);

    struct admin_membership *ms = NULL;
    size_t n = 0;
    assert_int_equal(admin_user_memberships(&f->srv, f->a, u, &ms, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ms[0].tenant.slug, "acme");
    assert_int_equal(ms[0].role.id, admin_role);
    assert_string_equal(ms[0].role.slug, "admin");
    assert_int_equal(ms[0].membership.status, MEMBER_ACTIVE);
    assert_string_equal(ms[1].tenant.slug, "beta");
    assert_string_equal(ms[1].role.slug, "owner");
    assert_int_equal(ms[1].membership.status, MEMBER_SUSPENDED);
    assert_int_equal(admin_user_memberships(&f->srv, f->a, lonely, &ms, &n), 0);
    assert_int_equal(n, 0);

    struct membership m;
    assert_int_equal(member_get(&f->srv, u, acme, &m), 0);
    assert_int_equal(m.role_id, admin_role);
    assert_int_equal(member_get(&f->srv, lonely, acme, &m), ERR_NOT_FOUND);
    struct role r;
    assert_int_equal(role_get(&f->srv, f->a, admin_role, &r), 0);
    assert_string_equal(r.slug, "admin");
    assert_int_equal(role_get(&f->srv, f->a, 999999, &r), ERR_NOT_FOUND);

    struct tenant_summary ts;
    assert_int_equal(admin_tenant_find(&f->srv, f->a, acme, &ts), 0);
    assert_string_equal(ts.tenant.slug, "acme");
    assert_int_equal(ts.member_count, 1);
    assert_int_equal(admin_tenant_find(&f->srv, f->a, 999999, &ts), ERR_NOT_FOUND);

    struct user found;
    assert_int_equal(user_find_id(&f->srv, f->a, lonely, &found), 0);
    assert_string_equal(found.email, "lonely@example.com");
    assert_int_equal(user_find_id(&f->srv, f->a, 999999, &found), ERR_NOT_FOUND);
    int64_t count = 0;
    assert_int_equal(user_count(&f->srv, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(health_database(&f->srv), 0);
}

/* The CLI lists every key, retired ones too, and never sees a private key. */
static void signing_keys_without_private_halves(void **state)
{
    struct test_server *f = *state;
    assert_int_equal(keyring_ensure(f->srv.keys, NULL), 0);
    char kid[JWT_KID_MAX + 1];
    assert_int_equal(keyring_rotate(f->srv.keys, kid), 0);
    struct signing_key *keys = NULL;
    size_t n = 0;
    assert_int_equal(keyring_list(f->srv.keys, f->a, &keys, &n), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_null(keys[i].private_pem);
        assert_non_null(strstr(keys[i].public_jwk, "\"kty\""));
        /* The new key signs; the first one is retired. */
        bool newest = strcmp(keys[i].kid, kid) == 0;
        assert_int_equal(keys[i].retired_at == 0, newest);
    }
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tenants_by_slug_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(staff_roster_labels_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(user_memberships_with_tenants_and_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(signing_keys_without_private_halves, setup, teardown),
    };
    return test_run_on_both("reads", tests, sizeof(tests) / sizeof(tests[0]));
}
