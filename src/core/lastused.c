/*
 * lastused.c - coalesced last_used_at writes.
 *
 * lastused_touch() stores (token, time) in a small open-addressing table
 * under lu->lock; the flusher thread swaps the table out and writes it in
 * one store call every flush_ms, so a busy token costs one row update per
 * interval instead of one per request. If the table fills between flushes
 * it grows; it never blocks on the database.
 */
#include "core/lastused.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/model.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

struct lastused {
    struct store *store;
    unsigned flush_ms;
    pthread_t thread;
    pthread_mutex_t lock; /* guards items, cap, n, stop */
    pthread_cond_t wake;
    struct token_touch *items; /* open addressing by token_id; id 0 = empty */
    size_t cap;
    size_t n;
    bool stop;
    pthread_mutex_t flush_lock; /* serialises flushes (thread vs. explicit) */
    uint64_t serial;            /* unique in the process; constant */
};

static size_t slot(int64_t id, size_t cap)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (cap - 1);
}

static void put(struct token_touch *items, size_t cap, int64_t id, int64_t at, size_t *n)
{
    size_t i = slot(id, cap);
    while (items[i].token_id != 0 && items[i].token_id != id)
        i = (i + 1) & (cap - 1);
    if (items[i].token_id == 0) {
        items[i].token_id = id;
        items[i].at = at;
        (*n)++;
    } else if (items[i].at < at) {
        items[i].at = at;
    }
}

/*
 * Each thread remembers the last (token, second) it recorded per memo slot:
 * a token used again within the same second on the same thread is already
 * in the table (or flushed with that time), so the lock is skipped. The
 * serial tells tables apart (a freed table's address may be reused).
 */
#define MEMO_SLOTS 64
struct memo {
    uint64_t serial;
    int64_t token_id;
    int64_t at;
};
static _Thread_local struct memo memo[MEMO_SLOTS];
static atomic_uint_fast64_t next_serial = 1;

void lastused_touch(struct lastused *lu, int64_t token_id, int64_t at)
{
    if (lu == NULL || token_id <= 0)
        return;
    struct memo *m = &memo[(uint64_t)token_id & (MEMO_SLOTS - 1)];
    if (m->serial == lu->serial && m->token_id == token_id && m->at >= at)
        return;
    *m = (struct memo){.serial = lu->serial, .token_id = token_id, .at = at};
    pthread_mutex_lock(&lu->lock);
    if ((lu->n + 1) * 2 > lu->cap) {
        size_t cap = lu->cap * 2;
        struct token_touch *items = xcalloc(cap, sizeof(*items));
        size_t n = 0;
        for (size_t i = 0; i < lu->cap; i++) {
            if (lu->items[i].token_id != 0)
                put(items, cap, lu->items[i].token_id, lu->items[i].at, &n);
        }
        free(lu->items);
        lu->items = items;
        lu->cap = cap;
        lu->n = n;
    }
    put(lu->items, lu->cap, token_id, at, &lu->n);
    pthread_mutex_unlock(&lu->lock);
}

int lastused_flush(struct lastused *lu)
{
    pthread_mutex_lock(&lu->flush_lock);
    pthread_mutex_lock(&lu->lock);
    struct token_touch *items = lu->items;
    size_t cap = lu->cap, n = lu->n;
    if (n > 0) {
        lu->items = xcalloc(cap, sizeof(*items));
        lu->n = 0;
    }
    pthread_mutex_unlock(&lu->lock);
    int rc = 0;
    if (n > 0) {
        size_t k = 0;
        for (size_t i = 0; i < cap; i++) {
            if (items[i].token_id != 0)
                items[k++] = items[i];
        }
        rc = store_token_touch_many(lu->store, items, k);
        if (rc != 0)
            log_warnx("event=last_used_flush_failed tokens=%zu", k);
        free(items);
    }
    pthread_mutex_unlock(&lu->flush_lock);
    return rc;
}

static void *flusher(void *arg)
{
    struct lastused *lu = arg;
    pthread_mutex_lock(&lu->lock);
    while (!lu->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += lu->flush_ms / 1000;
        ts.tv_nsec += (long)(lu->flush_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!lu->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&lu->wake, &lu->lock, &ts);
        if (lu->stop)
            break;
        pthread_mutex_unlock(&lu->lock);
        (void)lastused_flush(lu);
        pthread_mutex_lock(&lu->lock);
    }
    pthread_mutex_unlock(&lu->lock);
    return NULL;
}

struct lastused *lastused_new(struct store *store, unsigned flush_ms)
{
    struct lastused *lu = xcalloc(1, sizeof(*lu));
    lu->store = store;
    lu->flush_ms = flush_ms;
    lu->serial = atomic_fetch_add(&next_serial, 1);
    lu->cap = 256;
    lu->items = xcalloc(lu->cap, sizeof(*lu->items));
    pthread_mutex_init(&lu->lock, NULL);
    pthread_mutex_init(&lu->flush_lock, NULL);
    pthread_cond_init(&lu->wake, NULL);
    if (pthread_create(&lu->thread, NULL, flusher, lu) != 0)
        fatal("event=thread_create_failed what=last_used_flusher");
    return lu;
}

void lastused_free(struct lastused *lu)
{
    if (lu == NULL)
        return;
    pthread_mutex_lock(&lu->lock);
    lu->stop = true;
    pthread_cond_signal(&lu->wake);
    pthread_mutex_unlock(&lu->lock);
    pthread_join(lu->thread, NULL);
    (void)lastused_flush(lu);
    pthread_mutex_destroy(&lu->lock);
    pthread_mutex_destroy(&lu->flush_lock);
    pthread_cond_destroy(&lu->wake);
    free(lu->items);
    free(lu);
}
