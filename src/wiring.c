/*
 * wiring.c - builds struct server (server.h) from the configuration and
 * tears it down: the one place that knows every module and how they fit.
 *
 * Order matters: the configuration first (the log level depends on it),
 * then libsodium, the store, the limiter, the key ring and Redis; serve
 * then migrates and runs its first-start set-up under the migration lock,
 * starts the background parts and last the HTTP server. wiring_close()
 * undoes it in reverse, the HTTP server first, so no request runs while
 * the objects it uses go away.
 */
#include "wiring.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/hostcache.h"
#include "core/keyring.h"
#include "core/lastused.h"
#include "core/prune.h"
#include "core/pcache.h"
#include "core/access.h"
#include "core/settings.h"
#include "core/basicauth.h"
#include "core/ratelimit.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "http/httpd.h"
#include "http/router.h"
#include "kv/redis.h"
#include "mail/mail.h"
#include "server.h"
#include "store/store.h"
#include "surfaces/openapi.h"
#include "surfaces/surfaces.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Hosts remembered by the host -> tenant cache (a few hundred bytes each). */
#define SERVER_HOST_CACHE 1024
/* Remembered HTTP Basic credentials (core/basicauth.h): a fixed bound. */
#define SERVER_BASIC_CACHE 4096
/* How often each instance checks the settings version (core/settings.h):
 * a change anywhere is in force everywhere within about this much. */
#define SERVER_SETTINGS_POLL_MS 200

/* The database URL as it may be shown: a password in it becomes "***". */
static const char *shown_url(const char *url, char *buf, size_t size)
{
    if (strstr(url, "password=") != NULL)
        return "(the URL is not shown: it has a password parameter)";
    const char *scheme = strstr(url, "://");
    if (scheme == NULL)
        return url;
    const char *auth = scheme + 3;
    const char *at = memrchr(auth, '@', strcspn(auth, "/?"));
    const char *colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon == NULL)
        return url;
    snprintf(buf, size, "%.*s:***%s", (int)(colon - url), url, at);
    return buf;
}

/* rate_remote.hit over the Redis client. */
static int redis_rate_hit(void *ctx, const char *key, uint32_t limit, uint32_t window_ms,
                          struct rate_remote_reply *out)
{
    struct redis_counter c;
    int rc = redis_counter_hit(ctx, key, limit, window_ms, &c, out->why, sizeof(out->why));
    if (rc == 0) {
        out->count = c.count;
        out->ttl_ms = c.ttl_ms;
        out->allowed = c.allowed;
    }
    return rc;
}

static int redis_rate_ping(void *ctx, char *why, size_t whylen)
{
    return redis_ping(ctx, why, whylen);
}

static int redis_rate_clear(void *ctx, const char *key, char *why, size_t whylen)
{
    return redis_del(ctx, key, why, whylen);
}

/* With LATCHKEY_REDIS_URL, the rate-limit counters go to Redis (lazily
 * connected: CLI commands that never count anything never connect). */
static void open_redis(struct server *srv)
{
    if (srv->cfg.redis_url == NULL)
        return;
    srv->redis = redis_new(&srv->cfg.redis, srv->cfg.redis_timeout_ms);
    srv->rate_remote = (struct rate_remote){.name = "redis",
                                            .hit = redis_rate_hit,
                                            .ping = redis_rate_ping,
                                            .clear = redis_rate_clear,
                                            .ctx = srv->redis};
    ratelimit_set_remote(srv->limiter, &srv->rate_remote, RATELIMIT_RETRY_MS);
}

/* config_check_env's warning: a misspelt variable would otherwise be
 * ignored in silence (its value is not logged: it may be a secret). */
static void warn_unknown(void *ctx, const char *name, const char *nearest)
{
    (void)ctx;
    log_warnx("event=unknown_variable name=%s nearest=%s msg=\"unknown variable %s; did you mean "
              "%s?\"",
              name, nearest, name, nearest);
}

/* serve and migrate's locked step: refuse a newer schema, then the caller's
 * first-start set-up (store_migrate_then). */
