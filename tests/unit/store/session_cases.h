/*
 * session_cases.h - the store.h cases of dashboard sessions (issue 13)
 * that every backend must pass: guest rows, reads, the once-a-minute
 * touch, the move at login (fixation), deletes and the batched prune.
 * Included after store_cases.h, whose fixture and helpers it uses; the
 * including file lists SESSION_CASES in its test array.
 */
#pragma once

static struct session session_row(unsigned id, int64_t user_id, int64_t tenant_id, int64_t at)
{
    struct session se = {.user_id = user_id,
                         .tenant_id = tenant_id,
                         .ip = "127.0.0.1",
                         .user_agent = "test",
                         .created_at = at,
                         .last_seen_at = at,
                         .expires_at = at + 3600};
    hash_of(id, se.id_hash);
    hash_of(id + 1000, se.csrf_hash);
    return se;
}

static void test_session_guest_and_get(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "s@example.com"), t = make_tenant(f->s, "sess");
    struct session guest = session_row(1, 0, 0, 1000);
    guest.ip = NULL;
    guest.user_agent = NULL;
    assert_int_equal(store_session_insert(f->s, &guest), 0);
    struct session user = session_row(2, u, t, 1000);
    assert_int_equal(store_session_insert(f->s, &user), 0);
    assert_int_equal(store_session_insert(f->s, &user), ERR_CONFLICT);

    struct session got;
    assert_int_equal(store_session_get(f->s, f->a, guest.id_hash, &got), 0);
    assert_string_equal(got.id_hash, guest.id_hash);
    assert_string_equal(got.csrf_hash, guest.csrf_hash);
    assert_int_equal(got.user_id, 0);
    assert_int_equal(got.tenant_id, 0);
    assert_null(got.ip);
    assert_int_equal(got.expires_at, 4600);
    assert_int_equal(store_session_get(f->s, f->a, user.id_hash, &got), 0);
    assert_int_equal(got.user_id, u);
    assert_int_equal(got.tenant_id, t);
    assert_string_equal(got.ip, "127.0.0.1");
    assert_string_equal(got.user_agent, "test");
    char other[TOKEN_HASH_HEX + 1];
    hash_of(99, other);
    assert_int_equal(store_session_get(f->s, f->a, other, &got), ERR_NOT_FOUND);
}

static void test_session_touch_move_csrf(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "m@example.com"), t = make_tenant(f->s, "move");
    struct session se = session_row(1, 0, 0, 1000);
    assert_int_equal(store_session_insert(f->s, &se), 0);

    /* At most once per 60 s. */
    bool written = true;
    assert_int_equal(store_session_touch(f->s, se.id_hash, 1030, 60, &written), 0);
    assert_false(written);
    assert_int_equal(store_session_touch(f->s, se.id_hash, 1060, 60, &written), 0);
    assert_true(written);
    struct session got;
    assert_int_equal(store_session_get(f->s, f->a, se.id_hash, &got), 0);
    assert_int_equal(got.last_seen_at, 1060);

    /* The login: a new id, the user and tenant, the CSRF hash kept. */
    struct session moved = session_row(2, u, t, 2000);
    assert_int_equal(store_session_move(f->s, se.id_hash, &moved), 0);
    assert_int_equal(store_session_get(f->s, f->a, se.id_hash, &got), ERR_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, f->a, moved.id_hash, &got), 0);
    assert_int_equal(got.user_id, u);
    assert_int_equal(got.tenant_id, t);
    assert_int_equal(got.created_at, 2000);
    assert_int_equal(got.expires_at, 5600);
    assert_string_equal(got.csrf_hash, se.csrf_hash);
    assert_int_equal(store_session_move(f->s, se.id_hash, &moved), ERR_NOT_FOUND);

    char csrf[TOKEN_HASH_HEX + 1];
    hash_of(7, csrf);
    assert_int_equal(store_session_set_csrf(f->s, moved.id_hash, csrf), 0);
    assert_int_equal(store_session_get(f->s, f->a, moved.id_hash, &got), 0);
    assert_string_equal(got.csrf_hash, csrf);
    assert_int_equal(store_session_set_csrf(f->s, se.id_hash, csrf), ERR_NOT_FOUND);
}

