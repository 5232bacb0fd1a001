/*
 * store_cases.h - the unit tests of store.h that every backend must pass,
 * included by one test file per backend (test_sqlite.c, test_store_pg.c).
 *
 * The including file defines, before including this one:
 *
 *   BACKEND_SUFFIX                 its migration suffix (".sqlite.sql")
 *   static void backend_create(struct fixture *f)
 *                                  a new, empty database; sets f->url
 *   static void backend_destroy(struct fixture *f)
 *                                  removes it (every store on it closed)
 *   static int64_t backend_insert_raw(struct fixture *f, const char *sql)
 *                                  runs "INSERT ... RETURNING id" outside the
 *                                  store (a row the store would not write)
 *
 * and lists STORE_CASES in its cmocka test array. Every case gets a fresh
 * database; setup() migrates it, setup_empty() does not.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"

struct fixture {
    char url[1024];  /* the database, as store_open() takes it */
    char priv[1024]; /* the backend's own: a directory, a database name */
    struct store *s;
    struct arena *a;
};

static void backend_create(struct fixture *f);
static void backend_destroy(struct fixture *f);
static int64_t backend_insert_raw(struct fixture *f, const char *sql);

static int migration_count(void)
{
    int n = 0;
    size_t m = strlen(BACKEND_SUFFIX);
    for (size_t i = 0; i < n_migration_files; i++) {
        const char *name = migration_files[i].name;
        size_t len = strlen(name);
        if (len > m && strcmp(name + len - m, BACKEND_SUFFIX) == 0)
            n++;
    }
    return n;
}

static int setup_empty(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    backend_create(f);
    f->a = arena_new();
    *state = f;
    return 0;
}

static int setup(void **state)
{
    setup_empty(state);
    struct fixture *f = *state;
    assert_int_equal(store_open(f->url, &f->s), 0);
    int applied = -1;
    assert_int_equal(store_migrate(f->s, &applied), 0);
    assert_int_equal(applied, migration_count());
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_free(f->s);
    arena_free(f->a);
    backend_destroy(f);
    free(f);
    return 0;
}

static int64_t make_tenant(struct store *s, const char *slug)
{
    struct tenant t = {.slug = slug, .name = "Name", .default_currency = "USD"};
    assert_int_equal(store_tenant_insert(s, &t), 0);
    assert_true(t.id > 0);
    return t.id;
}

static int64_t make_user(struct store *s, const char *email)
{
    struct user u = {.name = "User", .email = email, .password_hash = "$argon2id$x"};
    assert_int_equal(store_user_insert(s, &u), 0);
    assert_true(u.id > 0);
    return u.id;
}

static void hash_of(unsigned n, char out[TOKEN_HASH_HEX + 1])
{
    snprintf(out, TOKEN_HASH_HEX + 1, "%064x", n);
}

static int64_t make_token(struct store *s, int64_t user_id, unsigned n)
{
    struct token t = {.user_id = user_id, .name = "device", .kind = TOKEN_PAT};
    hash_of(n, t.token_hash);
    assert_int_equal(store_token_insert(s, &t), 0);
    return t.id;
}

/* ---- migrating ---- */

static void test_migrate_from_empty(void **state)
{
    struct fixture *f = *state;
    struct store *s = NULL;
    assert_int_equal(store_open(f->url, &s), 0);

    int current = -1, latest = -1;
    assert_int_equal(store_schema_version(s, &current, &latest), 0);
    assert_int_equal(current, 0);
    assert_true(latest >= 1);
    assert_int_equal(store_schema_check(s), ERR_SCHEMA);

    int applied = -1;
    assert_int_equal(store_migrate(s, &applied), 0);
    assert_int_equal(applied, migration_count());
    assert_int_equal(store_migrate(s, &applied), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(store_migrate(s, NULL), 0);
    assert_int_equal(store_schema_check(s), 0);
    assert_int_equal(store_schema_version(s, &current, &latest), 0);
    assert_int_equal(current, latest);
    store_free(s);

    /* A second store on the same database sees the same schema. */
    assert_int_equal(store_open(f->url, &s), 0);
    assert_int_equal(store_schema_check(s), 0);
    assert_int_equal(store_migrate(s, &applied), 0);
    assert_int_equal(applied, 0);
    store_free(s);
}

struct then_ctx {
    struct store *s;
    int calls;
    int rc; /* what then returns */
};

static int then_check(void *arg)
{
    struct then_ctx *c = arg;
    c->calls++;
    assert_int_equal(store_schema_check(c->s), 0);
    int64_t n = -1;
    assert_int_equal(store_tenant_count(c->s, &n), 0);
    if (n == 0)
        make_tenant(c->s, "first");
    return c->rc;
}

/* First-start set-up runs once the migrations are applied, as ordinary
 * statements, and its error is the call's. */
static void test_migrate_then(void **state)
{
    struct fixture *f = *state;
    struct then_ctx c = {0};
    assert_int_equal(store_open(f->url, &c.s), 0);
    int applied = -1;
    assert_int_equal(store_migrate_then(c.s, &applied, then_check, &c), 0);
    assert_int_equal(applied, migration_count());
    assert_int_equal(c.calls, 1);

    c.rc = ERR_CONFLICT;
    assert_int_equal(store_migrate_then(c.s, &applied, then_check, &c), ERR_CONFLICT);
    assert_int_equal(applied, 0);
    assert_int_equal(c.calls, 2);
    int64_t n = -1;
    assert_int_equal(store_tenant_count(c.s, &n), 0);
    assert_int_equal(n, 1);
    store_free(c.s);
}

/* A store freed and another allocated (likely at the same address) must not
 * reuse the first one's connection, which is closed. */
static void test_reopen_same_thread(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++) {
        struct fixture f = {0};
        backend_create(&f);
        struct store *s = NULL;
        assert_int_equal(store_open(f.url, &s), 0);
        assert_int_equal(store_migrate(s, NULL), 0);
        int64_t n = -1;
        assert_int_equal(store_tenant_count(s, &n), 0);
        assert_int_equal(n, 0);
        make_tenant(s, "only");
        assert_int_equal(store_tenant_count(s, &n), 0);
        assert_int_equal(n, 1);
        store_free(s);
        backend_destroy(&f);
    }
}

