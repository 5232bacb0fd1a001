/*
 * pg.c - the PostgreSQL backend (libpq): opening, one connection per
 * thread with its prepared statements, reconnection, timeouts, the query
 * helpers of pg_int.h, migrations and transactions.
 *
 * Connections: a thread's first query opens its own connection (libpq is
 * thread-safe as long as a PGconn stays on one thread) and registers it in
 * the store's list, under the store's lock. A _Thread_local pointer caches
 * it, valid only for the same store pointer *and* serial, as in sqlite.c.
 * store_free() closes every connection; by contract no other thread uses
 * the store by then.
 *
 * Nothing hangs: connecting gives up after connect_timeout (5 s unless the
 * URL says otherwise), every session runs with statement_timeout = 5 s, and
 * the client waits for an answer at most PG_WAIT_MS before it drops the
 * connection. A connection found dead (the server restarted, the socket was
 * closed) is dropped and reopened by the next call; a read is retried once
 * at once. While PostgreSQL cannot be reached every call fails fast with
 * ERR_UNAVAILABLE; a new connection is attempted at most every
 * PG_RETRY_MS, so an outage costs no connect storm, and the store recovers
 * by itself when the server is back. The first failure and the recovery
 * are logged once per outage (the store's "down" flag).
 *
 * Migrations run under a session advisory lock (PG_MIGRATE_LOCK), so
 * instances starting together apply each file once; each file runs in one
 * transaction with its schema_migrations row.
 *
 * Values are always sent as parameters. The URL is never logged (it may
 * carry a password); libpq's error messages do not contain it.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define PG_STATEMENT_TIMEOUT_MS 5000   /* server side, every statement */
#define PG_WAIT_MS              8000   /* client side: then the connection is dropped */
#define PG_MIGRATE_WAIT_MS      600000 /* migrations: no statement timeout, 10 min */
#define PG_RETRY_MS             500    /* between attempts to connect while down */
#define PG_MAX_KEYWORDS         64
/* pg_advisory_lock key of migrations: "latchkey" in ASCII, as a bigint. */
#define PG_MIGRATE_LOCK "7809632295611524473"
#define PG_XSTR(x)      #x
#define PG_STR(x)       PG_XSTR(x)

struct pg_store {
    struct store base; /* first, so a struct store * converts back */
    /* Connection parameters (the URL's, plus our defaults); owned, NULL
     * terminated, constant after open. */
    char *keys[PG_MAX_KEYWORDS + 1];
    char *vals[PG_MAX_KEYWORDS + 1];
    uint64_t serial;                 /* unique in the process; constant after open */
    atomic_bool down;                /* the last connection attempt failed */
    atomic_bool probing;             /* a thread is trying to connect while down */
    atomic_int_fast64_t retry_at_ms; /* no new connection before (monotonic ms) */
    pthread_mutex_t lock;            /* guards conns */
    struct pg_conn *conns;           /* every thread's connection, guarded by lock */
};

/* This thread's last used connection, and the store it belongs to. */
struct tls_conn {
    const struct pg_store *owner;
    uint64_t serial;
    struct pg_conn *conn;
};

static _Thread_local struct tls_conn tls;

/* Hands out store serials. Lock-free; the only shared counter here. */
static atomic_uint_fast64_t next_serial = 1;

static struct pg_store *pg_of(struct store *s)
{
    return (struct pg_store *)(void *)s;
}

/* Copies a libpq message into buf on one line, without double quotes, so it
 * fits a key="value" log field. */
