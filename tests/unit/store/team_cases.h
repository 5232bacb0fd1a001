/*
 * team_cases.h - the store.h cases of team management (issue #5) that
 * every backend must pass: a tenant's member list and counts, role
 * changes, removal, revocation per tenant, the tenant lock, and
 * invitations (open per email, renew, cancel, single-use accept).
 * Included after store_cases.h, whose fixture and helpers it uses; the
 * including file lists TEAM_CASES in its test array.
 */
#pragma once

static int64_t team_role(struct store *s, int64_t tenant_id, const char *slug)
{
    static const char *perms[] = {"team.view"};
    struct role r = {.tenant_id = tenant_id,
                     .name = slug,
                     .slug = slug,
                     .permissions = {.items = perms, .n = 1}};
    assert_int_equal(store_role_insert(s, &r), 0);
    return r.id;
}

static void team_join(struct store *s, int64_t user_id, int64_t tenant_id, int64_t role_id,
                      enum member_status st, int64_t joined_at)
{
    struct membership m = {.user_id = user_id,
                           .tenant_id = tenant_id,
                           .role_id = role_id,
                           .status = st,
                           .joined_at = joined_at};
    assert_int_equal(store_membership_insert(s, &m), 0);
}

static void test_member_list(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "team"), other = make_tenant(f->s, "other");
    int64_t owner = team_role(f->s, t, "owner"), agent = team_role(f->s, t, "user");
    int64_t u1 = make_user(f->s, "a@example.com"), u2 = make_user(f->s, "b@example.com");
    int64_t u3 = make_user(f->s, "c@example.com"), u4 = make_user(f->s, "d@example.com");
    team_join(f->s, u2, t, owner, MEMBER_ACTIVE, 100);
    team_join(f->s, u1, t, agent, MEMBER_SUSPENDED, 100);
    team_join(f->s, u3, t, 0, MEMBER_ACTIVE, 50);
    team_join(f->s, u4, other, team_role(f->s, other, "owner"), MEMBER_ACTIVE, 10);

    int64_t n = -1;
    assert_int_equal(store_member_count(f->s, t, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_member_count(f->s, t + 100, &n), 0);
    assert_int_equal(n, 0);

    struct member_row *rows = NULL;
    size_t k = 0;
    assert_int_equal(store_member_list(f->s, f->a, t, 0, 10, &rows, &k), 0);
    assert_int_equal(k, 3);
    assert_int_equal(rows[0].user.id, u3); /* joined_at 50 */
    assert_false(rows[0].has_role);
    assert_int_equal(rows[1].user.id, u1); /* joined_at 100, lower user id */
    assert_string_equal(rows[1].user.email, "a@example.com");
    assert_int_equal(rows[1].membership.status, MEMBER_SUSPENDED);
    assert_true(rows[1].has_role);
    assert_string_equal(rows[1].role.slug, "user");
    assert_int_equal(rows[2].user.id, u2);
    assert_int_equal(rows[2].membership.role_id, owner);
    assert_string_equal(rows[2].role.slug, "owner");
    assert_int_equal(rows[2].role.permissions.n, 1);

    assert_int_equal(store_member_list(f->s, f->a, t, 1, 1, &rows, &k), 0);
    assert_int_equal(k, 1);
    assert_int_equal(rows[0].user.id, u1);
    assert_int_equal(store_member_list(f->s, f->a, t, 3, 10, &rows, &k), 0);
    assert_int_equal(k, 0);

    assert_int_equal(store_member_count_active_slug(f->s, t, "owner", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_member_count_active_slug(f->s, t, "user", &n), 0);
    assert_int_equal(n, 0); /* u1 is suspended */
    assert_int_equal(store_member_count_active_slug(f->s, other, "owner", &n), 0);
    assert_int_equal(n, 1);
}

static void test_membership_role_and_delete(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "team"), t2 = make_tenant(f->s, "team2");
    int64_t owner = team_role(f->s, t, "owner"), agent = team_role(f->s, t, "user");
    int64_t u = make_user(f->s, "a@example.com");
    team_join(f->s, u, t, owner, MEMBER_ACTIVE, 1);
    team_join(f->s, u, t2, team_role(f->s, t2, "owner"), MEMBER_ACTIVE, 1);

    assert_int_equal(store_membership_set_role(f->s, u, t, agent), 0);
    struct membership m;
    assert_int_equal(store_membership_get(f->s, u, t, &m), 0);
    assert_int_equal(m.role_id, agent);
    assert_int_equal(store_membership_set_role(f->s, u + 1, t, agent), ERR_NOT_FOUND);

    assert_int_equal(store_membership_delete(f->s, u, t), 0);
    assert_int_equal(store_membership_get(f->s, u, t, &m), ERR_NOT_FOUND);
    assert_int_equal(store_membership_delete(f->s, u, t), ERR_NOT_FOUND);
    assert_int_equal(store_membership_get(f->s, u, t2, &m), 0); /* the other tenant's stays */
}

