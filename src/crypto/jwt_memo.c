/*
 * jwt_memo.c - the memo of verified tokens (see jwt.h, jwt_int.h).
 *
 * A slot holds one entry: the token's hash and one malloc'd block with a
 * deep copy of its facts (the struct, then every string and list it points
 * to), or no facts when they were too big (a hash-only entry). A lookup
 * takes the slot's read lock only to compare the hash and copy the facts
 * out into the caller's arena; a store builds the entry without any lock
 * and swaps it in under the write lock (util/slots; util/flat makes the
 * copies). The slot is chosen by the first bytes of the hash, which are
 * uniform.
 */
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt_int.h"
#include "util/arena.h"
#include "util/flat.h"
#include "util/slots.h"
#include "util/xalloc.h"

struct entry {
    unsigned char hash[JWT_MEMO_HASH];
    bool has_facts;
    size_t strings;         /* bytes of the copied strings and lists */
    struct jwt_facts facts; /* pointing into the bytes after the entry */
};

struct jwt_memo {
    struct slots table; /* struct entry */
    atomic_uint_fast64_t hits;
    atomic_uint_fast64_t sigs;
    atomic_uint_fast64_t misses;
};

/* ---- deep copies ---- */

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
    struct jwt_memo *m = xcalloc(1, sizeof(*m));
    slots_init(&m->table, slots);
    atomic_init(&m->hits, 0);
    atomic_init(&m->sigs, 0);
    atomic_init(&m->misses, 0);
    return m;
}

void jwt_memo_free(struct jwt_memo *m)
{
    if (m == NULL)
        return;
    slots_fini(&m->table);
    free(m);
}

void jwt_memo_stats(struct jwt_memo *m, struct jwt_memo_stats *out)
{
    out->hits = m != NULL ? atomic_load(&m->hits) : 0;
    out->sigs = m != NULL ? atomic_load(&m->sigs) : 0;
    out->misses = m != NULL ? atomic_load(&m->misses) : 0;
}

static size_t set_of(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH])
{
    uint64_t v;
    memcpy(&v, hash, sizeof(v));
    return slots_set(&m->table, v);
}

/* slots_put's choice: the same token. */
static bool entry_replaces(const void *old, const void *item)
{
    const struct entry *o = old, *e = item;
    return memcmp(o->hash, e->hash, JWT_MEMO_HASH) == 0;
}

enum memo_hit jwt_memo_find(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH],
                            struct arena *a, struct jwt_facts *out)
{
    size_t set = set_of(m, hash);
    enum memo_hit hit = MEMO_MISS;
    void *const *ways = slots_read(&m->table, set);
    for (size_t w = 0; w < SLOTS_WAYS && hit == MEMO_MISS; w++) {
        const struct entry *e = ways[w];
        /* Constant time: the hash stands for a bearer credential. */
        if (e == NULL || sodium_memcmp(e->hash, hash, JWT_MEMO_HASH) != 0)
            continue;
        hit = e->has_facts ? MEMO_FACTS : MEMO_SIGNATURE;
        if (e->has_facts) {
            struct flat f = {.base = arena_alloc(a, e->strings), .used = 0};
            flatten(&f, out, &e->facts);
        }
    }
    slots_done(&m->table, set);
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
    size_t head = flat_round(sizeof(struct entry));
    struct entry *e = xcalloc(1, head + (keep ? count.used : 0));
    memcpy(e->hash, hash, JWT_MEMO_HASH);
    e->has_facts = keep;
    if (keep) {
        e->strings = count.used;
        struct flat f = {.base = (char *)e + head, .used = 0};
        flatten(&f, &e->facts, facts);
    }
    slots_put(&m->table, set_of(m, hash), e, entry_replaces);
}
