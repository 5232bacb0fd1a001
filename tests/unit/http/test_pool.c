/*
 * test_pool.c - the bounded worker pool: every job runs, the bound is
 * threads + max_queue pending jobs, pool_free drains the queue.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "http/pool.h"
#include "util/err.h"

static atomic_int counter;

static void count_job(void *arg)
{
    (void)arg;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000};
    nanosleep(&ts, NULL);
    atomic_fetch_add(&counter, 1);
}

static void test_runs_all(void **state)
{
    (void)state;
    atomic_store(&counter, 0);
    struct pool *p = pool_new(4, 1000);
    assert_non_null(p);
    for (int i = 0; i < 500; i++)
        assert_int_equal(pool_submit(p, count_job, NULL), 0);
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 500);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool released;

static void block_job(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!released)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    atomic_fetch_add(&counter, 1);
}

static void release(void)
{
    pthread_mutex_lock(&mu);
    released = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* 2 threads + 3 queued: the sixth pending job is refused, whatever the timing. */
static void test_bound(void **state)
{
    (void)state;
    atomic_store(&counter, 0);
    released = false;
    struct pool *p = pool_new(2, 3);
    for (int i = 0; i < 5; i++)
        assert_int_equal(pool_submit(p, block_job, NULL), 0);
    assert_int_equal(pool_submit(p, block_job, NULL), ERR_BUSY);
    assert_int_equal(pool_submit(p, block_job, NULL), ERR_BUSY);
    release();
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 5);
}

/* A queue of 0: only as many jobs as threads. */
static void test_no_queue(void **state)
{
    (void)state;
    atomic_store(&counter, 0);
    released = false;
    struct pool *p = pool_new(1, 0);
    assert_int_equal(pool_submit(p, block_job, NULL), 0);
    assert_int_equal(pool_submit(p, block_job, NULL), ERR_BUSY);
    release();
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 1);
}

/* pool_stop drains the queue, then refuses; pool_free after it is fine. */
static void test_stop(void **state)
{
    (void)state;
    atomic_store(&counter, 0);
    struct pool *p = pool_new(1, 100);
    for (int i = 0; i < 50; i++)
        assert_int_equal(pool_submit(p, count_job, NULL), 0);
    pool_stop(p);
    assert_int_equal(atomic_load(&counter), 50);
    assert_int_equal(pool_submit(p, count_job, NULL), ERR_UNAVAILABLE);
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 50);
}

static void test_edges(void **state)
{
    (void)state;
    assert_null(pool_new(0, 4));
    pool_free(NULL);
    struct pool *p = pool_new(3, 0);
    pool_free(p); /* idle threads exit */
}

/* The rule: one job always runs; while the HTTP threads are busy, one
 * thread stays free for them unless the job has waited a second. */
static void test_admit_rule(void **state)
{
    (void)state;
    const int64_t ms = 1000000;
    assert_true(pool_admit(0, 2, true, 0)); /* at least one, always */
    assert_true(pool_admit(0, 1, true, 0));
    assert_true(pool_admit(1, 2, false, 0)); /* idle HTTP threads: all */
    assert_false(pool_admit(1, 2, true, 0)); /* busy: cores - 1 */
    assert_false(pool_admit(1, 2, true, 999 * ms));
    assert_true(pool_admit(1, 2, true, 1000 * ms)); /* waited long enough */
    assert_true(pool_admit(2, 4, true, 0));
    assert_false(pool_admit(3, 4, true, 0));
}

static size_t running_after(struct pool *p, int ms)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000};
    nanosleep(&ts, NULL);
    struct pool_stats st;
    pool_stats(p, &st);
    return st.running;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The rule in the pool: while requests keep being answered, the second
 * job waits; it starts once the requests stop, or after its wait bound
 * while they go on. */
static void test_admission(void **state)
{
    (void)state;
    atomic_store(&counter, 0);
    released = false;
    struct pool *p = pool_new(2, 4);
    pool_note_busy(p, mono_ns());
    assert_int_equal(pool_submit(p, block_job, NULL), 0);
    assert_int_equal(pool_submit(p, block_job, NULL), 0);
    assert_int_equal(running_after(p, 20), 1);
    /* No request for longer than the busy window: the second starts. */
    assert_int_equal(running_after(p, 100), 2);
    release();
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 2);

    /* Constant requests: the second job starts after about a second. */
    released = false;
    p = pool_new(2, 4);
    pool_note_busy(p, mono_ns());
    assert_int_equal(pool_submit(p, block_job, NULL), 0);
    assert_int_equal(pool_submit(p, block_job, NULL), 0);
    int64_t start = mono_ns();
    size_t running = 1;
    while (running < 2 && mono_ns() - start < 5000000000LL) {
        pool_note_busy(p, mono_ns());
        running = running_after(p, 5);
    }
    int64_t waited_ms = (mono_ns() - start) / 1000000;
    assert_int_equal(running, 2);
    assert_true(waited_ms >= 900);
    release();
    pool_free(p);
    assert_int_equal(atomic_load(&counter), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_all),  cmocka_unit_test(test_bound),
        cmocka_unit_test(test_no_queue),  cmocka_unit_test(test_stop),
        cmocka_unit_test(test_edges),     cmocka_unit_test(test_admit_rule),
        cmocka_unit_test(test_admission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
