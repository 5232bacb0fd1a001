/*
 * test_pcache.c - the principal cache answers exactly what the store
 * answers: the same rows on a hit, and a fresh read after any change,
 * whether this thread, another thread or another process wrote it; the
 * same for the organisations of a user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "core/pcache.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"

struct fixture {
    struct test_server *ts;
    struct store *s;   /* ts's */
    const char *url;   /* ts's database file */
    struct pcache *pc; /* ts's */
    int64_t user_id, tenant_id, role_id, token_id;
    char hash[TOKEN_HASH_HEX + 1];
};

static void hash_of(unsigned n, char out[TOKEN_HASH_HEX + 1])
{
    snprintf(out, TOKEN_HASH_HEX + 1, "%064x", n);
}

static int64_t add_token(struct fixture *f, unsigned n)
{
    static const char *abilities[] = {"orders.view", "orders.create"};
    struct token t = {.user_id = f->user_id,
                      .tenant_id = f->tenant_id,
                      .name = "phone",
                      .kind = TOKEN_PAT,
                      .abilities = {.items = abilities, .n = 2}};
    hash_of(n, t.token_hash);
    assert_int_equal(store_token_insert(f->s, &t), 0);
    return t.id;
}

/* A user with a phone and attributes, member of a tenant with products,
 * with a role of two permissions, and one token with two abilities. */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->ts = test_server_new(&(struct test_server_options){.auth_cache = 64});
    f->s = f->ts->srv.store;
    f->url = f->ts->db;
    f->pc = f->ts->srv.pcache;
    assert_non_null(f->pc);

    static const char *products[] = {"hotel", "flight"};
    struct tenant t = {.slug = "acme",
                       .name = "Acme",
                       .domain = "acme.example",
                       .default_currency = "USD",
                       .enabled_products = {.items = products, .n = 2}};
    assert_int_equal(store_tenant_insert(f->s, &t), 0);
    f->tenant_id = t.id;
    struct user u = {.name = "Ünïcode Name",
                     .email = "u@example.com",
                     .phone = "+1-555",
                     .password_hash = "$argon2id$x",
                     .attributes = "{\"vacation_pool_balance\":\"150.00\"}",
                     .preferences = "{\"language\":\"en\"}"};
    assert_int_equal(store_user_insert(f->s, &u), 0);
    f->user_id = u.id;
    static const char *perms[] = {"orders.view", "orders.create"};
    struct role r = {.tenant_id = t.id,
                     .name = "Agent",
                     .slug = "user",
                     .permissions = {.items = perms, .n = 2}};
    assert_int_equal(store_role_insert(f->s, &r), 0);
    f->role_id = r.id;
    struct membership m = {.user_id = u.id, .tenant_id = t.id, .role_id = r.id, .joined_at = 7};
    assert_int_equal(store_membership_insert(f->s, &m), 0);
    f->token_id = add_token(f, 1);
    hash_of(1, f->hash);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    test_server_free(f->ts);
    free(f);
    return 0;
}

static void same_list(const struct strlist *a, const struct strlist *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->items[i], b->items[i]);
}