static void test_tenant_lock(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "team");
    assert_int_equal(store_tx_begin(f->s), 0);
    assert_int_equal(store_tenant_lock(f->s, t), 0);
    assert_int_equal(store_tenant_lock(f->s, t + 100), ERR_NOT_FOUND);
    assert_int_equal(store_tx_commit(f->s), 0);
}

static int64_t team_token(struct store *s, int64_t user_id, int64_t tenant_id, unsigned n)
{
    struct token t = {.user_id = user_id, .tenant_id = tenant_id, .name = "d", .kind = TOKEN_JWT};
    hash_of(n, t.token_hash);
    assert_int_equal(store_token_insert(s, &t), 0);
    return t.id;
}

static int64_t team_revoked_at(struct fixture *f, int64_t id)
{
    struct token t;
    assert_int_equal(store_token_by_id(f->s, f->a, id, &t), 0);
    return t.revoked_at;
}

static void team_session(struct fixture *f, const char *id, int64_t user_id, int64_t tenant_id)
{
    char sql[320];
    snprintf(sql, sizeof(sql),
             "INSERT INTO sessions (id_hash, user_id, tenant_id, csrf_hash, created_at,"
             " expires_at) VALUES ('%s', %lld, %lld, 'c', 1, 2) RETURNING user_id",
             id, (long long)user_id, (long long)tenant_id);
    backend_insert_raw(f, sql);
}

