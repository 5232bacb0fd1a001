/*
 * test_router.c - http_route_find(): patterns, captures, 404 versus 405,
 * HEAD, trailing slashes, route order, prefix owners and pages for
 * browsers (html routes).
 *
 * The router is built here as any application builds it (router.h): two
 * groups of routes, "a" and "b", each route's target its row below and its
 * owner its group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/http_int.h"
#include "http/router.h"

/* A test route: what the router needs of it. */
struct troute {
    enum http_method method;
    const char *pattern;
};

static const struct troute routes_a[] = {
    {HTTP_GET, "/"},
    {HTTP_GET, "/api/v1/auth/user"},
    {HTTP_POST, "/api/v1/auth/login"},
    {HTTP_GET, "/api/v1/team/members/{id}"},
    {HTTP_PATCH, "/api/v1/team/members/{id}"},
    {HTTP_DELETE, "/api/v1/team/members/{id}"},
    {HTTP_GET, "/api/v1/teams/{team}/roles/{role}"},
    {HTTP_HEAD, "/probe"},
    {HTTP_GET, "/probe"},
    {HTTP_GET, "/shared"},
};

static const struct troute routes_b[] = {
    {HTTP_GET, "/shared"},
    {HTTP_POST, "/b/only"},
    {HTTP_PUT, "/api/v1/auth/user"},
};

/* The owners: any address the application chooses. */
static const char group_a[] = "a";
static const char group_b[] = "b";

static struct http_router *router;

static void add_group(const struct troute *rts, size_t n, const void *owner)
{
    for (size_t i = 0; i < n; i++)
        http_router_add(router, &(struct http_route){.method = rts[i].method,
                                                     .pattern = rts[i].pattern,
                                                     .owner = owner,
                                                     .target = &rts[i]});
}

static int setup(void **state)
{
    (void)state;
    router = http_router_new();
    add_group(routes_a, sizeof(routes_a) / sizeof(routes_a[0]), group_a);
    add_group(routes_b, sizeof(routes_b) / sizeof(routes_b[0]), group_b);
    http_router_add_prefix(router, "/b", group_b);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_router_free(router);
    router = NULL;
    return 0;
}

static enum http_match find(enum http_method m, const char *path, struct http_route_match *out)
{
    return http_route_find(router, m, path, false, out);
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
    assert_ptr_equal(m.route->target, &routes_a[1]);
    assert_ptr_equal(m.owner, group_a);
    assert_int_equal(m.n_caps, 0);