static void same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Every field of two principal_rows is equal. */
static void same_rows(const struct principal_rows *a, const struct principal_rows *b)
{
    assert_int_equal(a->token.id, b->token.id);
    assert_int_equal(a->token.user_id, b->token.user_id);
    assert_int_equal(a->token.tenant_id, b->token.tenant_id);
    same_str(a->token.name, b->token.name);
    assert_string_equal(a->token.token_hash, b->token.token_hash);
    same_list(&a->token.abilities, &b->token.abilities);
    assert_int_equal(a->token.kind, b->token.kind);
    assert_int_equal(a->token.expires_at, b->token.expires_at);
    assert_int_equal(a->token.revoked_at, b->token.revoked_at);
    assert_int_equal(a->user.id, b->user.id);
    same_str(a->user.name, b->user.name);
    same_str(a->user.first_name, b->user.first_name);
    same_str(a->user.email, b->user.email);
    same_str(a->user.phone, b->user.phone);
    same_str(a->user.avatar, b->user.avatar);
    same_str(a->user.password_hash, b->user.password_hash);
    same_str(a->user.preferences, b->user.preferences);
    same_str(a->user.attributes, b->user.attributes);
    assert_int_equal(a->user.status, b->user.status);
    assert_int_equal(a->has_tenant, b->has_tenant);
    assert_int_equal(a->tenant.id, b->tenant.id);
    same_str(a->tenant.slug, b->tenant.slug);
    same_str(a->tenant.domain, b->tenant.domain);
    same_list(&a->tenant.enabled_products, &b->tenant.enabled_products);
    assert_int_equal(a->tenant.status, b->tenant.status);
    assert_int_equal(a->has_membership, b->has_membership);
    assert_int_equal(a->membership.status, b->membership.status);
    assert_int_equal(a->membership.role_id, b->membership.role_id);
    assert_int_equal(a->has_role, b->has_role);
    same_str(a->role.slug, b->role.slug);
    same_list(&a->role.permissions, &b->role.permissions);
}

static void stats(struct fixture *f, uint64_t hits, uint64_t misses)
{
    struct pcache_stats st;
    pcache_stats(f->pc, &st);
    assert_int_equal(st.hits, hits);
    assert_int_equal(st.misses, misses);
}

/* What the tests look at after a lookup (the rows' strings are gone with
 * the arena). */
struct seen {
    int64_t token_id, revoked_at;
    enum user_status user;
    enum member_status member;
    enum tenant_status tenant;
    char token_hash[TOKEN_HASH_HEX + 1];
};

/* Looks up a token through the cache into a fresh arena, compares the
 * result with the store's own read, and frees the arena (so a hit that
 * borrowed memory from an earlier request would show under ASan). */
static struct seen lookup_checked(struct fixture *f, int64_t id, const char *hash)
{
    struct arena *a = arena_new(), *b = arena_new();
    struct principal_rows got, want;
    assert_int_equal(pcache_principal_by_token(f->pc, f->s, a, id, hash, &got), 0);
    assert_int_equal(store_principal_by_token(f->s, b, id, hash, &want), 0);
    same_rows(&got, &want);
    struct seen r = {.token_id = got.token.id,
                     .revoked_at = got.token.revoked_at,
                     .user = got.user.status,
                     .member = got.membership.status,
                     .tenant = got.tenant.status};
    memcpy(r.token_hash, got.token.token_hash, sizeof(r.token_hash));
    arena_free(a);
    arena_free(b);
    return r;
}

/* The token's rows in another tenant of its user: keyed by the tenant
 * too, never mixed with the token's own, and a change seen at once. */
static void test_in_tenant_is_keyed_by_the_tenant(void **state)
{
    struct fixture *f = *state;
    struct tenant t2 = {.slug = "beta", .name = "Beta", .default_currency = "USD"};
    assert_int_equal(store_tenant_insert(f->s, &t2), 0);
    struct role r2 = {.tenant_id = t2.id, .name = "Owner", .slug = "owner"};
    assert_int_equal(store_role_insert(f->s, &r2), 0);
    struct membership m = {.user_id = f->user_id, .tenant_id = t2.id, .role_id = r2.id};
    assert_int_equal(store_membership_insert(f->s, &m), 0);
    for (int round = 0; round < 3; round++) {
        struct arena *a = arena_new(), *b = arena_new();
        struct principal_rows in, own, want;
        assert_int_equal(pcache_principal_in_tenant(f->pc, f->s, a, f->token_id, "beta", &in), 0);
        assert_int_equal(store_principal_in_tenant(f->s, b, f->token_id, "beta", &want), 0);
        same_rows(&in, &want);
        assert_int_equal(in.tenant.id, t2.id);
        assert_string_equal(in.role.slug, "owner");
        assert_int_equal(in.token.tenant_id, f->tenant_id);
        assert_int_equal(pcache_principal_by_token(f->pc, f->s, a, f->token_id, f->hash, &own), 0);
        assert_int_equal(own.tenant.id, f->tenant_id);
        assert_string_equal(own.role.slug, "user");
        assert_int_equal(pcache_principal_in_tenant(f->pc, f->s, a, f->token_id, "nope", &in), 0);
        assert_false(in.has_tenant);
        assert_false(in.has_membership);
        arena_free(a);
        arena_free(b);
    }
    struct pcache_stats st;
    pcache_stats(f->pc, &st);
    assert_true(st.hits >= 6);
    assert_int_equal(store_membership_set_status(f->s, f->user_id, t2.id, MEMBER_SUSPENDED), 0);
    struct arena *a = arena_new();
    struct principal_rows in;
    assert_int_equal(pcache_principal_in_tenant(f->pc, f->s, a, f->token_id, "beta", &in), 0);
    assert_int_equal(in.membership.status, MEMBER_SUSPENDED);
    arena_free(a);
}

