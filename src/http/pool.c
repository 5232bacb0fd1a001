/*
 * pool.c - bounded worker pool: a ring of jobs guarded by one mutex.
 *
 * Invariant: n_pending (queued + running) <= cap, where cap = threads +
 * max_queue, so the ring of cap slots never overflows. Locking: mu guards
 * every field after it is constructed; workers sleep on cv_work.
 *
 * Workers run at nice +POOL_NICE: the jobs are password hashes that keep
 * a core busy for a tenth of a second, and the HTTP threads must win the
 * CPU whenever they have a request, so token checks never queue behind a
 * hash (bench scenario 4). Alone on the machine the hashes still get every
 * idle cycle.
 *
 * Admission: while the HTTP threads answer requests that need no job (in
 * the last POOL_BUSY_WINDOW_NS), one thread fewer than the pool has runs a
 * job, so a core stays free of hashing for them; one job always runs, and
 * a job that has waited POOL_MAX_HOLD_NS starts anyway, so logins slow
 * down but never starve (docs/decisions.md, "Scenario 4"). Idle workers
 * that are held wait on cv_work with a deadline: the end of the busy
 * window or of the head job's hold, whichever comes first.
 */
#include "http/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct job {
    pool_fn fn;
    void *arg;
    int64_t queued_ns; /* monotonic, for the wait histogram */
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* signalled when a job is queued or on stop */
    struct job *ring;       /* cap slots; guarded by mu */
    size_t cap;
    size_t head;      /* next job to run; guarded by mu */
    size_t n_queued;  /* guarded by mu */
    size_t n_running; /* guarded by mu */
    bool stopping;    /* guarded by mu */
    pthread_t *threads;
    unsigned n_threads; /* threads actually started; 0 once joined */
    unsigned max_queue;
    struct metrics_hist wait; /* queued to started; atomics */
    /* When a request was last answered without a job (pool_note_busy). */
    _Atomic int64_t busy_ns;
};

#define POOL_NICE 10
/* How long after the last request answered without a job the pool still
 * counts the HTTP threads as busy. */
#define POOL_BUSY_WINDOW_NS (50 * 1000000LL)
/* A job that waited this long starts whatever the HTTP threads do. */
#define POOL_MAX_HOLD_NS (1000 * 1000000LL)

bool pool_admit(unsigned running, unsigned threads, bool busy, int64_t waited_ns)
{
    if (running == 0 || !busy)
        return true;
    if (running + 1 < threads)
        return true;
    return waited_ns >= POOL_MAX_HOLD_NS;
}

void pool_note_busy(struct pool *p, int64_t now_ns)
{
    /* Stored at most once a millisecond: the line is read-mostly. */
    if (now_ns - atomic_load_explicit(&p->busy_ns, memory_order_relaxed) > 1000000)
        atomic_store_explicit(&p->busy_ns, now_ns, memory_order_relaxed);
}

/*
 * Whether a worker may start the head job now (mu held). If not, *until
 * gets the time at which the answer may change (the busy window ends or
 * the head job has waited POOL_MAX_HOLD_NS); 0 while there is no job.
 */
static bool may_start(struct pool *p, int64_t *until)
{
    *until = 0;
    if (p->n_queued == 0)
        return p->stopping;
    if (p->stopping)
        return true; /* pool_stop() drains the queue as fast as it can */
    int64_t now = time_mono_ns();
    int64_t busy_end =
        atomic_load_explicit(&p->busy_ns, memory_order_relaxed) + POOL_BUSY_WINDOW_NS;
    int64_t queued = p->ring[p->head].queued_ns;
    if (pool_admit((unsigned)p->n_running, p->n_threads, now < busy_end, now - queued))
        return true;
    int64_t hold_end = queued + POOL_MAX_HOLD_NS;
    *until = busy_end < hold_end ? busy_end : hold_end;
    return false;
}

static void wait_until(struct pool *p, int64_t until)
{
    if (until == 0) {
        pthread_cond_wait(&p->cv_work, &p->mu);
        return;
    }
    struct timespec ts = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
    pthread_cond_timedwait(&p->cv_work, &p->mu, &ts);
}

static void *worker(void *p_)
{
    struct pool *p = p_;
    /* Linux: a thread id as "who" sets that thread's nice value alone. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), POOL_NICE) != 0)
        log_debug("event=pool_nice_failed");
    pthread_mutex_lock(&p->mu);
    for (;;) {
        int64_t until;
        while (!may_start(p, &until))
            wait_until(p, until);
        /* Stopping still drains the queue: pool_free() promises it. */
        if (p->n_queued == 0)
            break;
        struct job j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->n_queued--;
        p->n_running++;
        pthread_mutex_unlock(&p->mu);
        metrics_hist_observe(&p->wait, time_mono_ns() - j.queued_ns);
        j.fn(j.arg);
        pthread_mutex_lock(&p->mu);
        p->n_running--;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct pool *pool_new(unsigned threads, unsigned max_queue)
{
    if (threads == 0)
        return NULL;
    struct pool *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* as time_mono_ns() */
    pthread_cond_init(&p->cv_work, &ca);
    pthread_condattr_destroy(&ca);
    p->cap = (size_t)threads + max_queue;
    p->max_queue = max_queue;
    metrics_hist_init(&p->wait);
    p->ring = xcalloc(p->cap, sizeof(*p->ring));
    p->threads = xcalloc(threads, sizeof(*p->threads));
    for (unsigned i = 0; i < threads; i++) {
        int rc = pthread_create(&p->threads[i], NULL, worker, p);
        if (rc != 0) {
            log_warnx("msg=\"pool thread start failed\" rc=%d", rc);
            pool_free(p);
            return NULL;
        }
        p->n_threads++;
    }
    return p;
}

int pool_submit(struct pool *p, pool_fn fn, void *arg)
{
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        rc = ERR_UNAVAILABLE;
        goto out;
    }
    if (p->n_queued + p->n_running >= p->cap) {
        rc = ERR_BUSY;
        goto out;
    }
    p->ring[(p->head + p->n_queued) % p->cap] = (struct job){fn, arg, time_mono_ns()};
    p->n_queued++;
    pthread_cond_signal(&p->cv_work);
out:
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void pool_stats(struct pool *p, struct pool_stats *out)
{
    pthread_mutex_lock(&p->mu);
    out->queued = p->n_queued;
    out->running = p->n_running;
    pthread_mutex_unlock(&p->mu);
    out->threads = p->n_threads;
    out->max_queue = p->max_queue;
    out->wait = &p->wait;
}

void pool_stop(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
}

void pool_free(struct pool *p)
{
    if (p == NULL)
        return;
    pool_stop(p);
    pthread_cond_destroy(&p->cv_work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p->ring);
    free(p);
}
