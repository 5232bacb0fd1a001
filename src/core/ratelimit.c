/*
 * ratelimit.c - fixed-window counters, in memory or in a shared store.
 *
 * A hash table of (bucket, key) -> {window_start, count}, split into
 * stripes by key hash; each stripe has its own mutex (stripe->lock guards
 * its slots). Entries whose window has ended are reused in place, and a
 * stripe that fills up evicts expired entries before growing, so memory is
 * bounded by the number of distinct keys seen within one window.
 *
 * With a shared store the table is the fallback. The store's state is
 * two fields under remote_lock: down, and retry_at (monotonic ms). While
 * down, the one hit that finds the retry due claims it (moving retry_at on
 * by retry_ms) and tries the store; every other hit goes to memory without
 * waiting. The transitions up -> down and down -> up each log one line.
 */
#include "core/ratelimit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/slots.h"
#include "util/timeutil.h"
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
    const struct rate_remote *remote; /* NULL = memory only; constant once set */
    unsigned retry_ms;                /* constant once set */
    pthread_mutex_t remote_lock;      /* guards down and retry_at */
    bool down;
    int64_t retry_at; /* time_mono_ms() from which a down store is tried again */
    /* Refused hits by bucket, for /metrics: refusals are rare, so a lock. */
    pthread_mutex_t refused_lock; /* guards refused and n_refused */
    struct ratelimit_refusals refused[RATELIMIT_BUCKETS_MAX];
    size_t n_refused;
};

void ratelimit_addr_key(const char *ip, char out[RATELIMIT_ADDR_MAX])
{
    unsigned char a[16];
    char text[INET6_ADDRSTRLEN];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip == NULL || inet_pton(AF_INET6, ip, a) != 1) {
        snprintf(out, RATELIMIT_ADDR_MAX, "%s", ip != NULL ? ip : "");
        return;
    }
    if (memcmp(a, mapped, sizeof(mapped)) == 0 && inet_ntop(AF_INET, a + 12, text, sizeof(text))) {
        snprintf(out, RATELIMIT_ADDR_MAX, "%s", text);
        return;
    }
    memset(a + 8, 0, 8);
    if (inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
        text[0] = '\0';
    snprintf(out, RATELIMIT_ADDR_MAX, "%s/64", text);
}

struct ratelimit *ratelimit_new(void)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->stripes[i].lock, NULL);
    pthread_mutex_init(&rl->remote_lock, NULL);
    pthread_mutex_init(&rl->refused_lock, NULL);
    return rl;
}

void ratelimit_set_remote(struct ratelimit *rl, const struct rate_remote *remote, unsigned retry_ms)
{
    rl->remote = remote;
    rl->retry_ms = retry_ms;
    rl->down = false;
    rl->retry_at = 0;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_destroy(&rl->stripes[i].lock);
        free(rl->stripes[i].slots);
    }
    pthread_mutex_destroy(&rl->remote_lock);
    pthread_mutex_destroy(&rl->refused_lock);
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
        size_t j = (slots_key_str(old[i].key) >> 6) & (cap - 1);
        while (st->slots[j].used)
            j = (j + 1) & (cap - 1);
        st->slots[j] = old[i];
        st->n++;
    }
    free(old);
}

/* Writes "bucket|key" (each cut to fit) into k[KEY_MAX]. */
static void flatten_key(const char *bucket, const char *key, char k[KEY_MAX])
{
    size_t bl = strnlen(bucket, 32), kl = strnlen(key, KEY_MAX - 34);
    memcpy(k, bucket, bl);
    k[bl] = '|';
    memcpy(k + bl + 1, key, kl);
    k[bl + 1 + kl] = '\0';
}

