/*
 * server.h - struct server: the only mutable context (DESIGN section 1).
 *
 * One instance per process, built by wiring_open() (wiring.h) for `serve`
 * and for every CLI command, and passed explicitly to everything that
 * needs shared state. Core and the surfaces include this header, never the
 * wiring. cfg is constant after load. Each member documents its locking.
 */
#pragma once
#include <stdatomic.h>

#include "config.h"
#include "core/ratelimit.h"
#include "crypto/password.h"

struct store;
struct ratelimit;
struct lastused;
struct httpd;
struct http_router;
struct keyring;
struct redis;
struct mailer;
struct pcache;
struct hostcache;
struct settings;
struct access;
struct basic_cache;
struct pruner;

/* Events counted for /metrics by audit_record(), from the audit action;
 * relaxed atomics. */
struct server_counters {
    atomic_uint_fast64_t logins_ok;      /* login.success */
    atomic_uint_fast64_t logins_failed;  /* login.failure */
    atomic_uint_fast64_t tokens_issued;  /* token.create, token.refresh */
    atomic_uint_fast64_t tokens_revoked; /* token.revoke, api_token.revoke */
};

struct server {
    struct config cfg;              /* constant after load */
    struct password_params pw;      /* from cfg, constant */
    struct store *store;            /* thread-safe: one connection per thread */
    struct ratelimit *limiter;      /* thread-safe: striped locks inside */
    struct redis *redis;            /* LATCHKEY_REDIS_URL's client, or NULL; thread-safe (pool) */
    struct rate_remote rate_remote; /* limiter's view of redis; constant once set */
    struct lastused *lastused;      /* thread-safe: its own mutex; NULL in the CLI */
    struct httpd *httpd;            /* NULL outside `serve` */
    struct http_router *router;     /* httpd's routes; read-only; NULL outside `serve` */
    struct keyring *keys;           /* thread-safe: its own mutex; JWT signing keys */
    struct mailer *mailer;          /* thread-safe: its own lock; NULL outside `serve` */
    struct pcache *pcache;          /* thread-safe: striped locks; NULL outside `serve` or off */
    struct hostcache *hosts;        /* thread-safe: striped locks; NULL outside `serve` */
    struct settings *settings;      /* thread-safe: its own lock; NULL outside `serve` */
    struct access *access;          /* forward-auth rules; thread-safe; NULL outside `serve` */
    struct basic_cache *basic;      /* thread-safe: striped locks; NULL outside `serve` */
    struct pruner *pruner;          /* prune's schedule (its own thread); NULL if off */
    struct httpd *metrics_httpd;    /* LATCHKEY_METRICS_LISTEN's listener, or NULL */
    struct http_router *metrics_router; /* its one route; NULL with it */
    struct server_counters counters;    /* atomics */
    int64_t started_at;                 /* Unix time serve started; constant */
    char *openapi;                      /* GET /openapi.json's bytes, built at start; constant */
    size_t openapi_len;
};

/*
 * The time expiry decisions use (admin tokens, password resets, their
 * throttles): the wall clock plus LATCHKEY_TEST_CLOCK_OFFSET, which only
 * tests set, to see a token 24 hours later without waiting 24 hours.
 */
int64_t server_now(const struct server *srv);