static void test_hit_returns_the_same_rows(void **state)
{
    struct fixture *f = *state;
    lookup_checked(f, f->token_id, f->hash);
    stats(f, 0, 1);
    for (int i = 0; i < 5; i++)
        lookup_checked(f, f->token_id, f->hash);
    stats(f, 5, 1);
    /* By id alone (a JWT's jti) and by hash alone are other keys. */
    lookup_checked(f, f->token_id, NULL);
    lookup_checked(f, 0, f->hash);
    stats(f, 5, 3);
    lookup_checked(f, f->token_id, NULL);
    lookup_checked(f, 0, f->hash);
    stats(f, 7, 3);
}

static void test_a_write_here_is_seen_at_once(void **state)
{
    struct fixture *f = *state;
    lookup_checked(f, f->token_id, f->hash);
    lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(store_token_revoke(f->s, f->token_id, 1234), 0);
    struct seen r = lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(r.revoked_at, 1234);
    assert_int_equal(store_membership_set_status(f->s, f->user_id, f->tenant_id, MEMBER_SUSPENDED),
                     0);
    r = lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(r.member, MEMBER_SUSPENDED);
    assert_int_equal(store_tenant_set_status(f->s, f->tenant_id, TENANT_SUSPENDED), 0);
    r = lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(r.tenant, TENANT_SUSPENDED);
}

static void *suspend_user(void *arg)
{
    struct fixture *f = arg;
    assert_int_equal(store_user_set_status(f->s, f->user_id, USER_SUSPENDED), 0);
    return NULL;
}

static void test_a_write_by_another_thread_is_seen_at_once(void **state)
{
    struct fixture *f = *state;
    lookup_checked(f, f->token_id, f->hash);
    lookup_checked(f, f->token_id, f->hash);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, suspend_user, f), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    struct seen r = lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(r.user, USER_SUSPENDED);
}

static void test_a_write_by_another_process_is_seen_within_a_millisecond(void **state)
{
    struct fixture *f = *state;
    lookup_checked(f, f->token_id, f->hash);
    lookup_checked(f, f->token_id, f->hash);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Another process with its own connection, like the CLI. */
        struct store *s = NULL;
        int rc = store_open(f->url, &s);
        if (rc == 0)
            rc = store_token_revoke(s, f->token_id, 99);
        store_free(s);
        _exit(rc == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct timespec ms = {.tv_sec = 0, .tv_nsec = 2000000};
    nanosleep(&ms, NULL);
    struct seen r = lookup_checked(f, f->token_id, f->hash);
    assert_int_equal(r.revoked_at, 99);
}

static void test_unknown_tokens_are_not_cached(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    struct principal_rows r;
    char other[TOKEN_HASH_HEX + 1];
    hash_of(77, other);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pcache_principal_by_token(f->pc, f->s, a, 0, other, &r), ERR_NOT_FOUND);
        assert_int_equal(pcache_principal_by_token(f->pc, f->s, a, 999, NULL, &r), ERR_NOT_FOUND);
    }
    stats(f, 0, 6);
    /* A token created after a miss is found at once. */
    int64_t id = add_token(f, 77);
    assert_int_equal(pcache_principal_by_token(f->pc, f->s, a, 0, other, &r), 0);
    assert_int_equal(r.token.id, id);
    arena_free(a);
}

