/*
 * pg_listen.c - the PostgreSQL change stamp's listener (pg_listen.h).
 *
 * One thread, one connection of its own (application_name
 * "latchkey-listen"): LISTEN latchkey_change, then wait on the socket
 * (PG_LISTEN_POLL_MS at a time, to notice pg_listen_fini) and bump the
 * stamp once per batch of notifications. A connection that fails or dies
 * stops the stamp (listening = false) until a new one listens, tried every
 * PG_LISTEN_RETRY_MS.
 */
#include "store/pg_listen.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/timeutil.h"

#define PG_LISTEN_POLL_MS  200
#define PG_LISTEN_RETRY_MS 500
#define PG_LISTEN_MAX_KEYS 66

void pg_listen_init(struct pg_listen *l, const char *const *keys, const char *const *vals)
{
    memset(l, 0, sizeof(*l));
    l->keys = keys;
    l->vals = vals;
    atomic_init(&l->changes, 1);
    atomic_init(&l->listening, false);
    atomic_init(&l->started, false);
    atomic_init(&l->stop, false);
}

/* The store's connection parameters with our own application_name, so an
 * operator (or a test) can tell this connection from the others. */
static PGconn *listen_connect(const struct pg_listen *l)
{
    const char *keys[PG_LISTEN_MAX_KEYS + 1], *vals[PG_LISTEN_MAX_KEYS + 1];
    size_t n = 0;
    for (size_t i = 0; l->keys[i] != NULL && n < PG_LISTEN_MAX_KEYS; i++) {
        if (strcmp(l->keys[i], "application_name") == 0)
            continue;
        keys[n] = l->keys[i];
        vals[n++] = l->vals[i];
    }
    keys[n] = "application_name";
    vals[n++] = "latchkey-listen";
    keys[n] = vals[n] = NULL;
    PGconn *db = PQconnectdbParams(keys, vals, 0);
    if (db == NULL || PQstatus(db) != CONNECTION_OK) {
        PQfinish(db);
        return NULL;
    }
    PGresult *r = PQexec(db, "LISTEN " PG_LISTEN_CHANNEL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        PQfinish(db);
        return NULL;
    }
    return db;
}

/* Sleeps up to ms, waking early when asked to stop. */
static void nap(struct pg_listen *l, int64_t ms)
{
    struct timespec step = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
    for (int64_t waited = 0; waited < ms && !atomic_load(&l->stop); waited += 50)
        nanosleep(&step, NULL);
}

/* Reads what arrived; false when the connection is gone. */
static bool drain(struct pg_listen *l, PGconn *db)
{
    if (PQconsumeInput(db) == 0 || PQstatus(db) != CONNECTION_OK)
        return false;
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(db)) != NULL) {
        any = true;
        PQfreemem(n);
    }
    if (any)
        pg_listen_bump(l);
    return true;
}

static void *listen_main(void *arg)
{
    struct pg_listen *l = arg;
    PGconn *db = NULL;
    bool warned = false;
    while (!atomic_load(&l->stop)) {
        if (db == NULL) {
            db = listen_connect(l);
            if (db == NULL) {
                if (!warned)
                    log_warnx("store=postgres event=listen_failed cache=off");
                warned = true;
                nap(l, PG_LISTEN_RETRY_MS);
                continue;
            }
            /* Whatever changed while nobody listened: every entry is stale. */
            pg_listen_bump(l);
            atomic_store(&l->listening, true);
            if (warned)
                log_info("store=postgres event=listening cache=on");
            warned = false;
        }
        struct pollfd p = {.fd = PQsocket(db), .events = POLLIN};
        int ready = poll(&p, 1, PG_LISTEN_POLL_MS);
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue;
        if (ready > 0 && drain(l, db))
            continue;
        /* The connection died: no stamp until a new one listens. */
        atomic_store(&l->listening, false);
        pg_listen_bump(l);
        log_warnx("store=postgres event=listen_lost cache=off");
        warned = true;
        PQfinish(db);
        db = NULL;
    }
    atomic_store(&l->listening, false);
    PQfinish(db);
    return NULL;
}

void pg_listen_fini(struct pg_listen *l)
{
    if (!l->joinable)
        return;
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    l->joinable = false;
}

bool pg_listen_stamp(struct pg_listen *l, uint64_t *out)
{
    if (!atomic_load_explicit(&l->started, memory_order_acquire) &&
        !atomic_exchange(&l->started, true)) {
        if (pthread_create(&l->thread, NULL, listen_main, l) != 0) {
            log_error("store=postgres event=listen_thread_failed cache=off");
            return false; /* started stays set: no stamp, ever (no cache) */
        }
        l->joinable = true;
    }
    if (!atomic_load_explicit(&l->listening, memory_order_acquire))
        return false;
    uint64_t changes = atomic_load_explicit(&l->changes, memory_order_acquire);
    uint64_t epoch = (uint64_t)(time_mono_ms() / PG_LISTEN_LIFETIME_MS);
    *out = changes << 24 ^ (epoch & 0xffffff);
    return true;
}
