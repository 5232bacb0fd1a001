/*
 * staff_cases.h - the store functions of the admin API (seed 001) that every
 * backend must pass: staff rows and the seeded staff roles, the admin
 * searches, and password resets.
 *
 * Included after store_cases.h (its fixture, setup and teardown) by each
 * backend's test file, which lists STAFF_CASES in its cmocka test array.
 */
#pragma once

static int64_t add_user(struct fixture *f, const char *email, const char *name, enum user_status st)
{
    struct user u = {.name = name, .email = email, .password_hash = "x", .status = st};
    assert_int_equal(store_user_insert(f->s, &u), 0);
    return u.id;
}

static int64_t add_tenant(struct fixture *f, const char *slug, const char *name)
{
    struct tenant t = {.slug = slug, .name = name};
    assert_int_equal(store_tenant_insert(f->s, &t), 0);
    return t.id;
}

static void join(struct fixture *f, int64_t user, int64_t tenant)
{
    struct membership m = {.user_id = user, .tenant_id = tenant};
    assert_int_equal(store_membership_insert(f->s, &m), 0);
}

static const struct role *platform_role(const struct role *roles, size_t n, const char *slug)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(roles[i].slug, slug) == 0)
            return &roles[i];
    }
    fail_msg("no platform role %s", slug);
    return NULL;
}

static void test_admin_seeded_staff_roles(void **state)
{
    struct fixture *f = *state;
    struct role *roles = NULL;
    size_t n = 0;
    assert_int_equal(store_role_list(f->s, f->a, 0, &roles, &n), 0);
    assert_int_equal(n, 6);
    const char *names[] = {"Owner", "Manager", "Developer", "Support", "Marketing", "Service"};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(roles[i].name, names[i]);
        assert_int_equal(roles[i].tenant_id, 0);
        assert_true(roles[i].is_system);
    }
    const struct role *owner = platform_role(roles, n, "owner");
    /* 0004's 8, 0009's accounts:read, 0010's two settings permissions,
     * 0012's two rules permissions, 0013's tokens:introspect. */
    assert_int_equal(owner->permissions.n, 14);
    assert_true(strlist_contains(&owner->permissions, "users:delete"));
    assert_true(strlist_contains(&owner->permissions, "rules:manage"));
    assert_true(strlist_contains(&owner->permissions, "tokens:introspect"));
    /* Migration 0013: the Service role holds tokens:introspect alone. */
    const struct role *service = platform_role(roles, n, "service");
    assert_int_equal(service->permissions.n, 1);
    assert_true(strlist_contains(&service->permissions, "tokens:introspect"));
    /* Migration 0010: the settings permissions, for Owner and Manager only. */
    assert_true(strlist_contains(&owner->permissions, "settings:manage"));
    assert_true(strlist_contains(&owner->permissions, "settings:list"));
    const struct role *manager = platform_role(roles, n, "manager");
    assert_true(strlist_contains(&manager->permissions, "settings:manage"));
    assert_false(
        strlist_contains(&platform_role(roles, n, "developer")->permissions, "settings:list"));
    const struct role *support = platform_role(roles, n, "support");
    assert_true(strlist_contains(&support->permissions, "users:update"));
    assert_false(strlist_contains(&support->permissions, "users:create"));
    const struct role *mkt = platform_role(roles, n, "marketing");
    assert_int_equal(mkt->permissions.n, 2);
    /* accounts:read (migration 0009): Owner, Manager and Support only. */
    const char *readers[] = {"owner", "manager", "support"};
    for (size_t i = 0; i < 3; i++)
        assert_true(
            strlist_contains(&platform_role(roles, n, readers[i])->permissions, "accounts:read"));
    assert_false(strlist_contains(&mkt->permissions, "accounts:read"));
    assert_false(
        strlist_contains(&platform_role(roles, n, "developer")->permissions, "accounts:read"));
}

