/*
 * slots.h - a fixed, 4-way set-associative table of owned entries under
 * striped read-write locks: the storage of the read caches (core/pcache,
 * the JWT memo in crypto/jwt_memo.c).
 *
 * A key picks a set of SLOTS_WAYS entries. A reader read-locks the set,
 * looks for its key among the ways, copies what it needs out and unlocks;
 * a writer builds a new entry without any lock and puts it in the set
 * (replacing the same key's entry, else an empty way, else the ways in
 * turn), freeing what it replaces. Four ways keep keys that share a set
 * from evicting each other: a direct-mapped table of 4096 lost about 12 %
 * of 1,000 keys used in turn to such collisions. An entry is one malloc'd
 * block.
 *
 * A table may also have a byte budget (slots_init_budget): the sizes its
 * caller gives slots_put_sized are summed, and a put that would take the
 * sum over the budget replaces an occupied way of its set instead of
 * filling an empty one (or is dropped when the set holds nothing to
 * replace), so the entries never hold more than the budget plus one
 * entry per thread putting at the same time. The slot array itself is calloc'd: its pages are
 * resident only once a set on them is used.
 */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOTS_WAYS  4
#define SLOTS_LOCKS 64 /* striped locks, a power of two */

struct slots {
    size_t mask;         /* sets - 1 */
    void **items;        /* sets * SLOTS_WAYS entries, a set's ways side by side */
    unsigned char *next; /* per set: the way replaced next when all are taken */
    uint32_t *sizes;     /* per entry: its size in bytes, 0 if unknown; NULL without a budget */
    size_t budget;       /* bytes the entries may hold; 0: no budget */
    atomic_size_t bytes; /* bytes they hold: the sum of sizes */
    pthread_rwlock_t locks[SLOTS_LOCKS];
};

/* Room for about n entries: n / SLOTS_WAYS sets, rounded up to a power of
 * two (at least 1 set, at most 2^28). */
void slots_init(struct slots *t, size_t n);
/* slots_init(t, n) with a budget of bytes for the entries (0: none). */
void slots_init_budget(struct slots *t, size_t n, size_t budget);
/* Frees every entry. No other thread may use t by then. Twice is harmless. */
void slots_fini(struct slots *t);
/* A string as a 64-bit key (FNV-1a): for slots_set, and for any other
 * table keyed by strings (the rate limiter's). */
uint64_t slots_key_str(const char *s);
/* The set of a key: a 64-bit mix of it, masked. */
size_t slots_set(const struct slots *t, uint64_t key);
/* Read-locks set s and returns its SLOTS_WAYS entries (each may be NULL). */
void *const *slots_read(struct slots *t, size_t s);
/* Releases slots_read's lock. */
void slots_done(struct slots *t, size_t s);
/*
 * Puts item (owned from now on) in set s, freeing the entry it replaces:
 * the first entry for which replaces(entry, item) is true (the same key,
 * or one no longer worth keeping; replaces may be NULL), else an empty
 * way, else the set's next way in turn.
 */
void slots_put(struct slots *t, size_t s, void *item,
               bool (*replaces)(const void *entry, const void *item));
/*
 * slots_put of an item of size bytes, under the table's budget: when the
 * entries would hold more than the budget, item takes an occupied way (the
 * replaced one, else the set's next way in turn) rather than an empty one,
 * and is freed instead when the set is empty or item alone is larger than
 * the budget. Returns whether item was kept.
 */
bool slots_put_sized(struct slots *t, size_t s, void *item, size_t size,
                     bool (*replaces)(const void *entry, const void *item));
/* The bytes the entries hold (the sum of their slots_put_sized sizes). */
size_t slots_bytes(struct slots *t);
