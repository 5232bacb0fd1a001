/*
 * test_session.c - dashboard sessions (core/session.h) over a real store,
 * on both backends: a guest session, the login that moves it to a new id
 * and keeps its CSRF token, the principal behind it, idle and absolute
 * expiry (the clock moved through the fixture), suspension, the CSRF
 * refresh of csrf-cookie, and logout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fixture.h"
#include "core/role.h"
#include "core/session.h"
#include "core/user.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"

static int setup(void **state)
{
    *state = test_server_new(&(struct test_server_options){
        .env = (const char *const[]){"LATCHKEY_SESSION_IDLE_MINUTES", "10",
                                     "LATCHKEY_SESSION_LIFETIME_MINUTES", "60", NULL}});
    return 0;
}

static int teardown(void **state)
{
    test_server_free(*state);
    return 0;
}

/* A member of a new tenant "acme" with the role owner; returns the user id. */
static int64_t member(struct test_server *f, int64_t *tenant_id)
{
    *tenant_id = test_tenant_new(f, "acme");
    struct role r;
    assert_int_equal(role_find(&f->srv, f->a, *tenant_id, "owner", &r), 0);
    struct user_request rq = {.email = "o@acme.test",
                              .name = "Owner",
                              .password = "a password 1",
                              .tenant_id = *tenant_id,
                              .role_id = r.id};
    struct user u;
    assert_int_equal(user_create(&f->srv, f->a, &rq, &u), 0);
    return u.id;
}

/* Logs the user in on the guest session g (cookies gck); returns the new
 * session and its cookies. */
static void login(struct test_server *f, int64_t user_id, int64_t tenant_id,
                  const struct session *g, const struct session_cookies *gck, struct session *out,
                  struct session_cookies *ck)
{
    struct principal p = {.user = {.id = user_id}, .has_tenant = tenant_id != 0};
    p.tenant.id = tenant_id;
    assert_int_equal(
        session_login(&f->srv, g, g != NULL ? gck->csrf : NULL, &p, "10.0.0.1", "ua", out, ck), 0);
}

static void guest_login_keeps_csrf_and_binds(void **state)
{
    struct test_server *f = *state;
    int64_t t, u = member(f, &t);
    struct session g, got, s;
    struct session_cookies gck, ck;
    assert_int_equal(session_start_guest(&f->srv, "10.0.0.1", "ua", &g, &gck), 0);
    assert_int_equal(strlen(gck.id), SESSION_ID_LEN);
    assert_int_equal(session_find(&f->srv, f->a, gck.id, &got), 0);
    assert_int_equal(got.user_id, 0);
    assert_true(session_csrf_ok(&got, gck.csrf));
    assert_false(session_csrf_ok(&got, gck.id));
    assert_false(session_csrf_ok(&got, NULL));
    struct principal p;
    assert_int_equal(session_principal(&f->srv, f->a, &got, &p), ERR_UNAUTHENTICATED);

    login(f, u, t, &got, &gck, &s, &ck);
    assert_string_not_equal(ck.id, gck.id);
    assert_string_equal(ck.csrf, gck.csrf);
    assert_int_equal(session_find(&f->srv, f->a, gck.id, &got), ERR_NOT_FOUND);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_true(session_csrf_ok(&got, gck.csrf));
    assert_int_equal(session_principal(&f->srv, f->a, &got, &p), 0);
    assert_int_equal(p.via, VIA_SESSION);
    assert_int_equal(p.user.id, u);
    assert_true(p.has_tenant);
    assert_int_equal(p.tenant.id, t);
    assert_string_equal(p.role.slug, "owner");

    /* Malformed cookies are never looked up. */
    assert_int_equal(session_find(&f->srv, f->a, NULL, &got), ERR_NOT_FOUND);
    assert_int_equal(session_find(&f->srv, f->a, "short", &got), ERR_NOT_FOUND);

    /* Without a guest session, a login makes one with a new token. */
    struct session s2;
    struct session_cookies ck2;
    login(f, u, t, NULL, NULL, &s2, &ck2);
    assert_string_not_equal(ck2.csrf, gck.csrf);
    assert_int_equal(session_find(&f->srv, f->a, ck2.id, &got), 0);
    assert_true(session_csrf_ok(&got, ck2.csrf));

    assert_int_equal(session_logout(&f->srv, &got, "10.0.0.1"), 0);
    assert_int_equal(session_find(&f->srv, f->a, ck2.id, &got), ERR_NOT_FOUND);
    struct audit_entry *log = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->srv.store, f->a, 1, &log, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].action, "logout");
    assert_int_equal(log[0].user_id, u);
    assert_int_equal(log[0].tenant_id, t);
    assert_string_equal(log[0].ip, "10.0.0.1");
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0); /* the other one lives */
}

