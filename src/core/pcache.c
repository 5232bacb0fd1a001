/*
 * pcache.c - the principal cache (see pcache.h).
 *
 * An entry holds the key (token id and hash, the arguments of
 * store_principal_by_token), the stamp it was read under and one malloc'd
 * block with a deep copy of the rows (the struct, then every string and
 * list it points to). A lookup takes the stamp first, then its set's read
 * lock only to copy the entry out into the caller's arena; a miss reads the
 * store without any lock and installs the copy (util/slots: 4-way
 * set-associative, an entry of an older stamp goes first in a full set;
 * util/flat: the copies). A second
 * table of the same size keeps the organisations of a user
 * (store_org_list_by_user) the same way, keyed by the user id.
 *
 * The copy must follow every pointer of the model structs: the static
 * asserts below fail when a struct changes size, as a reminder to update
 * flatten_*().
 */
#include "core/pcache.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/flat.h"
#include "util/slots.h"
#include "util/xalloc.h"

#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(struct token) == 160, "struct token changed: update flatten_token");
_Static_assert(sizeof(struct user) == 120, "struct user changed: update flatten_user");
_Static_assert(sizeof(struct tenant) == 80, "struct tenant changed: update flatten_tenant");
_Static_assert(sizeof(struct role) == 64, "struct role changed: update flatten_role");
_Static_assert(sizeof(struct membership) == 40, "struct membership changed (no pointers?)");
#endif

/* The longest tenant slug a key holds (tenant_slug_valid: 63). */
#define TENANT_KEY_MAX 63

struct entry {
    size_t size; /* of the whole block, for the budget */
    uint64_t stamp;
    int64_t token_id;
    char hash[TOKEN_HASH_HEX + 1];   /* "" for a lookup by id */
    char tenant[TENANT_KEY_MAX + 1]; /* "" for the token's own tenant */
    size_t strings;                  /* bytes of the copied strings and lists */
    struct principal_rows rows;      /* pointing into the bytes after the entry */
};

/* The organisations of one user (store_org_list_by_user). */
struct org_entry {
    size_t size; /* of the whole block, for the budget */
    uint64_t stamp;
    int64_t user_id;
    size_t n;
    size_t strings;       /* bytes of the copied rows, strings and lists */
    struct org_row *rows; /* n rows in the bytes after the entry; NULL if none */
};

struct pcache {
    struct slots principals; /* struct entry */
    struct slots orgs;       /* struct org_entry */
    atomic_uint_fast64_t hits;
    atomic_uint_fast64_t misses;
    atomic_uint_fast64_t org_hits;
    atomic_uint_fast64_t org_misses;
};

/* ---- deep copies ---- */

static void flatten_token(struct flat *f, struct token *t)
{
    t->name = flat_str(f, t->name);
    flat_list(f, &t->abilities);
}

static void flatten_user(struct flat *f, struct user *u)
{
    u->name = flat_str(f, u->name);
    u->first_name = flat_str(f, u->first_name);
    u->last_name = flat_str(f, u->last_name);
    u->email = flat_str(f, u->email);
    u->phone = flat_str(f, u->phone);
    u->avatar = flat_str(f, u->avatar);
    u->password_hash = flat_str(f, u->password_hash);
    u->preferences = flat_str(f, u->preferences);
    u->attributes = flat_str(f, u->attributes);
}

static void flatten_tenant(struct flat *f, struct tenant *t)
{
    t->slug = flat_str(f, t->slug);
    t->name = flat_str(f, t->name);
    t->domain = flat_str(f, t->domain);
    t->default_currency = flat_str(f, t->default_currency);
    flat_list(f, &t->enabled_products);
    t->product = flat_str(f, t->product);
}

static void flatten_role(struct flat *f, struct role *r)
{
    r->name = flat_str(f, r->name);
    r->slug = flat_str(f, r->slug);
    flat_list(f, &r->permissions);
}

/* *dst = src with every string and list copied into f (or only counted). */
static void flatten(struct flat *f, struct principal_rows *dst, const struct principal_rows *src)
{
    *dst = *src;
    flatten_token(f, &dst->token);
    flatten_user(f, &dst->user);
    flatten_tenant(f, &dst->tenant);
    flatten_role(f, &dst->role);
    /* struct membership holds no pointers. */
}

/* n rows copied into f (or only counted); NULL when n is 0. */
static struct org_row *flatten_orgs(struct flat *f, const struct org_row *src, size_t n)
{
    if (n == 0)
        return NULL;
    struct org_row *dst = flat_take(f, n * sizeof(*dst));
    for (size_t i = 0; i < n; i++) {
        struct org_row r = src[i];
        flatten_tenant(f, &r.tenant);
        flatten_role(f, &r.role);
        /* struct membership holds no pointers. */
        if (dst != NULL)
            dst[i] = r;
    }
    return dst;
}

/* ---- the table ---- */

