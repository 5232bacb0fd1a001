/*
 * headwatch.c - closes connections whose request head is late (see
 * headwatch.h for the why and the locking).
 */
#include "http/headwatch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* One open connection: MHD's socket context for it. */
struct watched {
    struct watched *prev;
    struct watched *next;
    int fd;
    atomic_llong head_since_ns; /* when the current head's clock began; 0: no head awaited */
    bool shut;                  /* the sweep shut it down (mu) */
};

struct headwatch {
    int64_t timeout_ns;
    int64_t tick_ns;
    pthread_mutex_t mu; /* guards list, stopping and every watched's links and shut */
    pthread_cond_t wake;
    struct watched *list;
    bool stopping;
    pthread_t thread;
};

/* Shuts down every connection of w whose head is late; returns how many. */
static unsigned sweep(struct headwatch *w, int64_t now)
{
    unsigned n = 0;
    for (struct watched *c = w->list; c != NULL; c = c->next) {
        int64_t since = atomic_load_explicit(&c->head_since_ns, memory_order_relaxed);
        if (c->shut || since == 0 || now - since < w->timeout_ns)
            continue;
        shutdown(c->fd, SHUT_RDWR);
        c->shut = true;
        n++;
    }
    return n;
}

static void *sweeper(void *arg)
{
    struct headwatch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        int64_t ns = until.tv_nsec + w->tick_ns;
        until.tv_sec += (time_t)(ns / 1000000000);
        until.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&w->wake, &w->mu, &until);
        if (w->stopping)
            break;
        unsigned n = sweep(w, time_mono_ns());
        if (n > 0)
            log_info("event=head_timeout closed=%u msg=\"request head not complete in time\"", n);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct headwatch *headwatch_new(unsigned timeout_ms)
{
    struct headwatch *w = xcalloc(1, sizeof(*w));
    w->timeout_ns = (int64_t)timeout_ms * 1000000;
    /* A connection is closed at most a tenth of the deadline late (at
     * least 50 ms between sweeps, at most 500 ms). */
    w->tick_ns = w->timeout_ns / 10;
    if (w->tick_ns < 50000000)
        w->tick_ns = 50000000;
    if (w->tick_ns > 500000000)
        w->tick_ns = 500000000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, sweeper, w) != 0) {
        log_warn("msg=\"cannot start the head deadline thread\"");
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void headwatch_free(struct headwatch *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    /* The daemon has stopped: every connection was reported closed. */
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void headwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct headwatch *w = cls;
    struct watched *c = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        c = xcalloc(1, sizeof(*c));
        c->fd = ci != NULL ? ci->connect_fd : -1;
        atomic_init(&c->head_since_ns, c->fd >= 0 ? time_mono_ns() : 0);
        pthread_mutex_lock(&w->mu);
        c->next = w->list;
        if (w->list != NULL)
            w->list->prev = c;
        w->list = c;
        pthread_mutex_unlock(&w->mu);
        *socket_context = c;
        return;
    }
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->list = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->mu);
    *socket_context = NULL;
    free(c);
}

/* conn's watch entry, or NULL when the daemon has no watch. */
static struct watched *watched_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

void headwatch_head_done(struct MHD_Connection *conn)
{
    struct watched *c = watched_of(conn);
    if (c != NULL)
        atomic_store_explicit(&c->head_since_ns, 0, memory_order_relaxed);
}

void headwatch_head_wait(struct MHD_Connection *conn, unsigned grace_ms)
{
    struct watched *c = watched_of(conn);
    if (c != NULL && c->fd >= 0)
        atomic_store_explicit(&c->head_since_ns, time_mono_ns() + (int64_t)grace_ms * 1000000,
                              memory_order_relaxed);
}
