/*
 * redis.h - a small Redis client for counters shared by every instance
 * (hiredis; DESIGN sections 7 and 8).
 *
 * One struct redis per process, owned by struct server. It connects lazily
 * and keeps a pool of idle connections (pool_lock guards it); a caller takes
 * one connection for one command and gives it back, so a connection is
 * never used by two threads at once and the pool never holds more than the
 * peak number of concurrent callers (idle ones beyond REDIS_POOL_IDLE_MAX
 * are closed). Every connect and every command is bounded by timeout_ms:
 * a dead Redis costs a caller at most one connect plus one command timeout
 * (a pooled connection that turns out to be closed is retried once on a
 * fresh one). Nothing here logs, and the password is only ever sent in AUTH.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define REDIS_POOL_IDLE_MAX 32

struct redis;

/* The answer of one counter hit. */
struct redis_counter {
    int64_t count;  /* after this hit, or the current count when refused */
    int64_t ttl_ms; /* time left in the window, in milliseconds */
    bool allowed;   /* false: the count had reached limit and was not incremented */
};

/* Copies url; does not connect. Never NULL (allocation failure aborts). */
struct redis *redis_new(const struct redis_url *url, unsigned timeout_ms);
/* Closes the pooled connections and frees r. Accepts NULL. */
void redis_free(struct redis *r);

/*
 * One hit on the fixed-window counter key, atomically in one round trip
 * (redis_counter_script, run by EVALSHA with EVAL as the fallback when
 * Redis does not have it cached): if the count is below limit it is
 * incremented, and the first hit of a window sets its expiry to window_ms;
 * a refused hit changes nothing. key and why are borrowed. Returns 0 with
 * *out filled, ERR_UNAVAILABLE (cannot connect, connection lost, timeout)
 * or ERR_STORE (Redis answered with an error); on failure a short reason
 * (never a secret) goes to why when it is not NULL.
 */
int redis_counter_hit(struct redis *r, const char *key, uint32_t limit, uint32_t window_ms,
                      struct redis_counter *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* DEL key. Returns 0, or an error and a reason as redis_counter_hit. */
int redis_del(struct redis *r, const char *key, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* PING. Returns 0, or an error and a reason as redis_counter_hit. */
int redis_ping(struct redis *r, char *why, size_t whylen) __attribute__((warn_unused_result));

/*
 * The Lua text of the counter (KEYS[1] = key, ARGV[1] = limit, ARGV[2] =
 * window in ms; returns {count, ttl_ms, allowed 0|1}). Exposed for tests.
 */
extern const char redis_counter_script[];