struct setup_ctx {
    struct server *srv;
    int (*setup)(struct server *srv);
    bool failed; /* the step failed (and printed why) */
};

/* The database's schema against this binary's: 0 if they are the same,
 * else ERR_SCHEMA with a message naming what to do. */
static int schema_check(struct server *srv)
{
    int current = 0, latest = 0;
    int rc = store_schema_version(srv->store, &current, &latest);
    if (rc != 0) {
        fprintf(stderr, "latchkey: database schema: %s\n", err_str(rc));
        return rc;
    }
    if (current == latest)
        return 0;
    char buf[512];
    const char *url = shown_url(srv->cfg.database_url, buf, sizeof(buf));
    if (current > latest)
        fprintf(stderr,
                "latchkey: the database %s (LATCHKEY_DATABASE_URL) has schema version %d, newer "
                "than this binary's %d: run the newer latchkey\n",
                url, current, latest);
    else
        fprintf(stderr,
                "latchkey: the database %s (LATCHKEY_DATABASE_URL) has pending migrations "
                "(schema version %d, this binary's %d): run `latchkey migrate` first\n",
                url, current, latest);
    return ERR_SCHEMA;
}

static int locked_setup(void *ctx)
{
    struct setup_ctx *sc = ctx;
    int rc = schema_check(sc->srv);
    if (rc == 0 && sc->setup != NULL)
        rc = sc->setup(sc->srv);
    sc->failed = rc != 0;
    return rc;
}

/* Opens the database: with create (serve, migrate) a SQLite file is
 * created if missing; without (the other commands) it must exist. */
static int open_store(struct server *srv, bool create)
{
    const char *url = srv->cfg.database_url;
    char buf[512];
    int rc = create ? store_open(url, &srv->store) : store_open_existing(url, &srv->store);
    if (rc == ERR_NOT_FOUND)
        fprintf(stderr,
                "latchkey: no database at %s (LATCHKEY_DATABASE_URL): create it with `latchkey "
                "migrate`\n",
                shown_url(url, buf, sizeof(buf)));
    else if (rc != 0)
        fprintf(stderr, "latchkey: cannot open database %s: %s\n", shown_url(url, buf, sizeof(buf)),
                err_str(rc));
    return rc;
}

/* The key encryption key of the JWT private keys: LATCHKEY_KEY_ENCRYPTION_KEY,
 * else its file, which serve and migrate create on first start (zero
 * set-up). Another command without the file gets no key: those that need
 * it (keys rotate, revoke --rotate) fail with their own message. */
static int open_kek(struct server *srv, bool create)
{
    const char *file = srv->cfg.kek_file;
    unsigned char kek[JWT_KEK_BYTES];
    bool created = false;
    int rc;
    if (srv->cfg.kek_text != NULL) {
        rc = jwt_kek_parse(srv->cfg.kek_text, kek);
        if (rc != 0)
            fprintf(stderr, "latchkey: LATCHKEY_KEY_ENCRYPTION_KEY must be 32 bytes in base64 "
                            "(e.g. the output of `openssl rand -base64 32`)\n");
    } else {
        rc = jwt_kek_load(file, create, kek, &created);
        if (rc == ERR_NOT_FOUND)
            return 0;
        if (rc == ERR_INVALID)
            fprintf(stderr, "latchkey: key encryption key file %s: not 32 bytes in base64\n", file);
        else if (rc != 0)
            fprintf(stderr, "latchkey: key encryption key file %s: cannot read or create it: %s\n",
                    file, err_str(rc));
        else if (created)
            log_info("event=key_encryption_key_created file=%s", file);
    }
    if (rc == 0)
        keyring_set_kek(srv->keys, kek);
    secure_wipe(kek, sizeof(kek));
    return rc;
}

/* With migrate (serve, migrate) the database is created if missing and
 * migrated, and setup runs under the migration lock; without (the other
 * commands, quiet) it must exist at this binary's schema version. */
