/*
 * test_travel.c - seed 004's profile: the fast writer
 * (travel_profile_write) against the jansson reference
 * (travel_profile_json, dumped compact), byte for byte, over principals
 * that vary every field the profile shows: product attributes of every
 * JSON type (money strings, integers, reals, junk), preferences, optional fields, unicode and
 * invalid UTF-8, with and without a tenant. Where the writer declines, the caller uses the
 * reference, so only its refusals may differ, never its bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/principal.h"
#include "surfaces/travel.h"
#include "util/buf.h"

struct attrs_case {
    const char *json;
    bool fast; /* the writer must take it (not fall back) */
};

static const struct attrs_case attrs_cases[] = {
    {NULL, true},
    {"{}", true},
    {"{\"vacation_pool_balance\":\"150.00\",\"hotel_card_redeems_left\":2}", true},
    {"{\"hotel_card_redeems_left\":-3,\"vacation_pool_balance\":\"1.005\"}", true},
    {"{\"vacation_pool_balance\":\"2.675\"}", true},
    {"{\"vacation_pool_balance\":\"0.125\"}", true},
    {"{\"vacation_pool_balance\":\"-0\"}", true},
    {"{\"vacation_pool_balance\":\"-0.001\"}", true},
    {"{\"vacation_pool_balance\":\"+7.5\"}", true},
    {"{\"vacation_pool_balance\":\".5\"}", true},
    {"{\"vacation_pool_balance\":\"999999999999999.99\"}", true},
    {"{\"vacation_pool_balance\":\"1e3\"}", true},
    {"{\"vacation_pool_balance\":\" 12\"}", true},
    {"{\"vacation_pool_balance\":\"0x1A\"}", true},
    {"{\"vacation_pool_balance\":\"12abc\"}", true},
    {"{\"vacation_pool_balance\":\"abc\"}", true},
    {"{\"vacation_pool_balance\":\"\"}", true},
    {"{\"vacation_pool_balance\":\"inf\"}", true},
    {"{\"vacation_pool_balance\":\"-infinity\"}", true},
    {"{\"vacation_pool_balance\":\"nan\"}", true},
    {"{\"vacation_pool_balance\":\"1e300\"}", true},
    {"{\"vacation_pool_balance\":\"123456789012345678901234567890\"}", true},
    {"{\"vacation_pool_balance\":150}", true},
    {"{\"vacation_pool_balance\":-5}", true},
    {"{\"vacation_pool_balance\":123456789012345678}", true},
    {"{\"vacation_pool_balance\":true}", true},
    {"{\"vacation_pool_balance\":null}", true},
    {"{\"vacation_pool_balance\":{\"x\":1},\"hotel_card_redeems_left\":[1]}", true},
    {"{\"hotel_card_redeems_left\":\"2\"}", true},
    {"{\"hotel_card_redeems_left\":123456789012345678}", true},
    {"{\"hotel_card_redeems_left\":null,\"other\":\"caf\xc3\xa9\"}", true},
    {"{\"nested\":{\"vacation_pool_balance\":\"9.99\"}}", true},
    /* Not canonical: the writer declines, the reference answers. */
    {"{\"vacation_pool_balance\":1.5}", false},
    {"{\"hotel_card_redeems_left\":2.0}", false},
    {"{\"vacation_pool_balance\":\"1\",\"vacation_pool_balance\":\"2\"}", false},
    {"{\"vacation_pool_balance\":\"\\u0031\"}", false},
    {"{ \"hotel_card_redeems_left\": 2 }", false},
    {"{", false},
    {"[]", false},
    {"", false},
};

struct prefs_case {
    const char *json;
    bool fast;
};

static const struct prefs_case prefs_cases[] = {
    {NULL, true},
    {"{}", true},
    {"{\"language\":\"en\",\"currency\":\"USD\"}", true},
    {"{\"a\":[1,{\"b\":null}],\"u\":\"\xe6\xbc\xa2\"}", true},
    {"{\"language\": \"en\"}", false},
    {"not json", false},
};

struct name_case {
    const char *name;
    bool fast;
};

static const struct name_case name_cases[] = {
    {"John Agent", true}, {"Zo\xc3\xab \"Q\" O'Brien\\\t\xf0\x9f\x98\x80", true},
    {"", true},           {"bad \xc3\x28 utf-8", false},
    {NULL, false},
};

static const char *perms[] = {"dashboard.user", "pos.view", "caf\xc3\xa9.edit"};
static const char *products[] = {"hotel", "activity", "flight", "deals"};

static void base_principal(struct principal *p, bool has_tenant)
{
    memset(p, 0, sizeof(*p));
    p->user.id = 42;
    p->user.name = "John Agent";
    p->user.email = "john@example.com";
    p->user.phone = "+1-555-100-2000";
    p->user.status = USER_ACTIVE;
    p->user.email_verified_at = 1777572601;
    p->user.last_login_at = 0;
    p->has_tenant = has_tenant;
    if (!has_tenant)
        return;
    p->tenant.id = 7;
    p->tenant.slug = "safeway";
    p->tenant.name = "Safeway Travel \xe2\x80\x94 \xc3\x89t\xc3\xa9";
    p->tenant.domain = "www.safewaytravel.net";
    p->tenant.default_currency = "USD";
    p->tenant.enabled_products.items = products;
    p->tenant.enabled_products.n = 4;
    p->role.id = 9;
    p->role.name = "Agent";
    p->role.slug = "user";
    p->role.permissions.items = perms;
    p->role.permissions.n = 3;
}

