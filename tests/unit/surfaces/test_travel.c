/*
 * test_travel.c - seed 004's profile: the writer the server replies with
 * (travel_profile_write, travel_token_write) against a jansson reference
 * kept here (profile_json: the profile built as a jansson tree), over
 * principals that vary every field the profile shows: product attributes
 * of every JSON type and form (money strings, integers, reals, junk,
 * spaces, escapes, duplicate keys), preferences, optional fields, hostile
 * strings (quotes, control characters, unicode, invalid UTF-8, NULL), with
 * and without a tenant. The writer's output must parse to the reference
 * and be its compact dump byte for byte.
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
#include "util/jsonutil.h"
#include "util/jsonw.h"
#include "util/numfmt.h"

static const char *const attrs_cases[] = {
    NULL,
    "{}",
    "{\"vacation_pool_balance\":\"150.00\",\"hotel_card_redeems_left\":2}",
    "{\"hotel_card_redeems_left\":-3,\"vacation_pool_balance\":\"1.005\"}",
    "{\"vacation_pool_balance\":\"2.675\"}",
    "{\"vacation_pool_balance\":\"0.125\"}",
    "{\"vacation_pool_balance\":\"-0\"}",
    "{\"vacation_pool_balance\":\"-0.001\"}",
    "{\"vacation_pool_balance\":\"+7.5\"}",
    "{\"vacation_pool_balance\":\".5\"}",
    "{\"vacation_pool_balance\":\"999999999999999.99\"}",
    "{\"vacation_pool_balance\":\"1e3\"}",
    "{\"vacation_pool_balance\":\" 12\"}",
    "{\"vacation_pool_balance\":\"0x1A\"}",
    "{\"vacation_pool_balance\":\"12abc\"}",
    "{\"vacation_pool_balance\":\"abc\"}",
    "{\"vacation_pool_balance\":\"\"}",
    "{\"vacation_pool_balance\":\"inf\"}",
    "{\"vacation_pool_balance\":\"-infinity\"}",
    "{\"vacation_pool_balance\":\"nan\"}",
    "{\"vacation_pool_balance\":\"1e300\"}",
    "{\"vacation_pool_balance\":\"123456789012345678901234567890\"}",
    "{\"vacation_pool_balance\":150}",
    "{\"vacation_pool_balance\":-5}",
    "{\"vacation_pool_balance\":123456789012345678}",
    "{\"vacation_pool_balance\":true}",
    "{\"vacation_pool_balance\":null}",
    "{\"vacation_pool_balance\":{\"x\":1},\"hotel_card_redeems_left\":[1]}",
    "{\"hotel_card_redeems_left\":\"2\"}",
    "{\"hotel_card_redeems_left\":123456789012345678}",
    "{\"hotel_card_redeems_left\":null,\"other\":\"caf\xc3\xa9\"}",
    "{\"nested\":{\"vacation_pool_balance\":\"9.99\"}}",
    /* Not in canonical form: read as jansson reads them. */
    "{\"vacation_pool_balance\":1.5}",
    "{\"vacation_pool_balance\":0.015,\"hotel_card_redeems_left\":1e2}",
    "{\"hotel_card_redeems_left\":2.0}",
    "{\"vacation_pool_balance\":\"1\",\"vacation_pool_balance\":\"2\"}",
    "{\"vacation_pool_balance\":\"\\u0031.5\"}",
    "{ \"hotel_card_redeems_left\": 2 , \"vacation_pool_balance\" : -0.125 }",
    "{\"hotel_card_redeems_left\":-0}",
    "{\"hotel_card_redeems_left\":1234567890123456789}",
    "{",
    "[]",
    "",
};

static const char *const prefs_cases[] = {
    NULL,
    "{}",
    "{\"language\":\"en\",\"currency\":\"USD\"}",
    "{\"a\":[1,{\"b\":null}],\"u\":\"\xe6\xbc\xa2\"}",
    /* Not in canonical form: shown as jansson reads and writes them. */
    "{\"language\": \"en\"}",
    "{\n  \"ratio\": 0.1, \"big\": 1e3, \"esc\": \"\\u00e9\\/\\n\\u0001\", \"k\": 1, \"k\": 2\n}",
    "{\"emoji\":\"\\ud83d\\ude00\",\"neg\":-0}",
    "not json",
    "[1,2]",
    "{\"nul\":\"\\u0000\"}",
};

