/*
 * metrics.c - histograms and the text exposition format (metrics.h).
 */
#include "util/metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The finite bucket bounds, in nanoseconds and as printed. */
static const int64_t bound_ns[METRICS_HIST_BUCKETS] = {
    100000,   250000,    500000,    1000000,   2500000,    5000000,    10000000,   25000000,
    50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000, 10000000000};
static const char *const bound_text[METRICS_HIST_BUCKETS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "10"};

void metrics_hist_init(struct metrics_hist *h)
{
    for (size_t i = 0; i <= METRICS_HIST_BUCKETS; i++)
        atomic_init(&h->bucket[i], 0);
    atomic_init(&h->sum_ns, 0);
}

void metrics_hist_observe(struct metrics_hist *h, int64_t ns)
{
    size_t i = 0;
    if (ns < 0)
        ns = 0;
    while (i < METRICS_HIST_BUCKETS && ns > bound_ns[i])
        i++;
    atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, (uint_fast64_t)ns, memory_order_relaxed);
}

void metrics_head(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_escaped(struct buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\' || *s == '"')
            buf_putc(b, '\\');
        if (*s == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *s);
    }
}

/* Writes "{a="x",b="y"" plus extra ("le") if given, then "}"; nothing if
 * there are no labels at all. */
static void put_labels(struct buf *b, const char *const *labels, const char *le)
{
    bool any = false;
    for (size_t i = 0; labels != NULL && labels[i] != NULL; i += 2) {
        buf_putc(b, any ? ',' : '{');
        buf_puts(b, labels[i]);
        buf_puts(b, "=\"");
        put_escaped(b, labels[i + 1]);
        buf_putc(b, '"');
        any = true;
    }
    if (le != NULL) {
        buf_puts(b, any ? ",le=\"" : "{le=\"");
        buf_puts(b, le);
        buf_putc(b, '"');
        any = true;
    }
    if (any)
        buf_putc(b, '}');
}

static void put_value(struct buf *b, double v)
{
    if (v == (double)(uint64_t)v && v < 1e18)
        buf_printf(b, " %llu\n", (unsigned long long)v);
    else
        buf_printf(b, " %.9g\n", v);
}

void metrics_sample(struct buf *b, const char *name, const char *const *labels, double value)
{
    buf_puts(b, name);
    put_labels(b, labels, NULL);
    put_value(b, value);
}

void metrics_hist_write(struct buf *b, const char *name, const char *const *labels,
                        const struct metrics_hist *h)
{
    uint64_t total = 0;
    for (size_t i = 0; i <= METRICS_HIST_BUCKETS; i++) {
        total += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
        buf_printf(b, "%s_bucket", name);
        put_labels(b, labels, i < METRICS_HIST_BUCKETS ? bound_text[i] : "+Inf");
        put_value(b, (double)total);
    }
    buf_printf(b, "%s_sum", name);
    put_labels(b, labels, NULL);
    put_value(b, (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
    buf_printf(b, "%s_count", name);
    put_labels(b, labels, NULL);
    put_value(b, (double)total);
}