static void test_ping(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_ping(f->s), 0);
}

/* ---- rows ---- */

static void test_tenants(void **state)
{
    struct fixture *f = *state;
    const char *products[] = {"hotel", "flight"};
    struct tenant t = {
        .slug = "safeway",
        .name = "Safeway Travel",
        .domain = "www.safewaytravel.net",
        .default_currency = "EUR",
        .enabled_products = {.items = products, .n = 2},
        .status = TENANT_SUSPENDED,
    };
    assert_int_equal(store_tenant_insert(f->s, &t), 0);
    assert_true(t.id > 0);
    assert_true(t.created_at > 0);

    struct tenant got;
    assert_int_equal(store_tenant_by_id(f->s, f->a, t.id, &got), 0);
    assert_string_equal(got.slug, "safeway");
    assert_string_equal(got.name, "Safeway Travel");
    assert_string_equal(got.domain, "www.safewaytravel.net");
    assert_string_equal(got.default_currency, "EUR");
    assert_int_equal(got.enabled_products.n, 2);
    assert_string_equal(got.enabled_products.items[0], "hotel");
    assert_string_equal(got.enabled_products.items[1], "flight");
    assert_int_equal(got.status, TENANT_SUSPENDED);
    assert_int_equal(got.created_at, t.created_at);

    assert_int_equal(store_tenant_by_slug(f->s, f->a, "safeway", &got), 0);
    assert_int_equal(got.id, t.id);
    assert_int_equal(store_tenant_by_slug(f->s, f->a, "Safeway", &got), ERR_NOT_FOUND);
    assert_int_equal(store_tenant_by_id(f->s, f->a, t.id + 100, &got), ERR_NOT_FOUND);

    struct tenant dup = {.slug = "safeway", .name = "Other"};
    assert_int_equal(store_tenant_insert(f->s, &dup), ERR_CONFLICT);

    struct tenant plain = {.slug = "plain", .name = "Plain"};
    assert_int_equal(store_tenant_insert(f->s, &plain), 0);
    assert_int_equal(store_tenant_by_slug(f->s, f->a, "plain", &got), 0);
    assert_null(got.domain);
    assert_string_equal(got.default_currency, "USD");
    assert_int_equal(got.enabled_products.n, 0);
    assert_int_equal(got.status, TENANT_ACTIVE);

    int64_t n = 0;
    assert_int_equal(store_tenant_count(f->s, &n), 0);
    assert_int_equal(n, 2);
}

/* Migration 0006's product and 0007's lookup by the request's host. */
static void test_tenant_product_domain(void **state)
{
    struct fixture *f = *state;
    struct tenant plain = {.slug = "plain", .name = "Plain", .domain = "Shop.Example.com"};
    assert_int_equal(store_tenant_insert(f->s, &plain), 0);
    struct tenant shop = {
        .slug = "shop", .name = "Shop", .domain = "shop.example.com", .product = "autocom"};
    assert_int_equal(store_tenant_insert(f->s, &shop), 0);

    struct tenant got;
    assert_int_equal(store_tenant_by_id(f->s, f->a, plain.id, &got), 0);
    assert_string_equal(got.product, TENANT_PRODUCT_DEFAULT);
    assert_int_equal(store_tenant_by_slug(f->s, f->a, "shop", &got), 0);
    assert_string_equal(got.product, "autocom");

    /* Compared lower-cased; the lowest id when several domains match. */
    assert_int_equal(store_tenant_by_domain(f->s, f->a, "shop.example.com", &got), 0);
    assert_int_equal(got.id, plain.id);
    assert_string_equal(got.domain, "Shop.Example.com");
    assert_string_equal(got.product, TENANT_PRODUCT_DEFAULT);
    assert_int_equal(store_tenant_by_domain(f->s, f->a, "example.com", &got), ERR_NOT_FOUND);
}

static void test_users(void **state)
{
    struct fixture *f = *state;
    struct user u = {
        .name = "John Agent",
        .first_name = "John",
        .email = "john@example.com",
        .phone = "+1-555-100-2000",
        .password_hash = "$argon2id$v=19$m=65536,t=4,p=1$abc",
        .status = USER_INACTIVE,
        .is_super_admin = true,
        .email_verified_at = 1777564934,
        .attributes = "{\"vacation_pool_balance\":\"150.00\"}",
    };
    assert_int_equal(store_user_insert(f->s, &u), 0);
    assert_true(u.id > 0);
    assert_true(u.created_at > 0);
    assert_int_equal(u.updated_at, u.created_at);
    assert_string_equal(u.preferences, "{}");

    struct user got;
    assert_int_equal(store_user_by_email(f->s, f->a, "john@example.com", &got), 0);
    assert_int_equal(got.id, u.id);
    assert_string_equal(got.name, "John Agent");
    assert_string_equal(got.first_name, "John");
    assert_null(got.last_name);
    assert_string_equal(got.phone, "+1-555-100-2000");
    assert_null(got.avatar);
    assert_string_equal(got.password_hash, u.password_hash);
    assert_int_equal(got.status, USER_INACTIVE);
    assert_true(got.is_super_admin);
    assert_int_equal(got.email_verified_at, 1777564934);
    assert_int_equal(got.last_login_at, 0);
    assert_string_equal(got.preferences, "{}");
    assert_string_equal(got.attributes, "{\"vacation_pool_balance\":\"150.00\"}");
    assert_int_equal(store_user_by_email(f->s, f->a, "JOHN@example.com", &got), ERR_NOT_FOUND);

    struct user dup = {.name = "Dup", .email = "john@example.com"};
    assert_int_equal(store_user_insert(f->s, &dup), ERR_CONFLICT);

    assert_int_equal(store_user_set_password(f->s, u.id, "$2y$12$new"), 0);
    assert_int_equal(store_user_set_last_login(f->s, u.id, 1777572601), 0);
    assert_int_equal(store_user_set_status(f->s, u.id, USER_SUSPENDED), 0);
    assert_int_equal(store_user_by_id(f->s, f->a, u.id, &got), 0);
    assert_string_equal(got.password_hash, "$2y$12$new");
    assert_int_equal(got.last_login_at, 1777572601);
    assert_int_equal(got.status, USER_SUSPENDED);

    assert_int_equal(store_user_by_id(f->s, f->a, u.id + 1, &got), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_status(f->s, u.id + 1, USER_ACTIVE), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_password(f->s, u.id + 1, "x"), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_last_login(f->s, u.id + 1, 1), ERR_NOT_FOUND);

    make_user(f->s, "second@example.com");
    int64_t n = 0;
    assert_int_equal(store_user_count(f->s, &n), 0);
    assert_int_equal(n, 2);
}