/* A stored string and the string the profile shows for it. */
struct text_case {
    const char *stored;
    const char *shown;
};

static const struct text_case name_cases[] = {
    {"John Agent", "John Agent"},
    {"Zo\xc3\xab \"Q\" O'Brien\\\t\xf0\x9f\x98\x80 \x01\x1f\x7f </script>",
     "Zo\xc3\xab \"Q\" O'Brien\\\t\xf0\x9f\x98\x80 \x01\x1f\x7f </script>"},
    {"", ""},
    /* Invalid UTF-8: each byte that starts no valid sequence shows as U+FFFD. */
    {"bad \xc3\x28 utf-8", "bad \xef\xbf\xbd( utf-8"},
    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"\xc0\x80\xff ok \xf4\x90\x80\x80\xe2\x82",
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
     "\xef\xbf\xbd\xef\xbf\xbd"},
    {"caf\xc3\xa9\x80\"", "caf\xc3\xa9\xef\xbf\xbd\""},
    {NULL, NULL},
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

/* ---- the reference: the profile as a jansson tree ---- */

/* The seed's money string for the decimal text v[0..n). */
static void money_text(const char *v, size_t n, char out[NUM_MONEY_SIZE])
{
    if (num_money2(v, n, out) == 0)
        memcpy(out, "0.00", 5);
}

/* A money amount from the member key of attrs (parsed from text): a
 * string's value, or a number's exact text in the stored JSON; else "0.00". */
static json_t *money(json_t *attrs, const char *text, const char *key)
{
    char out[NUM_MONEY_SIZE] = "0.00";
    json_t *v = json_object_get(attrs, key);
    const char *raw;
    size_t n;
    if (json_is_string(v))
        money_text(json_string_value(v), json_string_length(v), out);
    else if (json_is_number(v) && json_member_text(text, strlen(text), key, &raw, &n))
        money_text(raw, n, out);
    return json_string(out);
}

static json_t *object_or_empty(const char *text)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

/* Every string of the reference is built by json_str_or_null: a NULL
 * string shows as null. */
static json_t *tenant_json(const struct tenant *t)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)t->id, "name",
                     json_str_or_null(t->name), "slug", json_str_or_null(t->slug), "domain",
                     json_str_or_null(t->domain), "default_currency",
                     json_str_or_null(t->default_currency), "enabled_products",
                     json_strlist(&t->enabled_products));
}

/* The profile of p (the strings as the reply must show them). */
static json_t *profile_json(const struct principal *p)
{
    const struct user *u = &p->user;
    json_t *attrs = object_or_empty(u->attributes);
    json_t *redeems = json_object_get(attrs, "hotel_card_redeems_left");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "name", json_str_or_null(u->name));
    json_object_set_new(o, "email", json_str_or_null(u->email));
    json_object_set_new(o, "phone", json_str_or_null(u->phone));
    json_object_set_new(o, "avatar", json_str_or_null(u->avatar));
    json_object_set_new(o, "status", json_string(user_status_str(u->status)));
    json_object_set_new(o, "tenant_id", p->has_tenant ? json_integer(p->tenant.id) : json_null());
    json_object_set_new(o, "vacation_pool_balance",
                        money(attrs, u->attributes, "vacation_pool_balance"));
    json_object_set_new(o, "hotel_card_redeems_left",
                        json_integer(json_is_integer(redeems) ? json_integer_value(redeems) : 0));
    json_object_set_new(o, "preferences", object_or_empty(u->preferences));
    json_object_set_new(o, "email_verified_at", json_time(u->email_verified_at));
    json_object_set_new(o, "last_login_at", json_time(u->last_login_at));
    if (p->has_tenant) {
        json_object_set_new(o, "role",
                            json_pack("{s:I, s:o, s:o}", "id", (json_int_t)p->role.id, "name",
                                      json_str_or_null(p->role.name), "slug",
                                      json_str_or_null(p->role.slug)));
        json_object_set_new(o, "permissions", json_strlist(&p->role.permissions));
        json_object_set_new(o, "tenant", tenant_json(&p->tenant));
    } else {
        json_object_set_new(o, "role", json_null());
        json_object_set_new(o, "permissions", json_array());
        json_object_set_new(o, "tenant", json_null());
    }
    json_decref(attrs);
    return o;
}

