/*
 * pool.h - a small bounded pool of worker threads (DESIGN section 9).
 *
 * Used by http_defer() for the deliberately slow work (password hashing)
 * so that it never blocks an HTTP thread. The bound is on accepted jobs:
 * at most threads + max_queue jobs are running or waiting at any time, so
 * a burst of logins cannot exhaust memory; beyond that pool_submit()
 * refuses with ERR_BUSY. pool_submit() is thread-safe; pool_stop() and
 * pool_free() are called once each, by the owner.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/metrics.h"

struct pool;

/* A snapshot for /metrics. */
struct pool_stats {
    size_t queued;  /* jobs waiting for a thread */
    size_t running; /* jobs running */
    unsigned threads;
    unsigned max_queue;
    const struct metrics_hist *wait; /* borrowed: time from submit to start */
};

typedef void (*pool_fn)(void *arg);

/* Starts threads workers (>= 1); returns NULL on failure. Owned by the
 * caller; free with pool_free(). */
struct pool *pool_new(unsigned threads, unsigned max_queue);
/* Queues fn(arg) (arg is borrowed: it must outlive the job). Returns 0, or
 * ERR_BUSY when threads + max_queue jobs are already pending, or
 * ERR_UNAVAILABLE once the pool is stopping. */
int pool_submit(struct pool *p, pool_fn fn, void *arg) __attribute__((warn_unused_result));
/* Refuses new jobs (ERR_UNAVAILABLE), lets every queued job run and joins
 * the threads. pool_submit() stays safe to call until pool_free(). */
void pool_stop(struct pool *p);
/* Notes that an HTTP thread answered a request without a job at now_ns
 * (time_mono_ns()); while it keeps doing so, fewer jobs run at once. */
void pool_note_busy(struct pool *p, int64_t now_ns);
/* The admission rule (exposed for its test): whether another job may start
 * with running jobs on threads threads, the HTTP threads busy or not, the
 * job having waited waited_ns. */
bool pool_admit(unsigned running, unsigned threads, bool busy, int64_t waited_ns);
/* Fills *out (takes the pool's lock briefly). */
void pool_stats(struct pool *p, struct pool_stats *out);
/* pool_stop() if not done yet, then frees the pool. Accepts NULL. */
void pool_free(struct pool *p);
