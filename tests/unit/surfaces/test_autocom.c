/*
 * test_autocom.c - seed 002's GET /auth/me body: the writer the server
 * replies with (autocom_me_write) against a jansson reference kept here
 * (me_json: the body built as a jansson tree), over principals in zero to
 * several tenants (is_current on any or none of them), with unicode,
 * escapes, NULLs and invalid UTF-8 in every string, and timestamps at the
 * edges of the "Z" form. The writer's output must parse to the reference
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
#include "surfaces/autocom.h"
#include "util/buf.h"
#include "util/jsonutil.h"

#define MAX_ORGS 4

static const char *perms[] = {"team.view", "team.invite", "orders.\xe2\x9c\x93"};

static const char *const names[] = {
    "John Doe",
    "Ren\xc3\xa9"
    "e \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x9a\x97",
    "quote \" backslash \\ newline \n tab \t ctl \x01",
    "",
};

/* Strings jansson refuses, and what the body shows for each: null for
 * NULL, U+FFFD for each byte that starts no valid UTF-8 sequence. */
static const char *const bad[] = {NULL, "\xc3", "\xed\xa0\x80", "ok\xff"};
static const char *const bad_shown[] = {NULL, "\xef\xbf\xbd",
                                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "ok\xef\xbf\xbd"};

static const int64_t times[] = {
    0, 1, 951782400, 1709251199, 2147483648LL, 4107542400, 253402300799LL, 253402300800LL, -1};

static void fill(struct principal *p, struct autocom_org *orgs, size_t n, size_t current,
                 unsigned seed)
{
    memset(p, 0, sizeof(*p));
    memset(orgs, 0, sizeof(*orgs) * MAX_ORGS);
    size_t nt = sizeof(times) / sizeof(times[0]);
    p->user.id = 1000 + seed;
    p->user.name = names[seed % 4];
    p->user.email = "john@mystore.com";
    p->user.is_super_admin = seed % 5 == 0;
    p->user.email_verified_at = seed % 2 ? 0 : times[seed % nt];
    p->user.created_at = times[(seed + 1) % nt];
    p->user.last_login_at = times[(seed + 2) % nt];
    static const char *const slugs[] = {"my-store", "other-store", "third", "caf\xc3\xa9"};
    static const char *const roles[] = {"owner", "admin", "user", "r\xc3\xb4le"};
    for (size_t i = 0; i < n; i++) {
        orgs[i].tenant.id = (int64_t)i + 1;
        orgs[i].tenant.slug = slugs[i];
        orgs[i].tenant.name = names[(seed + i) % 4];
        orgs[i].role.slug = roles[(seed + i) % 4];
        orgs[i].m.joined_at = times[(seed + i) % nt];
    }
    /* current == n: a principal without a tenant context. */
    p->has_tenant = current < n || seed % 3 == 0;
    if (!p->has_tenant)
        return;
    p->tenant.id = current < n ? (int64_t)current + 1 : 99; /* 99: none of the listed */
    p->role.slug = roles[seed % 4];
    p->role.permissions.items = perms;
    p->role.permissions.n = seed % 4;
    p->membership.status = (enum member_status)(seed % 2);
    p->membership.joined_at = times[(seed + 3) % nt];
}

/* ---- the reference: the body as a jansson tree ---- */

static json_t *permissions_json(const struct principal *p)
{
    return p->has_tenant ? json_strlist(&p->role.permissions) : json_array();
}

static json_t *membership_json(const struct principal *p)
{
    if (!p->has_tenant)
        return json_null();
    return json_pack("{s:o, s:s, s:o, s:o}", "role", json_str_or_null(p->role.slug), "status",
                     member_status_str(p->membership.status), "joined_at",
                     autocom_time(p->membership.joined_at), "permissions", permissions_json(p));
}

/* The body for p and its n organisations; every string by
 * json_str_or_null (a NULL string shows as null). */