static void test_roles(void **state)
{
    struct fixture *f = *state;
    int64_t t1 = make_tenant(f->s, "one");
    int64_t t2 = make_tenant(f->s, "two");
    const char *perms[] = {"orders.view", "orders.create"};
    struct role owner = {.tenant_id = t1,
                         .name = "Owner",
                         .slug = "owner",
                         .permissions = {.items = perms, .n = 2},
                         .is_system = true};
    struct role agent = {.tenant_id = t1, .name = "Agent", .slug = "user"};
    struct role other = {.tenant_id = t2, .name = "Owner", .slug = "owner"};
    struct role staff = {.tenant_id = 0, .name = "Auditor", .slug = "auditor"};
    assert_int_equal(store_role_insert(f->s, &owner), 0);
    assert_int_equal(store_role_insert(f->s, &agent), 0);
    assert_int_equal(store_role_insert(f->s, &other), 0);
    assert_int_equal(store_role_insert(f->s, &staff), 0);
    assert_true(owner.created_at > 0);

    struct role dup = {.tenant_id = t1, .name = "Owner 2", .slug = "owner"};
    assert_int_equal(store_role_insert(f->s, &dup), ERR_CONFLICT);
    struct role dup_staff = {.name = "Auditor 2", .slug = "auditor"};
    assert_int_equal(store_role_insert(f->s, &dup_staff), ERR_CONFLICT);

    struct role got;
    assert_int_equal(store_role_by_id(f->s, f->a, owner.id, &got), 0);
    assert_int_equal(got.tenant_id, t1);
    assert_string_equal(got.slug, "owner");
    assert_true(got.is_system);
    assert_int_equal(got.permissions.n, 2);
    assert_string_equal(got.permissions.items[1], "orders.create");
    assert_int_equal(store_role_by_id(f->s, f->a, staff.id, &got), 0);
    assert_int_equal(got.tenant_id, 0);
    assert_false(got.is_system);
    assert_int_equal(store_role_by_id(f->s, f->a, staff.id + 10, &got), ERR_NOT_FOUND);

    struct role *list = NULL;
    size_t n = 0;
    assert_int_equal(store_role_list(f->s, f->a, t1, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, owner.id);
    assert_int_equal(list[1].id, agent.id);
    assert_int_equal(list[1].permissions.n, 0);
    /* Platform roles: migration 0004's staff roles, then this one. */
    assert_int_equal(store_role_list(f->s, f->a, 0, &list, &n), 0);
    assert_true(n >= 1);
    assert_string_equal(list[n - 1].slug, "auditor");
    assert_int_equal(store_role_list(f->s, f->a, t2 + 10, &list, &n), 0);
    assert_int_equal(n, 0);
}

/* Non-string items of a JSON array column are skipped, not fatal. */
static void test_role_permissions_lenient(void **state)
{
    struct fixture *f = *state;
    int64_t id = backend_insert_raw(f, "INSERT INTO roles (name, slug, permissions, created_at)"
                                       " VALUES ('Mixed', 'mixed', '[\"a\", 1, null, \"b\"]', 1)"
                                       " RETURNING id");

    struct role got;
    assert_int_equal(store_role_by_id(f->s, f->a, id, &got), 0);
    assert_int_equal(got.permissions.n, 2);
    assert_string_equal(got.permissions.items[0], "a");
    assert_string_equal(got.permissions.items[1], "b");
}

static void test_memberships(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "m@example.com");
    int64_t t1 = make_tenant(f->s, "t1");
    int64_t t2 = make_tenant(f->s, "t2");
    int64_t t3 = make_tenant(f->s, "t3");
    struct role r = {.tenant_id = t2, .name = "Admin", .slug = "admin"};
    assert_int_equal(store_role_insert(f->s, &r), 0);

    struct membership m3 = {.user_id = u, .tenant_id = t3, .joined_at = 100};
    struct membership m2 = {.user_id = u,
                            .tenant_id = t2,
                            .role_id = r.id,
                            .status = MEMBER_SUSPENDED,
                            .joined_at = 100};
    struct membership m1 = {.user_id = u, .tenant_id = t1, .joined_at = 200};
    assert_int_equal(store_membership_insert(f->s, &m3), 0);
    assert_int_equal(store_membership_insert(f->s, &m2), 0);
    assert_int_equal(store_membership_insert(f->s, &m1), 0);
    assert_int_equal(store_membership_insert(f->s, &m1), ERR_CONFLICT);

    struct membership got;
    assert_int_equal(store_membership_get(f->s, u, t2, &got), 0);
    assert_int_equal(got.role_id, r.id);
    assert_int_equal(got.status, MEMBER_SUSPENDED);
    assert_int_equal(got.joined_at, 100);
    assert_int_equal(store_membership_get(f->s, u, t3, &got), 0);
    assert_int_equal(got.role_id, 0);
    assert_int_equal(got.status, MEMBER_ACTIVE);
    assert_int_equal(store_membership_get(f->s, u + 1, t1, &got), ERR_NOT_FOUND);

    struct membership *list = NULL;
    size_t n = 0;
    assert_int_equal(store_membership_list_by_user(f->s, f->a, u, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].tenant_id, t2); /* joined_at 100, lower tenant id */
    assert_int_equal(list[1].tenant_id, t3); /* joined_at 100 */
    assert_int_equal(list[2].tenant_id, t1); /* joined_at 200 */
    assert_int_equal(store_membership_list_by_user(f->s, f->a, u + 1, &list, &n), 0);
    assert_int_equal(n, 0);
}

