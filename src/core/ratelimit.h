/*
 * ratelimit.h - fixed-window request counters (DESIGN section 7).
 *
 * Keyed by (bucket, key) where key is an IP or a user id. In-memory by
 * default; issue #3 adds a Redis store behind the same calls. Thread-safe:
 * the table is split in stripes, each with its own mutex.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

struct rate_result {
    bool allowed;
    uint32_t limit;
    uint32_t remaining;   /* after this hit */
    int64_t reset_at;     /* Unix time when the window ends */
    uint32_t retry_after; /* seconds until allowed again (0 if allowed) */
};

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);

/*
 * Counts one hit at time now against (bucket, key) with limit per window_s
 * and fills *res. A refused hit is not counted. Pure arithmetic is in
 * ratelimit_window(); this adds the table.
 */
void ratelimit_hit(struct ratelimit *rl, const char *bucket, const char *key, uint32_t limit,
                   uint32_t window_s, int64_t now, struct rate_result *res);

/*
 * The arithmetic of one fixed window, exposed for tests: given the window
 * start and count so far (updated in place), decide a hit at now.
 */
void ratelimit_window(int64_t *window_start, uint32_t *count, uint32_t limit, uint32_t window_s,
                      int64_t now, struct rate_result *res);
