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
    slots_init_budget(t, n, 0);
}

void slots_init_budget(struct slots *t, size_t n, size_t budget)
{
    size_t sets = 1;
    while (sets * SLOTS_WAYS < n && sets < ((size_t)1 << 28))
        sets <<= 1;
    t->mask = sets - 1;
    t->items = xcalloc(sets * SLOTS_WAYS, sizeof(*t->items));
    t->next = xcalloc(sets, sizeof(*t->next));
    t->sizes = budget > 0 ? xcalloc(sets * SLOTS_WAYS, sizeof(*t->sizes)) : NULL;
    t->budget = budget;
    atomic_init(&t->bytes, 0);
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
    free(t->sizes);
    t->items = NULL;
    t->next = NULL;
    t->sizes = NULL;
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

/* The way of set s that item takes: the entry it replaces, else (when
 * empty may be used) an empty way, else the set's next way in turn. */
static size_t pick_way(struct slots *t, size_t s, void **ways, const void *item,
                       bool (*replaces)(const void *entry, const void *item), bool empty)
{
    for (size_t i = 0; i < SLOTS_WAYS; i++) {
        if (ways[i] != NULL && replaces != NULL && replaces(ways[i], item))
            return i;
    }
    for (size_t i = 0; i < SLOTS_WAYS && empty; i++) {
        if (ways[i] == NULL)
            return i;
    }
    for (size_t i = 0; i < SLOTS_WAYS; i++) {
        size_t w = t->next[s] % SLOTS_WAYS;
        t->next[s] = (unsigned char)((w + 1) % SLOTS_WAYS);
        if (ways[w] != NULL || empty)
            return w;
    }
    return SLOTS_WAYS; /* an empty set, over the budget */
}

void slots_put(struct slots *t, size_t s, void *item,
               bool (*replaces)(const void *entry, const void *item))
{
    (void)slots_put_sized(t, s, item, 0, replaces);
}

bool slots_put_sized(struct slots *t, size_t s, void *item, size_t size,
                     bool (*replaces)(const void *entry, const void *item))
{
    if (t->budget > 0 && (size > t->budget || size > UINT32_MAX)) {
        free(item);
        return false;
    }
    pthread_rwlock_t *lock = &t->locks[s & (SLOTS_LOCKS - 1)];
    void **ways = &t->items[s * SLOTS_WAYS];
    pthread_rwlock_wrlock(lock);
    bool room = t->budget == 0 || atomic_load(&t->bytes) + size <= t->budget;
    size_t w = pick_way(t, s, ways, item, replaces, room);
    void *old = NULL;
    if (w < SLOTS_WAYS) {
        old = ways[w];
        ways[w] = item;
        if (t->sizes != NULL) {
            atomic_fetch_add(&t->bytes, size);
            atomic_fetch_sub(&t->bytes, t->sizes[s * SLOTS_WAYS + w]);
            t->sizes[s * SLOTS_WAYS + w] = (uint32_t)size;
        }
    } else {
        old = item;
    }
    pthread_rwlock_unlock(lock);
    free(old);
    return old != item;
}

size_t slots_bytes(struct slots *t)
{
    return atomic_load(&t->bytes);
}
