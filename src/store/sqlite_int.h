/*
 * sqlite_int.h - the SQLite backend's internals, shared by sqlite.c
 * (connections, statements, migrations, transactions) and sqlite_rows.c
 * (the SQL text and the row functions of store.h).
 *
 * A query runs on the calling thread's connection, through one of the
 * statements of sq_stmts[], prepared once per connection and cached:
 *
 *     struct sq_q q;
 *     int rc = sq_query(s, SQ_TENANT_BY_ID, &q);   (this thread's statement)
 *     if (rc != 0)
 *         return rc;
 *     sq_bind_i64(&q, id);                          (parameters, in order)
 *     rc = sq_row(&q);                              (0: a row; ERR_NOT_FOUND)
 *     if (rc == 0)
 *         t->id = sq_i64(&q);                       (columns, in order)
 *     sq_end(&q);                                   (always: reset + unbind)
 *
 * Borrowed strings bound with sq_bind_text must stay valid until sq_end.
 */
#pragma once
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"
#include "util/strlist.h"

struct arena;

/* The migration files this backend applies. */
#define SQ_SUFFIX ".sqlite.sql"

/* Every statement the backend runs; the SQL is sq_stmts[id] (sqlite_rows.c). */
enum sq_stmt {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_PING,
    SQ_DATA_VERSION,
    SQ_MIGRATIONS_EXIST,
    SQ_MIGRATION_CURRENT,
    SQ_MIGRATION_APPLIED,
    SQ_MIGRATION_RECORD,
    SQ_TENANT_INSERT,
    SQ_TENANT_BY_ID,
    SQ_TENANT_BY_SLUG,
    SQ_TENANT_BY_DOMAIN,
    SQ_TENANT_COUNT,
    SQ_TENANT_LIST,
    SQ_USER_INSERT,
    SQ_USER_BY_ID,
    SQ_USER_BY_EMAIL,
    SQ_USER_SET_PASSWORD,
    SQ_USER_SET_LAST_LOGIN,
    SQ_USER_SET_STATUS,
    SQ_USER_COUNT,
    SQ_ROLE_INSERT,
    SQ_ROLE_BY_ID,
    SQ_ROLE_LIST_TENANT,
    SQ_ROLE_LIST_PLATFORM,
    SQ_MEMBERSHIP_INSERT,
    SQ_MEMBERSHIP_GET,
    SQ_MEMBERSHIP_LIST_BY_USER,
    SQ_MEMBERSHIP_SET_STATUS,
    SQ_TOKEN_INSERT,
    SQ_TOKEN_BY_ID,
    SQ_TOKEN_BY_HASH,
    SQ_TOKEN_LIST_BY_USER,
    SQ_TOKEN_REVOKE,
    SQ_TOKEN_TOUCH,
    SQ_AUDIT_INSERT,
    SQ_AUDIT_LIST,
    SQ_PRINCIPAL_BY_TOKEN_ID,
    SQ_PRINCIPAL_BY_TOKEN_HASH,
    SQ_PRINCIPAL_IN_TENANT,
    SQ_TOKEN_REVOKE_USER_EXCEPT,
    SQ_SESSION_DELETE_BY_USER,
    SQ_SIGNING_KEY_INSERT,
    SQ_SIGNING_KEY_LIST,
    SQ_SIGNING_KEY_RETIRE_OTHERS,
    /* seed 001 */
    SQ_STAFF_GET,
    SQ_STAFF_SET,
    SQ_STAFF_DELETE,
    SQ_STAFF_LIST,
    SQ_STAFF_COUNT_ROLE,
    SQ_USER_SEARCH,
    SQ_USER_SEARCH_COUNT,
    SQ_USER_SET_NAMES,
    SQ_USER_DELETE,
    SQ_TENANT_SEARCH,
    SQ_TENANT_SEARCH_COUNT,
    SQ_TENANT_MEMBER_COUNT,
    SQ_TENANT_SET_STATUS,
    SQ_AUDIT_SEARCH,
    SQ_AUDIT_SEARCH_COUNT,
    SQ_RESET_INSERT,
    SQ_RESET_BY_HASH,
    SQ_RESET_USE,
    SQ_RESET_USE_EMAIL,
    SQ_MEMBER_LIST,
    SQ_MEMBER_COUNT,
    SQ_MEMBER_COUNT_ACTIVE_SLUG,
    SQ_MEMBERSHIP_SET_ROLE,
    SQ_MEMBERSHIP_DELETE,
    SQ_TENANT_LOCK,
    SQ_TOKEN_REVOKE_USER_TENANT,
    SQ_SESSION_DELETE_BY_USER_TENANT,
    SQ_INVITATION_INSERT,
    SQ_INVITATION_BY_ID,
    SQ_INVITATION_BY_HASH,
    SQ_INVITATION_LIST_OPEN,
    SQ_INVITATION_OPEN_BY_EMAIL,
    SQ_INVITATION_RENEW,
    SQ_INVITATION_CANCEL,
    SQ_INVITATION_ACCEPT,
    SQ_ORG_LIST_BY_USER,
    SQ_COUNT
};