static void test_a_full_table_still_answers_right(void **state)
{
    struct fixture *f = *state;
    pcache_free(f->pc);
    f->pc = f->ts->srv.pcache =
        pcache_new(2, 1 << 20); /* fewer slots than tokens: entries replace each other */
    int64_t ids[10];
    char hashes[10][TOKEN_HASH_HEX + 1];
    for (unsigned i = 0; i < 10; i++) {
        ids[i] = add_token(f, 100 + i);
        hash_of(100 + i, hashes[i]);
    }
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 10; i++) {
            struct seen r = lookup_checked(f, ids[i], hashes[i]);
            assert_int_equal(r.token_id, ids[i]);
        }
    }
    /* The same id with another hash is another key: the store's answer. */
    struct seen r = lookup_checked(f, ids[0], hashes[1]);
    assert_string_equal(r.token_hash, hashes[0]);
    /* ... and such a lookup (a wrong secret for a real id) is never kept. */
    struct pcache_stats before, after;
    pcache_stats(f->pc, &before);
    lookup_checked(f, ids[0], hashes[1]);
    pcache_stats(f->pc, &after);
    assert_int_equal(after.hits, before.hits);
    assert_int_equal(after.misses, before.misses + 1);
}

/*
 * The byte budget bounds the entries whatever their number: with room for
 * about three principals (many more slots than that), ten tokens used in
 * turn never hold more than the budget plus one entry, and every answer is
 * the store's. With room for all ten, the second round is all hits.
 */
static void test_the_budget_bounds_the_bytes(void **state)
{
    struct fixture *f = *state;
    struct pcache_stats st;
    struct seen one = lookup_checked(f, f->token_id, f->hash);
    (void)one;
    pcache_stats(f->pc, &st);
    size_t entry = st.bytes; /* one principal of this fixture */
    assert_true(entry > 0 && entry < 4096);
    int64_t ids[10];
    char hashes[10][TOKEN_HASH_HEX + 1];
    for (unsigned i = 0; i < 10; i++) {
        ids[i] = add_token(f, 200 + i);
        hash_of(200 + i, hashes[i]);
    }
    /* Three quarters of the budget are the principals'. */
    size_t budget = (3 * entry + entry / 2) / 3 * 4;
    pcache_free(f->pc);
    f->pc = f->ts->srv.pcache = pcache_new(1024, budget);
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 10; i++) {
            assert_int_equal(lookup_checked(f, ids[i], hashes[i]).token_id, ids[i]);
            pcache_stats(f->pc, &st);
            assert_true(st.bytes <= budget / 4 * 3 + entry);
        }
    }
    assert_true(st.bytes >= entry);

    pcache_free(f->pc);
    f->pc = f->ts->srv.pcache = pcache_new(1024, 40 * entry);
    for (unsigned i = 0; i < 10; i++)
        lookup_checked(f, ids[i], hashes[i]);
    struct pcache_stats before;
    pcache_stats(f->pc, &before);
    assert_int_equal(before.bytes, 10 * entry);
    for (unsigned i = 0; i < 10; i++)
        lookup_checked(f, ids[i], hashes[i]);
    pcache_stats(f->pc, &st);
    assert_int_equal(st.hits, before.hits + 10);
    assert_int_equal(st.misses, before.misses);
}

static void test_no_cache_reads_the_store(void **state)
{
    struct fixture *f = *state;
    assert_null(pcache_new(0, 1 << 20));
    assert_null(pcache_new(64, 0)); /* LATCHKEY_AUTH_CACHE_MB=0 */
    struct arena *a = arena_new();
    struct principal_rows r;
    assert_int_equal(pcache_principal_by_token(NULL, f->s, a, f->token_id, f->hash, &r), 0);
    assert_int_equal(r.token.id, f->token_id);
    struct pcache_stats st;
    pcache_stats(NULL, &st);
    assert_int_equal(st.hits + st.misses, 0);
    arena_free(a);
}

