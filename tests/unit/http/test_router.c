/*
 * test_router.c - http_route_find(): patterns, captures, 404 versus 405,
 * HEAD, trailing slashes and surface order.
 *
 * Defines its own surfaces[] (the http tests link object files, not the
 * archive with the real surfaces; see the Makefile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/http_int.h"
#include "http/route.h"

static void h_dummy(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    (void)req;
    (void)p;
}

static void err_dummy(struct request *req, enum http_error kind, const char *message)
{
    (void)req;
    (void)kind;
    (void)message;
}

static const struct route routes_a[] = {
    {HTTP_GET, "/", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/api/v1/auth/user", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_POST, "/api/v1/auth/login", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/api/v1/team/members/{id}", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_PATCH, "/api/v1/team/members/{id}", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_DELETE, "/api/v1/team/members/{id}", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/api/v1/teams/{team}/roles/{role}", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_HEAD, "/probe", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/probe", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/shared", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
};

static const struct route routes_b[] = {
    {HTTP_GET, "/shared", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_POST, "/b/only", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_PUT, "/api/v1/auth/user", h_dummy, AUTH_PUBLIC, NULL, NULL, 0},
};

static const struct surface surface_a = {.name = "a",
                                         .routes = routes_a,
                                         .n_routes = sizeof(routes_a) / sizeof(routes_a[0]),
                                         .error = err_dummy};
static const struct surface surface_b = {.name = "b",
                                         .routes = routes_b,
                                         .n_routes = sizeof(routes_b) / sizeof(routes_b[0]),
                                         .error = err_dummy,
                                         .prefix = "/b"};

const struct surface *const surfaces[] = {&surface_a, &surface_b};
const size_t n_surfaces = 2;

/* Unused here, but httpd.o (linked in) refers to them. */
void surface_dispatch(struct server *srv, const struct surface *sf, const struct route *rt,
                      struct request *req)
{
    (void)srv;
    (void)sf;
    (void)rt;
    (void)req;
}

void surface_default_error(struct request *req, enum http_error kind, const char *message)
{
    (void)req;
    (void)kind;
    (void)message;
}

static enum http_match find(enum http_method m, const char *path, struct http_route_match *out)
{
    return http_route_find(surfaces, n_surfaces, m, path, out);
}

/* The capture named name, as a NUL-terminated copy in buf. */
static const char *cap(const struct http_route_match *m, const char *name, char *buf, size_t n)
{
    for (size_t i = 0; i < m->n_caps; i++) {
        if (m->caps[i].name_len == strlen(name) &&
            memcmp(m->caps[i].name, name, m->caps[i].name_len) == 0) {
            snprintf(buf, n, "%.*s", (int)m->caps[i].value_len, m->caps[i].value);
            return buf;
        }
    }
    return NULL;
}