static void test_admin_staff_rows(void **state)
{
    struct fixture *f = *state;
    struct role *roles = NULL;
    size_t n = 0;
    assert_int_equal(store_role_list(f->s, f->a, 0, &roles, &n), 0);
    int64_t owner = platform_role(roles, n, "owner")->id;
    int64_t support = platform_role(roles, n, "support")->id;
    int64_t a = add_user(f, "a@x.io", "A", USER_ACTIVE);
    int64_t b = add_user(f, "b@x.io", "B", USER_ACTIVE);

    struct staff st;
    assert_int_equal(store_staff_get(f->s, a, &st), ERR_NOT_FOUND);
    struct staff grant = {.user_id = a, .role_id = owner};
    assert_int_equal(store_staff_set(f->s, &grant), 0);
    assert_true(grant.created_at > 0);
    struct staff grant_b = {.user_id = b, .role_id = support, .granted_by = a, .created_at = 77};
    assert_int_equal(store_staff_set(f->s, &grant_b), 0);
    assert_int_equal(store_staff_get(f->s, b, &st), 0);
    assert_int_equal(st.role_id, support);
    assert_int_equal(st.granted_by, a);
    assert_int_equal(st.created_at, 77);

    /* Setting again changes the role (one staff role per user). */
    grant_b.role_id = owner;
    grant_b.granted_by = 0;
    assert_int_equal(store_staff_set(f->s, &grant_b), 0);
    assert_int_equal(store_staff_get(f->s, b, &st), 0);
    assert_int_equal(st.role_id, owner);
    assert_int_equal(st.granted_by, 0);
    int64_t count = 0;
    assert_int_equal(store_staff_count_role(f->s, owner, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(store_staff_count_role(f->s, support, &count), 0);
    assert_int_equal(count, 0);

    struct staff *list = NULL;
    assert_int_equal(store_staff_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].user_id, a);
    assert_int_equal(list[1].user_id, b);

    assert_int_equal(store_staff_delete(f->s, a), 0);
    assert_int_equal(store_staff_delete(f->s, a), ERR_NOT_FOUND);
    assert_int_equal(store_staff_get(f->s, a, &st), ERR_NOT_FOUND);
    /* No staff row for a user that does not exist. */
    struct staff ghost = {.user_id = 9999, .role_id = owner};
    assert_int_not_equal(store_staff_set(f->s, &ghost), 0);
    /* Deleting the user removes the staff row. */
    assert_int_equal(store_user_delete(f->s, b), 0);
    assert_int_equal(store_staff_get(f->s, b, &st), ERR_NOT_FOUND);
    assert_int_equal(store_user_delete(f->s, b), ERR_NOT_FOUND);
}

static void test_admin_user_search(void **state)
{
    struct fixture *f = *state;
    int64_t t1 = add_tenant(f, "acme", "Acme");
    int64_t t2 = add_tenant(f, "globex", "Globex");
    int64_t ids[6];
    ids[0] = add_user(f, "jane@acme.io", "Jane Doe", USER_ACTIVE);
    ids[1] = add_user(f, "john@acme.io", "John Smith", USER_SUSPENDED);
    ids[2] = add_user(f, "bob@globex.io", "Bob 100%", USER_ACTIVE);
    ids[3] = add_user(f, "alice@globex.io", "Alice_Cooper", USER_INACTIVE);
    ids[4] = add_user(f, "zed@none.io", "Zed", USER_ACTIVE);
    ids[5] = add_user(f, "dana@acme.io", "DANA doe", USER_ACTIVE);
    join(f, ids[0], t1);
    join(f, ids[1], t1);
    join(f, ids[5], t1);
    join(f, ids[2], t2);
    join(f, ids[3], t2);
    join(f, ids[0], t2);

    struct user *u = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct user_filter all = {.limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &all, &u, &n, &total), 0);
    assert_int_equal(n, 6);
    assert_int_equal(total, 6);
    assert_int_equal(u[0].id, ids[0]);

    struct user_filter doe = {.search = "doe", .limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &doe, &u, &n, &total), 0);
    assert_int_equal(n, 2); /* case-insensitive on name */
    assert_int_equal(u[0].id, ids[0]);
    assert_int_equal(u[1].id, ids[5]);

    struct user_filter by_email = {.search = "GLOBEX.io", .limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &by_email, &u, &n, &total), 0);
    assert_int_equal(n, 2);

    /* LIKE wildcards in the search match only themselves. */
    struct user_filter pct = {.search = "%", .limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &pct, &u, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(u[0].id, ids[2]);
    struct user_filter us = {.search = "_", .limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &us, &u, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(u[0].id, ids[3]);

    struct user_filter active_acme = {.status = "active", .tenant_id = t1, .limit = 100};
    assert_int_equal(store_user_search(f->s, f->a, &active_acme, &u, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(u[0].id, ids[0]);
    assert_int_equal(u[1].id, ids[5]);

    struct user_filter page2 = {.limit = 4, .offset = 4};
    assert_int_equal(store_user_search(f->s, f->a, &page2, &u, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 6);
    assert_int_equal(u[0].id, ids[4]);
    struct user_filter past = {.limit = 4, .offset = 40};
    assert_int_equal(store_user_search(f->s, f->a, &past, &u, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(total, 6);

    assert_int_equal(store_user_set_names(f->s, ids[4], "Zed Z", "Zed", NULL), 0);
    struct user got;
    assert_int_equal(store_user_by_id(f->s, f->a, ids[4], &got), 0);
    assert_string_equal(got.name, "Zed Z");
    assert_string_equal(got.first_name, "Zed");
    assert_null(got.last_name);
    assert_int_equal(store_user_set_names(f->s, 9999, "x", NULL, NULL), ERR_NOT_FOUND);
}

static void test_admin_tenant_search(void **state)
{
    struct fixture *f = *state;
    int64_t t1 = add_tenant(f, "acme", "Acme Travel");
    int64_t t2 = add_tenant(f, "globex", "Globex");
    int64_t t3 = add_tenant(f, "initech", "Initech Travel");
    int64_t a = add_user(f, "a@x.io", "A", USER_ACTIVE);
    int64_t b = add_user(f, "b@x.io", "B", USER_ACTIVE);
    join(f, a, t1);
    join(f, b, t1);
    join(f, a, t3);

    struct tenant_summary *t = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct tenant_filter all = {.limit = 10};
    assert_int_equal(store_tenant_search(f->s, f->a, &all, &t, &n, &total), 0);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_string_equal(t[0].tenant.slug, "acme");
    assert_int_equal(t[0].member_count, 2);
    assert_int_equal(t[1].member_count, 0);
    assert_int_equal(t[2].member_count, 1);

    assert_int_equal(store_tenant_set_status(f->s, t2, TENANT_SUSPENDED), 0);
    assert_int_equal(store_tenant_set_status(f->s, 9999, TENANT_SUSPENDED), ERR_NOT_FOUND);
    struct tenant_filter susp = {.status = "suspended", .limit = 10};
    assert_int_equal(store_tenant_search(f->s, f->a, &susp, &t, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].tenant.id, t2);
    assert_int_equal(t[0].tenant.status, TENANT_SUSPENDED);

    struct tenant_filter travel = {.search = "travel", .limit = 1};
    assert_int_equal(store_tenant_search(f->s, f->a, &travel, &t, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_int_equal(t[0].tenant.id, t1);

    int64_t count = -1;
    assert_int_equal(store_tenant_member_count(f->s, t1, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(store_tenant_member_count(f->s, 9999, &count), 0);
    assert_int_equal(count, 0);
}

static void test_admin_audit_search(void **state)
{
    struct fixture *f = *state;
    struct audit_entry rows[] = {
        {.at = 100, .user_id = 1, .action = "login.failure"},
        {.at = 200, .user_id = 1, .tenant_id = 5, .action = "login.success"},
        {.at = 300, .user_id = 2, .tenant_id = 5, .action = "token.create"},
        {.at = 400, .user_id = 2, .action = "login_x.success"},
        {.at = 500, .user_id = 3, .tenant_id = 6, .action = "login.success"},
    };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(store_audit_insert(f->s, &rows[i]), 0);

    struct audit_entry *e = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct audit_filter all = {.limit = 2};
    assert_int_equal(store_audit_search(f->s, f->a, &all, &e, &n, &total), 0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 5);
    assert_int_equal(e[0].at, 500); /* newest first */

    struct audit_filter actor = {.user_id = 1, .limit = 10};
    assert_int_equal(store_audit_search(f->s, f->a, &actor, &e, &n, &total), 0);
    assert_int_equal(total, 2);
    struct audit_filter tenant = {.tenant_id = 5, .limit = 10};
    assert_int_equal(store_audit_search(f->s, f->a, &tenant, &e, &n, &total), 0);
    assert_int_equal(total, 2);
    struct audit_filter exact = {.action = "login.success", .limit = 10};
    assert_int_equal(store_audit_search(f->s, f->a, &exact, &e, &n, &total), 0);
    assert_int_equal(total, 2);
    /* A prefix: "login." does not match "login_x." (the _ is literal). */
    struct audit_filter prefix = {.action = "login.", .action_prefix = true, .limit = 10};
    assert_int_equal(store_audit_search(f->s, f->a, &prefix, &e, &n, &total), 0);
    assert_int_equal(total, 3);
    struct audit_filter range = {.from = 200, .to = 400, .limit = 10};
    assert_int_equal(store_audit_search(f->s, f->a, &range, &e, &n, &total), 0);
    assert_int_equal(total, 3);
    assert_int_equal(e[0].at, 400);
    assert_int_equal(e[2].at, 200);
    struct audit_filter combo = {.user_id = 1, .from = 150, .action = "login.success", .limit = 1};
    assert_int_equal(store_audit_search(f->s, f->a, &combo, &e, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(e[0].tenant_id, 5);
}

static void test_admin_password_resets(void **state)
{
    struct fixture *f = *state;
    struct password_reset r = {.email = "jane@x.io"};
    memset(r.token_hash, 'a', TOKEN_HASH_HEX);
    assert_int_equal(store_reset_insert(f->s, &r), 0);
    assert_true(r.created_at > 0);
    struct password_reset r2 = {.email = "jane@x.io", .created_at = 50};
    memset(r2.token_hash, 'b', TOKEN_HASH_HEX);
    assert_int_equal(store_reset_insert(f->s, &r2), 0);
    struct password_reset dup = r;
    assert_int_equal(store_reset_insert(f->s, &dup), ERR_CONFLICT);

    struct password_reset got;
    assert_int_equal(store_reset_by_hash(f->s, f->a, r2.token_hash, &got), 0);
    assert_string_equal(got.token_hash, r2.token_hash);
    assert_string_equal(got.email, "jane@x.io");
    assert_int_equal(got.created_at, 50);
    assert_int_equal(got.used_at, 0);
    char other[TOKEN_HASH_HEX + 1];
    memset(other, 'c', TOKEN_HASH_HEX);
    other[TOKEN_HASH_HEX] = '\0';
    assert_int_equal(store_reset_by_hash(f->s, f->a, other, &got), ERR_NOT_FOUND);

    /* Single use: the second use fails. */
    assert_int_equal(store_reset_use(f->s, r.token_hash, 900), 0);
    assert_int_equal(store_reset_use(f->s, r.token_hash, 901), ERR_NOT_FOUND);
    assert_int_equal(store_reset_by_hash(f->s, f->a, r.token_hash, &got), 0);
    assert_int_equal(got.used_at, 900);
    assert_int_equal(store_reset_use(f->s, other, 900), ERR_NOT_FOUND);

    assert_int_equal(store_reset_use_email(f->s, "jane@x.io", 950), 0);
    assert_int_equal(store_reset_by_hash(f->s, f->a, r2.token_hash, &got), 0);
    assert_int_equal(got.used_at, 950);
    assert_int_equal(store_reset_by_hash(f->s, f->a, r.token_hash, &got), 0);
    assert_int_equal(got.used_at, 900);
}

#define STAFF_CASES                                                                                \
    cmocka_unit_test_setup_teardown(test_admin_seeded_staff_roles, setup, teardown),               \
        cmocka_unit_test_setup_teardown(test_admin_staff_rows, setup, teardown),                   \
        cmocka_unit_test_setup_teardown(test_admin_user_search, setup, teardown),                  \
        cmocka_unit_test_setup_teardown(test_admin_tenant_search, setup, teardown),                \
        cmocka_unit_test_setup_teardown(test_admin_audit_search, setup, teardown),                 \
        cmocka_unit_test_setup_teardown(test_admin_password_resets, setup, teardown)
