/*
 * pg_int.h - the PostgreSQL backend's internals, shared by pg.c
 * (connections, reconnection, timeouts, statements, migrations,
 * transactions) and pg_rows.c (the SQL text and the row functions of
 * store.h).
 *
 * A query runs on the calling thread's connection, through one of the
 * statements of pg_stmts[], prepared once per connection:
 *
 *     struct pg_q q;
 *     int rc = pg_query(s, PG_TENANT_BY_ID, &q);   (this thread's connection)
 *     if (rc != 0)
 *         return rc;
 *     pg_bind_i64(&q, id);                          (parameters, in order)
 *     rc = pg_row(&q);                              (runs it; 0: a row; ERR_NOT_FOUND)
 *     if (rc == 0)
 *         t->id = pg_i64(&q);                       (columns, in order)
 *     pg_end(&q);                                   (always: frees the result)
 *
 * The statement runs at the first pg_row() or pg_run(), with every
 * parameter sent as text. Borrowed strings bound with pg_bind_text must
 * stay valid until then. ERR_UNAVAILABLE means PostgreSQL could not be
 * reached, or the connection was lost, or the statement ran out of time.
 */
#pragma once
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"
#include "util/strlist.h"

struct arena;

/* The migration files this backend applies. */
#define PG_SUFFIX ".pg.sql"
/* The most parameters any statement takes. */
#define PG_MAX_PARAMS 16

/* Every prepared statement; the SQL is pg_stmts[id] (pg_rows.c). */
enum pg_stmt {
    PG_PING,
    PG_MIGRATIONS_EXIST,
    PG_MIGRATION_CURRENT,
    PG_MIGRATION_APPLIED,
    PG_MIGRATION_RECORD,
    PG_TENANT_INSERT,
    PG_TENANT_BY_ID,
    PG_TENANT_BY_SLUG,
    PG_TENANT_BY_DOMAIN,
    PG_TENANT_COUNT,
    PG_TENANT_LIST,
    PG_USER_INSERT,
    PG_USER_BY_ID,
    PG_USER_BY_EMAIL,
    PG_USER_SET_PASSWORD,
    PG_USER_SET_LAST_LOGIN,
    PG_USER_SET_STATUS,
    PG_USER_COUNT,
    PG_ROLE_INSERT,
    PG_ROLE_BY_ID,
    PG_ROLE_LIST_TENANT,
    PG_ROLE_LIST_PLATFORM,
    PG_MEMBERSHIP_INSERT,
    PG_MEMBERSHIP_GET,
    PG_MEMBERSHIP_LIST_BY_USER,
    PG_MEMBERSHIP_SET_STATUS,
    PG_TOKEN_INSERT,
    PG_TOKEN_BY_ID,
    PG_TOKEN_BY_HASH,
    PG_TOKEN_LIST_BY_USER,
    PG_TOKEN_REVOKE,
    PG_TOKEN_TOUCH_MANY,
    PG_AUDIT_INSERT,
    PG_AUDIT_LIST,
    PG_PRINCIPAL_BY_TOKEN_ID,
    PG_PRINCIPAL_BY_TOKEN_HASH,
    PG_PRINCIPAL_IN_TENANT,
    PG_TOKEN_REVOKE_USER_EXCEPT,
    PG_SESSION_DELETE_BY_USER,
    PG_SIGNING_KEY_INSERT,
    PG_SIGNING_KEY_LIST,
    PG_SIGNING_KEY_RETIRE_OTHERS,
    /* seed 001 */
    PG_STAFF_GET,
    PG_STAFF_SET,
    PG_STAFF_DELETE,
    PG_STAFF_LIST,
    PG_STAFF_COUNT_ROLE,
    PG_USER_SEARCH,
    PG_USER_SEARCH_COUNT,
    PG_USER_SET_NAMES,
    PG_USER_DELETE,
    PG_TENANT_SEARCH,
    PG_TENANT_SEARCH_COUNT,
    PG_TENANT_MEMBER_COUNT,
    PG_TENANT_SET_STATUS,
    PG_AUDIT_SEARCH,
    PG_AUDIT_SEARCH_COUNT,
    PG_RESET_INSERT,
    PG_RESET_BY_HASH,
    PG_RESET_USE,
    PG_RESET_USE_EMAIL,
    PG_MEMBER_LIST,
    PG_MEMBER_COUNT,
    PG_MEMBER_COUNT_ACTIVE_SLUG,
    PG_MEMBERSHIP_SET_ROLE,
    PG_MEMBERSHIP_DELETE,
    PG_TENANT_LOCK,
    PG_TOKEN_REVOKE_USER_TENANT,
    PG_SESSION_DELETE_BY_USER_TENANT,
    PG_INVITATION_INSERT,
    PG_INVITATION_BY_ID,
    PG_INVITATION_BY_HASH,
    PG_INVITATION_LIST_OPEN,
    PG_INVITATION_OPEN_BY_EMAIL,
    PG_INVITATION_RENEW,
    PG_INVITATION_CANCEL,
    PG_INVITATION_ACCEPT,
    PG_ORG_LIST_BY_USER,
    PG_COUNT
};

