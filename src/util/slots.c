/* slots.c - the set-associative slot table of the read caches (see slots.h). */
#include "util/slots.h"

#include <stdlib.h>

#include "util/xalloc.h"

uint64_t slots_key_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void slots_init(struct slots *t, size_t n)
{
    size_t sets = 1;
    while (sets * SLOTS_WAYS < n && sets < ((size_t)1 << 28))
        sets <<= 1;
    t->mask = sets - 1;
    t->items = xcalloc(sets * SLOTS_WAYS, sizeof(*t->items));
    t->next = xcalloc(sets, sizeof(*t->next));
    for (size_t i = 0; i < SLOTS_LOCKS; i++)
        pthread_rwlock_init(&t->locks[i], NULL);
}

void slots_fini(struct slots *t)
{
    if (t->items == NULL)
        return;
    for (size_t i = 0; i < (t->mask + 1) * SLOTS_WAYS; i++)
        free(t->items[i]);
    for (size_t i = 0; i < SLOTS_LOCKS; i++)
        pthread_rwlock_destroy(&t->locks[i]);
    free(t->items);
    free(t->next);
    t->items = NULL;
    t->next = NULL;
}

size_t slots_set(const struct slots *t, uint64_t key)
{
    /* The finaliser of MurmurHash3: every input bit moves the low bits. */
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & t->mask;
}

void *const *slots_read(struct slots *t, size_t s)
{
    pthread_rwlock_rdlock(&t->locks[s & (SLOTS_LOCKS - 1)]);
    return &t->items[s * SLOTS_WAYS];
}

void slots_done(struct slots *t, size_t s)
{
    pthread_rwlock_unlock(&t->locks[s & (SLOTS_LOCKS - 1)]);
}

void slots_put(struct slots *t, size_t s, void *item,
               bool (*replaces)(const void *entry, const void *item))
{
    pthread_rwlock_t *lock = &t->locks[s & (SLOTS_LOCKS - 1)];
    void **ways = &t->items[s * SLOTS_WAYS];
    pthread_rwlock_wrlock(lock);
    size_t w = SLOTS_WAYS;
    for (size_t i = 0; i < SLOTS_WAYS && w == SLOTS_WAYS; i++) {
        if (ways[i] != NULL && replaces != NULL && replaces(ways[i], item))
            w = i;
    }
    for (size_t i = 0; i < SLOTS_WAYS && w == SLOTS_WAYS; i++) {
        if (ways[i] == NULL)
            w = i;
    }
    if (w == SLOTS_WAYS) {
        w = t->next[s] % SLOTS_WAYS;
        t->next[s] = (unsigned char)((w + 1) % SLOTS_WAYS);
    }
    void *old = ways[w];
    ways[w] = item;
    pthread_rwlock_unlock(lock);
    free(old);
}