static void memory_hit(struct ratelimit *rl, const char *k, uint32_t limit, uint32_t window_s,
                       int64_t now, struct rate_result *res)
{
    uint64_t h = slots_key_str(k);
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

/* The entry of k in its locked stripe, or NULL. */
static struct entry *memory_find(struct stripe *st, uint64_t h, const char *k)
{
    if (st->cap == 0)
        return NULL;
    size_t mask = st->cap - 1;
    for (size_t i = (h >> 6) & mask; st->slots[i].used; i = (i + 1) & mask) {
        if (strcmp(st->slots[i].key, k) == 0)
            return &st->slots[i];
    }
    return NULL;
}

/* ratelimit_peek in memory: a copy of the entry decides, unchanged. */
static void memory_peek(struct ratelimit *rl, const char *k, uint32_t limit, uint32_t window_s,
                        int64_t now, struct rate_result *res)
{
    uint64_t h = slots_key_str(k);
    struct stripe *st = &rl->stripes[h % STRIPES];
    int64_t start = now;
    uint32_t count = 0;
    pthread_mutex_lock(&st->lock);
    const struct entry *e = memory_find(st, h, k);
    if (e != NULL) {
        start = e->window_start;
        count = e->count;
    }
    pthread_mutex_unlock(&st->lock);
    ratelimit_window(&start, &count, limit, window_s, now, res);
    if (res->allowed)
        res->remaining++; /* the window counted a hit that did not happen */
}

/* Expires the entry of k (the slot stays used, so probing is unchanged). */
static void memory_clear(struct ratelimit *rl, const char *k)
{
    uint64_t h = slots_key_str(k);
    struct stripe *st = &rl->stripes[h % STRIPES];
    pthread_mutex_lock(&st->lock);
    struct entry *e = memory_find(st, h, k);
    if (e != NULL) {
        e->count = 0;
        e->window_start = 0;
        e->expires = 0;
    }
    pthread_mutex_unlock(&st->lock);
}

/* Whether this call should use the store: yes while it is up; while it is
 * down, only the first call after the retry is due (it claims the retry). */
static bool remote_due(struct ratelimit *rl)
{
    bool due = true;
    int64_t now = time_mono_ms();
    pthread_mutex_lock(&rl->remote_lock);
    if (rl->down) {
        due = now >= rl->retry_at;
        if (due)
            rl->retry_at = now + (int64_t)rl->retry_ms;
    }
    pthread_mutex_unlock(&rl->remote_lock);
    return due;
}

/* Records the outcome of a call to the store; logs only a change of state. */
static void remote_outcome(struct ratelimit *rl, int rc, const char *why)
{
    bool changed;
    pthread_mutex_lock(&rl->remote_lock);
    changed = rl->down != (rc != 0);
    rl->down = rc != 0;
    if (rc != 0)
        rl->retry_at = time_mono_ms() + (int64_t)rl->retry_ms;
    pthread_mutex_unlock(&rl->remote_lock);
    if (!changed)
        return;
    if (rc == 0) {
        log_info("event=ratelimit_store_up store=%s", rl->remote->name);
        return;
    }
    /* The reason comes from the store's client or server: keep the line parseable. */
    char clean[128];
    snprintf(clean, sizeof(clean), "%s", why != NULL && why[0] != '\0' ? why : "unknown");
    for (char *c = clean; *c; c++) {
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '\'';
    }
    log_warnx("event=ratelimit_store_down store=%s err=\"%s\" fallback=memory retry_ms=%u",
              rl->remote->name, clean, rl->retry_ms);
}

void ratelimit_from_remote(const struct rate_remote_reply *rep, uint32_t limit, int64_t now_ms,
                           struct rate_result *res)
{
    int64_t ttl = rep->ttl_ms > 0 ? rep->ttl_ms : 0;
    int64_t wait_s = (ttl + 999) / 1000;
    res->limit = limit;
    res->reset_at = (now_ms + ttl + 999) / 1000;
    if (rep->allowed) {
        res->allowed = true;
        int64_t left = (int64_t)limit - rep->count;
        res->remaining = (uint32_t)(left < 0 ? 0 : left > (int64_t)limit ? limit : left);
        res->retry_after = 0;
        return;
    }
    res->allowed = false;
    res->remaining = 0;
    res->retry_after = (uint32_t)(wait_s > 0 ? (wait_s < UINT32_MAX ? wait_s : UINT32_MAX) : 1);
}

/* One hit on the shared store for the flattened key k; 0 with *rep filled,
 * or an error (then memory decides). */
static int remote_hit(struct ratelimit *rl, const char *k, uint32_t limit, uint32_t window_s,
                      struct rate_remote_reply *rep)
{
    char rk[sizeof(RATELIMIT_KEY_PREFIX) + KEY_MAX];
    snprintf(rk, sizeof(rk), "%s%s", RATELIMIT_KEY_PREFIX, k);
    memset(rep, 0, sizeof(*rep));
    uint32_t window_ms = window_s > UINT32_MAX / 1000 ? UINT32_MAX : window_s * 1000;
    int rc = rl->remote->hit(rl->remote->ctx, rk, limit, window_ms, rep);
    remote_outcome(rl, rc, rep->why);
    if (rc == 0 && rep->count == 0)
        rep->ttl_ms = (int64_t)window_ms; /* a peek at a counter that does not exist */
    return rc;
}

void ratelimit_refused(struct ratelimit *rl, const char *bucket)
{
    pthread_mutex_lock(&rl->refused_lock);
    size_t i = 0;
    while (i < rl->n_refused && strcmp(rl->refused[i].bucket, bucket) != 0)
        i++;
    if (i == rl->n_refused && i < RATELIMIT_BUCKETS_MAX) {
        snprintf(rl->refused[i].bucket, sizeof(rl->refused[i].bucket), "%s", bucket);
        rl->refused[i].count = 0;
        rl->n_refused++;
    }
    if (i < rl->n_refused)
        rl->refused[i].count++;
    pthread_mutex_unlock(&rl->refused_lock);
}

size_t ratelimit_refusals(struct ratelimit *rl, struct ratelimit_refusals *out, size_t max)
{
    pthread_mutex_lock(&rl->refused_lock);
    size_t n = rl->n_refused < max ? rl->n_refused : max;
    memcpy(out, rl->refused, n * sizeof(*out));
    pthread_mutex_unlock(&rl->refused_lock);
    return n;
}

void ratelimit_hit(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                   uint32_t window_s, int64_t now, struct rate_result *res)
{
    char k[KEY_MAX];
    flatten_key(bucket, key, k);
    struct rate_remote_reply rep;
    if (rl->remote != NULL && remote_due(rl) && remote_hit(rl, k, limit, window_s, &rep) == 0) {
        ratelimit_from_remote(&rep, limit, time_now_ms(), res);
        return;
    }
    memory_hit(rl, k, limit, window_s, now, res);
}

void ratelimit_peek(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                    uint32_t window_s, int64_t now, struct rate_result *res)
{
    char k[KEY_MAX];
    flatten_key(bucket, key, k);
    struct rate_remote_reply rep;
    if (rl->remote != NULL && remote_due(rl) && remote_hit(rl, k, 0, window_s, &rep) == 0) {
        /* Limit 0 counts nothing: the count as it stands decides. */
        rep.allowed = rep.count < (int64_t)limit;
        ratelimit_from_remote(&rep, limit, time_now_ms(), res);
        return;
    }
    memory_peek(rl, k, limit, window_s, now, res);
}

void ratelimit_clear(struct ratelimit *rl, const char *bucket, const char *key)
{
    char k[KEY_MAX];
    flatten_key(bucket, key, k);
    memory_clear(rl, k);
    if (rl->remote == NULL || rl->remote->clear == NULL || !remote_due(rl))
        return;
    char rk[sizeof(RATELIMIT_KEY_PREFIX) + KEY_MAX];
    snprintf(rk, sizeof(rk), "%s%s", RATELIMIT_KEY_PREFIX, k);
    char why[128] = "";
    int rc = rl->remote->clear(rl->remote->ctx, rk, why, sizeof(why));
    remote_outcome(rl, rc, why);
}

enum rate_store ratelimit_store(struct ratelimit *rl, bool probe)
{
    if (rl->remote == NULL)
        return RATE_STORE_MEMORY;
    if (probe && rl->remote->ping != NULL && remote_due(rl)) {
        char why[128] = "";
        int rc = rl->remote->ping(rl->remote->ctx, why, sizeof(why));
        remote_outcome(rl, rc, why);
    }
    pthread_mutex_lock(&rl->remote_lock);
    bool down = rl->down;
    pthread_mutex_unlock(&rl->remote_lock);
    return down ? RATE_STORE_FALLBACK : RATE_STORE_REMOTE;
}

const char *ratelimit_store_str(enum rate_store s)
{
    switch (s) {
    case RATE_STORE_REMOTE: return "up";
    case RATE_STORE_FALLBACK: return "down";
    default: return "memory";
    }
}
