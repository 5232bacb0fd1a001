/*
 * store.c - what the store does the same on every driver: picking the
 * driver from the database URL, the registry of per-thread connections,
 * transactions, the migration loop and the schema version.
 *
 * Connections: a thread's first query makes its own connection
 * (drv->conn_new) and registers it in the store's list, under the store's
 * lock. A _Thread_local pointer caches it; the cache is valid only for the
 * same store pointer *and* serial, so a store freed and another allocated
 * at the same address is never confused with it. store_free() closes every
 * connection; by contract no other thread uses the store by then.
 *
 * Migrations: every file of migrations.h ending in the driver's suffix, in
 * name order, each in one transaction with its schema_migrations row. The
 * driver brackets the loop (PostgreSQL: an advisory lock, so instances
 * starting together apply each file once); store_migrate_then runs the
 * caller's first-start set-up inside the same brackets.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

#include "store/driver.h"
#include "store/migrations.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* This thread's last used connection, and the store it belongs to. */
struct tls_conn {
    const struct store *owner;
    uint64_t serial;
    struct conn *conn;
};

static _Thread_local struct tls_conn tls;

/* Hands out store serials. Lock-free; the only shared counter here. */
static atomic_uint_fast64_t next_serial = 1;

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The SQLite file a URL names, or NULL for a PostgreSQL URL. */
static const char *sqlite_path(const char *url)
{
    if (starts_with(url, "postgres://") || starts_with(url, "postgresql://"))
        return NULL;
    return starts_with(url, "sqlite:") ? url + strlen("sqlite:") : url;
}

int store_open(const char *url, struct store **out)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        log_error("store event=open_failed reason=\"empty database url\"");
        return ERR_INVALID;
    }
    const char *path = sqlite_path(url);
    /* The URL is not logged: it may carry a password. */
    return path != NULL ? sqlite_store_open(path, out) : pg_store_open(url, out);
}

int store_open_existing(const char *url, struct store **out)
{
    *out = NULL;
    const char *path = url != NULL ? sqlite_path(url) : NULL;
    struct stat st;
    if (path != NULL && path[0] != '\0' && stat(path, &st) != 0 && errno == ENOENT)
        return ERR_NOT_FOUND;
    return store_open(url, out);
}

int store_open_readonly(const char *url, struct store **out)
{
    *out = NULL;
    const char *path = url != NULL ? sqlite_path(url) : NULL;
    struct stat st;
    if (url == NULL || url[0] == '\0')
        return ERR_INVALID;
    if (path != NULL && path[0] != '\0' && stat(path, &st) != 0 && errno == ENOENT)
        return ERR_NOT_FOUND;
    if (path != NULL)
        return sqlite_store_open_readonly(path, out);
    int rc = pg_store_open(url, out);
    /* Only this thread's connection exists, and only it is used. */
    if (rc == 0)
        rc = (*out)->drv->script(*out, "open_readonly", "SET default_transaction_read_only = on");
    if (rc != 0) {
        store_free(*out);
        *out = NULL;
    }
    return rc;
}

void store_init(struct store *s, const struct store_driver *drv)
{
    s->drv = drv;
    s->serial = atomic_fetch_add(&next_serial, 1);
    s->conns = NULL;
    pthread_mutex_init(&s->lock, NULL);
    metrics_hist_init(&s->latency);
}

const struct metrics_hist *store_latency(const struct store *s)
{
    return &s->latency;
}

void store_free(struct store *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    struct conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c != NULL) {
        struct conn *next = c->next;
        s->drv->conn_free(c);
        c = next;
    }
    if (tls.owner == s)
        tls = (struct tls_conn){0};
    pthread_mutex_destroy(&s->lock);
    s->drv->free(s);
}

static struct conn *find_conn(struct store *s, pthread_t self)
{
    pthread_mutex_lock(&s->lock);
    struct conn *c = s->conns;
    while (c != NULL && !pthread_equal(c->thread, self))
        c = c->next;
    pthread_mutex_unlock(&s->lock);
    return c;
}

int store_conn_get(struct store *s, struct conn **out)
{
    if (tls.owner == s && tls.serial == s->serial) {
        *out = tls.conn;
        return 0;
    }
    /* A thread that used another store since, or a new thread. A thread id
     * reused after a thread exited inherits that thread's connection. */
    struct conn *c = find_conn(s, pthread_self());
    if (c == NULL) {
        int rc = s->drv->conn_new(s, &c);
        if (rc != 0)
            return rc;
        c->thread = pthread_self();
        pthread_mutex_lock(&s->lock);
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->lock);
    }
    tls = (struct tls_conn){.owner = s, .serial = s->serial, .conn = c};
    *out = c;
    return 0;
}

const char *store_backend(const struct store *s)
{
    return s->drv->name;
}

int store_ping(struct store *s)
{
    struct q q;
    int rc = q_start(s, ST_PING, &q);
    if (rc != 0)
        return rc;
    rc = q_row(&q);
    q_end(&q);
    return rc == ERR_NOT_FOUND ? ERR_STORE : rc;
}

int store_tx_begin(struct store *s)
{
    return s->drv->tx_begin(s);
}

