/*
 * pg_listen.h - the change stamp of the PostgreSQL driver, private to
 * src/store/ (pg.c).
 *
 * The read caches (core/pcache, core/hostcache) keep an entry while the
 * store's change stamp is the one it was read under. On SQLite every
 * commit moves the stamp. On PostgreSQL other instances write too, so the
 * stamp moves on three things:
 *
 * - this process's own writes: pg.c bumps it after every statement that
 *   is not a plain read and after every COMMIT, once the server answered,
 *   so the next request on this instance sees the change, as on SQLite;
 * - a notification: the triggers of migration 0016 send
 *   NOTIFY latchkey_change in every transaction that changes a token (but
 *   its last_used_at), a user, a tenant, a membership, a role, a
 *   permission or a staff grant; PostgreSQL delivers it at commit to the
 *   listener, one thread with its own connection, which bumps the stamp;
 * - the clock: the stamp includes the current second
 *   (PG_LISTEN_LIFETIME_MS), so no entry outlives it even if a
 *   notification were lost.
 *
 * While the listener is not connected and listening there is no stamp
 * (pg_listen_stamp returns false): the caches read the database every
 * time. When it listens again the stamp moves, so nothing cached before
 * the gap is used after it.
 */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* No cached entry is used longer than this (ms): the bound on staleness
 * when a notification is lost. */
#define PG_LISTEN_LIFETIME_MS 1000
/* The channel migration 0016's triggers notify. */
#define PG_LISTEN_CHANNEL "latchkey_change"

struct pg_listen {
    const char *const *keys; /* libpq connection parameters, borrowed */
    const char *const *vals;
    atomic_uint_fast64_t changes; /* bumps: own writes, notifications, reconnections */
    atomic_bool listening;        /* connected, LISTEN done */
    atomic_bool started;          /* the thread was created */
    atomic_bool stop;
    pthread_t thread;
    bool joinable; /* thread runs; set by the thread that started it */
};

/* Prepares l (no thread yet) to connect with keys/vals, which must outlive it. */
void pg_listen_init(struct pg_listen *l, const char *const *keys, const char *const *vals);
/* Stops and joins the thread, if it was started. No other thread may
 * use l by then. */
void pg_listen_fini(struct pg_listen *l);
/* This process changed something: the stamp moves. */
static inline void pg_listen_bump(struct pg_listen *l)
{
    atomic_fetch_add_explicit(&l->changes, 1, memory_order_release);
}
/*
 * The stamp into *out, or false while the listener does not listen. The
 * first call starts the listener thread (so commands that never ask, the
 * CLI's, never start one).
 */
bool pg_listen_stamp(struct pg_listen *l, uint64_t *out);