static void idle_and_absolute_expiry(void **state)
{
    struct test_server *f = *state;
    int64_t t, u = member(f, &t);
    struct session s, got;
    struct session_cookies ck;
    login(f, u, t, NULL, NULL, &s, &ck);

    /* Idle 10 minutes: seen at +9 keeps it (and writes last_seen_at). */
    f->srv.cfg.clock_offset_s = 9 * 60;
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_int_equal(got.last_seen_at, s.created_at + 9 * 60);
    /* Within the minute, nothing is written. */
    f->srv.cfg.clock_offset_s = 9 * 60 + 30;
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_int_equal(got.last_seen_at, s.created_at + 9 * 60);
    f->srv.cfg.clock_offset_s = 19 * 60 + 10;
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), ERR_NOT_FOUND);
    assert_int_equal(store_session_get(f->srv.store, f->a, s.id_hash, &got), ERR_NOT_FOUND);

    /* Absolute: used every 5 minutes, it still ends at 60. */
    f->srv.cfg.clock_offset_s = 0;
    login(f, u, t, NULL, NULL, &s, &ck);
    for (int m = 5; m < 60; m += 5) {
        f->srv.cfg.clock_offset_s = m * 60;
        assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    }
    f->srv.cfg.clock_offset_s = 60 * 60;
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), ERR_NOT_FOUND);
}

static void suspension_ends_the_session(void **state)
{
    struct test_server *f = *state;
    int64_t t, u = member(f, &t);
    struct session s, got;
    struct session_cookies ck;
    struct principal p;

    login(f, u, t, NULL, NULL, &s, &ck);
    assert_int_equal(member_set_status(&f->srv, u, t, MEMBER_SUSPENDED), 0);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_int_equal(session_principal(&f->srv, f->a, &got, &p), ERR_FORBIDDEN);
    assert_int_equal(p.refusal, REFUSE_MEMBER_SUSPENDED);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), ERR_NOT_FOUND);
    struct audit_entry *log = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->srv.store, f->a, 1, &log, &n), 0);
    assert_string_equal(log[0].action, "session.ended");
    assert_int_equal(member_set_status(&f->srv, u, t, MEMBER_ACTIVE), 0);

    login(f, u, t, NULL, NULL, &s, &ck);
    assert_int_equal(user_set_status(&f->srv, u, USER_SUSPENDED), 0);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_int_equal(session_principal(&f->srv, f->a, &got, &p), ERR_FORBIDDEN);
    assert_int_equal(p.refusal, REFUSE_USER_SUSPENDED);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), ERR_NOT_FOUND);

    /* Staff without a tenant: the user alone is checked. */
    assert_int_equal(user_set_status(&f->srv, u, USER_ACTIVE), 0);
    login(f, u, 0, NULL, NULL, &s, &ck);
    assert_int_equal(session_find(&f->srv, f->a, ck.id, &got), 0);
    assert_int_equal(session_principal(&f->srv, f->a, &got, &p), 0);
    assert_false(p.has_tenant);
}

static void csrf_refresh(void **state)
{
    struct test_server *f = *state;
    struct session g, got;
    struct session_cookies gck, ck;
    assert_int_equal(session_start_guest(&f->srv, NULL, NULL, &g, &gck), 0);
    assert_int_equal(session_find(&f->srv, f->a, gck.id, &got), 0);
    assert_int_equal(session_refresh_csrf(&f->srv, &got, gck.id, gck.csrf, &ck), 0);
    assert_string_equal(ck.id, gck.id);
    assert_string_equal(ck.csrf, gck.csrf);
    /* Lost or wrong: a new token, and the old one no longer passes. */
    assert_int_equal(session_refresh_csrf(&f->srv, &got, gck.id, NULL, &ck), 0);
    assert_string_not_equal(ck.csrf, gck.csrf);
    assert_int_equal(session_find(&f->srv, f->a, gck.id, &got), 0);
    assert_true(session_csrf_ok(&got, ck.csrf));
    assert_false(session_csrf_ok(&got, gck.csrf));
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(guest_login_keeps_csrf_and_binds, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_and_absolute_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(suspension_ends_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(csrf_refresh, setup, teardown),
    };
    return test_run_on_both("session", tests, sizeof(tests) / sizeof(tests[0]));
}
