/*
 * server.h - struct server: the only mutable context (DESIGN section 1).
 *
 * One instance per process, built by server_open() for `serve` and for
 * every CLI command, and passed explicitly to everything that needs shared
 * state. cfg is constant after load. Each member documents its locking.
 */
#pragma once
#include "config.h"
#include "core/ratelimit.h"
#include "crypto/password.h"

struct store;
struct ratelimit;
struct lastused;
struct httpd;
struct keyring;
struct redis;
struct mailer;
struct pcache;
struct hostcache;

struct server {
    struct config cfg;              /* constant after load */
    struct password_params pw;      /* from cfg, constant */
    struct store *store;            /* thread-safe: one connection per thread */
    struct ratelimit *limiter;      /* thread-safe: striped locks inside */
    struct redis *redis;            /* LATCHKEY_REDIS_URL's client, or NULL; thread-safe (pool) */
    struct rate_remote rate_remote; /* limiter's view of redis; constant once set */
    struct lastused *lastused;      /* thread-safe: its own mutex; NULL in the CLI */
    struct httpd *httpd;            /* NULL outside `serve` */
    struct keyring *keys;           /* thread-safe: its own mutex; JWT signing keys */
    struct mailer *mailer;          /* thread-safe: its own lock; NULL outside `serve` */
    struct pcache *pcache;          /* thread-safe: striped locks; NULL outside `serve` or off */
    struct hostcache *hosts;        /* thread-safe: striped locks; NULL outside `serve` */
};

/*
 * For `serve` and `migrate`: loads the configuration from the environment,
 * opens the store (a SQLite file is created if missing) and applies pending
 * migrations (zero set-up), refuses a database whose schema is newer than
 * this binary, then runs setup(srv) (may be NULL: the first-start owner and
 * key) while the migration lock is held, so instances starting together on
 * one database do it one after the other; setup must be idempotent (SQLite
 * takes no lock). On failure prints why on stderr and returns non-zero; srv
 * must be server_close()d either way. *applied (may be NULL) receives the
 * number of migrations applied.
 */
int server_open(struct server *srv, int *applied, int (*setup)(struct server *srv))
    __attribute__((warn_unused_result));
/* For the other CLI commands: like server_open, but never creates or
 * migrates a database: one that is missing or has pending migrations is
 * refused with a message naming LATCHKEY_DATABASE_URL and `latchkey
 * migrate`. Logs only warnings and errors, so stderr carries just the
 * command's own messages. */
int server_open_quiet(struct server *srv) __attribute__((warn_unused_result));
/* Starts the background parts only `serve` needs (last_used flusher, the
 * mail thread, the principal cache) and logs where the rate-limit counters are (probing Redis
 * once if set). Returns 0, or non-zero (printed on stderr) if one cannot
 * start. */
int server_start_background(struct server *srv) __attribute__((warn_unused_result));
/*
 * The time expiry decisions use (admin tokens, password resets, their
 * throttles): the wall clock plus LATCHKEY_TEST_CLOCK_OFFSET, which only
 * tests set, to see a token 24 hours later without waiting 24 hours.
 */
int64_t server_now(const struct server *srv);
/* Flushes and frees everything. Safe on a partly opened server. */
void server_close(struct server *srv);
