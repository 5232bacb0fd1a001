/*
 * driver.h - the contract between the row layer (rows*.c, written once)
 * and the two database drivers (sqlite.c, pg.c), private to src/store/.
 *
 * One contract, two implementations, as SQLite's VFS or curl's TLS
 * backends. It has two halves:
 *
 * - struct store_driver: what a store does once per connection or
 *   transaction (open and close a connection, begin/commit/rollback,
 *   migration scripts, the change stamp), called through the store's
 *   driver pointer.
 * - The statement half, once per value: start a statement, bind its
 *   parameters, step through its rows, read their columns. The q_*
 *   functions below dispatch on q->kind with a branch to the driver's
 *   sq_* or pg_* function, a direct call: the request hot path reads ~50
 *   columns, and an indirect call per column would cost more than the
 *   branch (see docs/decisions.md for the measurements).
 *
 * A statement execution:
 *
 *     struct q q;
 *     int rc = q_start(s, ST_TENANT_BY_ID, &q);   (this thread's statement)
 *     if (rc != 0)
 *         return rc;
 *     q_bind_i64(&q, id);                          (parameters, in order)
 *     rc = q_row(&q);                              (0: a row; ERR_NOT_FOUND)
 *     if (rc == 0)
 *         t->id = q_i64(&q);                       (columns, in order)
 *     q_end(&q);                                   (always)
 *
 * Borrowed strings bound with q_bind_text must stay valid until the first
 * q_row or q_run. Errors: ERR_NOT_FOUND when there are no (more) rows,
 * ERR_CONFLICT on a unique violation, ERR_UNAVAILABLE when the database
 * cannot be reached (PostgreSQL), ERR_STORE (logged) otherwise.
 *
 * Connections: each thread gets its own on first use (store.c keeps the
 * registry: a list under the store's lock and a thread-local cache); the
 * driver opens and closes them. No lock is taken on a connection: only its
 * thread touches it.
 */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/sql.h"
#include "store/store.h"
#include "util/metrics.h"
#include "util/strlist.h"
#include "util/timeutil.h"

struct arena;
struct sqlite3_stmt;
struct pg_result;

enum driver_kind { DRIVER_SQLITE, DRIVER_PG };

/* The start of every driver's connection struct. */
struct conn {
    pthread_t thread;  /* the owner */
    struct conn *next; /* in the store's list, under its lock */
};

struct store_driver {
    const char *name;             /* "sqlite", "postgres" (logs, store_backend) */
    const char *migration_suffix; /* ".sqlite.sql", ".pg.sql" */
    enum driver_kind kind;
    /* This thread's new connection (PostgreSQL: not connected yet). */
    int (*conn_new)(struct store *s, struct conn **out);
    void (*conn_free)(struct conn *c);
    /* Frees the driver's part of the store, after every connection. */
    void (*free)(struct store *s);
    int (*tx_begin)(struct store *s);
    int (*tx_commit)(struct store *s); /* store.c rolls back when it fails */
    void (*tx_rollback)(struct store *s);
    /* True if this thread's connection is inside a transaction. */
    bool (*in_tx)(struct store *s);
    /* Runs SQL without parameters (several statements allowed) on this
     * thread's connection, with no time limit worth the name: migrations. */
    int (*script)(struct store *s, const char *op, const char *sql);
    /* Around the migration loop (PostgreSQL: an advisory lock, no statement
     * timeout); NULL where nothing is needed. end runs iff begin succeeded. */
    int (*migrate_begin)(struct store *s);
    /* After the loop, before store_migrate_then's then: puts back what
     * begin relaxed for the migrations, keeping the lock (PostgreSQL: the
     * statement timeout); NULL where nothing is needed. */
    int (*migrate_done)(struct store *s);
    void (*migrate_end)(struct store *s);
    /* store_change_stamp; NULL: the driver cannot tell. */
    bool (*change_stamp)(struct store *s, uint64_t *out);
};

/* The common part of every driver's store; each driver allocates a larger
 * struct whose first member this is. */
struct store {
    const struct store_driver *drv; /* constant after open */
    uint64_t serial;                /* unique in the process; constant after open */
    pthread_mutex_t lock;           /* guards conns */
    struct conn *conns;             /* every thread's connection, guarded by lock */
    struct metrics_hist latency;    /* statement start to end; atomics */
};

/* The most parameters a statement takes. */
#define Q_MAX_PARAMS 16

/* One statement execution; lives on the caller's stack. */
struct q {
    struct store *s;
    struct conn *c;
    enum driver_kind kind;
    enum stmt id;
    int nbind;        /* parameters bound */
    int col;          /* the next column of the current row */
    int rc;           /* first failed bind, 0 if none */
    int64_t start_ns; /* monotonic, for the latency histogram */
    union {
        struct sqlite3_stmt *st; /* SQLite: the cached statement */
        struct {
            bool ran;
            struct pg_result *res;          /* after running; owned */
            int row;                        /* the next row to read */
            int cur;                        /* the current row */
            const char *vals[Q_MAX_PARAMS]; /* NULL: SQL NULL */
            char *owned[Q_MAX_PARAMS];      /* heap text, freed by q_end */
            char num[Q_MAX_PARAMS][24];     /* text of bound integers */
        } pg;
    } u;
};

/* Opens the SQLite driver on a file path (sqlite.c). */
int sqlite_store_open(const char *path, struct store **out) __attribute__((warn_unused_result));
/* The same on an existing file, read-only, its journal mode left as it is
 * (an import's source: another program's database). */