static void test_tokens(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "t@example.com");
    int64_t tenant = make_tenant(f->s, "acme");
    const char *abilities[] = {"VIEW LEADS", "CREATE ORDERS"};
    struct token t = {.user_id = u,
                      .tenant_id = tenant,
                      .name = "iOS 18",
                      .abilities = {.items = abilities, .n = 2},
                      .kind = TOKEN_API_KEY,
                      .expires_at = 2000000000};
    hash_of(1, t.token_hash);
    assert_int_equal(store_token_insert(f->s, &t), 0);
    assert_true(t.id > 0);
    assert_true(t.created_at > 0);

    struct token got;
    assert_int_equal(store_token_by_id(f->s, f->a, t.id, &got), 0);
    assert_int_equal(got.user_id, u);
    assert_int_equal(got.tenant_id, tenant);
    assert_string_equal(got.name, "iOS 18");
    assert_string_equal(got.token_hash, t.token_hash);
    assert_int_equal(got.abilities.n, 2);
    assert_string_equal(got.abilities.items[0], "VIEW LEADS");
    assert_int_equal(got.kind, TOKEN_API_KEY);
    assert_int_equal(got.expires_at, 2000000000);
    assert_int_equal(got.last_used_at, 0);
    assert_int_equal(got.revoked_at, 0);
    assert_int_equal(store_token_by_hash(f->s, f->a, t.token_hash, &got), 0);
    assert_int_equal(got.id, t.id);
    char other[TOKEN_HASH_HEX + 1];
    hash_of(999, other);
    assert_int_equal(store_token_by_hash(f->s, f->a, other, &got), ERR_NOT_FOUND);
    assert_int_equal(store_token_by_id(f->s, f->a, t.id + 100, &got), ERR_NOT_FOUND);

    struct token dup = {.user_id = u, .name = "dup"};
    hash_of(1, dup.token_hash);
    assert_int_equal(store_token_insert(f->s, &dup), ERR_CONFLICT);

    /* Rows without a hash (a JWT's jti) do not collide with each other. */
    struct token jwt1 = {.user_id = u, .name = "jwt", .kind = TOKEN_JWT};
    struct token jwt2 = {.user_id = u, .name = "jwt", .kind = TOKEN_JWT};
    assert_int_equal(store_token_insert(f->s, &jwt1), 0);
    assert_int_equal(store_token_insert(f->s, &jwt2), 0);
    assert_int_equal(store_token_by_id(f->s, f->a, jwt2.id, &got), 0);
    assert_string_equal(got.token_hash, "");
    assert_int_equal(got.tenant_id, 0);
    assert_int_equal(got.abilities.n, 0);

    struct token *list = NULL;
    size_t n = 0;
    assert_int_equal(store_token_list_by_user(f->s, f->a, u, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, jwt2.id); /* same second: the higher id is newer */
    assert_int_equal(list[2].id, t.id);
    assert_int_equal(store_token_list_by_user(f->s, f->a, u + 1, &list, &n), 0);
    assert_int_equal(n, 0);
}

static void test_token_revoke(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "r@example.com");
    int64_t id = make_token(f->s, u, 7);
    assert_int_equal(store_token_revoke(f->s, id, 1000), 0);
    assert_int_equal(store_token_revoke(f->s, id, 2000), 0);
    struct token got;
    assert_int_equal(store_token_by_id(f->s, f->a, id, &got), 0);
    assert_int_equal(got.revoked_at, 1000);
    assert_int_equal(store_token_revoke(f->s, id + 100, 1000), ERR_NOT_FOUND);
}

static void test_token_touch_many(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "touch@example.com");
    int64_t a = make_token(f->s, u, 1);
    int64_t b = make_token(f->s, u, 2);
    struct token_touch first[] = {{a, 500}, {b, 300}, {a + 1000, 900}};
    assert_int_equal(store_token_touch_many(f->s, first, 3), 0);
    struct token_touch second[] = {{a, 400}, {b, 600}};
    assert_int_equal(store_token_touch_many(f->s, second, 2), 0);
    assert_int_equal(store_token_touch_many(f->s, NULL, 0), 0);

    struct token got;
    assert_int_equal(store_token_by_id(f->s, f->a, a, &got), 0);
    assert_int_equal(got.last_used_at, 500); /* 400 would move it back */
    assert_int_equal(store_token_by_id(f->s, f->a, b, &got), 0);
    assert_int_equal(got.last_used_at, 600);

    /* Inside a caller's transaction, rolled back with it. */
    assert_int_equal(store_tx_begin(f->s), 0);
    struct token_touch third[] = {{a, 700}};
    assert_int_equal(store_token_touch_many(f->s, third, 1), 0);
    store_tx_rollback(f->s);
    assert_int_equal(store_token_by_id(f->s, f->a, a, &got), 0);
    assert_int_equal(got.last_used_at, 500);
}