static void test_session_delete_list_prune(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "d@example.com"), v = make_user(f->s, "e@example.com");
    struct session a = session_row(1, u, 0, 1000), b = session_row(2, u, 0, 1100);
    struct session c = session_row(3, u, 0, 1200), d = session_row(4, v, 0, 1000);
    struct session g = session_row(5, 0, 0, 100);
    struct session *all[] = {&a, &b, &c, &d, &g};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(store_session_insert(f->s, all[i]), 0);

    struct session *rows = NULL;
    size_t n = 0;
    assert_int_equal(store_session_list_by_user(f->s, f->a, u, &rows, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].id_hash, c.id_hash); /* seen last */
    assert_string_equal(rows[2].id_hash, a.id_hash);

    int64_t k = -1;
    assert_int_equal(store_session_delete_user_except(f->s, u, b.id_hash, &k), 0);
    assert_int_equal(k, 2);
    assert_int_equal(store_session_list_by_user(f->s, f->a, u, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].id_hash, b.id_hash);
    assert_int_equal(store_session_delete(f->s, b.id_hash), 0);
    assert_int_equal(store_session_delete(f->s, b.id_hash), ERR_NOT_FOUND);
    assert_int_equal(store_session_delete_user_except(f->s, v, NULL, &k), 0);
    assert_int_equal(k, 1);

    /* Prune: idle (last seen at or before 500) or past expires_at, in batches. */
    struct session h = session_row(6, 0, 0, 900), i = session_row(7, 0, 0, 5000);
    i.expires_at = 5500;
    assert_int_equal(store_session_insert(f->s, &h), 0);
    assert_int_equal(store_session_insert(f->s, &i), 0);
    assert_int_equal(store_session_prune(f->s, 2000, 500, 100, &k), 0);
    assert_int_equal(k, 1); /* g: idle (last seen at 100) */
    assert_int_equal(store_session_prune(f->s, 5500, 500, 1, &k), 0);
    assert_int_equal(k, 1); /* h (expires at 4500) or i (5500): one of them */
    assert_int_equal(store_session_prune(f->s, 5500, 500, 1, &k), 0);
    assert_int_equal(k, 1);
    assert_int_equal(store_session_prune(f->s, 5500, 500, 1, &k), 0);
    assert_int_equal(k, 0);
}

/* A user's deletion takes their sessions along; a guest row has no user. */
static void test_session_user_cascade(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "c@example.com");
    struct session se = session_row(1, u, 0, 1000), g = session_row(2, 0, 0, 1000);
    assert_int_equal(store_session_insert(f->s, &se), 0);
    assert_int_equal(store_session_insert(f->s, &g), 0);
    assert_int_equal(store_user_delete(f->s, u), 0);
    struct session got;
    assert_int_equal(store_session_get(f->s, f->a, se.id_hash, &got), ERR_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, f->a, g.id_hash, &got), 0);
}

/* An account's live personal access tokens, newest first (API keys). */
static void test_token_list_tenant_pat(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "keys"), other = make_tenant(f->s, "other");
    int64_t u = make_user(f->s, "k@example.com");
    struct token rows[5] = {
        {.user_id = u, .tenant_id = t, .name = "a", .kind = TOKEN_PAT},
        {.user_id = u, .tenant_id = t, .name = "b", .kind = TOKEN_PAT},
        {.user_id = u, .tenant_id = t, .name = "jwt", .kind = TOKEN_JWT},
        {.user_id = u, .tenant_id = other, .name = "other", .kind = TOKEN_PAT},
        {.user_id = u, .tenant_id = t, .name = "revoked", .kind = TOKEN_PAT},
    };
    for (unsigned i = 0; i < 5; i++) {
        hash_of(i + 1, rows[i].token_hash);
        assert_int_equal(store_token_insert(f->s, &rows[i]), 0);
    }
    assert_int_equal(store_token_revoke(f->s, rows[4].id, 100), 0);
    struct token *out = NULL;
    size_t n = 0;
    assert_int_equal(store_token_list_tenant_pat(f->s, f->a, t, &out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].id, rows[1].id);
    assert_int_equal(out[1].id, rows[0].id);
}

#define SESSION_CASES                                                                              \
    cmocka_unit_test_setup_teardown(test_session_guest_and_get, setup, teardown),                  \
        cmocka_unit_test_setup_teardown(test_session_touch_move_csrf, setup, teardown),            \
        cmocka_unit_test_setup_teardown(test_session_delete_list_prune, setup, teardown),          \
        cmocka_unit_test_setup_teardown(test_session_user_cascade, setup, teardown),               \
        cmocka_unit_test_setup_teardown(test_token_list_tenant_pat, setup, teardown)