/* Statement flags. */
enum {
    /* Reads only: run once more on a fresh connection if the connection
     * was found dead (never inside a transaction). */
    PG_READ = 1,
    /* Writes: inside a transaction, runs under a savepoint so that a failed
     * statement (a unique violation) leaves the transaction usable, as in
     * SQLite. */
    PG_WRITE = 2,
};

struct pg_stmt_def {
    const char *op; /* the name logged when the statement fails */
    const char *sql;
    unsigned flags;
};

extern const struct pg_stmt_def pg_stmts[PG_COUNT];
extern const struct store_ops pg_ops;

/* One thread's connection. Only that thread touches it, so no lock. */
struct pg_conn {
    PGconn *db;              /* NULL until connected, and after it was lost */
    pthread_t thread;        /* the owner */
    bool prepared[PG_COUNT]; /* prepared on db */
    bool tx_lost;            /* lost inside a transaction: fail until rollback */
    struct pg_conn *next;    /* in the store's list, under its lock */
};

/* One statement execution; lives on the caller's stack. */
struct pg_q {
    struct store *s;
    struct pg_conn *c;
    enum pg_stmt id;
    int n;                           /* parameters bound */
    const char *vals[PG_MAX_PARAMS]; /* NULL: SQL NULL */
    char num[PG_MAX_PARAMS][24];     /* text of bound integers */
    char *owned[PG_MAX_PARAMS];      /* heap text (JSON lists), freed by pg_end */
    int rc;                          /* first failed bind, 0 if none */
    bool ran;
    PGresult *res; /* after running; owned */
    int row;       /* the next row to read */
    int cur;       /* the current row */
    int col;       /* the next column of the current row */
};

/* This thread's connection to s (not necessarily connected yet). */
int pg_conn_get(struct store *s, struct pg_conn **out) __attribute__((warn_unused_result));
/* Starts a query on this thread's connection. Does not touch the network. */
int pg_query(struct store *s, enum pg_stmt id, struct pg_q *q) __attribute__((warn_unused_result));

void pg_bind_i64(struct pg_q *q, int64_t v);
/* 0 is bound as NULL: ids and timestamps. */
void pg_bind_opt(struct pg_q *q, int64_t v);
void pg_bind_bool(struct pg_q *q, bool v);
/* NULL is bound as NULL. s is borrowed until the statement runs. */
void pg_bind_text(struct pg_q *q, const char *s);
/* Binds the list as JSON array text, e.g. ["a","b"]. */
void pg_bind_list(struct pg_q *q, const struct strlist *l);
/* Binds owned text (freed by pg_end); NULL binds NULL. */
void pg_bind_owned(struct pg_q *q, char *text);

/* Runs the statement on the first call, then steps through its rows: 0
 * with a row, ERR_NOT_FOUND when done, ERR_CONFLICT on a unique violation,
 * ERR_UNAVAILABLE when the database cannot be reached, ERR_STORE (logged)
 * otherwise. */
int pg_row(struct pg_q *q) __attribute__((warn_unused_result));
/* Runs a statement whose rows are not needed: 0 or an error as pg_row. */
int pg_run(struct pg_q *q) __attribute__((warn_unused_result));
/* Frees the result and owned parameters. */
void pg_end(struct pg_q *q);

/* The next column of the current row. NULL reads as 0 / false / NULL. */
int64_t pg_i64(struct pg_q *q);
bool pg_bool(struct pg_q *q);
/* Copied into the arena. */
const char *pg_text(struct pg_q *q, struct arena *a);
/* Not copied: valid until pg_end. */
const char *pg_peek(struct pg_q *q);
/* True if the next column of the current row is NULL (does not advance). */
bool pg_null(const struct pg_q *q);
/* Skips n columns. */
void pg_skip(struct pg_q *q, int n);
/* A JSON array of strings; other items are skipped. Copied into the arena. */
void pg_list(struct pg_q *q, struct arena *a, struct strlist *out);
/* Logs a column that holds a value the model does not know; ERR_STORE. */
int pg_corrupt(const struct pg_q *q, const char *column);
/* The rows the statement changed (UPDATE, INSERT, DELETE). */
int pg_changes(const struct pg_q *q);

/* The store functions that are not rows (pg.c), for the ops table. */
void pg_free(struct store *s);
int pg_ping(struct store *s);
int pg_migrate(struct store *s, int *applied, int (*then)(void *ctx), void *ctx);
int pg_schema_current(struct store *s, int *current);
int pg_tx_begin(struct store *s);
int pg_tx_commit(struct store *s);
void pg_tx_rollback(struct store *s);
/* True if this thread's connection is inside a transaction. */
bool pg_in_tx(const struct pg_conn *c);