/* Slots per table: at most `entries`, and about enough for the smallest
 * entries the budget holds (PCACHE_ENTRY_MIN), so that the budget, not the
 * ways, bounds a table of ordinary entries. */
static size_t slot_count(size_t entries, size_t budget)
{
    size_t n = budget / PCACHE_ENTRY_MIN;
    return n < entries ? (n > 0 ? n : 1) : entries;
}

struct pcache *pcache_new(size_t entries, size_t budget)
{
    if (entries == 0 || budget == 0)
        return NULL;
    struct pcache *pc = xcalloc(1, sizeof(*pc));
    /* Principals take three quarters of the budget: every request reads
     * one; the organisations only /auth/me and /auth/tenants. */
    size_t principals = budget / 4 * 3;
    slots_init_budget(&pc->principals, slot_count(entries, principals), principals);
    slots_init_budget(&pc->orgs, slot_count(entries, budget - principals), budget - principals);
    atomic_init(&pc->hits, 0);
    atomic_init(&pc->misses, 0);
    atomic_init(&pc->org_hits, 0);
    atomic_init(&pc->org_misses, 0);
    return pc;
}

void pcache_free(struct pcache *pc)
{
    if (pc == NULL)
        return;
    slots_fini(&pc->principals);
    slots_fini(&pc->orgs);
    free(pc);
}

/* What a principal lookup is keyed by: the token (id, or hash of its
 * secret) and the tenant it is used in ("" for the token's own). */
struct key {
    int64_t token_id;
    const char *hash;
    size_t hash_len;
    const char *tenant;
};

/* The set of a key: the hash is SHA-256 hex (uniform), folded in with
 * the id and the tenant. */
static size_t set_of(const struct pcache *pc, const struct key *k)
{
    uint64_t x = (uint64_t)k->token_id;
    for (size_t i = 0; i < 16 && k->hash[i] != '\0'; i++)
        x = (x << 4 | x >> 60) ^ (uint64_t)(unsigned char)k->hash[i];
    for (size_t i = 0; k->tenant[i] != '\0'; i++)
        x = (x << 5 | x >> 59) ^ (uint64_t)(unsigned char)k->tenant[i];
    return slots_set(&pc->principals, x);
}

static bool key_equal(const struct entry *e, const struct key *k)
{
    /* Constant time over the hash: it is derived from a secret. */
    return e->token_id == k->token_id && strlen(e->hash) == k->hash_len &&
           (k->hash_len == 0 || ct_equal(e->hash, k->hash, k->hash_len)) &&
           strcmp(e->tenant, k->tenant) == 0;
}

/* slots_put's choice: the same key, or an entry read under an older stamp
 * (it can never be used again). */
static bool entry_replaces(const void *old, const void *item)
{
    const struct entry *o = old, *e = item;
    struct key k = {e->token_id, e->hash, strlen(e->hash), e->tenant};
    return o->stamp != e->stamp || key_equal(o, &k);
}

/* A new entry holding a deep copy of rows. */
static struct entry *entry_new(uint64_t stamp, const struct key *k,
                               const struct principal_rows *rows)
{
    struct flat count = {.base = NULL, .used = 0};
    struct principal_rows scratch;
    flatten(&count, &scratch, rows);
    size_t head = flat_round(sizeof(struct entry));
    struct entry *e = xmalloc(head + count.used);
    e->size = head + count.used;
    e->stamp = stamp;
    e->token_id = k->token_id;
    memcpy(e->hash, k->hash, k->hash_len);
    e->hash[k->hash_len] = '\0';
    snprintf(e->tenant, sizeof(e->tenant), "%s", k->tenant);
    e->strings = count.used;
    struct flat f = {.base = (char *)e + head, .used = 0};
    flatten(&f, &e->rows, rows);
    return e;
}

/* The store read a key stands for. */
static int read_store(struct store *s, struct arena *a, const struct key *k,
                      struct principal_rows *out)
{
    if (k->tenant[0] != '\0')
        return store_principal_in_tenant(s, a, k->token_id, k->tenant, out);
    return store_principal_by_token(s, a, k->token_id, k->hash_len > 0 ? k->hash : NULL, out);
}