/* ---- the comparison ---- */

/* got must be one JSON value equal to want, and want's compact dump byte
 * for byte (the keys in the same order, the same escapes). Steals want. */
static void check_body(const char *got, json_t *want)
{
    assert_non_null(want);
    json_error_t err;
    json_t *parsed = json_loads(got, JSON_REJECT_DUPLICATES, &err);
    if (parsed == NULL)
        fail_msg("writer's output does not parse (%s): %s", err.text, got);
    char *dump = json_dumps(want, JSON_COMPACT);
    assert_non_null(dump);
    if (!json_equal(parsed, want) || strcmp(got, dump) != 0)
        fail_msg("writer:    %s\nreference: %s", got, dump);
    free(dump);
    json_decref(parsed);
    json_decref(want);
}

/* The writer's profile of p against the reference for shown: p with its
 * strings as the reply must show them. */
static void compare(const struct principal *p, const struct principal *shown)
{
    struct buf b;
    buf_init(&b);
    travel_profile_write(p, &b);
    check_body(b.data, profile_json(shown));
    buf_fini(&b);
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
                    p.user.attributes = attrs_cases[i];
                    p.user.preferences = prefs_cases[k];
                    p.user.name = name_cases[m].stored;
                    struct principal shown = p;
                    shown.user.name = name_cases[m].shown;
                    compare(&p, &shown);
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
        compare(&p, &p);
    }
}

/* The string in slot where of p (0..6; 7: a permission). */
static const char **slot(struct principal *p, int where)
{
    switch (where) {
    case 0: return &p->user.email;
    case 1: return &p->role.name;
    case 2: return &p->role.slug;
    case 3: return &p->tenant.name;
    case 4: return &p->tenant.slug;
    case 5: return &p->tenant.default_currency;
    case 6: return &p->tenant.domain;
    default: return &p->role.permissions.items[1];
    }
}

/* Hostile strings in every other string of the profile: each is written
 * (never dropped, as a jansson tree drops what it cannot hold), as the
 * reference shows the string it stands for. */
static void hostile_strings_everywhere(void **state)
{
    (void)state;
    size_t n_names = sizeof(name_cases) / sizeof(name_cases[0]);
    for (size_t m = 0; m < n_names; m++) {
        for (int where = 0; where < 8; where++) {
            if (where == 7 && name_cases[m].stored == NULL)
                continue; /* a strlist never holds NULL */
            const char *stored_perms[] = {"a", "b", "c"}, *shown_perms[] = {"a", "b", "c"};
            struct principal p, shown;
            base_principal(&p, true);
            p.role.permissions.items = stored_perms;
            shown = p;
            shown.role.permissions.items = shown_perms;
            *slot(&p, where) = name_cases[m].stored;
            *slot(&shown, where) = name_cases[m].shown;
            compare(&p, &shown);
        }
    }
}

/* POST /auth/token's body: the token beside the same profile. */
static void token_body(void **state)
{
    (void)state;
    struct principal p, shown;
    base_principal(&p, true);
    p.user.name = name_cases[5].stored;
    p.user.attributes = attrs_cases[3];
    p.user.preferences = prefs_cases[5];
    shown = p;
    shown.user.name = name_cases[5].shown;
    struct buf b;
    buf_init(&b);
    travel_token_write("12|AbCdEf0123456789", &p, &b);
    check_body(b.data, json_pack("{s:s, s:s, s:o}", "access_token", "12|AbCdEf0123456789",
                                 "token_type", "Bearer", "user", profile_json(&shown)));
    buf_fini(&b);
}

/* The balance the profile shows for attributes json: the writer's, which
 * the reference must agree with too. */
static void check_balance(const char *json, const char *want)
{
    struct principal p;
    base_principal(&p, true);
    p.user.attributes = json;
    compare(&p, &p);
    struct buf b;
    buf_init(&b);
    travel_profile_write(&p, &b);
    json_t *j = json_loads(b.data, 0, NULL);
    const char *got = json_string_value(json_object_get(j, "vacation_pool_balance"));
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", json, got ? got : "(null)", want);
    json_decref(j);
    buf_fini(&b);
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
        cmocka_unit_test(writer_matches_reference),   cmocka_unit_test(optional_fields),
        cmocka_unit_test(hostile_strings_everywhere), cmocka_unit_test(token_body),
        cmocka_unit_test(balance_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