static void test_exact(void **state)
{
    struct http_route_match m;
    (void)state;
    assert_int_equal(find(HTTP_GET, "/api/v1/auth/user", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[1]);
    assert_ptr_equal(m.sf, &surface_a);
    assert_int_equal(m.n_caps, 0);

    assert_int_equal(find(HTTP_GET, "/", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[0]);

    assert_int_equal(find(HTTP_GET, "/api/v1/auth/use", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/auth/userx", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/API/v1/auth/user", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "*", &m), HTTP_MATCH_NOT_FOUND);
}

static void test_params(void **state)
{
    struct http_route_match m;
    char buf[64];
    (void)state;
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members/17", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[3]);
    assert_int_equal(m.n_caps, 1);
    assert_string_equal(cap(&m, "id", buf, sizeof(buf)), "17");

    assert_int_equal(find(HTTP_DELETE, "/api/v1/team/members/abc-def", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[5]);
    assert_string_equal(cap(&m, "id", buf, sizeof(buf)), "abc-def");

    assert_int_equal(find(HTTP_GET, "/api/v1/teams/t1/roles/admin", &m), HTTP_MATCH_FOUND);
    assert_int_equal(m.n_caps, 2);
    assert_string_equal(cap(&m, "team", buf, sizeof(buf)), "t1");
    assert_string_equal(cap(&m, "role", buf, sizeof(buf)), "admin");
    assert_null(cap(&m, "id", buf, sizeof(buf)));
}

/* A parameter is exactly one non-empty segment. */
static void test_segment_count(void **state)
{
    struct http_route_match m;
    (void)state;
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members/1/2", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members/", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members//", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/teams/t1/roles/", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/api/v1/teams//roles/x", &m), HTTP_MATCH_NOT_FOUND);
}

/* One trailing slash is ignored, as Laravel does; two are not. */
static void test_trailing_slash(void **state)
{
    struct http_route_match m;
    char buf[64];
    (void)state;
    assert_int_equal(find(HTTP_GET, "/api/v1/auth/user/", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[1]);
    assert_int_equal(find(HTTP_GET, "/api/v1/team/members/5/", &m), HTTP_MATCH_FOUND);
    assert_string_equal(cap(&m, "id", buf, sizeof(buf)), "5");
    assert_int_equal(find(HTTP_GET, "/api/v1/auth/user//", &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(find(HTTP_GET, "/", &m), HTTP_MATCH_FOUND);
}

static void test_method_not_allowed(void **state)
{
    struct http_route_match m;
    char allow[128];
    (void)state;
    assert_int_equal(find(HTTP_PUT, "/api/v1/team/members/3", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.sf, &surface_a);
    http_allow_str(m.allow, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, PATCH, DELETE");

    /* Methods are collected across surfaces; the first surface renders. */
    assert_int_equal(find(HTTP_DELETE, "/api/v1/auth/user", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.sf, &surface_a);
    http_allow_str(m.allow, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, PUT");

    assert_int_equal(find(HTTP_GET, "/b/only", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.sf, &surface_b);
    http_allow_str(m.allow, allow, sizeof(allow));
    assert_string_equal(allow, "POST");

    /* A method the router does not know. */
    assert_int_equal(find(HTTP_OTHER, "/api/v1/auth/login", &m), HTTP_MATCH_METHOD);

    /* A too-small buffer truncates at a method boundary. */
    http_allow_str((1u << HTTP_GET) | (1u << HTTP_POST), allow, 10);
    assert_string_equal(allow, "GET, HEAD");
}

static void test_head(void **state)
{
    struct http_route_match m;
    (void)state;
    /* HEAD falls back to GET ... */
    assert_int_equal(find(HTTP_HEAD, "/api/v1/auth/user", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[1]);
    /* ... but an explicit HEAD route wins, even if listed after. */
    assert_int_equal(find(HTTP_HEAD, "/probe", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.rt, &routes_a[7]);
    /* No GET route: 405. */
    assert_int_equal(find(HTTP_HEAD, "/api/v1/auth/login", &m), HTTP_MATCH_METHOD);
}

static void test_surface_order(void **state)
{
    struct http_route_match m;
    (void)state;
    assert_int_equal(find(HTTP_GET, "/shared", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.sf, &surface_a);
    assert_int_equal(find(HTTP_PUT, "/api/v1/auth/user", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.sf, &surface_b);
}

static void test_methods(void **state)
{
    (void)state;
    assert_int_equal(http_method_parse("GET"), HTTP_GET);
    assert_int_equal(http_method_parse("HEAD"), HTTP_HEAD);
    assert_int_equal(http_method_parse("PATCH"), HTTP_PATCH);
    assert_int_equal(http_method_parse("OPTIONS"), HTTP_OPTIONS);
    assert_int_equal(http_method_parse("get"), HTTP_OTHER);
    assert_int_equal(http_method_parse("BREW"), HTTP_OTHER);
    assert_string_equal(http_method_str(HTTP_DELETE), "DELETE");
    assert_string_equal(http_method_str(HTTP_OTHER), "OTHER");
}

/* An unmatched path at or under a surface's prefix names that surface. */
static void test_prefix_owner(void **state)
{
    (void)state;
    struct http_route_match m;
    const char *owned[] = {"/b", "/b/", "/b/nope", "/b/only/x", "/b/x/y/z"};
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        assert_int_equal(find(HTTP_GET, owned[i], &m), HTTP_MATCH_NOT_FOUND);
        assert_ptr_equal(m.sf, &surface_b);
    }
    const char *unowned[] = {"/bb", "/bx/only", "/api/nope", "/nope", "", "b/only"};
    for (size_t i = 0; i < sizeof(unowned) / sizeof(unowned[0]); i++) {
        assert_int_equal(find(HTTP_GET, unowned[i], &m), HTTP_MATCH_NOT_FOUND);
        assert_null(m.sf);
    }
    assert_int_equal(find(HTTP_GET, "/b/only", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.sf, &surface_b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_segment_count),
        cmocka_unit_test(test_trailing_slash),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_prefix_owner),
        cmocka_unit_test(test_surface_order),
        cmocka_unit_test(test_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
