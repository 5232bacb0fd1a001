/*
 * sqlite.c - the SQLite driver of driver.h: opening the file, one
 * connection per thread (SQLITE_OPEN_NOMUTEX: only that thread ever uses
 * it; store.c keeps the registry) with its cache of prepared statements,
 * binding, stepping, columns, transactions and the change stamp.
 *
 * Every connection runs in WAL mode with synchronous=NORMAL, foreign keys
 * on, a 5 s busy timeout, and the file memory-mapped (up to SQ_MMAP_SIZE:
 * page reads of a large database then cost no read(2) and no copy into each
 * connection's cache). Values are always bound as parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/driver.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define SQ_BUSY_TIMEOUT 5000        /* milliseconds */
#define SQ_MMAP_SIZE    "268435456" /* bytes (256 MiB) of the file mapped per connection */
/* WAL frames after which a commit checkpoints (SQLite's default; our WAL
 * hook replaces the one that did it). */
#define SQ_WAL_CHECKPOINT_PAGES 1000
/* How long a connection trusts its last look for other processes' commits
 * (PRAGMA data_version costs a read transaction and its fcntl locks). */
#define SQ_EXTERNAL_CHECK_NS 1000000LL /* 1 ms */

/* One thread's connection. Only that thread touches it, so no lock. */
struct sq_conn {
    struct conn base; /* first, so a struct conn * converts back */
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT]; /* NULL until first used */
    int64_t data_version;          /* PRAGMA data_version at the last look, 0 before */
    int64_t checked_ns;            /* CLOCK_MONOTONIC of that look, 0 before */
};

struct sqlite_store {
    struct store base; /* first, so a struct store * converts back */
    char *path;        /* owned; constant after open */
    /* Commits completed on this store's connections (the WAL hook), plus
     * one for each change another process committed that a connection
     * noticed (sq_change_stamp): the change stamp. */
    atomic_uint_fast64_t commits;
    atomic_bool no_wal; /* a connection is not in WAL mode: no stamp */
    bool readonly;      /* opened by sqlite_store_open_readonly; constant after open */
};

static struct sqlite_store *sqlite_of(struct store *s)
{
    return (struct sqlite_store *)(void *)s;
}

/* ---- opening ---- */

/* mkdir -p of the directories above path; new ones are private (0700). */
static int make_parents(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *slash = strchr(p + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            log_warn("store=sqlite event=mkdir_failed dir=%s", p);
            rc = ERR_IO;
            break;
        }
        *slash = '/';
    }
    free(p);
    return rc;
}

/* Creates the file readable by its owner only (it holds password hashes
 * and signing keys); SQLite gives the -wal and -shm files the same mode. */
static int create_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_warn("store=sqlite event=open_failed path=%s", path);
        return ERR_IO;
    }
    close(fd);
    return 0;
}

/* Puts db in WAL mode; *wal tells whether it is. */
static int set_wal(sqlite3 *db, const char *path, bool *wal)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        log_error("store=sqlite event=pragma_failed pragma=journal_mode code=%d msg=\"%s\"", rc,
                  sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return ERR_STORE;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    *wal = mode != NULL && strcmp(mode, "wal") == 0;
    if (!*wal)
        log_warnx("store=sqlite event=no_wal path=%s mode=%s", path, mode ? mode : "?");
    sqlite3_finalize(st);
    return 0;
}

/*
 * The WAL hook: SQLite calls it after each commit on the connection, once
 * the commit is complete and its write lock released, which is what makes
 * the change stamp safe (a reader that saw the old count may cache the old
 * rows; the count moves only after the new rows are visible). It also
 * checkpoints like SQLite's default hook, which it replaces.
 */
