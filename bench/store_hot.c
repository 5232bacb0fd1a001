/*
 * store_hot.c - the store's share of the request hot path: a loop of
 * store_principal_by_token (token by id, with its user, tenant,
 * membership and role) on a SQLite file. Meant for
 * `valgrind --tool=callgrind`, whose instruction counts do not depend on
 * the machine's load, to compare two builds of the store:
 *
 *     make bench/store_hot
 *     valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
 *         build/bench/store_hot /tmp/hot.db 10000
 *
 * Links liblatchkey.a only; its own program, not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/arena.h"

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "store_hot: %s failed (%d)\n", what, rc);
        exit(1);
    }
}

/* A token with every optional block of the join present. */
static int64_t make_rows(struct store *s)
{
    const char *products[] = {"travel"};
    struct tenant t = {.slug = "hot", .name = "Hot", .enabled_products = {products, 1}};
    check(store_tenant_insert(s, &t), "tenant");
    struct user u = {.name = "Hot", .email = "hot@example.com", .password_hash = "x"};
    check(store_user_insert(s, &u), "user");
    const char *perms[] = {"pos.view", "dashboard.user", "orders.view"};
    struct role r = {.tenant_id = t.id, .name = "Agent", .slug = "user", .permissions = {perms, 3}};
    check(store_role_insert(s, &r), "role");
    struct membership m = {.user_id = u.id, .tenant_id = t.id, .role_id = r.id};
    check(store_membership_insert(s, &m), "membership");
    const char *abilities[] = {"*"};
    struct token k = {
        .user_id = u.id, .tenant_id = t.id, .name = "bench", .abilities = {abilities, 1}};
    memset(k.token_hash, 'a', TOKEN_HASH_HEX);
    check(store_token_insert(s, &k), "token");
    return k.id;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: store_hot DB_PATH ITERATIONS\n");
        return 2;
    }
    unlink(argv[1]);
    struct store *s = NULL;
    check(store_open(argv[1], &s), "open");
    check(store_migrate(s, NULL), "migrate");
    int64_t id = make_rows(s);
    struct arena *a = arena_new();
    long n = strtol(argv[2], NULL, 10);
    for (long i = 0; i < n; i++) {
        struct principal_rows p;
        check(store_principal_by_token(s, a, id, NULL, &p), "principal");
        arena_reset(a);
    }
    arena_free(a);
    store_free(s);
    return 0;
}
