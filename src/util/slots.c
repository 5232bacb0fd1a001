/* slots.c - the striped slot table of the read caches (see slots.h). */
#include "util/slots.h"

#include <stdlib.h>

#include "util/xalloc.h"

void slots_init(struct slots *t, size_t n)
{
    size_t cap = 1;
    while (cap < n && cap < ((size_t)1 << 30))
        cap <<= 1;
    t->mask = cap - 1;
    t->items = xcalloc(cap, sizeof(*t->items));
    for (size_t i = 0; i < SLOTS_LOCKS; i++)
        pthread_rwlock_init(&t->locks[i], NULL);
}

void slots_fini(struct slots *t)
{
    if (t->items == NULL)
        return;
    for (size_t i = 0; i <= t->mask; i++)
        free(t->items[i]);
    for (size_t i = 0; i < SLOTS_LOCKS; i++)
        pthread_rwlock_destroy(&t->locks[i]);
    free(t->items);
    t->items = NULL;
}

size_t slots_index(const struct slots *t, uint64_t key)
{
    /* The finaliser of MurmurHash3: every input bit moves the low bits. */
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & t->mask;
}

const void *slots_read(struct slots *t, size_t i)
{
    pthread_rwlock_rdlock(&t->locks[i & (SLOTS_LOCKS - 1)]);
    return t->items[i];
}

void slots_done(struct slots *t, size_t i)
{
    pthread_rwlock_unlock(&t->locks[i & (SLOTS_LOCKS - 1)]);
}

void slots_put(struct slots *t, size_t i, void *item)
{
    pthread_rwlock_t *lock = &t->locks[i & (SLOTS_LOCKS - 1)];
    pthread_rwlock_wrlock(lock);
    void *old = t->items[i];
    t->items[i] = item;
    pthread_rwlock_unlock(lock);
    free(old);
}