static const char *one_line(const char *msg, char *buf, size_t size)
{
    size_t i = 0;
    for (; msg != NULL && msg[i] != '\0' && i + 1 < size; i++)
        buf[i] = (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t') ? ' '
                 : msg[i] == '"'                                      ? '\''
                                                                      : msg[i];
    while (i > 0 && buf[i - 1] == ' ')
        i--;
    buf[i] = '\0';
    return buf;
}

/* ---- opening ---- */

static bool has_key(const struct pg_store *s, const char *key)
{
    for (size_t i = 0; s->keys[i] != NULL; i++) {
        if (strcmp(s->keys[i], key) == 0)
            return true;
    }
    return false;
}

static void add_param(struct pg_store *s, const char *key, const char *val)
{
    size_t i = 0;
    while (s->keys[i] != NULL)
        i++;
    if (i == PG_MAX_KEYWORDS)
        return;
    s->keys[i] = xstrdup(key);
    s->vals[i] = xstrdup(val);
}

/* The URL's parameters, then our defaults for the ones it leaves out. The
 * client encoding is always UTF-8: every string of the model is. */
static int parse_url(struct pg_store *s, const char *url)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    if (opts == NULL) {
        char line[256];
        /* libpq's message names the part it rejected, never the password. */
        log_error("store=postgres event=open_failed reason=\"bad database url: %s\"",
                  err != NULL ? one_line(err, line, sizeof(line)) : "out of memory");
        PQfreemem(err);
        return ERR_INVALID;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val != NULL && strcmp(o->keyword, "client_encoding") != 0)
            add_param(s, o->keyword, o->val);
    }
    PQconninfoFree(opts);
    static const char *const defaults[][2] = {
        {"connect_timeout", "5"},  {"application_name", "latchkey"}, {"keepalives", "1"},
        {"keepalives_idle", "10"}, {"keepalives_interval", "5"},     {"keepalives_count", "3"},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        if (!has_key(s, defaults[i][0]))
            add_param(s, defaults[i][0], defaults[i][1]);
    }
    add_param(s, "client_encoding", "UTF8");
    return 0;
}

static void conn_drop(struct pg_conn *c)
{
    PQfinish(c->db);
    c->db = NULL;
    memset(c->prepared, 0, sizeof(c->prepared));
}

static void conn_close(struct pg_conn *c)
{
    conn_drop(c);
    free(c);
}