int sqlite_store_open_readonly(const char *path, struct store **out)
    __attribute__((warn_unused_result));
/* Opens the PostgreSQL driver on a postgres:// URL and connects (pg.c). */
int pg_store_open(const char *url, struct store **out) __attribute__((warn_unused_result));

/* Registers s (a driver's store, zeroed but for drv) in the registry. */
void store_init(struct store *s, const struct store_driver *drv);
/* This thread's connection to s, made with drv->conn_new on first use. */
int store_conn_get(struct store *s, struct conn **out) __attribute__((warn_unused_result));

/* The statement half of the contract, each function once per driver. */
#define DRIVER_STATEMENTS(P)                                                                       \
    int P##_start(struct q *q) __attribute__((warn_unused_result));                                \
    void P##_bind_i64(struct q *q, int64_t v);                                                     \
    void P##_bind_null(struct q *q);                                                               \
    void P##_bind_bool(struct q *q, bool v);                                                       \
    void P##_bind_text(struct q *q, const char *s);                                                \
    void P##_bind_owned(struct q *q, char *text);                                                  \
    int P##_row(struct q *q) __attribute__((warn_unused_result));                                  \
    int P##_run(struct q *q) __attribute__((warn_unused_result));                                  \
    void P##_end(struct q *q);                                                                     \
    int64_t P##_changes(const struct q *q);                                                        \
    const char *P##_column_name(const struct q *q, int col);
DRIVER_STATEMENTS(sq)
DRIVER_STATEMENTS(pg)
/* Reading columns: PostgreSQL's in pg.c, SQLite's inline (sqlite_columns.h),
 * where a column costs a branch and one call into SQLite. */
int64_t pg_i64(struct q *q);
bool pg_bool(struct q *q);
const char *pg_peek(struct q *q, size_t *len);
const char *pg_text(struct q *q, struct arena *a);
bool pg_null(const struct q *q);
#include "store/sqlite_columns.h"

#define Q_DISPATCH(q, call) ((q)->kind == DRIVER_SQLITE ? sq_##call : pg_##call)

/* Starts statement id on this thread's connection: its cached prepared
 * statement, ready for binding. */
static inline int q_start(struct store *s, enum stmt id, struct q *q)
{
    q->s = s;
    q->kind = s->drv->kind;
    q->id = id;
    q->nbind = 0;
    q->col = 0;
    q->rc = 0;
    q->start_ns = time_mono_ns();
    return Q_DISPATCH(q, start(q));
}
static inline void q_bind_i64(struct q *q, int64_t v)
{
    Q_DISPATCH(q, bind_i64(q, v));
}
/* 0 is bound as NULL: ids and timestamps. */
static inline void q_bind_opt(struct q *q, int64_t v)
{
    if (v == 0)
        Q_DISPATCH(q, bind_null(q));
    else
        Q_DISPATCH(q, bind_i64(q, v));
}
static inline void q_bind_bool(struct q *q, bool v)
{
    Q_DISPATCH(q, bind_bool(q, v));
}
/* NULL is bound as NULL. s is borrowed until the statement runs. */
static inline void q_bind_text(struct q *q, const char *s)
{
    Q_DISPATCH(q, bind_text(q, s));
}
/* Binds owned heap text (freed by q_end at the latest); NULL binds NULL. */
static inline void q_bind_owned(struct q *q, char *text)
{
    Q_DISPATCH(q, bind_owned(q, text));
}
/* Steps: 0 with a row, ERR_NOT_FOUND when done, or an error. */
static inline int q_row(struct q *q)
{
    return Q_DISPATCH(q, row(q));
}
/* Runs a statement whose rows are not needed: 0 or an error. */
static inline int q_run(struct q *q)
{
    return Q_DISPATCH(q, run(q));
}
/* Resets the statement for its next use, frees what the execution held. */
static inline void q_end(struct q *q)
{
    Q_DISPATCH(q, end(q));
    metrics_hist_observe(&q->s->latency, time_mono_ns() - q->start_ns);
}
/* The rows the statement changed (UPDATE, INSERT, DELETE). */
static inline int64_t q_changes(const struct q *q)
{
    return Q_DISPATCH(q, changes(q));
}
/* The next column of the current row. NULL reads as 0 / false / NULL. */
static inline int64_t q_i64(struct q *q)
{
    return Q_DISPATCH(q, i64(q));
}
static inline bool q_bool(struct q *q)
{
    return Q_DISPATCH(q, bool(q));
}
/* Not copied: valid until the next q_row or q_end. *len (may be NULL)
 * receives its length. */
static inline const char *q_peek(struct q *q, size_t *len)
{
    return Q_DISPATCH(q, peek(q, len));
}
/* The next column, copied into the arena. */
static inline const char *q_text(struct q *q, struct arena *a)
{
    return Q_DISPATCH(q, text(q, a));
}
/* True if the next column is NULL (does not consume it). */
static inline bool q_null(const struct q *q)
{
    return Q_DISPATCH(q, null(q));
}
/* Skips the next n columns. */
static inline void q_skip(struct q *q, int n)
{
    q->col += n;
}

/* Binds the list as JSON array text, e.g. ["a","b"] (rows.c). */
void q_bind_list(struct q *q, const struct strlist *l);
/* A JSON array of strings; other items are skipped. Copied into the arena. */
void q_list(struct q *q, struct arena *a, struct strlist *out);
/* Logs a column that holds a value the model does not know; ERR_STORE. */
int q_corrupt(const struct q *q, const char *column);
/* Logs a failed bind; ERR_STORE. */
int q_bind_failed(const struct q *q);
