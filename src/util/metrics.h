/*
 * metrics.h - counting primitives and the Prometheus text format (0.0.4).
 *
 * Each module keeps its own counters (relaxed atomics, in fixed arrays,
 * no lock, no allocation) and exposes them through a stats function; the
 * /metrics handler reads them and formats them here, only when scraped.
 * A histogram counts observations per bucket (not cumulative) and their
 * sum in nanoseconds: one bucket search over a short table and two
 * relaxed atomic additions per observation.
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"

/* Upper bounds of the latency buckets, in seconds, then +Inf. */
#define METRICS_HIST_BUCKETS 15

struct metrics_hist {
    atomic_uint_fast64_t bucket[METRICS_HIST_BUCKETS + 1]; /* the last is +Inf */
    atomic_uint_fast64_t sum_ns;
};

/* Zeroes h (static storage and xcalloc'd memory are already zero). */
void metrics_hist_init(struct metrics_hist *h);
/* Counts one observation of ns nanoseconds (negative counts as 0). */
void metrics_hist_observe(struct metrics_hist *h, int64_t ns);

/* Writes "# HELP name help" and "# TYPE name type". */
void metrics_head(struct buf *b, const char *name, const char *type, const char *help);
/*
 * Writes one sample "name{labels} value". labels is NULL or a list of
 * name, value pairs ended by a NULL name; values are escaped as the
 * format requires (backslash, double quote, newline).
 */
void metrics_sample(struct buf *b, const char *name, const char *const *labels, double value);
/* Writes h as the samples name_bucket{labels,le=...}, name_sum (seconds)
 * and name_count; labels as for metrics_sample. */
void metrics_hist_write(struct buf *b, const char *name, const char *const *labels,
                        const struct metrics_hist *h);