/* Writer and reference for p; returns whether the writer took it. */
static bool compare(const struct principal *p)
{
    json_t *j = travel_profile_json(p);
    assert_non_null(j);
    char *want = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(want);
    struct buf b;
    buf_init(&b);
    bool fast = travel_profile_write(p, &b);
    if (fast) {
        if (strcmp(b.data, want) != 0)
            fail_msg("writer:    %s\nreference: %s", b.data, want);
        assert_int_equal(b.len, strlen(want));
    }
    buf_fini(&b);
    free(want);
    return fast;
}

static void writer_matches_reference(void **state)
{
    (void)state;
    size_t n_attrs = sizeof(attrs_cases) / sizeof(attrs_cases[0]);
    size_t n_prefs = sizeof(prefs_cases) / sizeof(prefs_cases[0]);
    size_t n_names = sizeof(name_cases) / sizeof(name_cases[0]);
    for (int has_tenant = 0; has_tenant < 2; has_tenant++) {
        for (size_t i = 0; i < n_attrs; i++) {
            for (size_t k = 0; k < n_prefs; k++) {
                for (size_t m = 0; m < n_names; m++) {
                    struct principal p;
                    base_principal(&p, has_tenant);
                    p.user.attributes = attrs_cases[i].json;
                    p.user.preferences = prefs_cases[k].json;
                    p.user.name = name_cases[m].name;
                    bool want_fast =
                        attrs_cases[i].fast && prefs_cases[k].fast && name_cases[m].fast;
                    if (compare(&p) != want_fast)
                        fail_msg("attrs %s prefs %s name %s: writer %s", attrs_cases[i].json,
                                 prefs_cases[k].json, name_cases[m].name,
                                 want_fast ? "declined" : "did not decline");
                }
            }
        }
    }
}

/* The optional fields and the times, one at a time. */
static void optional_fields(void **state)
{
    (void)state;
    static const int64_t times[] = {
        0, 1, 951782400, 2147483648LL, 253402300799LL, 253402300800LL, -86400};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        struct principal p;
        base_principal(&p, true);
        p.user.email_verified_at = times[i];
        p.user.last_login_at = times[(i + 3) % (sizeof(times) / sizeof(times[0]))];
        p.user.phone = i % 2 ? NULL : "+44 \xe2\x98\x8e";
        p.user.avatar = i % 3 ? NULL : "https://cdn.example/a.png";
        p.user.status = (enum user_status)(i % 3);
        p.tenant.domain = i % 2 ? "x.example" : NULL;
        p.role.permissions.n = i % 4;
        p.tenant.enabled_products.n = (i + 1) % 5;
        p.user.id = (int64_t)i * 1000000007LL - 3;
        assert_true(compare(&p));
    }
    struct principal p;
    base_principal(&p, true);
    p.role.slug = NULL; /* json_pack fails: the reference drops "role" */
    assert_false(compare(&p));
    base_principal(&p, true);
    p.tenant.default_currency = "\xff";
    assert_false(compare(&p));
}

/* The balance as the profile shows it for attributes json, by both paths. */
static void check_balance(const char *json, const char *want)
{
    struct principal p;
    base_principal(&p, true);
    p.user.attributes = json;
    compare(&p);
    json_t *j = travel_profile_json(&p);
    const char *got = json_string_value(json_object_get(j, "vacation_pool_balance"));
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", json, got ? got : "(null)", want);
    json_decref(j);
}

/* Money is rounded on the decimal text, half away from zero, whether the
 * stored value is a string, an integer or a real (which jansson reads as
 * a double: the amount comes from the stored text instead). */
static void balance_is_exact(void **state)
{
    (void)state;
    check_balance("{\"vacation_pool_balance\":\"0.125\"}", "0.13");
    check_balance("{\"vacation_pool_balance\":0.125}", "0.13");
    check_balance("{\"vacation_pool_balance\":0.015}", "0.02");
    check_balance("{\"vacation_pool_balance\":-0.125}", "-0.13");
    check_balance("{ \"vacation_pool_balance\" : 1.005 , \"x\": [1, \"]\"] }", "1.01");
    check_balance("{\"x\":{\"vacation_pool_balance\":1},\"vacation_pool_balance\":2.675}", "2.68");
    check_balance("{\"vacation_pool_balance\":1,\"vacation_pool_balance\":2.005}", "2.01");
    check_balance("{\"vacation_pool_balance\":\"1\",\"vacation_pool_balance\":\"2.345\"}", "2.35");
    check_balance("{\"vacation_pool_balance\":1e2}", "100.00");
    check_balance("{\"vacation_pool_balance\":150}", "150.00");
    check_balance("{\"vacation_pool_balance\":\"999999999999999.995\"}", "1000000000000000.00");
    check_balance("{\"vacation_pool_balance\":\"12abc\"}", "0.00");
    check_balance("{\"vacation_pool_balance\":true}", "0.00");
    check_balance("{}", "0.00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_matches_reference),
        cmocka_unit_test(optional_fields),
        cmocka_unit_test(balance_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