int pg_store_open(const char *url, struct store **out)
{
    *out = NULL;
    struct pg_store *s = xcalloc(1, sizeof(*s));
    s->base.ops = &pg_ops;
    s->serial = atomic_fetch_add(&next_serial, 1);
    atomic_init(&s->down, false);
    atomic_init(&s->probing, false);
    atomic_init(&s->retry_at_ms, 0);
    pthread_mutex_init(&s->lock, NULL);
    int rc = parse_url(s, url);
    /* Connect the caller's thread now, so a wrong URL fails here. */
    if (rc == 0)
        rc = pg_ping(&s->base);
    if (rc != 0) {
        pg_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

void pg_free(struct store *base)
{
    struct pg_store *s = pg_of(base);
    pthread_mutex_lock(&s->lock);
    struct pg_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->lock);
    while (c != NULL) {
        struct pg_conn *next = c->next;
        conn_close(c);
        c = next;
    }
    if (tls.owner == s)
        tls = (struct tls_conn){0};
    for (size_t i = 0; s->keys[i] != NULL; i++) {
        free(s->keys[i]);
        if (s->vals[i] != NULL)
            secure_wipe(s->vals[i], strlen(s->vals[i])); /* one may be a password */
        free(s->vals[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* ---- connections ---- */

static struct pg_conn *find_conn(struct pg_store *s, pthread_t self)
{
    pthread_mutex_lock(&s->lock);
    struct pg_conn *c = s->conns;
    while (c != NULL && !pthread_equal(c->thread, self))
        c = c->next;
    pthread_mutex_unlock(&s->lock);
    return c;
}

int pg_conn_get(struct store *base, struct pg_conn **out)
{
    struct pg_store *s = pg_of(base);
    if (tls.owner == s && tls.serial == s->serial) {
        *out = tls.conn;
        return 0;
    }
    /* A thread that used another store since, or a new thread. A thread id
     * reused after a thread exited inherits that thread's connection. */
    struct pg_conn *c = find_conn(s, pthread_self());
    if (c == NULL) {
        c = xcalloc(1, sizeof(*c));
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

/* Server notices (e.g. "terminating connection due to administrator
 * command" read from an idle connection) go to the log, not to stderr. */
static void on_notice(void *arg, const char *message)
{
    (void)arg;
    char line[256];
    log_debug("store=postgres event=notice msg=\"%s\"", one_line(message, line, sizeof(line)));
}

static PGresult *await(PGconn *db, int64_t wait_ms, bool *timed_out);

/* Runs SQL without parameters (several statements allowed). 0, or
 * ERR_UNAVAILABLE with *lost set, or ERR_STORE (logged). */
static int simple(PGconn *db, const char *op, const char *sql, int64_t wait_ms, bool *lost)
{
    *lost = false;
    if (PQsendQuery(db, sql) == 0) {
        *lost = true;
        return ERR_UNAVAILABLE;
    }
    bool timed_out;
    PGresult *r = await(db, wait_ms, &timed_out);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (timed_out || PQstatus(db) != CONNECTION_OK) {
        *lost = true;
        rc = ERR_UNAVAILABLE;
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char line[256];
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        log_error("store=postgres op=%s sqlstate=%s msg=\"%s\"", op, state ? state : "?",
                  one_line(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), line, sizeof(line)));
        rc = ERR_STORE;
    }
    PQclear(r);
    return rc;
}

/* Opens c's connection. ERR_UNAVAILABLE if the server cannot be reached.
 * While it is down, one thread at a time tries, at most every PG_RETRY_MS;
 * the others fail at once instead of each waiting for connect_timeout. */
static int conn_open(struct pg_store *s, struct pg_conn *c)
{
    bool probing = false;
    if (atomic_load(&s->down)) {
        if (time_mono_ms() < atomic_load(&s->retry_at_ms) || atomic_exchange(&s->probing, true))
            return ERR_UNAVAILABLE;
        probing = true;
    }
    PGconn *db = PQconnectdbParams((const char *const *)s->keys, (const char *const *)s->vals, 0);
    bool lost = false;
    int rc = ERR_UNAVAILABLE;
    if (db != NULL && PQstatus(db) == CONNECTION_OK) {
        PQsetNoticeProcessor(db, on_notice, NULL);
        rc = simple(db, "connect", "SET statement_timeout = " PG_STR(PG_STATEMENT_TIMEOUT_MS),
                    PG_WAIT_MS, &lost);
    }
    if (rc != 0) {
        atomic_store(&s->retry_at_ms, time_mono_ms() + PG_RETRY_MS);
        if (!atomic_exchange(&s->down, true)) {
            char line[256];
            log_error(
                "store=postgres event=unreachable msg=\"%s\"",
                one_line(db != NULL ? PQerrorMessage(db) : "out of memory", line, sizeof(line)));
        }
        PQfinish(db);
        if (probing)
            atomic_store(&s->probing, false);
        return ERR_UNAVAILABLE;
    }
    if (probing)
        atomic_store(&s->probing, false);
    if (atomic_exchange(&s->down, false))
        log_info("store=postgres event=reconnected");
    c->db = db;
    memset(c->prepared, 0, sizeof(c->prepared));
    return 0;
}

/* Drops a connection found dead. in_tx: it was inside a transaction (as
 * seen before the failure, since a dead connection's state is unknown);
 * then the transaction's remaining statements fail too, until rollback. */
static void conn_lost(struct pg_conn *c, const char *op, bool in_tx)
{
    char line[256];
    log_warnx("store=postgres op=%s event=connection_lost in_tx=%d msg=\"%s\"", op, in_tx,
              one_line(c->db != NULL ? PQerrorMessage(c->db) : "", line, sizeof(line)));
    conn_drop(c);
    if (in_tx)
        c->tx_lost = true;
}

/* True if an idle connection is dead: a server that ended the session has
 * sent its goodbye and closed the socket, so the socket is readable; reading
 * up to the end of the stream marks the connection bad. A healthy idle
 * connection costs one poll(2). */
static bool idle_dead(PGconn *db)
{
    for (int i = 0; i < 4; i++) {
        struct pollfd p = {.fd = PQsocket(db), .events = POLLIN};
        int n = poll(&p, 1, 0);
        if (n == 0)
            break;
        if (n < 0 || PQconsumeInput(db) == 0)
            return true;
    }
    return PQstatus(db) != CONNECTION_OK;
}

/* Makes c usable: drops it if it died while idle, reconnects if needed. */
static int conn_ready(struct pg_store *s, struct pg_conn *c)
{
    if (c->tx_lost)
        return ERR_UNAVAILABLE;
    bool in_tx = pg_in_tx(c);
    if (c->db != NULL && idle_dead(c->db)) {
        conn_lost(c, "idle", in_tx);
        if (in_tx)
            return ERR_UNAVAILABLE; /* never run the rest outside the transaction */
    }
    if (c->db == NULL)
        return conn_open(s, c);
    return 0;
}

/* ---- waiting for answers ---- */

/* Waits for the whole answer to what was just sent, at most wait_ms.
 * Returns the first failed result, else the first result (owned; NULL if
 * there was none). On time out, *timed_out is set and NULL returned. */
static PGresult *await(PGconn *db, int64_t wait_ms, bool *timed_out)
{
    int64_t deadline = time_mono_ms() + wait_ms;
    PGresult *keep = NULL;
    *timed_out = false;
    for (;;) {
        while (PQisBusy(db) && PQstatus(db) == CONNECTION_OK) {
            int64_t left = deadline - time_mono_ms();
            if (left <= 0) {
                *timed_out = true;
                PQclear(keep);
                return NULL;
            }
            struct pollfd p = {.fd = PQsocket(db), .events = POLLIN};
            int n = poll(&p, 1, (int)left);
            if (n < 0 && errno != EINTR) {
                *timed_out = true; /* treated as a lost connection */
                PQclear(keep);
                return NULL;
            }
            if (n > 0 && PQconsumeInput(db) == 0)
                break;
        }
        PGresult *r = PQgetResult(db);
        if (r == NULL)
            return keep;
        ExecStatusType st = PQresultStatus(r);
        bool failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
        ExecStatusType kept = PQresultStatus(keep);
        if (keep == NULL || (failed && (kept == PGRES_COMMAND_OK || kept == PGRES_TUPLES_OK))) {
            PQclear(keep);
            keep = r;
        } else {
            PQclear(r);
        }
        if (PQstatus(db) != CONNECTION_OK)
            return keep;
    }
}

/* ---- statements ---- */

int pg_query(struct store *s, enum pg_stmt id, struct pg_q *q)
{
    memset(q, 0, sizeof(*q));
    q->s = s;
    q->id = id;
    return pg_conn_get(s, &q->c);
}

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state != NULL && strncmp(state, prefix, strlen(prefix)) == 0;
}

/* Maps a failed result to an error; logs what is not a conflict. */
static int map_error(const struct pg_q *q, const PGresult *r)
{
    const char *op = pg_stmts[q->id].op;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    char line[256];
    if (sqlstate_is(state, "23505"))
        return ERR_CONFLICT;
    /* Connection trouble (08), shutdown or cancel (57P, 57014: the
     * statement timeout), out of resources (53: too many connections). */
    if (sqlstate_is(state, "08") || sqlstate_is(state, "57") || sqlstate_is(state, "53")) {
        log_warnx("store=postgres op=%s event=unavailable sqlstate=%s msg=\"%s\"", op, state,
                  one_line(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY), line, sizeof(line)));
        return ERR_UNAVAILABLE;
    }
    /* The primary message names tables and constraints; DETAIL, which
     * quotes row values, is never logged. Data exceptions (22) may echo
     * an input value, so their message is left out too. */
    const char *msg =
        sqlstate_is(state, "22") ? "" : PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    log_error("store=postgres op=%s sqlstate=%s constraint=%s msg=\"%s\"", op,
              state != NULL ? state : "?", constraint != NULL ? constraint : "-",
              one_line(msg, line, sizeof(line)));
    return ERR_STORE;
}

/* Sends the statement's text once per connection. */
static int prepare(struct pg_q *q, bool *lost)
{
    struct pg_conn *c = q->c;
    *lost = false;
    if (c->prepared[q->id])
        return 0;
    char name[16];
    snprintf(name, sizeof(name), "lk%d", (int)q->id);
    if (PQsendPrepare(c->db, name, pg_stmts[q->id].sql, 0, NULL) == 0) {
        *lost = true;
        return ERR_UNAVAILABLE;
    }
    bool timed_out;
    PGresult *r = await(c->db, PG_WAIT_MS, &timed_out);
    int rc = 0;
    if (timed_out || PQstatus(c->db) != CONNECTION_OK) {
        *lost = true;
        rc = ERR_UNAVAILABLE;
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = map_error(q, r);
    } else {
        c->prepared[q->id] = true;
    }
    PQclear(r);
    return rc;
}

/* Sends the bound statement and waits for its result into q->res. */
static int exec_prepared(struct pg_q *q, bool *lost)
{
    struct pg_conn *c = q->c;
    char name[16];
    snprintf(name, sizeof(name), "lk%d", (int)q->id);
    *lost = false;
    if (PQsendQueryPrepared(c->db, name, q->n, q->vals, NULL, NULL, 0) == 0) {
        *lost = true;
        return ERR_UNAVAILABLE;
    }
    bool timed_out;
    PGresult *r = await(c->db, PG_WAIT_MS, &timed_out);
    if (timed_out || PQstatus(c->db) != CONNECTION_OK) {
        PQclear(r);
        *lost = true;
        return ERR_UNAVAILABLE;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        q->res = r;
        return 0;
    }
    int rc = map_error(q, r);
    PQclear(r);
    return rc;
}

/* One attempt: prepare if needed, then run, under a savepoint if it is a
 * write inside a transaction. */
static int attempt(struct pg_q *q, bool *lost)
{
    struct pg_conn *c = q->c;
    int rc = prepare(q, lost);
    if (rc != 0)
        return rc;
    bool savepoint = (pg_stmts[q->id].flags & PG_WRITE) && pg_in_tx(c);
    if (savepoint) {
        rc = simple(c->db, pg_stmts[q->id].op, "SAVEPOINT lk_stmt", PG_WAIT_MS, lost);
        if (rc != 0)
            return rc;
    }
    rc = exec_prepared(q, lost);
    if (!savepoint || *lost)
        return rc;
    bool lost2;
    int rc2 = simple(c->db, pg_stmts[q->id].op,
                     rc == 0 ? "RELEASE SAVEPOINT lk_stmt"
                             : "ROLLBACK TO SAVEPOINT lk_stmt; RELEASE SAVEPOINT lk_stmt",
                     PG_WAIT_MS, &lost2);
    *lost = lost2;
    return rc != 0 ? rc : rc2;
}

/* Runs q once (twice for a read whose connection was found dead). */
static int execute(struct pg_q *q)
{
    struct pg_store *s = pg_of(q->s);
    q->ran = true;
    q->row = 0;
    if (q->rc != 0) {
        log_error("store=postgres op=%s event=bind_failed", pg_stmts[q->id].op);
        return ERR_STORE;
    }
    for (int tries = 0;; tries++) {
        int rc = conn_ready(s, q->c);
        if (rc != 0)
            return rc;
        bool in_tx = pg_in_tx(q->c);
        bool lost;
        rc = attempt(q, &lost);
        if (!lost)
            return rc;
        conn_lost(q->c, pg_stmts[q->id].op, in_tx);
        if (tries > 0 || in_tx || !(pg_stmts[q->id].flags & PG_READ))
            return ERR_UNAVAILABLE;
    }
}

int pg_row(struct pg_q *q)
{
    if (!q->ran) {
        int rc = execute(q);
        if (rc != 0)
            return rc;
    }
    if (q->res == NULL || q->row >= PQntuples(q->res))
        return ERR_NOT_FOUND;
    q->cur = q->row++;
    q->col = 0;
    return 0;
}

int pg_run(struct pg_q *q)
{
    return q->ran ? 0 : execute(q);
}

void pg_end(struct pg_q *q)
{
    PQclear(q->res);
    q->res = NULL;
    for (int i = 0; i < q->n; i++) {
        free(q->owned[i]);
        q->owned[i] = NULL;
    }
}

int pg_changes(const struct pg_q *q)
{
    const char *n = q->res != NULL ? PQcmdTuples(q->res) : "";
    return (int)strtol(n, NULL, 10); /* "" (not a row count) gives 0 */
}

/* ---- binding ---- */

static int next_param(struct pg_q *q)
{
    if (q->n == PG_MAX_PARAMS) {
        q->rc = ERR_LIMIT;
        return -1;
    }
    return q->n++;
}

void pg_bind_i64(struct pg_q *q, int64_t v)
{
    int i = next_param(q);
    if (i < 0)
        return;
    snprintf(q->num[i], sizeof(q->num[i]), "%lld", (long long)v);
    q->vals[i] = q->num[i];
}

void pg_bind_opt(struct pg_q *q, int64_t v)
{
    if (v == 0)
        pg_bind_text(q, NULL);
    else
        pg_bind_i64(q, v);
}

void pg_bind_bool(struct pg_q *q, bool v)
{
    pg_bind_text(q, v ? "true" : "false");
}

void pg_bind_text(struct pg_q *q, const char *s)
{
    int i = next_param(q);
    if (i >= 0)
        q->vals[i] = s;
}

void pg_bind_owned(struct pg_q *q, char *text)
{
    int i = next_param(q);
    if (i < 0) {
        free(text);
        return;
    }
    q->owned[i] = text;
    q->vals[i] = text;
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

void pg_bind_list(struct pg_q *q, const struct strlist *l)
{
    char *text = list_json(l);
    if (text == NULL) {
        q->rc = ERR_INVALID;
        pg_bind_text(q, NULL);
        return;
    }
    pg_bind_owned(q, text);
}

/* ---- columns ---- */

const char *pg_peek(struct pg_q *q)
{
    int col = q->col++;
    if (q->res == NULL || col >= PQnfields(q->res) || PQgetisnull(q->res, q->cur, col))
        return NULL;
    return PQgetvalue(q->res, q->cur, col);
}

bool pg_null(const struct pg_q *q)
{
    return q->res == NULL || q->col >= PQnfields(q->res) || PQgetisnull(q->res, q->cur, q->col);
}

void pg_skip(struct pg_q *q, int n)
{
    q->col += n;
}

int64_t pg_i64(struct pg_q *q)
{
    const char *v = pg_peek(q);
    return v != NULL ? strtoll(v, NULL, 10) : 0;
}

bool pg_bool(struct pg_q *q)
{
    const char *v = pg_peek(q);
    return v != NULL && (v[0] == 't' || v[0] == '1');
}

const char *pg_text(struct pg_q *q, struct arena *a)
{
    int col = q->col;
    const char *v = pg_peek(q);
    if (v == NULL)
        return NULL;
    return arena_strndup(a, v, (size_t)PQgetlength(q->res, q->cur, col));
}

void pg_list(struct pg_q *q, struct arena *a, struct strlist *out)
{
    int col = q->col;
    *out = (struct strlist){0};
    const char *s = pg_peek(q);
    if (s == NULL)
        return;
    json_error_t jerr;
    json_t *arr = json_loadb(s, (size_t)PQgetlength(q->res, q->cur, col), 0, &jerr);
    if (!json_is_array(arr)) {
        /* An empty set grants nothing, so a damaged column fails closed. */
        log_warnx("store=postgres op=%s event=bad_json_array column=%s", pg_stmts[q->id].op,
                  PQfname(q->res, col));
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

int pg_corrupt(const struct pg_q *q, const char *column)
{
    log_error("store=postgres op=%s event=unknown_value column=%s", pg_stmts[q->id].op, column);
    return ERR_STORE;
}

/* ---- transactions ---- */

bool pg_in_tx(const struct pg_conn *c)
{
    if (c->db == NULL)
        return false;
    PGTransactionStatusType st = PQtransactionStatus(c->db);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

/* Runs a transaction command on this thread's connection. */
static int tx_command(struct store *base, const char *op, const char *sql)
{
    struct pg_conn *c;
    int rc = pg_conn_get(base, &c);
    if (rc == 0)
        rc = conn_ready(pg_of(base), c);
    if (rc != 0)
        return rc;
    bool in_tx = pg_in_tx(c);
    bool lost;
    rc = simple(c->db, op, sql, PG_WAIT_MS, &lost);
    if (lost)
        conn_lost(c, op, in_tx);
    return rc;
}

int pg_tx_begin(struct store *base)
{
    struct pg_conn *c;
    int rc = pg_conn_get(base, &c);
    if (rc != 0)
        return rc;
    if (c->tx_lost || pg_in_tx(c)) {
        /* PostgreSQL would only warn; SQLite refuses, and so do we. */
        log_error("store=postgres op=begin event=nested_transaction");
        return ERR_STORE;
    }
    return tx_command(base, "begin", "BEGIN");
}

int pg_tx_commit(struct store *base)
{
    struct pg_conn *c;
    int rc = pg_conn_get(base, &c);
    if (rc != 0)
        return rc;
    if (c->tx_lost) {
        c->tx_lost = false;
        return ERR_UNAVAILABLE;
    }
    if (!pg_in_tx(c)) {
        log_error("store=postgres op=commit event=no_transaction");
        return ERR_STORE;
    }
    /* A transaction that failed is rolled back by COMMIT: report that. */
    if (PQtransactionStatus(c->db) == PQTRANS_INERROR) {
        pg_tx_rollback(base);
        log_error("store=postgres op=commit event=transaction_failed");
        return ERR_STORE;
    }
    rc = tx_command(base, "commit", "COMMIT");
    if (rc != 0)
        pg_tx_rollback(base);
    return rc;
}

void pg_tx_rollback(struct store *base)
{
    struct pg_conn *c;
    if (pg_conn_get(base, &c) != 0)
        return;
    c->tx_lost = false;
    if (!pg_in_tx(c))
        return;
    bool lost;
    if (simple(c->db, "rollback", "ROLLBACK", PG_WAIT_MS, &lost) != 0)
        log_error("store=postgres event=rollback_failed");
    if (lost)
        conn_lost(c, "rollback", false);
}

/* ---- migrations ---- */

/* Applies one file and records it, in one transaction, unless it ran
 * already (checked under the lock). */
static int apply_one(struct store *s, struct pg_conn *c, const struct migration_file *f,
                     int version, bool *ran)
{
    struct pg_q q;
    bool lost = false;
    *ran = false;
    int rc = simple(c->db, "migrate", "BEGIN", PG_MIGRATE_WAIT_MS, &lost);
    if (rc != 0)
        return rc;
    rc = pg_query(s, PG_MIGRATION_APPLIED, &q);
    if (rc != 0)
        goto out;
    pg_bind_i64(&q, version);
    rc = pg_row(&q);
    pg_end(&q);
    if (rc != ERR_NOT_FOUND)
        goto out; /* 0: applied already; nothing to do */
    rc = simple(c->db, f->name, f->sql, PG_MIGRATE_WAIT_MS, &lost);
    if (rc != 0)
        goto out;
    rc = pg_query(s, PG_MIGRATION_RECORD, &q);
    if (rc != 0)
        goto out;
    pg_bind_i64(&q, version);
    pg_bind_text(&q, f->name);
    pg_bind_i64(&q, time_now());
    rc = pg_run(&q);
    pg_end(&q);
    *ran = rc == 0;
out:
    if (c->db == NULL || lost)
        return ERR_UNAVAILABLE;
    bool lost2;
    int rc2 = simple(c->db, "migrate", rc == 0 ? "COMMIT" : "ROLLBACK", PG_MIGRATE_WAIT_MS, &lost2);
    if (rc == 0)
        rc = rc2;
    if (rc != 0)
        *ran = false;
    return rc;
}

/* Applies every pending file; the caller holds the advisory lock. */
static int migrate_locked(struct store *s, struct pg_conn *c, int *applied)
{
    size_t pos = 0;
    int version;
    for (const struct migration_file *f = migration_next(PG_SUFFIX, &pos, &version); f != NULL;
         f = migration_next(PG_SUFFIX, &pos, &version)) {
        bool ran;
        int rc = apply_one(s, c, f, version, &ran);
        if (rc != 0)
            return rc;
        if (ran) {
            (*applied)++;
            log_info("store=postgres event=migrated version=%d file=%s", version, f->name);
        }
    }
    return 0;
}

/*
 * Takes the session advisory lock (waiting while another instance
 * migrates), with no statement timeout: a migration may be long. Then runs
 * then(ctx) under the lock with the usual statement timeout, so instances
 * starting together create the first-start rows once. The lock and the
 * timeout are restored however it ends; if the connection breaks, the
 * server releases the lock with it.
 */
int pg_migrate(struct store *s, int *applied, int (*then)(void *ctx), void *ctx)
{
    *applied = 0;
    struct pg_conn *c;
    int rc = migration_check(PG_SUFFIX);
    if (rc == 0)
        rc = pg_conn_get(s, &c);
    if (rc == 0)
        rc = conn_ready(pg_of(s), c);
    if (rc != 0)
        return rc;
    if (pg_in_tx(c)) {
        log_error("store=postgres op=migrate event=inside_transaction");
        return ERR_STORE;
    }
    bool lost;
    rc = simple(c->db, "migrate",
                "SET statement_timeout = 0; SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ");"
                " CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                PG_MIGRATE_WAIT_MS, &lost);
    if (rc == 0)
        rc = migrate_locked(s, c, applied);
    if (rc == 0 && then != NULL) {
        rc = simple(c->db, "migrate", "SET statement_timeout = " PG_STR(PG_STATEMENT_TIMEOUT_MS),
                    PG_WAIT_MS, &lost);
        if (rc == 0)
            rc = then(ctx);
    }
    if (c->db != NULL && !lost) {
        bool lost2;
        if (simple(c->db, "migrate",
                   "SELECT pg_advisory_unlock_all(); SET statement_timeout = " PG_STR(
                       PG_STATEMENT_TIMEOUT_MS),
                   PG_WAIT_MS, &lost2) != 0)
            lost = true;
    }
    if (lost && c->db != NULL)
        conn_lost(c, "migrate", false); /* the server drops the lock with the session */
    c->tx_lost = false;                 /* apply_one's transaction is over either way */
    return rc;
}

int pg_schema_current(struct store *s, int *current)
{
    struct pg_q q;
    *current = 0;
    int rc = pg_query(s, PG_MIGRATIONS_EXIST, &q);
    if (rc != 0)
        return rc;
    rc = pg_row(&q);
    pg_end(&q);
    if (rc == ERR_NOT_FOUND)
        return 0; /* never migrated */
    if (rc != 0)
        return rc;
    rc = pg_query(s, PG_MIGRATION_CURRENT, &q);
    if (rc != 0)
        return rc;
    rc = pg_row(&q);
    if (rc == 0)
        *current = (int)pg_i64(&q);
    pg_end(&q);
    return rc;
}

int pg_ping(struct store *s)
{
    struct pg_q q;
    int rc = pg_query(s, PG_PING, &q);
    if (rc != 0)
        return rc;
    rc = pg_row(&q);
    pg_end(&q);
    return rc == ERR_NOT_FOUND ? ERR_STORE : rc;
}