static void test_stamp_moves_only_on_a_write(void **state)
{
    struct fixture *f = *state;
    uint64_t a = 0, b = 0, c = 0;
    assert_true(store_change_stamp(f->s, &a));
    assert_true(store_change_stamp(f->s, &b));
    assert_true(a == b);
    assert_int_equal(store_token_revoke(f->s, f->token_id, 5), 0);
    assert_true(store_change_stamp(f->s, &c));
    assert_true(c != b);
}

/* ---- organisations of a user ---- */

/* Looks up the user's organisations through the cache into a fresh arena,
 * compares them with the store's own read, frees the arena and returns how
 * many there were; *first (may be NULL) receives the first tenant id. */
static size_t orgs_checked(struct fixture *f, int64_t user_id, int64_t *first)
{
    struct arena *a = arena_new(), *b = arena_new();
    struct org_row *got = NULL, *want = NULL;
    size_t n = 99, m = 98;
    assert_int_equal(pcache_orgs_by_user(f->pc, f->s, a, user_id, &got, &n), 0);
    assert_int_equal(store_org_list_by_user(f->s, b, user_id, &want, &m), 0);
    assert_int_equal(n, m);
    assert_int_equal(got == NULL, want == NULL);
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(&got[i].membership, &want[i].membership, sizeof(struct membership));
        assert_int_equal(got[i].tenant.id, want[i].tenant.id);
        same_str(got[i].tenant.slug, want[i].tenant.slug);
        same_str(got[i].tenant.name, want[i].tenant.name);
        same_str(got[i].tenant.domain, want[i].tenant.domain);
        same_str(got[i].tenant.default_currency, want[i].tenant.default_currency);
        same_list(&got[i].tenant.enabled_products, &want[i].tenant.enabled_products);
        assert_int_equal(got[i].tenant.status, want[i].tenant.status);
        assert_int_equal(got[i].tenant.created_at, want[i].tenant.created_at);
        assert_int_equal(got[i].role.id, want[i].role.id);
        assert_int_equal(got[i].role.tenant_id, want[i].role.tenant_id);
        same_str(got[i].role.name, want[i].role.name);
        same_str(got[i].role.slug, want[i].role.slug);
        same_list(&got[i].role.permissions, &want[i].role.permissions);
        assert_int_equal(got[i].role.is_system, want[i].role.is_system);
    }
    if (first != NULL)
        *first = n > 0 ? got[0].tenant.id : 0;
    arena_free(a);
    arena_free(b);
    return n;
}

static void org_stats(struct fixture *f, uint64_t hits, uint64_t misses)
{
    struct pcache_stats st;
    pcache_stats(f->pc, &st);
    assert_int_equal(st.org_hits, hits);
    assert_int_equal(st.org_misses, misses);
}

/* A second organisation for the fixture's user, joined earlier (so first
 * in the list), with its own role. */
static int64_t add_org(struct fixture *f, const char *slug, int64_t user_id)
{
    struct tenant t = {.slug = slug, .name = "Second", .default_currency = "EUR"};
    assert_int_equal(store_tenant_insert(f->s, &t), 0);
    static const char *perms[] = {"pos.view"};
    struct role r = {.tenant_id = t.id,
                     .name = "Owner",
                     .slug = "owner",
                     .permissions = {.items = perms, .n = 1}};
    assert_int_equal(store_role_insert(f->s, &r), 0);
    struct membership m = {.user_id = user_id, .tenant_id = t.id, .role_id = r.id, .joined_at = 3};
    assert_int_equal(store_membership_insert(f->s, &m), 0);
    return t.id;
}