static void test_audit(void **state)
{
    struct fixture *f = *state;
    struct audit_entry e1 = {.at = 100, .action = "login.failure", .ip = "10.0.0.1"};
    struct audit_entry e2 = {
        .at = 300, .tenant_id = 4, .user_id = 9, .action = "token.create", .detail = "{\"id\":1}"};
    struct audit_entry e3 = {.at = 200, .user_id = 9, .action = "login.success"};
    struct audit_entry e4 = {.action = "now"};
    assert_int_equal(store_audit_insert(f->s, &e1), 0);
    assert_int_equal(store_audit_insert(f->s, &e2), 0);
    assert_int_equal(store_audit_insert(f->s, &e3), 0);
    assert_true(e1.id > 0 && e2.id > e1.id && e3.id > e2.id);
    assert_int_equal(store_audit_insert(f->s, &e4), 0);
    assert_true(e4.at > 300);

    struct audit_entry *list = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->s, f->a, 3, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].action, "now");
    assert_string_equal(list[1].action, "token.create");
    assert_int_equal(list[1].tenant_id, 4);
    assert_int_equal(list[1].user_id, 9);
    assert_string_equal(list[1].detail, "{\"id\":1}");
    assert_null(list[1].ip);
    assert_string_equal(list[2].action, "login.success");
    assert_int_equal(list[2].tenant_id, 0);
    assert_int_equal(store_audit_list(f->s, f->a, 100, &list, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(list[3].ip, "10.0.0.1");
    assert_int_equal(list[3].user_id, 0);
}

static void test_tx(void **state)
{
    struct fixture *f = *state;
    struct tenant got;
    assert_int_equal(store_tx_begin(f->s), 0);
    int64_t id = make_tenant(f->s, "gone");
    assert_int_equal(store_tenant_by_id(f->s, f->a, id, &got), 0);
    store_tx_rollback(f->s);
    assert_int_equal(store_tenant_by_slug(f->s, f->a, "gone", &got), ERR_NOT_FOUND);
    store_tx_rollback(f->s); /* no transaction: a no-op */

    assert_int_equal(store_tx_begin(f->s), 0);
    make_tenant(f->s, "kept");
    struct tenant dup = {.slug = "kept", .name = "Dup"};
    assert_int_equal(store_tenant_insert(f->s, &dup), ERR_CONFLICT);
    assert_int_equal(store_tx_commit(f->s), 0);
    assert_int_equal(store_tenant_by_slug(f->s, f->a, "kept", &got), 0);

    /* A second store (another connection) sees only committed rows. */
    struct store *other = NULL;
    assert_int_equal(store_open(f->url, &other), 0);
    assert_int_equal(store_tx_begin(f->s), 0);
    make_tenant(f->s, "pending");
    assert_int_equal(store_tenant_by_slug(other, f->a, "pending", &got), ERR_NOT_FOUND);
    assert_int_equal(store_tx_commit(f->s), 0);
    assert_int_equal(store_tenant_by_slug(other, f->a, "pending", &got), 0);
    store_free(other);
}

/* Other constraint failures are ERR_STORE, and leave the connection usable. */
static void test_errors(void **state)
{
    struct fixture *f = *state;
    struct tenant no_name = {.slug = "x"};
    assert_int_equal(store_tenant_insert(f->s, &no_name), ERR_STORE);
    struct user bad_json = {.name = "J", .email = "j@example.com", .preferences = "[1]"};
    assert_int_equal(store_user_insert(f->s, &bad_json), ERR_STORE);
    struct membership orphan = {.user_id = 42, .tenant_id = 43};
    assert_int_equal(store_membership_insert(f->s, &orphan), ERR_STORE);
    struct token bad_hash = {.user_id = make_user(f->s, "h@example.com"), .name = "n"};
    memcpy(bad_hash.token_hash, "ABC", 4);
    assert_int_equal(store_token_insert(f->s, &bad_hash), ERR_STORE);
    assert_int_equal(store_tx_begin(f->s), 0);
    assert_int_equal(store_tx_begin(f->s), ERR_STORE); /* not nestable */
    store_tx_rollback(f->s);
    int64_t n = 0;
    assert_int_equal(store_tenant_count(f->s, &n), 0);
    assert_int_equal(n, 0);
}

/* ---- threads ---- */

/* The joined read of the hot path: every block, and the optional ones
 * absent when the LEFT JOINs find nothing. */
static void test_principal_by_token(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "p@example.com");
    int64_t tenant = make_tenant(f->s, "joined");
    const char *perms[] = {"pos.view", "dashboard.user"};
    struct role r = {.tenant_id = tenant,
                     .name = "Agent",
                     .slug = "user",
                     .permissions = {.items = perms, .n = 2}};
    assert_int_equal(store_role_insert(f->s, &r), 0);
    struct membership m = {.user_id = u, .tenant_id = tenant, .role_id = r.id, .joined_at = 50};
    assert_int_equal(store_membership_insert(f->s, &m), 0);
    struct token t = {.user_id = u, .tenant_id = tenant, .name = "phone", .kind = TOKEN_PAT};
    hash_of(41, t.token_hash);
    assert_int_equal(store_token_insert(f->s, &t), 0);

    struct principal_rows got;
    assert_int_equal(store_principal_by_token(f->s, f->a, t.id, NULL, &got), 0);
    assert_int_equal(got.token.id, t.id);
    assert_string_equal(got.token.token_hash, t.token_hash);
    assert_string_equal(got.token.name, "phone");
    assert_int_equal(got.user.id, u);
    assert_string_equal(got.user.email, "p@example.com");
    assert_string_equal(got.user.preferences, "{}");
    assert_true(got.has_tenant);
    assert_int_equal(got.tenant.id, tenant);
    assert_string_equal(got.tenant.slug, "joined");
    assert_true(got.has_membership);
    assert_int_equal(got.membership.role_id, r.id);
    assert_int_equal(got.membership.joined_at, 50);
    assert_true(got.has_role);
    assert_string_equal(got.role.slug, "user");
    assert_int_equal(got.role.permissions.n, 2);
    assert_string_equal(got.role.permissions.items[1], "dashboard.user");

    /* By hash (a bearer without "id|"), and unknown ones. */
    assert_int_equal(store_principal_by_token(f->s, f->a, 0, t.token_hash, &got), 0);
    assert_int_equal(got.token.id, t.id);
    char other[TOKEN_HASH_HEX + 1];
    hash_of(42, other);
    assert_int_equal(store_principal_by_token(f->s, f->a, 0, other, &got), ERR_NOT_FOUND);
    assert_int_equal(store_principal_by_token(f->s, f->a, t.id + 100, NULL, &got), ERR_NOT_FOUND);

    /* A token without a tenant; a tenant the user is not a member of; a
     * membership without a role. */
    int64_t bare = make_token(f->s, u, 43);
    assert_int_equal(store_principal_by_token(f->s, f->a, bare, NULL, &got), 0);
    assert_int_equal(got.user.id, u);
    assert_false(got.has_tenant);
    assert_false(got.has_membership);
    assert_false(got.has_role);
    int64_t foreign = make_tenant(f->s, "foreign");
    struct token ft = {.user_id = u, .tenant_id = foreign, .name = "x"};
    hash_of(44, ft.token_hash);
    assert_int_equal(store_token_insert(f->s, &ft), 0);
    assert_int_equal(store_principal_by_token(f->s, f->a, ft.id, NULL, &got), 0);
    assert_true(got.has_tenant);
    assert_string_equal(got.tenant.slug, "foreign");
    assert_false(got.has_membership);
    assert_false(got.has_role);
    int64_t roleless = make_tenant(f->s, "roleless");
    struct membership mr = {.user_id = u, .tenant_id = roleless, .status = MEMBER_SUSPENDED};
    assert_int_equal(store_membership_insert(f->s, &mr), 0);
    struct token rt = {.user_id = u, .tenant_id = roleless, .name = "y"};
    hash_of(45, rt.token_hash);
    assert_int_equal(store_token_insert(f->s, &rt), 0);
    assert_int_equal(store_principal_by_token(f->s, f->a, rt.id, NULL, &got), 0);
    assert_true(got.has_membership);
    assert_int_equal(got.membership.status, MEMBER_SUSPENDED);
    assert_false(got.has_role);

    /* The first token in another tenant of its user, named by slug: that
     * tenant with the membership and role there; the token unchanged. */
    assert_int_equal(store_principal_in_tenant(f->s, f->a, t.id, "roleless", &got), 0);
    assert_int_equal(got.token.id, t.id);
    assert_int_equal(got.token.tenant_id, tenant);
    assert_int_equal(got.user.id, u);
    assert_true(got.has_tenant);
    assert_int_equal(got.tenant.id, roleless);
    assert_true(got.has_membership);
    assert_int_equal(got.membership.tenant_id, roleless);
    assert_int_equal(got.membership.status, MEMBER_SUSPENDED);
    assert_false(got.has_role);
    assert_int_equal(store_principal_in_tenant(f->s, f->a, t.id, "joined", &got), 0);
    assert_true(got.has_role);
    assert_string_equal(got.role.slug, "user");
    assert_int_equal(store_principal_in_tenant(f->s, f->a, t.id, "foreign", &got), 0);
    assert_true(got.has_tenant);
    assert_false(got.has_membership);
    assert_int_equal(store_principal_in_tenant(f->s, f->a, t.id, "none", &got), 0);
    assert_false(got.has_tenant);
    assert_false(got.has_membership);
    assert_int_equal(store_principal_in_tenant(f->s, f->a, t.id + 100, "joined", &got),
                     ERR_NOT_FOUND);
}