static int open_server(struct server *srv, int *applied, bool migrate, bool check,
                       int (*setup)(struct server *srv))
{
    memset(srv, 0, sizeof(*srv));
    char err[256] = "";
    if (config_load(&srv->cfg, NULL, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "latchkey: configuration: %s\n", err);
        return ERR_INVALID;
    }
    bool quiet = !migrate;
    log_set_level(quiet && srv->cfg.log_level < LOG_WARN ? LOG_WARN : srv->cfg.log_level);
    log_set_format(srv->cfg.log_format);
    config_check_env(&srv->cfg, environ, warn_unknown, NULL);
    srv->pw =
        (struct password_params){.opslimit = srv->cfg.argon2_ops, .memlimit = srv->cfg.argon2_mem};
    if (crypto_init() != 0) {
        fprintf(stderr, "latchkey: libsodium failed to initialise\n");
        return ERR_CRYPTO;
    }
    int rc = open_store(srv, migrate);
    if (rc != 0)
        return rc;
    srv->limiter = ratelimit_new();
    srv->keys = keyring_new(srv->store, srv->cfg.jwt_ttl_s);
    rc = open_kek(srv, migrate);
    if (rc != 0)
        return rc;
    open_redis(srv);
    if (!migrate)
        return check ? schema_check(srv) : 0;
    struct setup_ctx sc = {.srv = srv, .setup = setup};
    rc = store_migrate_then(srv->store, applied, locked_setup, &sc);
    if (rc != 0 && !sc.failed)
        fprintf(stderr, "latchkey: database: cannot migrate: %s\n", err_str(rc));
    return rc;
}

int wiring_open(struct server *srv, int *applied, int (*setup)(struct server *srv))
{
    return open_server(srv, applied, true, true, setup);
}

int wiring_open_quiet(struct server *srv)
{
    return open_server(srv, NULL, false, true, NULL);
}

const char *wiring_shown_url(const char *url, char *buf, size_t size)
{
    return shown_url(url, buf, size);
}

int wiring_open_unchecked(struct server *srv)
{
    return open_server(srv, NULL, false, false, NULL);
}

int wiring_start_background(struct server *srv)
{
    srv->lastused = lastused_new(srv->store, srv->cfg.last_used_flush_ms);
    srv->pcache = pcache_new(srv->cfg.auth_cache, srv->cfg.auth_cache_bytes);
    srv->hosts = hostcache_new(SERVER_HOST_CACHE);
    srv->basic = basic_cache_new(SERVER_BASIC_CACHE);
    srv->settings = settings_new(srv->store, SERVER_SETTINGS_POLL_MS);
    if (srv->settings == NULL) {
        fprintf(stderr, "latchkey: cannot read the settings\n");
        return ERR_STORE;
    }
    srv->access = access_new(srv->store, srv->settings);
    if (srv->access == NULL) {
        fprintf(stderr, "latchkey: cannot read the access rules\n");
        return ERR_STORE;
    }
    if (srv->redis != NULL) {
        /* Never the password: host, port and db only. A failure logs its own line. */
        enum rate_store st = ratelimit_store(srv->limiter, true);
        log_info("event=ratelimit_store store=redis host=%s port=%u db=%u state=%s",
                 srv->cfg.redis.host, (unsigned)srv->cfg.redis.port, srv->cfg.redis.db,
                 ratelimit_store_str(st));
    }
    srv->pruner = pruner_start(srv);
    struct mail_options mo;
    mail_options_from_config(&srv->cfg, &mo);
    int rc = mailer_new(&mo, &srv->mailer);
    if (rc != 0)
        fprintf(stderr, "latchkey: mail: cannot start the %s driver: %s\n", srv->cfg.mail_driver,
                err_str(rc));
    if (srv->cfg.clock_offset_s != 0)
        log_warnx("event=test_clock_offset seconds=%lld msg=\"LATCHKEY_TEST_CLOCK_OFFSET is set: "
                  "for tests only\"",
                  (long long)srv->cfg.clock_offset_s);
    return rc;
}