    assert_int_equal(find(HTTP_GET, "/", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.route->target, &routes_a[0]);

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
    assert_ptr_equal(m.route->target, &routes_a[3]);
    assert_int_equal(m.n_caps, 1);
    assert_string_equal(cap(&m, "id", buf, sizeof(buf)), "17");

    assert_int_equal(find(HTTP_DELETE, "/api/v1/team/members/abc-def", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.route->target, &routes_a[5]);
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
    assert_ptr_equal(m.route->target, &routes_a[1]);
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
    assert_ptr_equal(m.owner, group_a);
    http_allow_str(m.allow, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, PATCH, DELETE");

    /* Methods are collected across groups; the first group renders. */
    assert_int_equal(find(HTTP_DELETE, "/api/v1/auth/user", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.owner, group_a);
    http_allow_str(m.allow, allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, PUT");

    assert_int_equal(find(HTTP_GET, "/b/only", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.owner, group_b);
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
    assert_ptr_equal(m.route->target, &routes_a[1]);
    /* ... but an explicit HEAD route wins, even if listed after. */
    assert_int_equal(find(HTTP_HEAD, "/probe", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.route->target, &routes_a[7]);
    /* No GET route: 405. */
    assert_int_equal(find(HTTP_HEAD, "/api/v1/auth/login", &m), HTTP_MATCH_METHOD);
}

static void test_route_order(void **state)
{
    struct http_route_match m;
    (void)state;
    assert_int_equal(find(HTTP_GET, "/shared", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, group_a);
    assert_int_equal(find(HTTP_PUT, "/api/v1/auth/user", &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, group_b);
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

/* An unmatched path at or under a prefix names the prefix's owner. */
static void test_prefix_owner(void **state)
{
    (void)state;
    struct http_route_match m;
    const char *owned[] = {"/b", "/b/", "/b/nope", "/b/only/x", "/b/x/y/z"};
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        assert_int_equal(find(HTTP_GET, owned[i], &m), HTTP_MATCH_NOT_FOUND);
        assert_ptr_equal(m.owner, group_b);
    }
    const char *unowned[] = {"/bb", "/bx/only", "/api/nope", "/nope", "", "b/only"};
    for (size_t i = 0; i < sizeof(unowned) / sizeof(unowned[0]); i++) {
        assert_int_equal(find(HTTP_GET, unowned[i], &m), HTTP_MATCH_NOT_FOUND);
        assert_null(m.owner);
    }
    assert_int_equal(find(HTTP_GET, "/b/only", &m), HTTP_MATCH_METHOD);
    assert_ptr_equal(m.owner, group_b);
}

/* Routes are copied (the caller's struct may go), and a route without an
 * owner still counts for 405. */
static void test_copy_and_no_owner(void **state)
{
    (void)state;
    struct http_router *r = http_router_new();
    struct http_route_match m;
    {
        struct http_route tmp = {.method = HTTP_GET, .pattern = "/x/{id}", .body_limit = 7};
        http_router_add(r, &tmp);
        memset(&tmp, 0, sizeof(tmp));
    }
    assert_int_equal(http_route_find(r, HTTP_GET, "/x/1", false, &m), HTTP_MATCH_FOUND);
    assert_int_equal(m.route->body_limit, 7);
    assert_null(m.owner);
    assert_int_equal(http_route_find(r, HTTP_POST, "/x/1", false, &m), HTTP_MATCH_METHOD);
    assert_null(m.owner);
    assert_int_equal(m.allow, 1u << HTTP_GET);
    assert_int_equal(http_route_find(r, HTTP_GET, "/y", false, &m), HTTP_MATCH_NOT_FOUND);
    http_router_free(r);
    http_router_free(NULL);
}

/* A page and a JSON route on one path: a browser's navigation gets the
 * page wherever it sits in the order, anything else the JSON route; a page
 * alone on its path answers every client, and HEAD falls back to it. */
static void test_html_negotiation(void **state)
{
    (void)state;
    static const char page_owner[] = "page";
    struct http_router *r = http_router_new();
    struct http_route_match m;
    http_router_add(r, &(struct http_route){.method = HTTP_GET, .pattern = "/keys"});
    http_router_add(r, &(struct http_route){.method = HTTP_POST, .pattern = "/keys/new"});
    http_router_add(r,
                    &(struct http_route){
                        .method = HTTP_GET, .pattern = "/keys", .owner = page_owner, .html = true});
    http_router_add(
        r, &(struct http_route){
               .method = HTTP_GET, .pattern = "/login", .owner = page_owner, .html = true});
    http_router_add(
        r, &(struct http_route){
               .method = HTTP_GET, .pattern = "/keys/new", .owner = page_owner, .html = true});

    assert_int_equal(http_route_find(r, HTTP_GET, "/keys", true, &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, page_owner);
    assert_int_equal(http_route_find(r, HTTP_HEAD, "/keys", true, &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, page_owner);
    assert_int_equal(http_route_find(r, HTTP_GET, "/keys", false, &m), HTTP_MATCH_FOUND);
    assert_null(m.owner);
    assert_int_equal(http_route_find(r, HTTP_GET, "/login", false, &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, page_owner);
    assert_int_equal(http_route_find(r, HTTP_HEAD, "/login", false, &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, page_owner);
    /* The JSON route of another method does not hide the page. */
    assert_int_equal(http_route_find(r, HTTP_GET, "/keys/new", false, &m), HTTP_MATCH_FOUND);
    assert_ptr_equal(m.owner, page_owner);
    /* 405 lists the methods of every route of the path. */
    assert_int_equal(http_route_find(r, HTTP_DELETE, "/keys/new", true, &m), HTTP_MATCH_METHOD);
    assert_int_equal(m.allow, (1u << HTTP_POST) | (1u << HTTP_GET));
    http_router_free(r);
}

/* A last "{name*}" takes the non-empty rest of the path, slashes too. */
static void test_rest_param(void **state)
{
    (void)state;
    struct http_router *r = http_router_new();
    struct http_route_match m;
    http_router_add(r, &(struct http_route){.method = HTTP_GET, .pattern = "/v"});
    http_router_add(r, &(struct http_route){.method = HTTP_GET, .pattern = "/v/{path*}"});
    assert_int_equal(http_route_find(r, HTTP_GET, "/v/a/b/c", false, &m), HTTP_MATCH_FOUND);
    assert_string_equal(m.route->pattern, "/v/{path*}");
    assert_int_equal(m.n_caps, 1);
    assert_int_equal(m.caps[0].name_len, 4);
    assert_memory_equal(m.caps[0].name, "path", 4);
    assert_int_equal(m.caps[0].value_len, 5);
    assert_memory_equal(m.caps[0].value, "a/b/c", 5);
    assert_int_equal(http_route_find(r, HTTP_GET, "/v", false, &m), HTTP_MATCH_FOUND);
    assert_string_equal(m.route->pattern, "/v");
    assert_int_equal(http_route_find(r, HTTP_GET, "/v/", false, &m), HTTP_MATCH_FOUND);
    assert_string_equal(m.route->pattern, "/v");
    /* Only at the end of a pattern: elsewhere "*" is part of the name. */
    http_router_add(r, &(struct http_route){.method = HTTP_GET, .pattern = "/w/{x*}/y"});
    assert_int_equal(http_route_find(r, HTTP_GET, "/w/a/b/y", false, &m), HTTP_MATCH_NOT_FOUND);
    assert_int_equal(http_route_find(r, HTTP_GET, "/w/a/y", false, &m), HTTP_MATCH_FOUND);
    http_router_free(r);
}

/* http_router_lookup: the route's target, else the prefix's owner. */
static void test_lookup(void **state)
{
    (void)state;
    static const char exact[] = "exact", any[] = "any", api[] = "api";
    struct http_router *r = http_router_new();
    http_router_add(
        r, &(struct http_route){.method = HTTP_GET, .pattern = "/api/x/{id}", .target = exact});
    http_router_add_prefix(r, "/api", api);
    http_router_add_prefix(r, "", any);
    assert_ptr_equal(http_router_lookup(r, HTTP_GET, "/api/x/7"), exact);
    assert_ptr_equal(http_router_lookup(r, HTTP_HEAD, "/api/x/7"), exact);
    assert_ptr_equal(http_router_lookup(r, HTTP_GET, "/api/x"), api);
    assert_ptr_equal(http_router_lookup(r, HTTP_GET, "/api"), api);
    assert_ptr_equal(http_router_lookup(r, HTTP_GET, "/apix"), any);
    assert_ptr_equal(http_router_lookup(r, HTTP_GET, "/"), any);
    /* The path matches a route of another method: no answer. */
    assert_null(http_router_lookup(r, HTTP_POST, "/api/x/7"));
    http_router_free(r);
}

/* Only a browser's navigation Accept prefers HTML. */
static void test_accept_prefers_html(void **state)
{
    (void)state;
    assert_true(http_accept_prefers_html(
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"));
    assert_true(http_accept_prefers_html(" Text/HTML"));
    assert_true(http_accept_prefers_html("application/xhtml+xml;q=1"));
    assert_false(http_accept_prefers_html(NULL));
    assert_false(http_accept_prefers_html(""));
    assert_false(http_accept_prefers_html("*/*"));
    assert_false(http_accept_prefers_html("application/json"));
    assert_false(http_accept_prefers_html("application/json, text/html"));
    assert_false(http_accept_prefers_html("text/htmlx"));
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
        cmocka_unit_test(test_route_order),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_copy_and_no_owner),
        cmocka_unit_test(test_html_negotiation),
        cmocka_unit_test(test_accept_prefers_html),
        cmocka_unit_test(test_rest_param),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
