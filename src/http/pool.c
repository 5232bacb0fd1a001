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
 */
#include "http/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
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
};

#define POOL_NICE 10

static void *worker(void *p_)
{
    struct pool *p = p_;
    /* Linux: a thread id as "who" sets that thread's nice value alone. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), POOL_NICE) != 0)
        log_debug("event=pool_nice_failed");
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->n_queued == 0 && !p->stopping)
            pthread_cond_wait(&p->cv_work, &p->mu);
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
    pthread_cond_init(&p->cv_work, NULL);
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
