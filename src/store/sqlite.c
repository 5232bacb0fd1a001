/*
 * sqlite.c - the SQLite backend: opening the file, one connection per
 * thread with its cache of prepared statements, the query helpers of
 * sqlite_int.h, migrations and transactions.
 *
 * Connections: a thread's first query opens its own connection
 * (SQLITE_OPEN_NOMUTEX: only that thread ever uses it) and registers it in
 * the store's list, under the store's lock. A _Thread_local pointer caches
 * it; the cache is valid only for the same store pointer *and* serial, so a
 * store freed and another allocated at the same address is never confused
 * with it. store_free() closes every connection; by contract no other thread
 * uses the store by then.
 *
 * Every connection runs in WAL mode with synchronous=NORMAL, foreign keys
 * on, a 5 s busy timeout, and the file memory-mapped (up to SQ_MMAP_SIZE:
 * page reads of a large database then cost no read(2) and no copy into each
 * connection's cache). Values are always bound as parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonw.h"
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

struct sqlite_store {
    struct store base;     /* first, so a struct store * converts back */
    char *path;            /* owned; constant after open */
    uint64_t serial;       /* unique in the process; constant after open */
    pthread_mutex_t lock;  /* guards conns */
    struct sq_conn *conns; /* every thread's connection, guarded by lock */
    /* Commits completed on this store's connections (the WAL hook), plus
     * one for each change another process committed that a connection
     * noticed (sq_change_stamp): the change stamp. */
    atomic_uint_fast64_t commits;
    atomic_bool no_wal; /* a connection is not in WAL mode: no stamp */
};

/* This thread's last used connection, and the store it belongs to. */
struct tls_conn {
    const struct sqlite_store *owner;
    uint64_t serial;
    struct sq_conn *conn;
};

static _Thread_local struct tls_conn tls;

/* Hands out store serials. Lock-free; the only shared counter here. */
static atomic_uint_fast64_t next_serial = 1;

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

static int conn_open(struct sqlite_store *s, struct sq_conn **out)
{
    const char *path = s->path;
    *out = NULL;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
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
    c->thread = pthread_self();
    *out = c;
    return 0;
}