/* pcache_principal_by_token and pcache_principal_in_tenant. */
static int principal_lookup(struct pcache *pc, struct store *s, struct arena *a,
                            const struct key *k, struct principal_rows *out)
{
    uint64_t stamp = 0;
    /* The stamp first: a change after it moves it, so what the read below
     * returns is never older than the stamp it is filed under. */
    if (pc == NULL || !store_change_stamp(s, &stamp) || k->hash_len > TOKEN_HASH_HEX ||
        strlen(k->tenant) > TENANT_KEY_MAX)
        return read_store(s, a, k, out);

    size_t set = set_of(pc, k);
    void *const *ways = slots_read(&pc->principals, set);
    for (size_t w = 0; w < SLOTS_WAYS; w++) {
        const struct entry *e = ways[w];
        if (e != NULL && e->stamp == stamp && key_equal(e, k)) {
            struct flat f = {.base = arena_alloc(a, e->strings), .used = 0};
            flatten(&f, out, &e->rows);
            slots_done(&pc->principals, set);
            atomic_fetch_add_explicit(&pc->hits, 1, memory_order_relaxed);
            return 0;
        }
    }
    slots_done(&pc->principals, set);

    atomic_fetch_add_explicit(&pc->misses, 1, memory_order_relaxed);
    int rc = read_store(s, a, k, out);
    if (rc != 0)
        return rc;
    /* Only a lookup the token itself answers is kept: by id alone (a
     * JWT's jti), or with the hash of its secret. A wrong secret for a
     * real id (refused by the caller) must not fill the table. */
    if (k->hash_len == 0 || (strlen(out->token.token_hash) == k->hash_len &&
                             ct_equal(out->token.token_hash, k->hash, k->hash_len))) {
        struct entry *e = entry_new(stamp, k, out);
        (void)slots_put_sized(&pc->principals, set, e, e->size, entry_replaces);
    }
    return 0;
}

int pcache_principal_by_token(struct pcache *pc, struct store *s, struct arena *a, int64_t token_id,
                              const char *hash_hex, struct principal_rows *out)
{
    const char *hash = hash_hex != NULL ? hash_hex : "";
    struct key k = {token_id, hash, strnlen(hash, TOKEN_HASH_HEX + 1), ""};
    return principal_lookup(pc, s, a, &k, out);
}

int pcache_principal_in_tenant(struct pcache *pc, struct store *s, struct arena *a,
                               int64_t token_id, const char *tenant_slug,
                               struct principal_rows *out)
{
    struct key k = {token_id, "", 0, tenant_slug};
    return principal_lookup(pc, s, a, &k, out);
}

/* ---- organisations of a user ---- */

/* slots_put's choice: the same user, or an entry under an older stamp. */
static bool org_entry_replaces(const void *old, const void *item)
{
    const struct org_entry *o = old, *e = item;
    return o->stamp != e->stamp || o->user_id == e->user_id;
}

/* A new entry holding a deep copy of n rows. */
static struct org_entry *org_entry_new(uint64_t stamp, int64_t user_id, const struct org_row *rows,
                                       size_t n)
{
    struct flat count = {.base = NULL, .used = 0};
    flatten_orgs(&count, rows, n);
    size_t head = flat_round(sizeof(struct org_entry));
    struct org_entry *e = xmalloc(head + count.used);
    e->size = head + count.used;
    e->stamp = stamp;
    e->user_id = user_id;
    e->n = n;
    e->strings = count.used;
    struct flat f = {.base = (char *)e + head, .used = 0};
    e->rows = flatten_orgs(&f, rows, n);
    return e;
}

int pcache_orgs_by_user(struct pcache *pc, struct store *s, struct arena *a, int64_t user_id,
                        struct org_row **out, size_t *n)
{
    uint64_t stamp = 0;
    /* The stamp first, as in pcache_principal_by_token. */
    if (pc == NULL || !store_change_stamp(s, &stamp))
        return store_org_list_by_user(s, a, user_id, out, n);

    size_t set = slots_set(&pc->orgs, (uint64_t)user_id);
    void *const *ways = slots_read(&pc->orgs, set);
    for (size_t w = 0; w < SLOTS_WAYS; w++) {
        const struct org_entry *e = ways[w];
        if (e != NULL && e->stamp == stamp && e->user_id == user_id) {
            struct flat f = {.base = arena_alloc(a, e->strings), .used = 0};
            *out = flatten_orgs(&f, e->rows, e->n);
            *n = e->n;
            slots_done(&pc->orgs, set);
            atomic_fetch_add_explicit(&pc->org_hits, 1, memory_order_relaxed);
            return 0;
        }
    }
    slots_done(&pc->orgs, set);

    atomic_fetch_add_explicit(&pc->org_misses, 1, memory_order_relaxed);
    int rc = store_org_list_by_user(s, a, user_id, out, n);
    if (rc != 0)
        return rc;
    struct org_entry *e = org_entry_new(stamp, user_id, *out, *n);
    (void)slots_put_sized(&pc->orgs, set, e, e->size, org_entry_replaces);
    return 0;
}

void pcache_stats(struct pcache *pc, struct pcache_stats *out)
{
    out->hits = pc != NULL ? atomic_load(&pc->hits) : 0;
    out->misses = pc != NULL ? atomic_load(&pc->misses) : 0;
    out->org_hits = pc != NULL ? atomic_load(&pc->org_hits) : 0;
    out->org_misses = pc != NULL ? atomic_load(&pc->org_misses) : 0;
    out->bytes = pc != NULL ? slots_bytes(&pc->principals) : 0;
    out->org_bytes = pc != NULL ? slots_bytes(&pc->orgs) : 0;
}
