/*
 * slots.h - a fixed, direct-mapped table of owned entries under striped
 * read-write locks: the storage of the read caches (core/pcache, the JWT
 * memo in crypto/jwt_memo.c).
 *
 * A reader read-locks a slot, copies what it needs out of the entry and
 * unlocks; a writer builds a new entry without any lock and swaps it in,
 * freeing the one it replaces. An entry is one malloc'd block.
 */
#pragma once
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define SLOTS_LOCKS 64 /* striped locks, a power of two */

struct slots {
    size_t mask; /* slots - 1 */
    void **items;
    pthread_rwlock_t locks[SLOTS_LOCKS];
};

/* n slots, rounded up to a power of two (at least 1, at most 2^30). */
void slots_init(struct slots *t, size_t n);
/* Frees every entry. No other thread may use t by then. */
void slots_fini(struct slots *t);
/* The slot of a key: a 64-bit mix of it, masked. */
size_t slots_index(const struct slots *t, uint64_t key);
/* Read-locks slot i and returns its entry (NULL if empty). */
const void *slots_read(struct slots *t, size_t i);
/* Releases slots_read's lock. */
void slots_done(struct slots *t, size_t i);
/* Puts item (owned from now on) in slot i and frees the entry it replaces. */
void slots_put(struct slots *t, size_t i, void *item);