static void test_revoke_user_tenant(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "team"), t2 = make_tenant(f->s, "team2");
    int64_t u = make_user(f->s, "a@example.com"), v = make_user(f->s, "b@example.com");
    int64_t k1 = team_token(f->s, u, t, 1), k2 = team_token(f->s, u, t, 2);
    int64_t other_tenant = team_token(f->s, u, t2, 3), no_tenant = team_token(f->s, u, 0, 4);
    int64_t other_user = team_token(f->s, v, t, 5);
    assert_int_equal(store_token_revoke(f->s, k2, 50), 0);

    int64_t n = -1;
    assert_int_equal(store_token_revoke_user_tenant(f->s, u, t, 100, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(team_revoked_at(f, k1), 100);
    assert_int_equal(team_revoked_at(f, k2), 50); /* the first revocation stays */
    assert_int_equal(team_revoked_at(f, other_tenant), 0);
    assert_int_equal(team_revoked_at(f, no_tenant), 0);
    assert_int_equal(team_revoked_at(f, other_user), 0);
    assert_int_equal(store_token_revoke_user_tenant(f->s, u, t, 200, NULL), 0);

    team_session(f, "s1", u, t);
    team_session(f, "s2", u, t2);
    team_session(f, "s3", v, t);
    assert_int_equal(store_session_delete_by_user_tenant(f->s, u, t, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_session_delete_by_user_tenant(f->s, u, t, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_session_delete_by_user(f->s, u, &n), 0);
    assert_int_equal(n, 1); /* s2, in the other tenant, was left alone */
}

static struct invitation team_invitation(int64_t tenant_id, const char *email, unsigned n)
{
    struct invitation inv = {.tenant_id = tenant_id, .email = email, .expires_at = 1000};
    hash_of(n, inv.token_hash);
    return inv;
}

static void test_invitations(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "team"), t2 = make_tenant(f->s, "team2");
    int64_t role = team_role(f->s, t, "user");
    int64_t inviter = make_user(f->s, "boss@example.com");

    struct invitation a = team_invitation(t, "x@example.com", 1);
    a.role_id = role;
    a.invited_by = inviter;
    a.created_at = 10;
    assert_int_equal(store_invitation_insert(f->s, &a), 0);
    assert_true(a.id > 0);
    assert_int_equal(a.created_at, 10);

    /* One open invitation per email and tenant; another tenant may. */
    struct invitation dup = team_invitation(t, "x@example.com", 2);
    assert_int_equal(store_invitation_insert(f->s, &dup), ERR_CONFLICT);
    struct invitation same_hash = team_invitation(t, "y@example.com", 1);
    assert_int_equal(store_invitation_insert(f->s, &same_hash), ERR_CONFLICT);
    struct invitation b = team_invitation(t2, "x@example.com", 3);
    assert_int_equal(store_invitation_insert(f->s, &b), 0);
    struct invitation c = team_invitation(t, "z@example.com", 4);
    c.created_at = 20;
    assert_int_equal(store_invitation_insert(f->s, &c), 0);

    struct invitation got;
    assert_int_equal(store_invitation_by_id(f->s, f->a, a.id, &got), 0);
    assert_int_equal(got.tenant_id, t);
    assert_string_equal(got.email, "x@example.com");
    assert_int_equal(got.role_id, role);
    assert_int_equal(got.invited_by, inviter);
    assert_string_equal(got.token_hash, a.token_hash);
    assert_int_equal(got.expires_at, 1000);
    assert_int_equal(got.accepted_at, 0);
    assert_int_equal(got.cancelled_at, 0);
    assert_int_equal(store_invitation_by_id(f->s, f->a, c.id + 100, &got), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_by_hash(f->s, f->a, c.token_hash, &got), 0);
    assert_int_equal(got.id, c.id);
    char h[TOKEN_HASH_HEX + 1];
    hash_of(99, h);
    assert_int_equal(store_invitation_by_hash(f->s, f->a, h, &got), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_open_by_email(f->s, f->a, t, "x@example.com", &got), 0);
    assert_int_equal(got.id, a.id);
    assert_int_equal(store_invitation_open_by_email(f->s, f->a, t, "q@example.com", &got),
                     ERR_NOT_FOUND);

    struct invitation *list = NULL;
    size_t n = 0;
    assert_int_equal(store_invitation_list_open(f->s, f->a, t, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, c.id); /* newest first */
    assert_int_equal(list[1].id, a.id);

    /* Renew: new hash and expiry; the old hash finds nothing. */
    char renewed[TOKEN_HASH_HEX + 1];
    hash_of(5, renewed);
    assert_int_equal(store_invitation_renew(f->s, a.id, renewed, 2000), 0);
    assert_int_equal(store_invitation_by_hash(f->s, f->a, a.token_hash, &got), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_by_hash(f->s, f->a, renewed, &got), 0);
    assert_int_equal(got.expires_at, 2000);
    assert_int_equal(store_invitation_renew(f->s, a.id, c.token_hash, 2000), ERR_CONFLICT);

    /* Accept: once, with the current hash, before expiry. */
    assert_int_equal(store_invitation_accept(f->s, a.id, a.token_hash, 100), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_accept(f->s, a.id, renewed, 2000), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_accept(f->s, a.id, renewed, 1999), 0);
    assert_int_equal(store_invitation_accept(f->s, a.id, renewed, 1999), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_by_id(f->s, f->a, a.id, &got), 0);
    assert_int_equal(got.accepted_at, 1999);
    assert_int_equal(store_invitation_renew(f->s, a.id, h, 3000), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_cancel(f->s, a.id, 5), ERR_NOT_FOUND);

    /* Cancel: once; a new invitation for the email may follow. */
    assert_int_equal(store_invitation_cancel(f->s, c.id, 30), 0);
    assert_int_equal(store_invitation_cancel(f->s, c.id, 31), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_accept(f->s, c.id, c.token_hash, 40), ERR_NOT_FOUND);
    assert_int_equal(store_invitation_by_id(f->s, f->a, c.id, &got), 0);
    assert_int_equal(got.cancelled_at, 30);
    assert_int_equal(store_invitation_list_open(f->s, f->a, t, &list, &n), 0);
    assert_int_equal(n, 0);
    struct invitation again = team_invitation(t, "z@example.com", 6);
    assert_int_equal(store_invitation_insert(f->s, &again), 0);
    struct invitation x_again = team_invitation(t, "x@example.com", 7);
    assert_int_equal(store_invitation_insert(f->s, &x_again), 0);
}

#define TEAM_CASES                                                                                 \
    cmocka_unit_test_setup_teardown(test_member_list, setup, teardown),                            \
        cmocka_unit_test_setup_teardown(test_membership_role_and_delete, setup, teardown),         \
        cmocka_unit_test_setup_teardown(test_tenant_lock, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_revoke_user_tenant, setup, teardown),                 \
        cmocka_unit_test_setup_teardown(test_invitations, setup, teardown)
