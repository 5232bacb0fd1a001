/*
 * pg.c - the PostgreSQL driver of driver.h (libpq): opening, one
 * connection per thread (libpq is thread-safe as long as a PGconn stays on
 * one thread; store.c keeps the registry) with its named prepared
 * statements, reconnection, timeouts, binding, rows, columns, transactions
 * and the migration lock.
 *
 * Statements are written once for both drivers, with SQLite's "?"
 * placeholders (sql.c); prepare() numbers them $1, $2, ... once per
 * connection. Parameters are sent as text; the server infers each type
 * from its column.
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
 * The change stamp the read caches use (store_change_stamp) is
 * pg_listen.c's: moved by this process's writes (execute, tx_commit) and
 * by other instances' through LISTEN/NOTIFY.
 *
 * Migrations run under a session advisory lock (PG_MIGRATE_LOCK), so
 * instances starting together apply each file once; each file runs in one
 * transaction with its schema_migrations row.
 *
 * Values are always sent as parameters. The URL is never logged (it may
 * carry a password); libpq's error messages do not contain it.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "store/pg_listen.h"
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
/* The longest statement text, placeholders numbered. */
#define PG_MAX_SQL 4096
#define PG_XSTR(x) #x
#define PG_STR(x)  PG_XSTR(x)

/* prepared[] of a connection: the statement is prepared on it; it only
 * reads (a SELECT without FOR UPDATE). */
enum { PREPARED = 1, READS = 2 };

/* One thread's connection. Only that thread touches it, so no lock. */
struct pg_link {
    struct conn base;                 /* first, so a struct conn * converts back */
    PGconn *db;                       /* NULL until connected, and after it was lost */
    unsigned char prepared[ST_COUNT]; /* PREPARED | READS, 0 before */
    bool tx_lost;                     /* lost inside a transaction: fail until rollback */
};

struct pg_store {
    struct store base; /* first, so a struct store * converts back */
    /* Connection parameters (the URL's, plus our defaults); owned, NULL
     * terminated, constant after open. */
    char *keys[PG_MAX_KEYWORDS + 1];
    char *vals[PG_MAX_KEYWORDS + 1];
    atomic_bool down;                /* the last connection attempt failed */
    atomic_bool probing;             /* a thread is trying to connect while down */
    atomic_int_fast64_t retry_at_ms; /* no new connection before (monotonic ms) */
    struct pg_listen listen;         /* the change stamp (pg_listen.h) */
};

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

static void conn_drop(struct pg_link *c)
{
    PQfinish(c->db);
    c->db = NULL;
    memset(c->prepared, 0, sizeof(c->prepared));
}

