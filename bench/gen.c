/*
 * gen.c - builds the database of scenario 5 through the store, the way the
 * server would write it: tenants with their template roles, users with one
 * membership each, and Sanctum tokens spread over the users.
 *
 *   gen DB_PATH TENANTS USERS TOKENS SAMPLE_FILE SAMPLES
 *
 * Rows go through store_*_insert() in transactions of BATCH rows, so the
 * file has the layout, indexes and values the real code produces. User i
 * belongs to tenant i % TENANTS (role Agent); token j belongs to user
 * j % USERS and its tenant. SAMPLE_FILE receives SAMPLES plaintext tokens
 * ("id|secret", one a line) spread evenly over the token ids, for the
 * load generator. Every user's password is the same argon2id hash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/product.h"
#include "core/role.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/pat.h"
#include "crypto/random.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"

#define BATCH 50000

struct gen {
    struct store *s;
    long tenants, users, tokens, samples;
    int64_t *tenant_ids;  /* [tenants] */
    int64_t *agent_roles; /* [tenants] */
    int64_t first_user;   /* users get consecutive ids from here */
    size_t in_tx;         /* rows written in the open transaction */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "gen: %s failed: %s\n", what, err_str(rc));
        exit(1);
    }
}

/* Counts one written row; commits and reopens the transaction every BATCH. */
static void row_done(struct gen *g)
{
    if (++g->in_tx < BATCH)
        return;
    check(store_tx_commit(g->s), "commit");
    check(store_tx_begin(g->s), "begin");
    g->in_tx = 0;
}

static void make_tenants(struct gen *g)
{
    static const char *const enabled[] = {"hotel", "activity", "flight", "deals"};
    g->tenant_ids = calloc((size_t)g->tenants, sizeof(int64_t));
    g->agent_roles = calloc((size_t)g->tenants, sizeof(int64_t));
    if (g->tenant_ids == NULL || g->agent_roles == NULL)
        check(ERR_NOMEM, "calloc");
    for (long i = 0; i < g->tenants; i++) {
        char slug[32], name[64], domain[64];
        snprintf(slug, sizeof(slug), "t%05ld", i);
        snprintf(name, sizeof(name), "Bench Tenant %ld", i);
        snprintf(domain, sizeof(domain), "www.t%05ld.example", i);
        struct tenant t = {
            .slug = slug,
            .name = name,
            .domain = domain,
            .default_currency = "USD",
            .enabled_products = {.items = (const char **)(uintptr_t)enabled, .n = 4},
            .status = TENANT_ACTIVE,
        };
        check(store_tenant_insert(g->s, &t), "tenant insert");
        g->tenant_ids[i] = t.id;
        const struct product *pr = product_find(NULL);
        for (size_t k = 0; k < pr->n_roles; k++) {
            const struct role_template *rt = &pr->roles[k];
            size_t np = 0;
            while (rt->permissions[np] != NULL)
                np++;
            struct role r = {
                .tenant_id = t.id,
                .name = rt->name,
                .slug = rt->slug,
                .permissions = {.items = (const char **)(uintptr_t)rt->permissions, .n = np},
                .is_system = true,
            };
            check(store_role_insert(g->s, &r), "role insert");
            if (strcmp(rt->slug, "user") == 0)
                g->agent_roles[i] = r.id;
        }
        row_done(g);
    }
}

static void make_users(struct gen *g, const char *hash)
{
    for (long i = 0; i < g->users; i++) {
        char email[64], name[64];
        snprintf(email, sizeof(email), "u%07ld@bench.example", i);
        snprintf(name, sizeof(name), "Bench User %ld", i);
        struct user u = {
            .name = name,
            .email = email,
            .phone = "+1-555-100-2000",
            .password_hash = hash,
            .status = USER_ACTIVE,
            .email_verified_at = 1700000000,
            .preferences = "{\"language\":\"en\",\"currency\":\"USD\"}",
            .attributes = "{\"vacation_pool_balance\":\"150.00\",\"hotel_card_redeems_left\":2}",
        };
        check(store_user_insert(g->s, &u), "user insert");
        if (i == 0)
            g->first_user = u.id;
        else if (u.id != g->first_user + i)
            check(ERR_STORE, "consecutive user ids");
        struct membership m = {
            .user_id = u.id,
            .tenant_id = g->tenant_ids[i % g->tenants],
            .role_id = g->agent_roles[i % g->tenants],
            .status = MEMBER_ACTIVE,
        };
        check(store_membership_insert(g->s, &m), "membership insert");
        row_done(g);
    }
}

static void make_tokens(struct gen *g, FILE *sample)
{
    static const char *const star[] = {"*"};
    long every = g->samples > 0 ? g->tokens / g->samples : 0;
    for (long j = 0; j < g->tokens; j++) {
        char secret[PAT_SECRET_MAX + 1];
        check(pat_generate_secret("", secret), "secret");
        long ui = j % g->users;
        struct token t = {
            .user_id = g->first_user + ui,
            .tenant_id = g->tenant_ids[ui % g->tenants],
            .name = "bench device",
            .abilities = {.items = (const char **)(uintptr_t)star, .n = 1},
            .kind = TOKEN_PAT,
        };
        sha256_hex(secret, strlen(secret), t.token_hash);
        check(store_token_insert(g->s, &t), "token insert");
        if (every > 0 && j % every == every / 2)
            fprintf(sample, "%lld|%s\n", (long long)t.id, secret);
        row_done(g);
    }
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: gen DB_PATH TENANTS USERS TOKENS SAMPLE_FILE SAMPLES\n");
        return 2;
    }
    struct gen g = {
        .tenants = atol(argv[2]),
        .users = atol(argv[3]),
        .tokens = atol(argv[4]),
        .samples = atol(argv[6]),
    };
    if (g.tenants < 1 || g.users < 1 || g.tokens < 0 || g.samples < 0) {
        fprintf(stderr, "gen: TENANTS and USERS must be >= 1\n");
        return 2;
    }
    log_set_level(LOG_WARN);
    check(crypto_init(), "crypto init");
    FILE *sample = fopen(argv[5], "w");
    if (sample == NULL) {
        perror(argv[5]);
        return 1;
    }
    double t0 = now_s();
    struct password_params pp = password_default_params();
    char hash[PASSWORD_HASH_MAX];
    check(password_hash(&pp, "bench password 1", hash), "password hash");
    check(store_open(argv[1], &g.s), "open");
    check(store_migrate(g.s, NULL), "migrate");
    check(store_tx_begin(g.s), "begin");
    make_tenants(&g);
    make_users(&g, hash);
    make_tokens(&g, sample);
    check(store_tx_commit(g.s), "commit");
    store_free(g.s);
    if (fclose(sample) != 0) {
        perror(argv[5]);
        return 1;
    }
    free(g.tenant_ids);
    free(g.agent_roles);
    printf("gen_seconds=%.1f tenants=%ld users=%ld tokens=%ld\n", now_s() - t0, g.tenants, g.users,
           g.tokens);
    return 0;
}
