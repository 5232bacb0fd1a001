/*
 * ratelimit.h - fixed-window request counters (DESIGN section 7).
 *
 * Keyed by (bucket, key) where key is an IP or a user id. The counters live
 * in process memory unless a shared store (Redis, LATCHKEY_REDIS_URL) is
 * set with ratelimit_set_remote(); then every instance counts in the same
 * place. When the shared store fails, the instance counts in memory instead,
 * logs one warning, tries the store again at most every retry_ms, and logs
 * one info line when it is back (see README "Scaling out"). Thread-safe:
 * the table is split in stripes, each with its own mutex; the remote state
 * has its own.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

struct rate_result {
    bool allowed;
    uint32_t limit;
    uint32_t remaining;   /* after this hit */
    int64_t reset_at;     /* Unix time when the window ends */
    uint32_t retry_after; /* seconds until allowed again (0 if allowed) */
};

/* What a shared store answers for one hit. */
struct rate_remote_reply {
    int64_t count;  /* after this hit, or the current count when refused */
    int64_t ttl_ms; /* time left in the window */
    bool allowed;   /* false: the count had reached the limit (not incremented) */
    char why[128];  /* on failure, a reason for the log (never a secret) */
};

/*
 * A shared counter store, as function pointers so core never sees its
 * client library. hit() counts one hit on key atomically (a refused hit is
 * not counted), starting a window of window_ms on the first one; it returns
 * 0 or a negative err (any error means "unavailable, use memory"). ping()
 * may be NULL. ctx is passed back untouched.
 */
struct rate_remote {
    const char *name; /* for log lines: "redis" */
    int (*hit)(void *ctx, const char *key, uint32_t limit, uint32_t window_ms,
               struct rate_remote_reply *out);
    int (*ping)(void *ctx, char *why, size_t whylen);
    /* Optional: deletes key (ratelimit_clear); NULL = memory only. */
    int (*clear)(void *ctx, const char *key, char *why, size_t whylen);
    void *ctx;
};

/* Where the counters are kept right now. */
enum rate_store {
    RATE_STORE_MEMORY,   /* no shared store configured */
    RATE_STORE_REMOTE,   /* the shared store */
    RATE_STORE_FALLBACK, /* the shared store is down: memory until it is back */
};

#define RATELIMIT_RETRY_MS   1000 /* how often a down shared store is tried again */
#define RATELIMIT_KEY_PREFIX "latchkey:rl:"

/* Room for ratelimit_addr_key's output. */
#define RATELIMIT_ADDR_MAX 64

/*
 * The key a client address is counted under in the per-IP limits: an
 * IPv4 address as it is; an IPv6 address as its /64 network
 * ("2001:db8:1:2::/64"), since one host is usually given a whole /64 and
 * would otherwise have 2^64 buckets; an IPv4-mapped IPv6 address as the
 * IPv4 one. Anything else (not an address) is copied, cut to fit.
 */
void ratelimit_addr_key(const char *ip, char out[RATELIMIT_ADDR_MAX]);

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);

/*
 * Counts in remote (borrowed; must outlive rl) from now on, falling back to
 * memory as described above; a down store is tried again at most every
 * retry_ms. Call before other threads use rl.
 */
void ratelimit_set_remote(struct ratelimit *rl, const struct rate_remote *remote,
                          unsigned retry_ms);

/*
 * Counts one hit at time now against (bucket, key) with limit per window_s
 * and fills *res. A refused hit is not counted. Pure arithmetic is in
 * ratelimit_window(); this adds the table. In the shared store the window
 * is the store's (it started at the first hit, to the millisecond): reset
 * and retry times then come from the TTL it reports and the wall clock,
 * and now is not used.
 */
void ratelimit_hit(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                   uint32_t window_s, int64_t now, struct rate_result *res);

/* Refused hits of one bucket since start. */
#define RATELIMIT_BUCKETS_MAX 32
struct ratelimit_refusals {
    char bucket[32];
    uint64_t count;
};
/* Counts one request refused because of bucket (a 429 or a lockout),
 * for /metrics; the callers that turn a result into a refusal call it.
 * Buckets past RATELIMIT_BUCKETS_MAX go uncounted. Thread-safe. */
void ratelimit_refused(struct ratelimit *rl, const char *bucket);
/* Copies up to max buckets' refusal counts into out (in the order of
 * their first refusal); returns how many. Thread-safe. */
size_t ratelimit_refusals(struct ratelimit *rl, struct ratelimit_refusals *out, size_t max);

/*
 * What a hit on (bucket, key) would answer now, without counting
 * (Laravel's RateLimiter::tooManyAttempts): *res as ratelimit_hit fills
 * it, remaining being what is left. In the shared store this is a hit
 * with limit 0, which the counter script never increments.
 */
void ratelimit_peek(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                    uint32_t window_s, int64_t now, struct rate_result *res);
/* Forgets the counter of (bucket, key) (Laravel's RateLimiter::clear), in
 * memory and in the shared store when it has a clear operation. */
void ratelimit_clear(struct ratelimit *rl, const char *bucket, const char *key);

/*
 * Where the counters are kept. With probe, the shared store is pinged
 * first (when it is up, or when it is down and its retry is due), which
 * updates the state and logs a change like a hit would; for readiness
 * checks and the start-up line.
 */
enum rate_store ratelimit_store(struct ratelimit *rl, bool probe);
/* "memory", "up" or "down", for logs and /readyz. */
const char *ratelimit_store_str(enum rate_store s);

/*
 * The arithmetic of one fixed window, exposed for tests: given the window
 * start and count so far (updated in place), decide a hit at now.
 */
void ratelimit_window(int64_t *window_start, uint32_t *count, uint32_t limit, uint32_t window_s,
                      int64_t now, struct rate_result *res);

/*
 * A shared store's answer as a result, exposed for tests: reset_at is the
 * first whole second at or after now_ms + ttl_ms and Retry-After the TTL
 * rounded up, so a client that waits that long is never refused early.
 */
void ratelimit_from_remote(const struct rate_remote_reply *rep, uint32_t limit, int64_t now_ms,
                           struct rate_result *res);
