/*
 * test_basicauth.c - HTTP Basic and its cache: a verified credential is
 * remembered (no hash the next time), a wrong password or an unknown
 * email never is, a password change or a suspension forgets it at once
 * (the user's row is read and checked on every hit), the table stays
 * within its bound, and a malformed header is refused before any lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/basicauth.h"
#include "core/user.h"
#include "crypto/password.h"
#include "fixture.h"
#include "store/store.h"
#include "util/err.h"

struct outcome {
    int rc;
    bool hit;
};

/* "Basic " + base64 of "email:password" (short ASCII inputs). */
static const char *header(const char *email, const char *password)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static char out[512];
    char in[256];
    size_t n = (size_t)snprintf(in, sizeof(in), "%s:%s", email, password), o = 6;
    memcpy(out, "Basic ", 6);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

/* One request's Basic check, as the gate runs it (the hash inline). */
static struct outcome attempt(struct test_server *ts, const char *h)
{
    struct basic_login b;
    struct principal p;
    struct outcome out = {0};
    out.rc = basic_begin(&ts->srv, ts->a, &b, h, "127.0.0.1");
    if (out.rc == 0) {
        out.hit = b.hit;
        if (!b.hit)
            basic_verify(&b);
        out.rc = basic_finish(&b, &p);
        if (out.rc == 0)
            assert_string_equal(p.user.email, b.user.email);
    }
    basic_fini(&b);
    return out;
}

static int64_t add_user(struct test_server *ts, const char *email, const char *password)
{
    struct user u;
    struct user_request rq = {.email = email, .name = email, .password = password};
    assert_int_equal(user_create(&ts->srv, ts->a, &rq, &u), 0);
    return u.id;
}

static void expect(struct test_server *ts, const char *h, int rc, bool hit)
{
    struct outcome o = attempt(ts, h);
    assert_int_equal(o.rc, rc);
    assert_int_equal(o.hit, hit);
}

static void remembered_then_forgotten(void **state)
{
    (void)state;
    struct test_server *ts = test_server_new(NULL);
    ts->srv.basic = basic_cache_new(64);
    int64_t id = add_user(ts, "ann@x.test", "first-password");
    const char *good = header("ann@x.test", "first-password");
    char saved[512];
    snprintf(saved, sizeof(saved), "%s", good);
    expect(ts, saved, 0, false);
    expect(ts, saved, 0, true);
    expect(ts, header("ANN@x.test", "first-password"), 0, true); /* the email folded */
    /* Wrong password, unknown user: refused, and never remembered. */
    expect(ts, header("ann@x.test", "wrong"), ERR_UNAUTHENTICATED, false);
    expect(ts, header("ann@x.test", "wrong"), ERR_UNAUTHENTICATED, false);
    expect(ts, header("bob@x.test", "first-password"), ERR_UNAUTHENTICATED, false);
    /* A suspension: refused at once though remembered, and forgotten. */
    assert_int_equal(store_user_set_status(ts->srv.store, id, USER_SUSPENDED), 0);
    expect(ts, saved, ERR_FORBIDDEN, true);
    assert_int_equal(store_user_set_status(ts->srv.store, id, USER_ACTIVE), 0);
    expect(ts, saved, 0, false);
    expect(ts, saved, 0, true);
    /* A password change: the old credential no longer hits, nor passes. */
    char hash[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash(&ts->srv.pw, "second-password", hash), 0);
    assert_int_equal(store_user_set_password(ts->srv.store, id, hash), 0);
    expect(ts, saved, ERR_UNAUTHENTICATED, false);
    expect(ts, header("ann@x.test", "second-password"), 0, false);
    expect(ts, header("ann@x.test", "second-password"), 0, true);
    basic_cache_free(ts->srv.basic);
    ts->srv.basic = NULL;
    test_server_free(ts);
}

static void bounded_and_off(void **state)
{
    (void)state;
    struct test_server *ts = test_server_new(NULL);
    /* Room for 4 entries: 10 users in turn cannot all stay remembered. */
    ts->srv.basic = basic_cache_new(4);
    char hs[10][512];
    for (int i = 0; i < 10; i++) {
        char email[32];
        snprintf(email, sizeof(email), "u%d@x.test", i);
        add_user(ts, email, "pw-12345678");
        snprintf(hs[i], sizeof(hs[i]), "%s", header(email, "pw-12345678"));
        expect(ts, hs[i], 0, false);
    }
    int hits = 0;
    for (int i = 0; i < 10; i++)
        hits += attempt(ts, hs[i]).hit;
    assert_true(hits <= 4);
    basic_cache_free(ts->srv.basic);
    /* A cache of 0 remembers nothing. */
    ts->srv.basic = basic_cache_new(0);
    expect(ts, hs[0], 0, false);
    expect(ts, hs[0], 0, false);
    basic_cache_free(ts->srv.basic);
    ts->srv.basic = NULL;
    test_server_free(ts);
}

static void malformed_headers(void **state)
{
    (void)state;
    struct test_server *ts = test_server_new(NULL);
    const char *bad[] = {NULL,
                         "",
                         "Basic",
                         "Basic ",
                         "Basic !!!!",
                         "Bearer abc",
                         "Basic bm8tY29sb24=" /* "no-colon" */,
                         "Basic OnB3" /* ":pw" */};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect(ts, bad[i], ERR_UNAUTHENTICATED, false);
    char huge[8192] = "Basic ";
    memset(huge + 6, 'A', sizeof(huge) - 7);
    expect(ts, huge, ERR_UNAUTHENTICATED, false);
    test_server_free(ts);
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(remembered_then_forgotten),
        cmocka_unit_test(bounded_and_off),
        cmocka_unit_test(malformed_headers),
    };
    return test_run_on_both("basicauth", tests, sizeof(tests) / sizeof(tests[0]));
}
