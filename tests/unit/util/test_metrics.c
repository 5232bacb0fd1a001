/*
 * test_metrics.c - histograms and the Prometheus text format (util/metrics.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/metrics.h"

static void histogram_buckets_are_cumulative(void **state)
{
    (void)state;
    struct metrics_hist h;
    metrics_hist_init(&h);
    metrics_hist_observe(&h, 50000);       /* 0.05 ms: first bucket */
    metrics_hist_observe(&h, 100000);      /* on the bound: still the first */
    metrics_hist_observe(&h, 3000000);     /* 3 ms: le 0.005 */
    metrics_hist_observe(&h, 20000000000); /* 20 s: +Inf only */
    metrics_hist_observe(&h, -5);          /* a clock step: 0 */
    struct buf b;
    buf_init(&b);
    metrics_hist_write(&b, "x_seconds", (const char *const[]){"route", "/a/{id}", NULL}, &h);
    assert_non_null(strstr(b.data, "x_seconds_bucket{route=\"/a/{id}\",le=\"0.0001\"} 3\n"));
    assert_non_null(strstr(b.data, "x_seconds_bucket{route=\"/a/{id}\",le=\"0.0025\"} 3\n"));
    assert_non_null(strstr(b.data, "x_seconds_bucket{route=\"/a/{id}\",le=\"0.005\"} 4\n"));
    assert_non_null(strstr(b.data, "x_seconds_bucket{route=\"/a/{id}\",le=\"10\"} 4\n"));
    assert_non_null(strstr(b.data, "x_seconds_bucket{route=\"/a/{id}\",le=\"+Inf\"} 5\n"));
    assert_non_null(strstr(b.data, "x_seconds_sum{route=\"/a/{id}\"} 20.00315\n"));
    assert_non_null(strstr(b.data, "x_seconds_count{route=\"/a/{id}\"} 5\n"));
    buf_fini(&b);
}

static void label_values_are_escaped(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    metrics_head(&b, "y_total", "counter", "Things.");
    metrics_sample(&b, "y_total", (const char *const[]){"a", "q\"b\\s\nn", "c", "d", NULL}, 7);
    metrics_sample(&b, "y_total", NULL, 0.5);
    assert_string_equal(b.data, "# HELP y_total Things.\n# TYPE y_total counter\n"
                                "y_total{a=\"q\\\"b\\\\s\\nn\",c=\"d\"} 7\n"
                                "y_total 0.5\n");
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histogram_buckets_are_cumulative),
        cmocka_unit_test(label_values_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