/* LATCHKEY_METRICS_LISTEN's listener: one thread, GET /metrics alone. */
static int start_metrics_http(struct server *srv)
{
    const struct config *cfg = &srv->cfg;
    if (cfg->metrics_host == NULL)
        return 0;
    srv->metrics_router = surfaces_metrics_router_new();
    struct httpd_options ho = {
        .host = cfg->metrics_host,
        .port = cfg->metrics_port,
        .threads = 1,
        .conn_timeout_s = cfg->conn_timeout_s,
        .head_timeout_ms = cfg->head_timeout_ms,
        .per_ip_connections = cfg->per_ip_connections,
        .max_connections = 64,
        .pool_threads = 1,
        .pool_queue = 1,
        .access_log = cfg->access_log,
        .router = srv->metrics_router,
        .dispatch = surface_dispatch,
        .error = surface_error,
        .app = srv,
    };
    int rc = httpd_start(&ho, &srv->metrics_httpd);
    if (rc != 0) {
        fprintf(stderr, "latchkey: cannot listen for metrics on %s:%u\n", ho.host, ho.port);
        return rc;
    }
    log_info("event=metrics_listening addr=%s:%u", ho.host, httpd_port(srv->metrics_httpd));
    return 0;
}

int wiring_start_http(struct server *srv)
{
    const struct config *cfg = &srv->cfg;
    char why[512];
    /* Built once: a request to /openapi.json only copies the bytes. */
    int rc = openapi_build(&srv->openapi, &srv->openapi_len, why, sizeof(why));
    if (rc != 0) {
        fprintf(stderr, "latchkey: cannot build the OpenAPI document: %s\n", why);
        return rc;
    }
    srv->router = surfaces_router_new();
    struct httpd_options ho = {
        .host = cfg->listen_host,
        .port = cfg->listen_port,
        .threads = cfg->threads,
        .conn_timeout_s = cfg->conn_timeout_s,
        .head_timeout_ms = cfg->head_timeout_ms,
        .per_ip_connections = cfg->per_ip_connections,
        .body_limit = cfg->body_limit,
        .pool_threads = cfg->hash_threads,
        .pool_queue = cfg->hash_queue,
        .trusted_proxies = cfg->trusted_proxies,
        .n_trusted_proxies = cfg->n_trusted_proxies,
        .cors_paths = surface_cors_paths,
        .cors_origins = (const char *const *)cfg->cors_origins,
        .n_cors_origins = cfg->n_cors_origins,
        .access_log = cfg->access_log,
        .router = srv->router,
        .dispatch = surface_dispatch,
        .error = surface_error,
        .app = srv,
    };
    srv->started_at = time_now();
    rc = httpd_start(&ho, &srv->httpd);
    if (rc != 0) {
        fprintf(stderr, "latchkey: cannot listen on %s:%u\n", ho.host, ho.port);
        return rc;
    }
    log_info("event=listening addr=%s:%u backend=%s threads=%u", ho.host, httpd_port(srv->httpd),
             store_backend(srv->store), ho.threads);
    return start_metrics_http(srv);
}

void wiring_close(struct server *srv)
{
    httpd_stop(srv->metrics_httpd);
    srv->metrics_httpd = NULL;
    http_router_free(srv->metrics_router);
    srv->metrics_router = NULL;
    httpd_stop(srv->httpd);
    srv->httpd = NULL;
    http_router_free(srv->router);
    srv->router = NULL;
    free(srv->openapi);
    srv->openapi = NULL;
    mailer_free(srv->mailer);
    srv->mailer = NULL;
    pruner_free(srv->pruner);
    srv->pruner = NULL;
    lastused_free(srv->lastused);
    srv->lastused = NULL;
    pcache_free(srv->pcache);
    srv->pcache = NULL;
    hostcache_free(srv->hosts);
    srv->hosts = NULL;
    settings_free(srv->settings);
    srv->settings = NULL;
    access_free(srv->access); /* after its settings: no reload can run */
    srv->access = NULL;
    basic_cache_free(srv->basic);
    srv->basic = NULL;
    ratelimit_free(srv->limiter);
    srv->limiter = NULL;
    keyring_free(srv->keys);
    srv->keys = NULL;
    redis_free(srv->redis);
    srv->redis = NULL;
    store_free(srv->store);
    srv->store = NULL;
    config_fini(&srv->cfg);
}