static void conn_close(struct sq_conn *c)
{
    for (size_t i = 0; i < SQ_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    if (sqlite3_close(c->db) != SQLITE_OK)
        log_error("store=sqlite event=close_failed msg=\"%s\"", sqlite3_errmsg(c->db));
    free(c);
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

int sqlite_store_open(const char *path, struct store **out)
{
    *out = NULL;
    pthread_once(&sqlite_once, sqlite_configure);
    if (path[0] == '\0' || strcmp(path, ":memory:") == 0) {
        /* Each thread's connection would get its own, empty database. */
        log_error("store=sqlite event=open_failed reason=\"a file path is required\"");
        return ERR_INVALID;
    }
    int rc = make_parents(path);
    if (rc == 0)
        rc = create_file(path);
    if (rc != 0)
        return rc;
    struct sqlite_store *s = xcalloc(1, sizeof(*s));
    s->base.ops = &sq_ops;
    s->path = xstrdup(path);
    s->serial = atomic_fetch_add(&next_serial, 1);
    atomic_init(&s->commits, 0);
    atomic_init(&s->no_wal, false);
    pthread_mutex_init(&s->lock, NULL);
    /* Open the caller's connection now, so a bad path fails here. */
    struct sq_conn *c = NULL;
    rc = sq_conn_get(&s->base, &c);
    if (rc != 0) {
        sq_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

void sq_free(struct store *base)
{
    struct sqlite_store *s = sqlite_of(base);
    pthread_mutex_lock(&s->lock);
    struct sq_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c != NULL) {
        struct sq_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    if (tls.owner == s)
        tls = (struct tls_conn){0};
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

/* ---- connections and statements ---- */

static struct sq_conn *find_conn(struct sqlite_store *s, pthread_t self)
{
    pthread_mutex_lock(&s->lock);
    struct sq_conn *c = s->conns;
    while (c != NULL && !pthread_equal(c->thread, self))
        c = c->next;
    pthread_mutex_unlock(&s->lock);
    return c;
}

int sq_conn_get(struct store *base, struct sq_conn **out)
{
    struct sqlite_store *s = sqlite_of(base);
    if (tls.owner == s && tls.serial == s->serial) {
        *out = tls.conn;
        return 0;
    }
    /* A thread that used another store since, or a new thread. A thread id
     * reused after a thread exited inherits that thread's connection. */
    struct sq_conn *c = find_conn(s, pthread_self());
    if (c == NULL) {
        int rc = conn_open(s, &c);
        if (rc != 0)
            return rc;
        pthread_mutex_lock(&s->lock);
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->lock);
    }
    tls = (struct tls_conn){.owner = s, .serial = s->serial, .conn = c};
    *out = c;
    return 0;
}

int sq_query(struct store *s, enum sq_stmt id, struct sq_q *q)
{
    *q = (struct sq_q){.id = id, .bind = 1};
    int rc = sq_conn_get(s, &q->c);
    if (rc != 0)
        return rc;
    if (q->c->stmts[id] == NULL) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v3(q->c->db, sq_stmts[id].sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                                NULL);
        if (rc != SQLITE_OK) {
            log_error("store=sqlite op=%s event=prepare_failed code=%d msg=\"%s\"", sq_stmts[id].op,
                      rc, sqlite3_errmsg(q->c->db));
            sqlite3_finalize(st);
            return ERR_STORE;
        }
        q->c->stmts[id] = st;
    }
    q->st = q->c->stmts[id];
    return 0;
}

int sq_exec(struct store *s, enum sq_stmt id)
{
    struct sq_q q;
    int rc = sq_query(s, id, &q);
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
bool sq_change_stamp(struct store *base, uint64_t *out)
{
    struct sqlite_store *s = sqlite_of(base);
    struct sq_conn *c = NULL;
    if (atomic_load(&s->no_wal) || sq_conn_get(base, &c) != 0)
        return false;
    int64_t now = time_mono_ns();
    if (c->checked_ns == 0 || now - c->checked_ns >= SQ_EXTERNAL_CHECK_NS) {
        struct sq_q q;
        if (sq_query(base, SQ_DATA_VERSION, &q) != 0)
            return false;
        bool ok = sqlite3_step(q.st) == SQLITE_ROW;
        int64_t v = ok ? sqlite3_column_int64(q.st, 0) : 0;
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

void sq_end(struct sq_q *q)
{
    sqlite3_reset(q->st);
    sqlite3_clear_bindings(q->st);
}

/* ---- binding ---- */

static void bound(struct sq_q *q, int rc)
{
    if (rc != SQLITE_OK && q->rc == 0)
        q->rc = rc;
    q->bind++;
}

void sq_bind_i64(struct sq_q *q, int64_t v)
{
    bound(q, sqlite3_bind_int64(q->st, q->bind, v));
}

void sq_bind_opt(struct sq_q *q, int64_t v)
{
    if (v == 0)
        bound(q, sqlite3_bind_null(q->st, q->bind));
    else
        bound(q, sqlite3_bind_int64(q->st, q->bind, v));
}

void sq_bind_text(struct sq_q *q, const char *s)
{
    if (s == NULL)
        bound(q, sqlite3_bind_null(q->st, q->bind));
    else
        bound(q, sqlite3_bind_text(q->st, q->bind, s, -1, SQLITE_STATIC));
}

/* Returns the list as owned JSON text (free()), or NULL if an item is not
 * valid UTF-8. NULL items are skipped. */
static char *list_json(const struct strlist *l)
{
    json_t *arr = json_array();
    char *text = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i] == NULL)
            continue;
        if (json_array_append_new(arr, json_string(l->items[i])) != 0)
            goto out;
    }
    text = json_dumps(arr, JSON_COMPACT);
out:
    json_decref(arr);
    return text;
}

void sq_bind_list(struct sq_q *q, const struct strlist *l)
{
    char *text = list_json(l);
    if (text == NULL) {
        bound(q, SQLITE_MISMATCH);
        return;
    }
    bound(q, sqlite3_bind_text(q->st, q->bind, text, -1, SQLITE_TRANSIENT));
    free(text);
}

/* ---- stepping ---- */

static int map_error(const struct sq_q *q, int rc)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ERR_CONFLICT;
    /* SQLite's messages name tables, columns and constraints, never the
     * bound values. */
    log_error("store=sqlite op=%s code=%d msg=\"%s\"", sq_stmts[q->id].op, rc,
              sqlite3_errmsg(q->c->db));
    return ERR_STORE;
}

int sq_row(struct sq_q *q)
{
    if (q->rc != 0) {
        log_error("store=sqlite op=%s event=bind_failed code=%d", sq_stmts[q->id].op, q->rc);
        return ERR_STORE;
    }
    q->col = 0;
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return ERR_NOT_FOUND;
    return map_error(q, rc);
}

int sq_run(struct sq_q *q)
{
    int rc = sq_row(q);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

int64_t sq_last_id(const struct sq_q *q)
{
    return sqlite3_last_insert_rowid(q->c->db);
}

int sq_changes(const struct sq_q *q)
{
    return sqlite3_changes(q->c->db);
}

/* ---- columns ---- */

int64_t sq_i64(struct sq_q *q)
{
    return sqlite3_column_int64(q->st, q->col++);
}

const char *sq_peek(struct sq_q *q)
{
    return (const char *)sqlite3_column_text(q->st, q->col++);
}

const char *sq_text(struct sq_q *q, struct arena *a)
{
    int col = q->col++;
    const char *s = (const char *)sqlite3_column_text(q->st, col);
    if (s == NULL)
        return NULL;
    return arena_strndup(a, s, (size_t)sqlite3_column_bytes(q->st, col));
}

/* Most items a list column may have for the fast path of sq_list. */
#define FAST_LIST_MAX 64

/*
 * The common form of a list column, as sq_bind_list writes it: ["a","b"]
 * with no whitespace and no escapes. Fills out and returns true; false
 * (out untouched) for anything else, which jansson then parses. Saves a
 * jansson parse per list per request on the hot path.
 */
static bool fast_list(const char *s, size_t n, struct arena *a, struct strlist *out)
{
    const char *items[FAST_LIST_MAX];
    size_t lens[FAST_LIST_MAX];
    size_t k = 0, i = 1;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return false;
    if (n > 2) {
        for (;;) {
            if (k == FAST_LIST_MAX || i >= n || s[i] != '"')
                return false;
            size_t start = ++i;
            while (i < n && s[i] != '"') {
                if ((unsigned char)s[i] < 0x20 || s[i] == '\\')
                    return false;
                i++;
            }
            if (i >= n || !utf8_valid(s + start, i - start))
                return false;
            items[k] = s + start;
            lens[k++] = i - start;
            i++; /* closing quote */
            if (i == n - 1)
                break;
            if (s[i] != ',')
                return false;
            i++;
        }
    }
    const char **copy = arena_alloc(a, sizeof(*copy) * (k > 0 ? k : 1));
    for (size_t j = 0; j < k; j++)
        copy[j] = arena_strndup(a, items[j], lens[j]);
    out->items = copy;
    out->n = k;
    return true;
}

void sq_list(struct sq_q *q, struct arena *a, struct strlist *out)
{
    int col = q->col++;
    *out = (struct strlist){0};
    const char *s = (const char *)sqlite3_column_text(q->st, col);
    if (s == NULL)
        return;
    if (fast_list(s, (size_t)sqlite3_column_bytes(q->st, col), a, out))
        return;
    json_error_t jerr;
    json_t *arr = json_loadb(s, (size_t)sqlite3_column_bytes(q->st, col), 0, &jerr);
    if (!json_is_array(arr)) {
        /* An empty set grants nothing, so a damaged column fails closed. */
        log_warnx("store=sqlite op=%s event=bad_json_array column=%s", sq_stmts[q->id].op,
                  sqlite3_column_name(q->st, col));
        json_decref(arr);
        return;
    }
    size_t n = json_array_size(arr);
    const char **items = arena_alloc(a, sizeof(*items) * (n > 0 ? n : 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (json_is_string(v))
            items[k++] = arena_strndup(a, json_string_value(v), json_string_length(v));
    }
    json_decref(arr);
    out->items = items;
    out->n = k;
}

bool sq_null(const struct sq_q *q)
{
    return sqlite3_column_type(q->st, q->col) == SQLITE_NULL;
}

void sq_skip(struct sq_q *q, int n)
{
    q->col += n;
}

int sq_corrupt(const struct sq_q *q, const char *column)
{
    log_error("store=sqlite op=%s event=unknown_value column=%s", sq_stmts[q->id].op, column);
    return ERR_STORE;
}

/* ---- transactions ---- */

bool sq_in_tx(const struct sq_conn *c)
{
    return sqlite3_get_autocommit(c->db) == 0;
}

/* IMMEDIATE takes the write lock at once (waiting up to the busy timeout),
 * so a transaction never fails half-way on a lock upgrade. */
int sq_tx_begin(struct store *s)
{
    return sq_exec(s, SQ_BEGIN);
}

int sq_tx_commit(struct store *s)
{
    int rc = sq_exec(s, SQ_COMMIT);
    if (rc != 0)
        sq_tx_rollback(s);
    return rc;
}

void sq_tx_rollback(struct store *s)
{
    struct sq_conn *c;
    if (sq_conn_get(s, &c) != 0 || !sq_in_tx(c))
        return;
    if (sq_exec(s, SQ_ROLLBACK) != 0)
        log_error("store=sqlite event=rollback_failed");
}

int sq_ping(struct store *s)
{
    struct sq_q q;
    int rc = sq_query(s, SQ_PING, &q);
    if (rc != 0)
        return rc;
    rc = sq_row(&q);
    sq_end(&q);
    return rc == ERR_NOT_FOUND ? ERR_STORE : rc;
}

/* ---- migrations ---- */

static int exec_script(struct sq_conn *c, const char *name, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store=sqlite op=migrate file=%s msg=\"%s\"", name, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_STORE;
    }
    return 0;
}

/* Applies one file and records it, in one transaction. Checks inside the
 * transaction whether it ran already, so two processes migrating the same
 * file at once apply it once. */
static int apply_one(struct store *s, struct sq_conn *c, const struct migration_file *f,
                     int version, bool *ran)
{
    struct sq_q q;
    *ran = false;
    int rc = sq_tx_begin(s);
    if (rc != 0)
        return rc;
    rc = sq_query(s, SQ_MIGRATION_APPLIED, &q);
    if (rc != 0)
        goto out;
    sq_bind_i64(&q, version);
    rc = sq_row(&q);
    sq_end(&q);
    if (rc != ERR_NOT_FOUND)
        goto out; /* 0: applied already; nothing to do */
    rc = exec_script(c, f->name, f->sql);
    if (rc != 0)
        goto out;
    rc = sq_query(s, SQ_MIGRATION_RECORD, &q);
    if (rc != 0)
        goto out;
    sq_bind_i64(&q, version);
    sq_bind_text(&q, f->name);
    sq_bind_i64(&q, time_now());
    rc = sq_run(&q);
    sq_end(&q);
    *ran = rc == 0;
out:
    if (rc == 0)
        rc = sq_tx_commit(s);
    else
        sq_tx_rollback(s);
    if (rc != 0)
        *ran = false;
    return rc;
}

/* No lock around then: SQLite serialises each write transaction by itself. */
int sq_migrate(struct store *s, int *applied, int (*then)(void *ctx), void *ctx)
{
    *applied = 0;
    struct sq_conn *c;
    int rc = migration_check(SQ_SUFFIX);
    if (rc == 0)
        rc = sq_conn_get(s, &c);
    if (rc == 0)
        rc = exec_script(c, "schema_migrations",
                         "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                         " applied_at INTEGER NOT NULL)");
    if (rc != 0)
        return rc;
    size_t pos = 0;
    int version;
    for (const struct migration_file *f = migration_next(SQ_SUFFIX, &pos, &version); f != NULL;
         f = migration_next(SQ_SUFFIX, &pos, &version)) {
        bool ran;
        rc = apply_one(s, c, f, version, &ran);
        if (rc != 0)
            return rc;
        if (ran) {
            (*applied)++;
            log_info("store=sqlite event=migrated version=%d file=%s", version, f->name);
        }
    }
    return then != NULL ? then(ctx) : 0;
}

int sq_schema_current(struct store *s, int *current)
{
    struct sq_q q;
    *current = 0;
    int rc = sq_query(s, SQ_MIGRATIONS_EXIST, &q);
    if (rc != 0)
        return rc;
    rc = sq_row(&q);
    sq_end(&q);
    if (rc == ERR_NOT_FOUND)
        return 0; /* never migrated */
    if (rc != 0)
        return rc;
    rc = sq_query(s, SQ_MIGRATION_CURRENT, &q);
    if (rc != 0)
        return rc;
    rc = sq_row(&q);
    if (rc == 0)
        *current = (int)sq_i64(&q);
    sq_end(&q);
    return rc;
}
