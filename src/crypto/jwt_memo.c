/*
 * jwt_memo.c - the memo of verified tokens (see jwt.h, jwt_int.h).
 *
 * A slot holds one entry: the token's hash and one malloc'd block with a
 * deep copy of its facts (the struct, then every string and list it points
 * to), or no facts when they were too big (a hash-only entry). A lookup
 * takes the slot's read lock only to compare the hash and copy the facts
 * out into the caller's arena; a store builds the entry without any lock
 * and swaps it in under the write lock. The slot is chosen by the first
 * bytes of the hash, which are uniform.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt_int.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define MEMO_LOCKS 64 /* striped locks, a power of two */
#define FLAT_ALIGN sizeof(void *)

struct entry {
    unsigned char hash[JWT_MEMO_HASH];
    bool has_facts;
    size_t strings;         /* bytes of the copied strings and lists */
    struct jwt_facts facts; /* pointing into the bytes after the entry */
};

struct jwt_memo {
    size_t mask; /* slots - 1 */
    struct entry **slots;
    pthread_rwlock_t locks[MEMO_LOCKS]; /* readers copy out, writers replace */
    atomic_uint_fast64_t hits;
    atomic_uint_fast64_t sigs;
    atomic_uint_fast64_t misses;
};

/* ---- deep copies ---- */

/* Bump allocation over a block; with base NULL it only counts. */
struct flat {
    char *base;
    size_t used;
};

static void *take(struct flat *f, size_t n)
{
    size_t at = f->used;
    f->used += (n + FLAT_ALIGN - 1) & ~(size_t)(FLAT_ALIGN - 1);
    return f->base != NULL ? f->base + at : NULL;
}

static const char *flat_str(struct flat *f, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = take(f, n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static void flat_list(struct flat *f, struct strlist *l)
{
    if (l->n == 0) {
        l->items = NULL;
        return;
    }
    const char **items = take(f, l->n * sizeof(*items));
    for (size_t i = 0; i < l->n; i++) {
        const char *s = flat_str(f, l->items[i]);
        if (items != NULL)
            items[i] = s;
    }
    l->items = items;
}

/* *dst = src with every string and list copied into f (or only counted). */
static void flatten(struct flat *f, struct jwt_facts *dst, const struct jwt_facts *src)
{
    *dst = *src;
    dst->kid = flat_str(f, src->kid);
    dst->iss = flat_str(f, src->iss);
    dst->sub = flat_str(f, src->sub);
    dst->jti = flat_str(f, src->jti);
    dst->tid = flat_str(f, src->tid);
    flat_list(f, &dst->aud);
    flat_list(f, &dst->scopes);
}

/* ---- the table ---- */

struct jwt_memo *jwt_memo_new(size_t slots)
{
    size_t n = 1;
    while (n < slots && n < ((size_t)1 << 30))
        n <<= 1;
    struct jwt_memo *m = xcalloc(1, sizeof(*m));
    m->mask = n - 1;
    m->slots = xcalloc(n, sizeof(*m->slots));
    for (size_t i = 0; i < MEMO_LOCKS; i++)
        pthread_rwlock_init(&m->locks[i], NULL);
    atomic_init(&m->hits, 0);
    atomic_init(&m->sigs, 0);
    atomic_init(&m->misses, 0);
    return m;
}

void jwt_memo_free(struct jwt_memo *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i <= m->mask; i++)
        free(m->slots[i]);
    for (size_t i = 0; i < MEMO_LOCKS; i++)
        pthread_rwlock_destroy(&m->locks[i]);
    free(m->slots);
    free(m);
}

void jwt_memo_stats(struct jwt_memo *m, struct jwt_memo_stats *out)
{
    out->hits = m != NULL ? atomic_load(&m->hits) : 0;
    out->sigs = m != NULL ? atomic_load(&m->sigs) : 0;
    out->misses = m != NULL ? atomic_load(&m->misses) : 0;
}

static size_t slot_of(const struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH])
{
    size_t v;
    memcpy(&v, hash, sizeof(v));
    return v & m->mask;
}

enum memo_hit jwt_memo_find(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH],
                            struct arena *a, struct jwt_facts *out)
{
    size_t i = slot_of(m, hash);
    pthread_rwlock_t *lock = &m->locks[i & (MEMO_LOCKS - 1)];
    enum memo_hit hit = MEMO_MISS;
    pthread_rwlock_rdlock(lock);
    const struct entry *e = m->slots[i];
    /* Constant time: the hash stands for a bearer credential. */
    if (e != NULL && sodium_memcmp(e->hash, hash, JWT_MEMO_HASH) == 0) {
        hit = e->has_facts ? MEMO_FACTS : MEMO_SIGNATURE;
        if (e->has_facts) {
            struct flat f = {.base = arena_alloc(a, e->strings), .used = 0};
            flatten(&f, out, &e->facts);
        }
    }
    pthread_rwlock_unlock(lock);
    atomic_uint_fast64_t *counter = hit == MEMO_FACTS       ? &m->hits
                                    : hit == MEMO_SIGNATURE ? &m->sigs
                                                            : &m->misses;
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
    return hit;
}

void jwt_memo_store(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH],
                    const struct jwt_facts *facts)
{
    struct flat count = {.base = NULL, .used = 0};
    struct jwt_facts scratch;
    if (facts != NULL)
        flatten(&count, &scratch, facts);
    bool keep = facts != NULL && count.used <= JWT_MEMO_ENTRY_MAX;
    size_t head = (sizeof(struct entry) + FLAT_ALIGN - 1) & ~(size_t)(FLAT_ALIGN - 1);
    struct entry *e = xcalloc(1, head + (keep ? count.used : 0));
    memcpy(e->hash, hash, JWT_MEMO_HASH);
    e->has_facts = keep;
    if (keep) {
        e->strings = count.used;
        struct flat f = {.base = (char *)e + head, .used = 0};
        flatten(&f, &e->facts, facts);
    }
    size_t i = slot_of(m, hash);
    pthread_rwlock_t *lock = &m->locks[i & (MEMO_LOCKS - 1)];
    pthread_rwlock_wrlock(lock);
    struct entry *old = m->slots[i];
    m->slots[i] = e;
    pthread_rwlock_unlock(lock);
    free(old);
}
