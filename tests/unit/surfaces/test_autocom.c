/*
 * test_autocom.c - seed 002's GET /auth/me body: the fast writer
 * (autocom_me_write) against the jansson reference (autocom_me_json,
 * dumped compact), byte for byte, over principals in zero to several
 * tenants (is_current on any or none of them), with unicode, escapes,
 * NULLs and invalid UTF-8 in every string, and timestamps at the edges
 * of the "Z" form. Where the writer declines, the caller uses the
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
#include "surfaces/autocom.h"
#include "util/buf.h"

#define MAX_ORGS 4

static const char *perms[] = {"team.view", "team.invite", "orders.\xe2\x9c\x93"};

static const char *const names[] = {
    "John Doe",
    "Ren\xc3\xa9"
    "e \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x9a\x97",
    "quote \" backslash \\ newline \n tab \t ctl \x01",
    "",
};

static const char *const bad[] = {NULL, "\xc3", "\xed\xa0\x80", "ok\xff"};

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

/* Writer and reference; returns whether the writer took it. */
static bool compare(const struct principal *p, const struct autocom_org *orgs, size_t n)
{
    json_t *j = autocom_me_json(p, orgs, n);
    assert_non_null(j);
    char *want = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(want);
    struct buf b;
    buf_init(&b);
    bool fast = autocom_me_write(p, orgs, n, &b);
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
    struct principal p;
    struct autocom_org orgs[MAX_ORGS];
    for (unsigned seed = 0; seed < 60; seed++) {
        for (size_t n = 0; n <= MAX_ORGS; n++) {
            for (size_t current = 0; current <= n; current++) {
                fill(&p, orgs, n, current, seed);
                assert_true(compare(&p, orgs, n));
            }
        }
    }
}

/* Each string that jansson refuses (NULL, invalid UTF-8), in each place:
 * the writer declines, and the reference is what the caller sends. */
static void writer_declines_what_jansson_drops(void **state)
{
    (void)state;
    struct principal p;
    struct autocom_org orgs[MAX_ORGS];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (int where = 0; where < 6; where++) {
            fill(&p, orgs, 3, 1, 3);
            const char *s = bad[i];
            switch (where) {
            case 0: p.user.name = s; break;
            case 1: p.user.email = s; break;
            case 2: p.role.slug = s; break;
            case 3: orgs[2].tenant.slug = s; break;
            case 4: orgs[0].tenant.name = s; break;
            default:
                if (s == NULL)
                    continue; /* a strlist never holds NULL */
                perms[1] = s;
                p.role.permissions.n = 3;
            }
            assert_false(compare(&p, orgs, 3));
            perms[1] = "team.invite";
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_matches_reference),
        cmocka_unit_test(writer_declines_what_jansson_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