#define THREAD_ROUNDS 300

struct worker {
    struct store *s;
    int64_t tenant_id;
    int64_t token_id;
    unsigned hash_n;
    int failures;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct arena *a = arena_new();
    char hash[TOKEN_HASH_HEX + 1];
    hash_of(w->hash_n, hash);
    for (int i = 0; i < THREAD_ROUNDS; i++) {
        struct tenant t;
        struct token tok = {0};
        struct user u;
        struct audit_entry e = {.at = i + 1, .action = "thread"};
        if (store_tenant_by_id(w->s, a, w->tenant_id, &t) != 0 || t.id != w->tenant_id)
            w->failures++;
        if (store_token_by_hash(w->s, a, hash, &tok) != 0 || tok.id != w->token_id)
            w->failures++;
        if (store_user_by_id(w->s, a, tok.user_id, &u) != 0)
            w->failures++;
        if (i % 10 == 0 && store_audit_insert(w->s, &e) != 0)
            w->failures++;
        arena_reset(a);
    }
    arena_free(a);
    return NULL;
}

static void test_threads(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "thread@example.com");
    struct worker w[2] = {
        {.s = f->s, .tenant_id = make_tenant(f->s, "w0"), .hash_n = 10},
        {.s = f->s, .tenant_id = make_tenant(f->s, "w1"), .hash_n = 11},
    };
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        w[i].token_id = make_token(f->s, u, w[i].hash_n);
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    struct audit_entry *list = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->s, f->a, 1000, &list, &n), 0);
    assert_int_equal(n, 2 * THREAD_ROUNDS / 10);
}

/* ---- AutoCom: signing keys, bulk revocation ---- */

static struct signing_key key_row(const char *kid, int64_t created_at)
{
    return (struct signing_key){
        .kid = kid,
        .alg = "RS256",
        .private_pem = "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n",
        .public_jwk = "{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"}",
        .created_at = created_at,
    };
}

