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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_all), cmocka_unit_test(test_bound),
        cmocka_unit_test(test_no_queue), cmocka_unit_test(test_stop),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
