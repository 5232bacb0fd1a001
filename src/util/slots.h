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
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOTS_WAYS  4
#define SLOTS_LOCKS 64 /* striped locks, a power of two */

struct slots {
    size_t mask;         /* sets - 1 */
    void **items;        /* sets * SLOTS_WAYS entries, a set's ways side by side */
    unsigned char *next; /* per set: the way replaced next when all are taken */
    pthread_rwlock_t locks[SLOTS_LOCKS];
};

/* Room for about n entries: n / SLOTS_WAYS sets, rounded up to a power of
 * two (at least 1 set, at most 2^28). */
void slots_init(struct slots *t, size_t n);
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