static void test_signing_keys(void **state)
{
    struct fixture *f = *state;
    struct signing_key *list = NULL;
    size_t n = 9;
    assert_int_equal(store_signing_key_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(n, 0);

    struct signing_key b = key_row("kid-b", 200), a = key_row("kid-a", 100);
    struct signing_key now = key_row("kid-now", 0), tie = key_row("Kid-tie", 200);
    assert_int_equal(store_signing_key_insert(f->s, &b), 0);
    assert_int_equal(store_signing_key_insert(f->s, &a), 0);
    assert_int_equal(store_signing_key_insert(f->s, &now), 0);
    assert_int_equal(store_signing_key_insert(f->s, &tie), 0);
    assert_true(now.created_at > 200); /* 0 means now, written back */
    struct signing_key dup = key_row("kid-a", 5);
    assert_int_equal(store_signing_key_insert(f->s, &dup), ERR_CONFLICT);

    assert_int_equal(store_signing_key_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(list[0].kid, "kid-a"); /* oldest first, ties in byte order */
    assert_string_equal(list[1].kid, "Kid-tie");
    assert_string_equal(list[2].kid, "kid-b");
    assert_string_equal(list[3].kid, "kid-now");
    assert_string_equal(list[0].alg, "RS256");
    assert_non_null(strstr(list[0].private_pem, "PRIVATE KEY"));
    assert_string_equal(list[0].public_jwk, "{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"}");
    assert_int_equal(list[0].created_at, 100);
    assert_int_equal(list[0].retired_at, 0);

    int64_t retired = -1;
    assert_int_equal(store_signing_key_retire_others(f->s, "kid-now", 500, &retired), 0);
    assert_int_equal(retired, 3);
    /* Already retired keys keep their first retirement time. */
    assert_int_equal(store_signing_key_retire_others(f->s, "kid-now", 900, &retired), 0);
    assert_int_equal(retired, 0);
    assert_int_equal(store_signing_key_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(list[0].retired_at, 500);
    assert_int_equal(list[2].retired_at, 500);
    assert_int_equal(list[3].retired_at, 0);
    assert_int_equal(store_signing_key_retire_others(f->s, "none", 1000, NULL), 0);
    assert_int_equal(store_signing_key_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(list[3].retired_at, 1000);
}

/* Sealing (conditional on the text read) and the kill switch. */
static void test_signing_key_seal_and_revoke(void **state)
{
    struct fixture *f = *state;
    struct signing_key a = key_row("kid-a", 100), b = key_row("kid-b", 200);
    assert_int_equal(store_signing_key_insert(f->s, &a), 0);
    assert_int_equal(store_signing_key_insert(f->s, &b), 0);
    assert_int_equal(store_signing_key_set_private(f->s, "kid-a", a.private_pem, "sealed:1"), 0);
    /* The text changed since it was read: nothing written. */
    assert_int_equal(store_signing_key_set_private(f->s, "kid-a", a.private_pem, "sealed:2"),
                     ERR_CONFLICT);
    assert_int_equal(store_signing_key_set_private(f->s, "nope", "x", "y"), ERR_CONFLICT);

    assert_int_equal(store_signing_key_revoke(f->s, "kid-b", 300), 0);
    assert_int_equal(store_signing_key_revoke(f->s, "kid-b", 400), ERR_NOT_FOUND);
    assert_int_equal(store_signing_key_revoke(f->s, "nope", 400), ERR_NOT_FOUND);
    /* A revoked key's private text stays erased. */
    assert_int_equal(store_signing_key_set_private(f->s, "kid-b", "", "sealed:3"), ERR_CONFLICT);
    struct signing_key *list = NULL;
    size_t n = 0;
    assert_int_equal(store_signing_key_list(f->s, f->a, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].private_pem, "sealed:1");
    assert_int_equal(list[0].revoked_at, 0);
    assert_string_equal(list[1].private_pem, "");
    assert_int_equal(list[1].revoked_at, 300);
    assert_int_equal(list[1].retired_at, 300);
}

static int64_t revoked_at(struct fixture *f, int64_t id)
{
    struct token t;
    assert_int_equal(store_token_by_id(f->s, f->a, id, &t), 0);
    return t.revoked_at;
}

static void test_token_revoke_user_except(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "u@example.com"), other = make_user(f->s, "o@example.com");
    int64_t keep = make_token(f->s, u, 1), t2 = make_token(f->s, u, 2);
    int64_t t3 = make_token(f->s, u, 3), gone = make_token(f->s, u, 4);
    int64_t foreign = make_token(f->s, other, 5);
    assert_int_equal(store_token_revoke(f->s, gone, 50), 0);

    int64_t n = -1;
    assert_int_equal(store_token_revoke_user_except(f->s, u, keep, 100, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(revoked_at(f, keep), 0);
    assert_int_equal(revoked_at(f, t2), 100);
    assert_int_equal(revoked_at(f, t3), 100);
    assert_int_equal(revoked_at(f, gone), 50); /* already revoked: unchanged */
    assert_int_equal(revoked_at(f, foreign), 0);

    assert_int_equal(store_token_revoke_user_except(f->s, u, 0, 200, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(revoked_at(f, keep), 200);
    assert_int_equal(store_token_revoke_user_except(f->s, u + 100, 0, 300, NULL), 0);
}

static void insert_session(struct fixture *f, const char *id, int64_t user_id)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, expires_at)"
             " VALUES ('%s', %lld, 'c', 1, 2) RETURNING user_id",
             id, (long long)user_id);
    backend_insert_raw(f, sql);
}

static void test_session_delete_by_user(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "s@example.com"), other = make_user(f->s, "t@example.com");
    insert_session(f, "a", u);
    insert_session(f, "b", u);
    insert_session(f, "c", other);
    int64_t n = -1;
    assert_int_equal(store_session_delete_by_user(f->s, u, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_session_delete_by_user(f->s, u, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_session_delete_by_user(f->s, other, &n), 0);
    assert_int_equal(n, 1);
}

/* What list_orgs (surfaces/autocom.c) computed before the joined read:
 * memberships, then the tenant and role of each active one. */
static size_t orgs_by_hand(struct fixture *f, int64_t user_id, struct org_row *out, size_t max)
{
    struct membership *ms = NULL;
    size_t nm = 0, k = 0;
    assert_int_equal(store_membership_list_by_user(f->s, f->a, user_id, &ms, &nm), 0);
    for (size_t i = 0; i < nm && k < max; i++) {
        if (ms[i].status != MEMBER_ACTIVE)
            continue;
        int rc = store_tenant_by_id(f->s, f->a, ms[i].tenant_id, &out[k].tenant);
        if (rc == 0 && out[k].tenant.status != TENANT_ACTIVE)
            continue;
        if (rc == 0)
            rc = store_role_by_id(f->s, f->a, ms[i].role_id, &out[k].role);
        if (rc == ERR_NOT_FOUND)
            continue;
        assert_int_equal(rc, 0);
        out[k++].membership = ms[i];
    }
    return k;
}

static void test_org_list_by_user(void **state)
{
    struct fixture *f = *state;
    int64_t u = make_user(f->s, "o@example.com");
    int64_t other = make_user(f->s, "p@example.com");
    int64_t t[6];
    const char *slugs[6] = {"a", "b", "c", "d", "e", "f"};
    int64_t roles[6];
    static const char *perms[] = {"pos.view", "team.invite"};
    for (int i = 0; i < 6; i++) {
        t[i] = make_tenant(f->s, slugs[i]);
        struct role r = {.tenant_id = t[i],
                         .name = "Agent",
                         .slug = i % 2 ? "user" : "owner",
                         .permissions = {.items = perms, .n = (size_t)(i % 3)}};
        assert_int_equal(store_role_insert(f->s, &r), 0);
        roles[i] = r.id;
    }
    assert_int_equal(store_tenant_set_status(f->s, t[2], TENANT_SUSPENDED), 0);
    /* a: joined 300; b: 100; c: tenant suspended; d: membership suspended;
     * e: no role; f: 100 (ties with b, higher tenant id). */
    int64_t joined[6] = {300, 100, 50, 50, 50, 100};
    for (int i = 0; i < 6; i++) {
        struct membership m = {.user_id = u,
                               .tenant_id = t[i],
                               .role_id = i == 4 ? 0 : roles[i],
                               .status = i == 3 ? MEMBER_SUSPENDED : MEMBER_ACTIVE,
                               .joined_at = joined[i]};
        assert_int_equal(store_membership_insert(f->s, &m), 0);
    }
    struct membership mo = {.user_id = other, .tenant_id = t[0], .role_id = roles[0]};
    assert_int_equal(store_membership_insert(f->s, &mo), 0);

    struct org_row *got = NULL;
    size_t n = 0;
    assert_int_equal(store_org_list_by_user(f->s, f->a, u, &got, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(got[0].tenant.id, t[1]);
    assert_int_equal(got[1].tenant.id, t[5]);
    assert_int_equal(got[2].tenant.id, t[0]);
    assert_string_equal(got[0].tenant.slug, "b");
    assert_string_equal(got[0].tenant.default_currency, "USD");
    assert_int_equal(got[0].tenant.status, TENANT_ACTIVE);
    assert_int_equal(got[0].membership.user_id, u);
    assert_int_equal(got[0].membership.joined_at, 100);
    assert_int_equal(got[0].membership.role_id, roles[1]);
    assert_int_equal(got[0].role.id, roles[1]);
    assert_string_equal(got[0].role.slug, "user");
    assert_int_equal(got[0].role.permissions.n, 1);
    assert_string_equal(got[0].role.permissions.items[0], "pos.view");
    assert_int_equal(got[2].role.permissions.n, 0);

    /* The same rows, in the same order, as the reads it replaces. */
    struct org_row want[6];
    assert_int_equal(orgs_by_hand(f, u, want, 6), n);
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(&got[i].membership, &want[i].membership, sizeof(struct membership));
        assert_int_equal(got[i].tenant.id, want[i].tenant.id);
        assert_string_equal(got[i].tenant.name, want[i].tenant.name);
        assert_int_equal(got[i].tenant.created_at, want[i].tenant.created_at);
        assert_int_equal(got[i].role.id, want[i].role.id);
        assert_string_equal(got[i].role.name, want[i].role.name);
        assert_int_equal(got[i].role.permissions.n, want[i].role.permissions.n);
    }

    assert_int_equal(store_org_list_by_user(f->s, f->a, other, &got, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_org_list_by_user(f->s, f->a, other + 100, &got, &n), 0);
    assert_int_equal(n, 0);
    assert_null(got);
}

#define STORE_CASES                                                                                \
    cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup_empty, teardown),               \
        cmocka_unit_test_setup_teardown(test_migrate_then, setup_empty, teardown),                 \
        cmocka_unit_test(test_reopen_same_thread),                                                 \
        cmocka_unit_test_setup_teardown(test_ping, setup, teardown),                               \
        cmocka_unit_test_setup_teardown(test_tenants, setup, teardown),                            \
        cmocka_unit_test_setup_teardown(test_tenant_product_domain, setup, teardown),              \
        cmocka_unit_test_setup_teardown(test_principal_by_token, setup, teardown),                 \
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),                              \
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),                              \
        cmocka_unit_test_setup_teardown(test_role_permissions_lenient, setup, teardown),           \
        cmocka_unit_test_setup_teardown(test_memberships, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),                             \
        cmocka_unit_test_setup_teardown(test_token_revoke, setup, teardown),                       \
        cmocka_unit_test_setup_teardown(test_token_touch_many, setup, teardown),                   \
        cmocka_unit_test_setup_teardown(test_audit, setup, teardown),                              \
        cmocka_unit_test_setup_teardown(test_tx, setup, teardown),                                 \
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),                             \
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),                            \
        cmocka_unit_test_setup_teardown(test_signing_keys, setup, teardown),                       \
        cmocka_unit_test_setup_teardown(test_signing_key_seal_and_revoke, setup, teardown),        \
        cmocka_unit_test_setup_teardown(test_token_revoke_user_except, setup, teardown),           \
        cmocka_unit_test_setup_teardown(test_session_delete_by_user, setup, teardown),             \
        cmocka_unit_test_setup_teardown(test_org_list_by_user, setup, teardown)