static void test_orgs_hit_returns_the_same_rows(void **state)
{
    struct fixture *f = *state;
    int64_t second = add_org(f, "second", f->user_id);
    int64_t first = 0;
    assert_int_equal(orgs_checked(f, f->user_id, &first), 2);
    assert_int_equal(first, second);
    org_stats(f, 0, 1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(orgs_checked(f, f->user_id, NULL), 2);
    org_stats(f, 5, 1);
    /* A user with none: an empty list, cached too. */
    assert_int_equal(orgs_checked(f, f->user_id + 100, NULL), 0);
    assert_int_equal(orgs_checked(f, f->user_id + 100, NULL), 0);
    org_stats(f, 6, 2);
    /* The principal table is another table. */
    stats(f, 0, 0);
}

static void test_orgs_a_write_here_is_seen_at_once(void **state)
{
    struct fixture *f = *state;
    int64_t second = add_org(f, "second", f->user_id);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 2);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 2);
    assert_int_equal(store_membership_set_status(f->s, f->user_id, second, MEMBER_SUSPENDED), 0);
    int64_t first = 0;
    assert_int_equal(orgs_checked(f, f->user_id, &first), 1);
    assert_int_equal(first, f->tenant_id);
    assert_int_equal(store_tenant_set_status(f->s, f->tenant_id, TENANT_SUSPENDED), 0);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 0);
    assert_int_equal(store_membership_set_status(f->s, f->user_id, second, MEMBER_ACTIVE), 0);
    assert_int_equal(orgs_checked(f, f->user_id, &first), 1);
    assert_int_equal(first, second);
    /* A role change (one write, one fresh read: every other call a hit). */
    struct pcache_stats st;
    pcache_stats(f->pc, &st);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    org_stats(f, st.org_hits + 1, st.org_misses);
    assert_int_equal(store_membership_set_role(f->s, f->user_id, second, f->role_id), 0);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    org_stats(f, st.org_hits + 1, st.org_misses + 1);
}

static void *suspend_membership(void *arg)
{
    struct fixture *f = arg;
    assert_int_equal(store_membership_set_status(f->s, f->user_id, f->tenant_id, MEMBER_SUSPENDED),
                     0);
    return NULL;
}

static void test_orgs_a_write_by_another_thread_is_seen_at_once(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, suspend_membership, f), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 0);
}

static void test_orgs_a_write_by_another_process_is_seen_within_a_millisecond(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *s = NULL;
        int rc = store_open(f->url, &s);
        if (rc == 0)
            rc = store_tenant_set_status(s, f->tenant_id, TENANT_SUSPENDED);
        store_free(s);
        _exit(rc == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct timespec ms = {.tv_sec = 0, .tv_nsec = 2000000};
    nanosleep(&ms, NULL);
    assert_int_equal(orgs_checked(f, f->user_id, NULL), 0);
}

static void test_orgs_a_full_table_still_answers_right(void **state)
{
    struct fixture *f = *state;
    pcache_free(f->pc);
    f->pc = f->ts->srv.pcache = pcache_new(2, 1 << 20);
    int64_t users[8];
    char slug[16], email[32];
    for (int i = 0; i < 8; i++) {
        snprintf(email, sizeof(email), "u%d@example.com", i);
        struct user u = {.name = "U", .email = email, .password_hash = "$argon2id$x"};
        assert_int_equal(store_user_insert(f->s, &u), 0);
        users[i] = u.id;
        for (int k = 0; k <= i % 3; k++) {
            snprintf(slug, sizeof(slug), "t%d-%d", i, k);
            add_org(f, slug, u.id);
        }
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++)
            assert_int_equal(orgs_checked(f, users[i], NULL), (size_t)(i % 3 + 1));
    }
}

static void test_orgs_no_cache_reads_the_store(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    struct org_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(pcache_orgs_by_user(NULL, f->s, a, f->user_id, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].tenant.slug, "acme");
    assert_string_equal(rows[0].role.slug, "user");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_returns_the_same_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_tenant_is_keyed_by_the_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_write_here_is_seen_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_write_by_another_thread_is_seen_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_write_by_another_process_is_seen_within_a_millisecond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_tokens_are_not_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_full_table_still_answers_right, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_budget_bounds_the_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_cache_reads_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stamp_moves_only_on_a_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orgs_hit_returns_the_same_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orgs_a_write_here_is_seen_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orgs_a_write_by_another_thread_is_seen_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_orgs_a_write_by_another_process_is_seen_within_a_millisecond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orgs_a_full_table_still_answers_right, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_orgs_no_cache_reads_the_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