/* True if c is inside a transaction. */
static bool link_in_tx(const struct pg_link *c)
{
    if (c->db == NULL)
        return false;
    PGTransactionStatusType st = PQtransactionStatus(c->db);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

static int conn_new(struct store *s, struct conn **out)
{
    (void)s;
    struct pg_link *c = xcalloc(1, sizeof(*c)); /* connects at its first statement */
    *out = &c->base;
    return 0;
}

static void conn_free(struct conn *base)
{
    struct pg_link *c = (struct pg_link *)(void *)base;
    conn_drop(c);
    free(c);
}

/* This thread's connection (not necessarily connected yet). */
static int link_get(struct store *s, struct pg_link **out)
{
    struct conn *c;
    int rc = store_conn_get(s, &c);
    *out = rc == 0 ? (struct pg_link *)(void *)c : NULL;
    return rc;
}

static const struct store_driver pg_driver;

int pg_store_open(const char *url, struct store **out)
{
    *out = NULL;
    struct pg_store *s = xcalloc(1, sizeof(*s));
    store_init(&s->base, &pg_driver);
    atomic_init(&s->down, false);
    atomic_init(&s->probing, false);
    atomic_init(&s->retry_at_ms, 0);
    int rc = parse_url(s, url);
    pg_listen_init(&s->listen, (const char *const *)s->keys, (const char *const *)s->vals);
    /* Connect the caller's thread now, so a wrong URL fails here. */
    if (rc == 0)
        rc = store_ping(&s->base);
    if (rc != 0) {
        store_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static void pg_store_free(struct store *base)
{
    struct pg_store *s = pg_of(base);
    pg_listen_fini(&s->listen);
    for (size_t i = 0; s->keys[i] != NULL; i++) {
        free(s->keys[i]);
        if (s->vals[i] != NULL)
            secure_wipe(s->vals[i], strlen(s->vals[i])); /* one may be a password */
        free(s->vals[i]);
    }
    free(s);
}

/* ---- connections ---- */

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
static int conn_open(struct pg_store *s, struct pg_link *c)
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
static void conn_lost(struct pg_link *c, const char *op, bool in_tx)
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
static int conn_ready(struct pg_store *s, struct pg_link *c)
{
    if (c->tx_lost)
        return ERR_UNAVAILABLE;
    bool in_tx = link_in_tx(c);
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

int pg_start(struct q *q)
{
    q->u.pg.ran = false;
    q->u.pg.res = NULL;
    struct pg_link *c;
    int rc = link_get(q->s, &c);
    q->c = c != NULL ? &c->base : NULL;
    return rc;
}

static struct pg_link *link_of(const struct q *q)
{
    return (struct pg_link *)(void *)q->c;
}

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state != NULL && strncmp(state, prefix, strlen(prefix)) == 0;
}

/* Maps a failed result to an error; logs what is not a conflict. */
static int map_error(const struct q *q, const PGresult *r)
{
    const char *op = stmts[q->id].op;
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

/*
 * PostgreSQL's text of statement id: its own where the dialects differ,
 * else the shared one with each "?" numbered ($1, $2, ...; "?N" becomes
 * $N and a bare "?" after it takes the next number, as in SQLite). Quoted
 * literals are copied as they are. ERR_LIMIT if it does not fit.
 */
static int pg_text_of(enum stmt id, char *out, size_t size)
{
    const char *sql = stmt_sql(id, true);
    size_t o = 0;
    int next = 1;
    bool quoted = false;
    for (const char *p = sql; *p != '\0'; p++) {
        if (o + 12 >= size)
            return ERR_LIMIT;
        if (*p == '\'')
            quoted = !quoted;
        if (quoted || *p != '?') {
            out[o++] = *p;
            continue;
        }
        int n = 0;
        while (p[1] >= '0' && p[1] <= '9' && n < 1000)
            n = n * 10 + (*++p - '0');
        if (n == 0)
            n = next;
        next = n + 1 > next ? n + 1 : next;
        o += (size_t)snprintf(out + o, size - o, "$%d", n);
    }
    out[o] = '\0';
    return 0;
}

/* A statement that only reads may run again on a fresh connection. */
static bool only_reads(const char *sql)
{
    return strncmp(sql, "SELECT", 6) == 0 && strstr(sql, "FOR UPDATE") == NULL;
}

/* Sends the statement's text once per connection. */
static int prepare(struct q *q, bool *lost)
{
    struct pg_link *c = link_of(q);
    *lost = false;
    if (c->prepared[q->id] & PREPARED)
        return 0;
    char sql[PG_MAX_SQL];
    if (pg_text_of(q->id, sql, sizeof(sql)) != 0) {
        log_error("store=postgres op=%s event=statement_too_long", stmts[q->id].op);
        return ERR_STORE;
    }
    char name[16];
    snprintf(name, sizeof(name), "lk%d", (int)q->id);
    if (PQsendPrepare(c->db, name, sql, 0, NULL) == 0) {
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
        c->prepared[q->id] = PREPARED | (only_reads(sql) ? READS : 0);
    }
    PQclear(r);
    return rc;
}

/* Sends the bound statement and waits for its result into q->u.pg.res. */
static int exec_prepared(struct q *q, bool *lost)
{
    struct pg_link *c = link_of(q);
    char name[16];
    snprintf(name, sizeof(name), "lk%d", (int)q->id);
    *lost = false;
    if (PQsendQueryPrepared(c->db, name, q->nbind, q->u.pg.vals, NULL, NULL, 0) == 0) {
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
        q->u.pg.res = r;
        return 0;
    }
    int rc = map_error(q, r);
    PQclear(r);
    return rc;
}

/* One attempt: prepare if needed, then run. A write inside a transaction
 * runs under a savepoint, so that a failed statement (a unique violation)
 * leaves the transaction usable, as in SQLite. */
static int attempt(struct q *q, bool *lost)
{
    struct pg_link *c = link_of(q);
    int rc = prepare(q, lost);
    if (rc != 0)
        return rc;
    bool savepoint = !(c->prepared[q->id] & READS) && link_in_tx(c);
    if (savepoint) {
        rc = simple(c->db, stmts[q->id].op, "SAVEPOINT lk_stmt", PG_WAIT_MS, lost);
        if (rc != 0)
            return rc;
    }
    rc = exec_prepared(q, lost);
    if (!savepoint || *lost)
        return rc;
    bool lost2;
    int rc2 = simple(c->db, stmts[q->id].op,
                     rc == 0 ? "RELEASE SAVEPOINT lk_stmt"
                             : "ROLLBACK TO SAVEPOINT lk_stmt; RELEASE SAVEPOINT lk_stmt",
                     PG_WAIT_MS, &lost2);
    *lost = lost2;
    return rc != 0 ? rc : rc2;
}

/* Runs q once (twice for a read whose connection was found dead, never
 * inside a transaction). */
static int execute(struct q *q)
{
    struct pg_store *s = pg_of(q->s);
    struct pg_link *c = link_of(q);
    q->u.pg.ran = true;
    q->u.pg.row = 0;
    if (q->rc != 0)
        return q_bind_failed(q);
    for (int tries = 0;; tries++) {
        int rc = conn_ready(s, c);
        if (rc != 0)
            return rc;
        bool in_tx = link_in_tx(c);
        bool lost;
        rc = attempt(q, &lost);
        /* A write outside a transaction is committed (or, lost, maybe):
         * the read caches must not serve what it changed. */
        if (!in_tx && !(c->prepared[q->id] & READS))
            pg_listen_bump(&s->listen);
        if (!lost)
            return rc;
        bool reads = only_reads(stmt_sql(q->id, true));
        conn_lost(c, stmts[q->id].op, in_tx);
        if (tries > 0 || in_tx || !reads)
            return ERR_UNAVAILABLE;
    }
}

int pg_row(struct q *q)
{
    if (!q->u.pg.ran) {
        int rc = execute(q);
        if (rc != 0)
            return rc;
    }
    if (q->u.pg.res == NULL || q->u.pg.row >= PQntuples(q->u.pg.res))
        return ERR_NOT_FOUND;
    q->u.pg.cur = q->u.pg.row++;
    q->col = 0;
    return 0;
}

int pg_run(struct q *q)
{
    return q->u.pg.ran ? 0 : execute(q);
}

void pg_end(struct q *q)
{
    PQclear(q->u.pg.res);
    q->u.pg.res = NULL;
    for (int i = 0; i < q->nbind; i++) {
        free(q->u.pg.owned[i]);
        q->u.pg.owned[i] = NULL;
    }
}

int64_t pg_changes(const struct q *q)
{
    const char *n = q->u.pg.res != NULL ? PQcmdTuples(q->u.pg.res) : "";
    return strtoll(n, NULL, 10); /* "" (not a row count) gives 0 */
}

/* ---- binding ---- */

/* The next parameter's slot, or -1 (and a failed bind) past the limit. */
static int next_param(struct q *q)
{
    if (q->nbind == Q_MAX_PARAMS) {
        q->rc = ERR_LIMIT;
        return -1;
    }
    q->u.pg.owned[q->nbind] = NULL;
    return q->nbind++;
}

void pg_bind_i64(struct q *q, int64_t v)
{
    int i = next_param(q);
    if (i < 0)
        return;
    snprintf(q->u.pg.num[i], sizeof(q->u.pg.num[i]), "%lld", (long long)v);
    q->u.pg.vals[i] = q->u.pg.num[i];
}

void pg_bind_null(struct q *q)
{
    pg_bind_text(q, NULL);
}

void pg_bind_bool(struct q *q, bool v)
{
    pg_bind_text(q, v ? "true" : "false");
}

void pg_bind_text(struct q *q, const char *s)
{
    int i = next_param(q);
    if (i >= 0)
        q->u.pg.vals[i] = s;
}

void pg_bind_owned(struct q *q, char *text)
{
    int i = next_param(q);
    if (i < 0) {
        free(text);
        return;
    }
    q->u.pg.owned[i] = text;
    q->u.pg.vals[i] = text;
}

/* ---- columns ---- */

const char *pg_peek(struct q *q, size_t *len)
{
    int col = q->col++;
    const PGresult *r = q->u.pg.res;
    if (r == NULL || col >= PQnfields(r) || PQgetisnull(r, q->u.pg.cur, col)) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = (size_t)PQgetlength(r, q->u.pg.cur, col);
    return PQgetvalue(r, q->u.pg.cur, col);
}

const char *pg_text(struct q *q, struct arena *a)
{
    size_t len;
    const char *v = pg_peek(q, &len);
    return v != NULL ? arena_strndup(a, v, len) : NULL;
}

bool pg_null(const struct q *q)
{
    const PGresult *r = q->u.pg.res;
    return r == NULL || q->col >= PQnfields(r) || PQgetisnull(r, q->u.pg.cur, q->col);
}

int64_t pg_i64(struct q *q)
{
    const char *v = pg_peek(q, NULL);
    return v != NULL ? strtoll(v, NULL, 10) : 0;
}

bool pg_bool(struct q *q)
{
    const char *v = pg_peek(q, NULL);
    return v != NULL && (v[0] == 't' || v[0] == '1');
}

const char *pg_column_name(const struct q *q, int col)
{
    return q->u.pg.res != NULL ? PQfname(q->u.pg.res, col) : "?";
}

/* ---- transactions ---- */

static bool in_tx(struct store *s)
{
    struct pg_link *c;
    return link_get(s, &c) == 0 && link_in_tx(c);
}

/* Runs a transaction command on this thread's connection. */
static int tx_command(struct store *base, const char *op, const char *sql)
{
    struct pg_link *c;
    int rc = link_get(base, &c);
    if (rc == 0)
        rc = conn_ready(pg_of(base), c);
    if (rc != 0)
        return rc;
    bool was_in_tx = link_in_tx(c);
    bool lost;
    rc = simple(c->db, op, sql, PG_WAIT_MS, &lost);
    if (lost)
        conn_lost(c, op, was_in_tx);
    return rc;
}

static int tx_begin(struct store *base)
{
    struct pg_link *c;
    int rc = link_get(base, &c);
    if (rc != 0)
        return rc;
    if (c->tx_lost || link_in_tx(c)) {
        /* PostgreSQL would only warn; SQLite refuses, and so do we. */
        log_error("store=postgres op=begin event=nested_transaction");
        return ERR_STORE;
    }
    return tx_command(base, "begin", "BEGIN");
}

static void tx_rollback(struct store *base)
{
    struct pg_link *c;
    if (link_get(base, &c) != 0)
        return;
    c->tx_lost = false;
    if (!link_in_tx(c))
        return;
    bool lost;
    if (simple(c->db, "rollback", "ROLLBACK", PG_WAIT_MS, &lost) != 0)
        log_error("store=postgres event=rollback_failed");
    if (lost)
        conn_lost(c, "rollback", false);
}

static int tx_commit(struct store *base)
{
    struct pg_link *c;
    int rc = link_get(base, &c);
    if (rc != 0)
        return rc;
    if (c->tx_lost) {
        c->tx_lost = false;
        return ERR_UNAVAILABLE;
    }
    if (!link_in_tx(c)) {
        log_error("store=postgres op=commit event=no_transaction");
        return ERR_STORE;
    }
    /* A transaction that failed is rolled back by COMMIT: report that. */
    if (PQtransactionStatus(c->db) == PQTRANS_INERROR) {
        log_error("store=postgres op=commit event=transaction_failed");
        return ERR_STORE;
    }
    rc = tx_command(base, "commit", "COMMIT");
    pg_listen_bump(&pg_of(base)->listen); /* committed, or maybe: see execute() */
    return rc;
}

static bool change_stamp(struct store *base, uint64_t *out)
{
    return pg_listen_stamp(&pg_of(base)->listen, out);
}

/* ---- migrations ---- */

/* A migration file or COMMIT: no reconnection (the lock would be gone),
 * and up to PG_MIGRATE_WAIT_MS. */
static int script(struct store *s, const char *op, const char *sql)
{
    struct pg_link *c;
    int rc = link_get(s, &c);
    if (rc != 0)
        return rc;
    if (c->db == NULL || c->tx_lost)
        return ERR_UNAVAILABLE;
    bool was_in_tx = link_in_tx(c);
    bool lost;
    rc = simple(c->db, op, sql, PG_MIGRATE_WAIT_MS, &lost);
    if (lost)
        conn_lost(c, op, was_in_tx);
    return rc;
}

/* Releases the migration lock and restores the statement timeout. */
static void migrate_end(struct store *s)
{
    struct pg_link *c;
    if (link_get(s, &c) != 0)
        return;
    bool lost = false;
    if (c->db != NULL && simple(c->db, "migrate",
                                "SELECT pg_advisory_unlock_all(); SET statement_timeout = " PG_STR(
                                    PG_STATEMENT_TIMEOUT_MS),
                                PG_WAIT_MS, &lost) != 0)
        lost = true;
    if (lost && c->db != NULL)
        conn_lost(c, "migrate", false); /* the server drops the lock with the session */
    c->tx_lost = false;                 /* a file's transaction is over either way */
}

/*
 * Takes the session advisory lock (waiting while another instance
 * migrates), with no statement timeout: a migration may be long. The lock
 * and the timeout are restored by migrate_end (the timeout already by
 * migrate_done when first-start set-up runs under the lock, so instances
 * starting together create the first-start rows once); if the connection
 * breaks, the server releases the lock with it.
 */
static int migrate_begin(struct store *s)
{
    struct pg_link *c;
    int rc = link_get(s, &c);
    if (rc == 0)
        rc = conn_ready(pg_of(s), c);
    if (rc != 0)
        return rc;
    if (link_in_tx(c)) {
        log_error("store=postgres op=migrate event=inside_transaction");
        return ERR_STORE;
    }
    rc = script(s, "migrate",
                "SET statement_timeout = 0; SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")");
    if (rc != 0)
        migrate_end(s);
    return rc;
}

/* The usual statement timeout again, the lock still held. */
static int migrate_done(struct store *s)
{
    return script(s, "migrate", "SET statement_timeout = " PG_STR(PG_STATEMENT_TIMEOUT_MS));
}

static const struct store_driver pg_driver = {
    .name = "postgres",
    .migration_suffix = ".pg.sql",
    .kind = DRIVER_PG,
    .conn_new = conn_new,
    .conn_free = conn_free,
    .free = pg_store_free,
    .tx_begin = tx_begin,
    .tx_commit = tx_commit,
    .tx_rollback = tx_rollback,
    .in_tx = in_tx,
    .script = script,
    .migrate_begin = migrate_begin,
    .migrate_done = migrate_done,
    .migrate_end = migrate_end,
    .change_stamp = change_stamp,
};