struct sq_stmt_def {
    const char *op; /* the name logged when the statement fails */
    const char *sql;
};

extern const struct sq_stmt_def sq_stmts[SQ_COUNT];
extern const struct store_ops sq_ops;

/* One thread's connection. Only that thread touches it, so no lock. */
struct sq_conn {
    sqlite3 *db;
    pthread_t thread;
    sqlite3_stmt *stmts[SQ_COUNT]; /* NULL until first used */
    int64_t data_version;          /* PRAGMA data_version at the last look, 0 before */
    int64_t checked_ns;            /* CLOCK_MONOTONIC of that look, 0 before */
    struct sq_conn *next;          /* in the store's list, under its lock */
};

/* One statement execution; lives on the caller's stack. */
struct sq_q {
    struct sq_conn *c;
    sqlite3_stmt *st;
    enum sq_stmt id;
    int bind; /* next parameter (1-based) */
    int col;  /* next column of the current row */
    int rc;   /* first failed bind (an SQLITE_ code), 0 if none */
};

/* This thread's connection to s, opened on first use. */
int sq_conn_get(struct store *s, struct sq_conn **out) __attribute__((warn_unused_result));
/* Gets this thread's cached statement id, ready for binding. */
int sq_query(struct store *s, enum sq_stmt id, struct sq_q *q) __attribute__((warn_unused_result));
/* Runs a statement without parameters or rows (BEGIN, COMMIT, ...). */
int sq_exec(struct store *s, enum sq_stmt id) __attribute__((warn_unused_result));

void sq_bind_i64(struct sq_q *q, int64_t v);
/* 0 is bound as NULL: ids and timestamps. */
void sq_bind_opt(struct sq_q *q, int64_t v);
/* NULL is bound as NULL. s is borrowed until sq_end. */
void sq_bind_text(struct sq_q *q, const char *s);
/* Binds the list as JSON array text, e.g. ["a","b"]. */
void sq_bind_list(struct sq_q *q, const struct strlist *l);

/* Steps: 0 with a row, ERR_NOT_FOUND when done, ERR_CONFLICT on a unique
 * violation, ERR_STORE (logged) otherwise. */
int sq_row(struct sq_q *q) __attribute__((warn_unused_result));
/* Steps a statement that returns no rows: 0, ERR_CONFLICT or ERR_STORE. */
int sq_run(struct sq_q *q) __attribute__((warn_unused_result));
/* Resets and unbinds the statement for its next use. */
void sq_end(struct sq_q *q);

/* The next column of the current row. NULL reads as 0 / NULL / empty. */
int64_t sq_i64(struct sq_q *q);
/* Copied into the arena. */
const char *sq_text(struct sq_q *q, struct arena *a);
/* Not copied: valid until the next sq_row or sq_end. */
const char *sq_peek(struct sq_q *q);
/* A JSON array of strings; other items are skipped. Copied into the arena. */
void sq_list(struct sq_q *q, struct arena *a, struct strlist *out);
/* True if the next column is NULL (does not consume it). */
bool sq_null(const struct sq_q *q);
/* Skips the next n columns. */
void sq_skip(struct sq_q *q, int n);
/* Logs a column that holds a value the model does not know; ERR_STORE. */
int sq_corrupt(const struct sq_q *q, const char *column);

/* The rowid of the last insert, and the rows the last statement changed. */
int64_t sq_last_id(const struct sq_q *q);
int sq_changes(const struct sq_q *q);

/* Transactions and migrations (sqlite.c), for the ops table. */
void sq_free(struct store *s);
int sq_migrate(struct store *s, int *applied, int (*then)(void *ctx), void *ctx);
int sq_schema_current(struct store *s, int *current);
int sq_tx_begin(struct store *s);
int sq_tx_commit(struct store *s);
void sq_tx_rollback(struct store *s);
int sq_ping(struct store *s);
/* True if this thread's connection is inside a transaction. */
bool sq_in_tx(const struct sq_conn *c);
/* store_change_stamp for this backend (sqlite.c). */
bool sq_change_stamp(struct store *s, uint64_t *out);
