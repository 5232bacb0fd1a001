/*
 * ratelimit.c - in-memory fixed-window counters.
 *
 * A hash table of (bucket, key) -> {window_start, count}, split into
 * stripes by key hash; each stripe has its own mutex (stripe->lock guards
 * its slots). Entries whose window has ended are reused in place, and a
 * stripe that fills up evicts expired entries before growing, so memory is
 * bounded by the number of distinct keys seen within one window.
 */
#include "core/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define STRIPES 64
#define KEY_MAX 128

struct entry {
    char key[KEY_MAX]; /* "bucket\0key" flattened as "bucket|key" */
    int64_t window_start;
    int64_t expires;
    uint32_t count;
    bool used;
};

struct stripe {
    pthread_mutex_t lock; /* guards slots, cap, n */
    struct entry *slots;
    size_t cap;
    size_t n;
};

struct ratelimit {
    struct stripe stripes[STRIPES];
};

struct ratelimit *ratelimit_new(void)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->stripes[i].lock, NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_destroy(&rl->stripes[i].lock);
        free(rl->stripes[i].slots);
    }
    free(rl);
}

void ratelimit_window(int64_t *window_start, uint32_t *count, uint32_t limit, uint32_t window_s,
                      int64_t now, struct rate_result *res)
{
    if (now >= *window_start + (int64_t)window_s || now < *window_start) {
        *window_start = now;
        *count = 0;
    }
    int64_t reset = *window_start + (int64_t)window_s;
    res->limit = limit;
    res->reset_at = reset;
    if (*count >= limit) {
        res->allowed = false;
        res->remaining = 0;
        res->retry_after = (uint32_t)(reset - now > 0 ? reset - now : 1);
        return;
    }
    (*count)++;
    res->allowed = true;
    res->remaining = limit - *count;
    res->retry_after = 0;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void grow(struct stripe *st, int64_t now)
{
    /* First drop expired entries; grow only if still over 3/4 full. */
    struct entry *old = st->slots;
    size_t oldcap = st->cap;
    size_t live = 0;
    for (size_t i = 0; i < oldcap; i++)
        live += old[i].used && old[i].expires > now;
    size_t cap = oldcap ? oldcap : 16;
    while (live * 4 >= cap * 3)
        cap *= 2;
    st->slots = xcalloc(cap, sizeof(struct entry));
    st->cap = cap;
    st->n = 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].used || old[i].expires <= now)
            continue;
        size_t j = (fnv1a(old[i].key) >> 6) & (cap - 1);
        while (st->slots[j].used)
            j = (j + 1) & (cap - 1);
        st->slots[j] = old[i];
        st->n++;
    }
    free(old);
}

void ratelimit_hit(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                   uint32_t window_s, int64_t now, struct rate_result *res)
{
    char k[KEY_MAX];
    size_t bl = strnlen(bucket, 32), kl = strnlen(key, KEY_MAX - 34);
    memcpy(k, bucket, bl);
    k[bl] = '|';
    memcpy(k + bl + 1, key, kl);
    k[bl + 1 + kl] = '\0';
    uint64_t h = fnv1a(k);
    struct stripe *st = &rl->stripes[h % STRIPES];
    pthread_mutex_lock(&st->lock);
    if ((st->n + 1) * 4 >= st->cap * 3)
        grow(st, now);
    size_t mask = st->cap - 1;
    size_t i = (h >> 6) & mask;
    struct entry *e = NULL;
    for (;; i = (i + 1) & mask) {
        if (!st->slots[i].used)
            break;
        if (strcmp(st->slots[i].key, k) == 0) {
            e = &st->slots[i];
            break;
        }
    }
    if (e == NULL) {
        e = &st->slots[i];
        memset(e, 0, sizeof(*e));
        memcpy(e->key, k, strlen(k) + 1);
        e->used = true;
        e->window_start = now;
        st->n++;
    }
    ratelimit_window(&e->window_start, &e->count, limit, window_s, now, res);
    e->expires = e->window_start + (int64_t)window_s;
    pthread_mutex_unlock(&st->lock);
}