static json_t *me_json(const struct principal *p, const struct autocom_org *orgs, size_t n)
{
    json_t *tenants = json_array();
    for (size_t i = 0; i < n; i++) {
        bool current = p->has_tenant && orgs[i].tenant.id == p->tenant.id;
        json_array_append_new(
            tenants, json_pack("{s:o, s:o, s:o, s:b}", "id", json_str_or_null(orgs[i].tenant.slug),
                               "name", json_str_or_null(orgs[i].tenant.name), "role",
                               json_str_or_null(orgs[i].role.slug), "is_current", current));
    }
    const struct user *u = &p->user;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "name", json_str_or_null(u->name));
    json_object_set_new(o, "email", json_str_or_null(u->email));
    json_object_set_new(o, "email_verified", json_boolean(u->email_verified_at != 0));
    json_object_set_new(o, "is_super_admin", json_boolean(u->is_super_admin));
    json_object_set_new(o, "created_at", autocom_time(u->created_at));
    json_object_set_new(o, "last_login_at", autocom_time(u->last_login_at));
    json_object_set_new(o, "tenant_membership", membership_json(p));
    json_object_set_new(o, "tenants", tenants);
    return o;
}

/* The writer's body for p against the reference for shown (p with its
 * strings as the body must show them; orgs likewise). */
static void compare(const struct principal *p, const struct autocom_org *orgs,
                    const struct principal *shown, const struct autocom_org *shown_orgs, size_t n)
{
    json_t *want = me_json(shown, shown_orgs, n);
    assert_non_null(want);
    char *dump = json_dumps(want, JSON_COMPACT);
    assert_non_null(dump);
    struct buf b;
    buf_init(&b);
    autocom_me_write(p, orgs, n, &b);
    json_error_t err;
    json_t *parsed = json_loads(b.data, JSON_REJECT_DUPLICATES, &err);
    if (parsed == NULL)
        fail_msg("writer's output does not parse (%s): %s", err.text, b.data);
    if (!json_equal(parsed, want) || strcmp(b.data, dump) != 0)
        fail_msg("writer:    %s\nreference: %s", b.data, dump);
    json_decref(parsed);
    buf_fini(&b);
    free(dump);
    json_decref(want);
}

static void writer_matches_reference(void **state)
{
    (void)state;
    struct principal p;
    struct autocom_org orgs[MAX_ORGS];
    for (unsigned seed = 0; seed < 60; seed++) {
        for (size_t n = 0; n <= MAX_ORGS; n++) {
            for (size_t current = 0; current <= n; current++) {
                fill(&p, orgs, n, current, seed);
                compare(&p, orgs, &p, orgs, n);
            }
        }
    }
}

/* The string in slot where of p and orgs (0..4; 5: a permission). */
static const char **slot(struct principal *p, struct autocom_org *orgs, int where)
{
    switch (where) {
    case 0: return &p->user.name;
    case 1: return &p->user.email;
    case 2: return &p->role.slug;
    case 3: return &orgs[2].tenant.slug;
    case 4: return &orgs[0].tenant.name;
    default: return &p->role.permissions.items[1];
    }
}

/* Each string that jansson refuses (NULL, invalid UTF-8), in each place:
 * written all the same (null, or with U+FFFD), never dropped. */
static void hostile_strings_are_written(void **state)
{
    (void)state;
    struct principal p, shown;
    struct autocom_org orgs[MAX_ORGS], shown_orgs[MAX_ORGS];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (int where = 0; where < 6; where++) {
            if (where == 5 && bad[i] == NULL)
                continue; /* a strlist never holds NULL */
            const char *stored_perms[] = {"team.view", "team.invite", "orders.view"};
            const char *shown_perms[] = {"team.view", "team.invite", "orders.view"};
            fill(&p, orgs, 3, 1, 3);
            p.role.permissions.items = stored_perms;
            p.role.permissions.n = 3;
            shown = p;
            shown.role.permissions.items = shown_perms;
            memcpy(shown_orgs, orgs, sizeof(orgs));
            *slot(&p, orgs, where) = bad[i];
            *slot(&shown, shown_orgs, where) = bad_shown[i];
            compare(&p, orgs, &shown, shown_orgs, 3);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_matches_reference),
        cmocka_unit_test(hostile_strings_are_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
