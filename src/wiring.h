/*
 * wiring.h - builds struct server (server.h) and tears it down: opens the
 * store (creating and migrating it for `serve` and `migrate`), the limiter,
 * the key ring and Redis; for `serve` also the background parts and the
 * HTTP server with every surface's routes.
 *
 * The only module that knows every other one. The commands (src/cli/)
 * call it; core and the surfaces never do: they see the context alone.
 */
#pragma once
#include <stddef.h>

struct server;

/*
 * For `serve` and `migrate`: loads the configuration from the environment,
 * opens the store (a SQLite file is created if missing) and applies pending
 * migrations (zero set-up), refuses a database whose schema is newer than
 * this binary, then runs setup(srv) (may be NULL: the first-start owner and
 * key) while the migration lock is held, so instances starting together on
 * one database do it one after the other; setup must be idempotent (SQLite
 * takes no lock). On failure prints why on stderr and returns non-zero; srv
 * must be wiring_close()d either way. *applied (may be NULL) receives the
 * number of migrations applied.
 */
int wiring_open(struct server *srv, int *applied, int (*setup)(struct server *srv))
    __attribute__((warn_unused_result));
/* For the other CLI commands: like wiring_open, but never creates or
 * migrates a database: one that is missing or has pending migrations is
 * refused with a message naming LATCHKEY_DATABASE_URL and `latchkey
 * migrate`. Logs only warnings and errors, so stderr carries just the
 * command's own messages. */
int wiring_open_quiet(struct server *srv) __attribute__((warn_unused_result));
/* wiring_open_quiet without the schema check: for `latchkey migrate
 * status`, which reports pending migrations rather than refusing them. */
int wiring_open_unchecked(struct server *srv) __attribute__((warn_unused_result));
/* The database URL as it may be shown: a password in it becomes "***"
 * (buf holds the result when one is needed). */
const char *wiring_shown_url(const char *url, char *buf, size_t size);
/* Starts the background parts only `serve` needs (last_used flusher, the
 * mail thread, the principal cache) and logs where the rate-limit counters are (probing Redis
 * once if set). Returns 0, or non-zero (printed on stderr) if one cannot
 * start. */
int wiring_start_background(struct server *srv) __attribute__((warn_unused_result));
/*
 * Starts the HTTP server on LATCHKEY_LISTEN (srv->httpd) with a router of
 * every surface's routes (srv->router), the surfaces' dispatch function and
 * error renderer, and logs event=listening. Returns 0, or non-zero (printed
 * on stderr) if it cannot listen.
 */
int wiring_start_http(struct server *srv) __attribute__((warn_unused_result));
/* Stops the HTTP server (in-flight requests finish), then flushes and
 * frees everything. Safe on a partly opened server. */
void wiring_close(struct server *srv);