/* A commit that failed leaves nothing half done: roll back what is left. */
int store_tx_commit(struct store *s)
{
    int rc = s->drv->tx_commit(s);
    if (rc != 0)
        s->drv->tx_rollback(s);
    return rc;
}

void store_tx_rollback(struct store *s)
{
    s->drv->tx_rollback(s);
}

int store_tx_end(struct store *s, int rc)
{
    if (rc != 0) {
        s->drv->tx_rollback(s);
        return rc;
    }
    return store_tx_commit(s);
}

bool store_change_stamp(struct store *s, uint64_t *out)
{
    *out = 0;
    return s->drv->change_stamp != NULL && s->drv->change_stamp(s, out);
}

/* ---- migrations ---- */

/* Applies one file and records it, in one transaction. Checks inside the
 * transaction (and, on PostgreSQL, under the lock) whether it ran already,
 * so two processes migrating the same file at once apply it once. */
static int apply_one(struct store *s, const struct migration_file *f, int version, bool *ran)
{
    struct q q;
    *ran = false;
    int rc = s->drv->tx_begin(s);
    if (rc != 0)
        return rc;
    rc = q_start(s, ST_MIGRATION_APPLIED, &q);
    if (rc != 0)
        goto out;
    q_bind_i64(&q, version);
    rc = q_row(&q);
    q_end(&q);
    if (rc != ERR_NOT_FOUND)
        goto out; /* 0: applied already; nothing to do */
    rc = s->drv->script(s, f->name, f->sql);
    if (rc != 0)
        goto out;
    rc = q_start(s, ST_MIGRATION_RECORD, &q);
    if (rc != 0)
        goto out;
    q_bind_i64(&q, version);
    q_bind_text(&q, f->name);
    q_bind_i64(&q, time_now());
    rc = q_run(&q);
    q_end(&q);
    *ran = rc == 0;
out:
    if (rc == 0)
        rc = s->drv->script(s, "migrate", "COMMIT");
    if (rc != 0) {
        store_tx_rollback(s);
        *ran = false;
    }
    return rc;
}

static int migrate_all(struct store *s, int *applied)
{
    const char *suffix = s->drv->migration_suffix;
    const char *table = stmt_sql(ST_MIGRATIONS_TABLE, s->drv->kind == DRIVER_PG);
    int rc = s->drv->script(s, "migrate", table);
    if (rc != 0)
        return rc;
    size_t pos = 0;
    int version;
    for (const struct migration_file *f = migration_next(suffix, &pos, &version); f != NULL;
         f = migration_next(suffix, &pos, &version)) {
        bool ran;
        rc = apply_one(s, f, version, &ran);
        if (rc != 0)
            return rc;
        if (ran) {
            (*applied)++;
            log_info("store=%s event=migrated version=%d file=%s", s->drv->name, version, f->name);
        }
    }
    return 0;
}

int store_migrate(struct store *s, int *applied)
{
    return store_migrate_then(s, applied, NULL, NULL);
}

/* then runs under the lock migrate_begin took, once migrate_done has put
 * back what the migrations needed relaxed (PostgreSQL: the statement
 * timeout), so it runs like any other request. */
int store_migrate_then(struct store *s, int *applied, int (*then)(void *ctx), void *ctx)
{
    int dummy;
    if (applied == NULL)
        applied = &dummy;
    *applied = 0;
    struct conn *c;
    int rc = migration_check(s->drv->migration_suffix);
    if (rc == 0)
        rc = store_conn_get(s, &c);
    if (rc == 0 && s->drv->migrate_begin != NULL)
        rc = s->drv->migrate_begin(s);
    if (rc != 0)
        return rc;
    rc = migrate_all(s, applied);
    if (rc == 0 && then != NULL && s->drv->migrate_done != NULL)
        rc = s->drv->migrate_done(s);
    if (rc == 0 && then != NULL)
        rc = then(ctx);
    if (s->drv->migrate_end != NULL)
        s->drv->migrate_end(s);
    return rc;
}

static int schema_current(struct store *s, int *current)
{
    struct q q;
    *current = 0;
    int rc = q_start(s, ST_MIGRATIONS_EXIST, &q);
    if (rc != 0)
        return rc;
    rc = q_row(&q);
    q_end(&q);
    if (rc == ERR_NOT_FOUND)
        return 0; /* never migrated */
    if (rc != 0)
        return rc;
    rc = q_start(s, ST_MIGRATION_CURRENT, &q);
    if (rc != 0)
        return rc;
    rc = q_row(&q);
    if (rc == 0)
        *current = (int)q_i64(&q);
    q_end(&q);
    return rc;
}

int store_schema_version(struct store *s, int *current, int *latest)
{
    *latest = migration_latest(s->drv->migration_suffix);
    return schema_current(s, current);
}

int store_schema_check(struct store *s)
{
    int current, latest;
    int rc = store_schema_version(s, &current, &latest);
    if (rc != 0)
        return rc;
    if (current != latest) {
        log_error("store=%s event=schema_mismatch current=%d latest=%d hint=\"run latchkey "
                  "migrate\"",
                  s->drv->name, current, latest);
        return ERR_SCHEMA;
    }
    return 0;
}