static int wal_committed(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sqlite_store *s = arg;
    atomic_fetch_add(&s->commits, 1);
    if (pages >= SQ_WAL_CHECKPOINT_PAGES)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

static int conn_setup(struct sqlite_store *s, sqlite3 *db)
{
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT);
    /* Another program's database (an import's source) keeps its journal
     * mode: the mode is persistent, and it is not ours to change. */
    if (s->readonly) {
        atomic_store(&s->no_wal, true);
        return 0;
    }
    bool wal = false;
    int rc = set_wal(db, s->path, &wal);
    if (rc != 0)
        return rc;
    if (wal)
        sqlite3_wal_hook(db, wal_committed, s);
    else
        atomic_store(&s->no_wal, true);
    char *msg = NULL;
    if (sqlite3_exec(db,
                     "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                     " PRAGMA mmap_size = " SQ_MMAP_SIZE ";",
                     NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store=sqlite event=pragma_failed msg=\"%s\"", msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_STORE;
    }
    return 0;
}

static int conn_new(struct store *base, struct conn **out)
{
    struct sqlite_store *s = sqlite_of(base);
    const char *path = s->path;
    *out = NULL;
    sqlite3 *db = NULL;
    int flags = s->readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        log_error("store=sqlite event=open_failed path=%s msg=\"%s\"", path,
                  db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return ERR_STORE;
    }
    rc = conn_setup(s, db);
    if (rc != 0) {
        sqlite3_close(db);
        return rc;
    }
    struct sq_conn *c = xcalloc(1, sizeof(*c));
    c->db = db;
    *out = &c->base;
    return 0;
}

static void conn_free(struct conn *base)
{
    struct sq_conn *c = (struct sq_conn *)(void *)base;
    for (size_t i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    if (sqlite3_close(c->db) != SQLITE_OK)
        log_error("store=sqlite event=close_failed msg=\"%s\"", sqlite3_errmsg(c->db));
    free(c);
}

static void sqlite_free(struct store *base)
{
    struct sqlite_store *s = sqlite_of(base);
    free(s->path);
    free(s);
}

/* This thread's connection. */
static int conn_get(struct store *s, struct sq_conn **out)
{
    struct conn *c;
    int rc = store_conn_get(s, &c);
    *out = rc == 0 ? (struct sq_conn *)(void *)c : NULL;
    return rc;
}

/* Process-wide SQLite settings, before its first use. Memory statistics
 * off: with them on, every sqlite3_malloc takes a global mutex, which the
 * worker threads then contend on. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        log_debug("store=sqlite event=config_skipped reason=\"already initialised\"");
}

static const struct store_driver sqlite_driver;

/* Opens path; readonly: an existing file, never written (no WAL switch). */
static int open_store(const char *path, bool readonly, struct store **out)
{
    *out = NULL;
    pthread_once(&sqlite_once, sqlite_configure);
    if (path[0] == '\0' || strcmp(path, ":memory:") == 0) {
        /* Each thread's connection would get its own, empty database. */
        log_error("store=sqlite event=open_failed reason=\"a file path is required\"");
        return ERR_INVALID;
    }
    int rc = readonly ? 0 : make_parents(path);
    if (rc == 0 && !readonly)
        rc = create_file(path);
    if (rc != 0)
        return rc;
    struct sqlite_store *s = xcalloc(1, sizeof(*s));
    store_init(&s->base, &sqlite_driver);
    s->path = xstrdup(path);
    s->readonly = readonly;
    atomic_init(&s->commits, 0);
    atomic_init(&s->no_wal, false);
    /* Open the caller's connection now, so a bad path fails here. */
    struct sq_conn *c = NULL;
    rc = conn_get(&s->base, &c);
    if (rc != 0) {
        store_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

int sqlite_store_open(const char *path, struct store **out)
{
    return open_store(path, false, out);
}

int sqlite_store_open_readonly(const char *path, struct store **out)
{
    return open_store(path, true, out);
}

/* ---- statements ---- */

int sq_start(struct q *q)
{
    enum stmt id = q->id;
    struct sq_conn *c;
    int rc = conn_get(q->s, &c);
    if (rc != 0)
        return rc;
    q->c = &c->base;
    if (c->stmts[id] == NULL) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v3(c->db, stmts[id].sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
            log_error("store=sqlite op=%s event=prepare_failed code=%d msg=\"%s\"", stmts[id].op,
                      rc, sqlite3_errmsg(c->db));
            sqlite3_finalize(st);
            return ERR_STORE;
        }
        c->stmts[id] = st;
    }
    q->u.st = c->stmts[id];
    return 0;
}

static sqlite3 *db_of(const struct q *q)
{
    return ((const struct sq_conn *)(const void *)q->c)->db;
}

/* Runs a statement without parameters or rows (BEGIN, COMMIT, ...). */
static int exec_stmt(struct store *s, enum stmt id)
{
    struct q q;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    rc = sq_run(&q);
    sq_end(&q);
    return rc;
}

/*
 * This process's commits are counted by the WAL hook, exactly. Another
 * process's (the CLI, a second server on the file) show as a new PRAGMA
 * data_version on this connection, looked at no more than once per
 * SQ_EXTERNAL_CHECK_NS: such a change is seen within that time.
 */
static bool change_stamp(struct store *base, uint64_t *out)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sq_conn *c = NULL;
    if (atomic_load(&s->no_wal) || conn_get(base, &c) != 0)
        return false;
    int64_t now = time_mono_ns();
    if (c->checked_ns == 0 || now - c->checked_ns >= SQ_EXTERNAL_CHECK_NS) {
        struct q q;
        if (q_start(base, ST_DATA_VERSION, &q) != 0)
            return false;
        bool ok = sq_row(&q) == 0;
        int64_t v = ok ? sq_i64(&q) : 0;
        sq_end(&q);
        if (!ok)
            return false;
        if (v != c->data_version) {
            c->data_version = v;
            atomic_fetch_add(&s->commits, 1);
        }
        c->checked_ns = now;
    }
    *out = atomic_load(&s->commits);
    return true;
}

void sq_end(struct q *q)
{
    sqlite3_reset(q->u.st);
    sqlite3_clear_bindings(q->u.st);
}

/* ---- binding ---- */

static void bound(struct q *q, int rc)
{
    if (rc != SQLITE_OK && q->rc == 0)
        q->rc = rc;
    q->nbind++;
}

void sq_bind_i64(struct q *q, int64_t v)
{
    bound(q, sqlite3_bind_int64(q->u.st, q->nbind + 1, v));
}

void sq_bind_null(struct q *q)
{
    bound(q, sqlite3_bind_null(q->u.st, q->nbind + 1));
}

void sq_bind_bool(struct q *q, bool v)
{
    sq_bind_i64(q, v ? 1 : 0);
}

void sq_bind_text(struct q *q, const char *s)
{
    if (s == NULL)
        sq_bind_null(q);
    else
        bound(q, sqlite3_bind_text(q->u.st, q->nbind + 1, s, -1, SQLITE_STATIC));
}

void sq_bind_owned(struct q *q, char *text)
{
    if (text == NULL) {
        sq_bind_null(q);
        return;
    }
    /* SQLite takes its own copy; ours goes at once. */
    bound(q, sqlite3_bind_text(q->u.st, q->nbind + 1, text, -1, SQLITE_TRANSIENT));
    free(text);
}

/* ---- stepping ---- */

static int map_error(const struct q *q, int rc)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ERR_CONFLICT;
    /* SQLite's messages name tables, columns and constraints, never the
     * bound values. */
    log_error("store=sqlite op=%s code=%d msg=\"%s\"", stmts[q->id].op, rc,
              sqlite3_errmsg(db_of(q)));
    return ERR_STORE;
}

int sq_row(struct q *q)
{
    if (q->rc != 0)
        return q_bind_failed(q);
    q->col = 0;
    int rc = sqlite3_step(q->u.st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return ERR_NOT_FOUND;
    return map_error(q, rc);
}

int sq_run(struct q *q)
{
    int rc = sq_row(q);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

int64_t sq_changes(const struct q *q)
{
    return sqlite3_changes(db_of(q));
}

/* ---- columns ---- */

const char *sq_column_name(const struct q *q, int col)
{
    return sqlite3_column_name(q->u.st, col);
}

/* ---- transactions ---- */

static bool in_tx(struct store *s)
{
    struct sq_conn *c;
    return conn_get(s, &c) == 0 && sqlite3_get_autocommit(c->db) == 0;
}

/* IMMEDIATE takes the write lock at once (waiting up to the busy timeout),
 * so a transaction never fails half-way on a lock upgrade. */
static int tx_begin(struct store *s)
{
    return exec_stmt(s, ST_BEGIN);
}

static void tx_rollback(struct store *s)
{
    if (in_tx(s) && exec_stmt(s, ST_ROLLBACK) != 0)
        log_error("store=sqlite event=rollback_failed");
}

static int tx_commit(struct store *s)
{
    return exec_stmt(s, ST_COMMIT);
}

static int script(struct store *s, const char *op, const char *sql)
{
    struct sq_conn *c;
    int rc = conn_get(s, &c);
    if (rc != 0)
        return rc;
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store=sqlite op=migrate file=%s msg=\"%s\"", op, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_STORE;
    }
    return 0;
}

static const struct store_driver sqlite_driver = {
    .name = "sqlite",
    .migration_suffix = ".sqlite.sql",
    .kind = DRIVER_SQLITE,
    .conn_new = conn_new,
    .conn_free = conn_free,
    .free = sqlite_free,
    .tx_begin = tx_begin,
    .tx_commit = tx_commit,
    .tx_rollback = tx_rollback,
    .in_tx = in_tx,
    .script = script,
    .change_stamp = change_stamp,
};

const char *store_sqlite_path(const struct store *s)
{
    return s->drv->kind == DRIVER_SQLITE ? ((const struct sqlite_store *)(const void *)s)->path
                                         : NULL;
}
