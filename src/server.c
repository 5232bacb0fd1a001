/*
 * server.c - builds and tears down struct server.
 */
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "core/keyring.h"
#include "core/lastused.h"
#include "core/hostcache.h"
#include "core/pcache.h"
#include "core/ratelimit.h"
#include "crypto/random.h"
#include "kv/redis.h"
#include "mail/mail.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Hosts remembered by the host -> tenant cache (a few hundred bytes each). */
#define SERVER_HOST_CACHE 1024

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

/* With LATCHKEY_REDIS_URL, the rate-limit counters go to Redis (lazily
 * connected: CLI commands that never count anything never connect). */
static void open_redis(struct server *srv)
{
    if (srv->cfg.redis_url == NULL)
        return;
    srv->redis = redis_new(&srv->cfg.redis, srv->cfg.redis_timeout_ms);
    srv->rate_remote = (struct rate_remote){
        .name = "redis", .hit = redis_rate_hit, .ping = redis_rate_ping, .ctx = srv->redis};
    ratelimit_set_remote(srv->limiter, &srv->rate_remote, RATELIMIT_RETRY_MS);
}

static int open_server(struct server *srv, int *applied, bool quiet)
{
    memset(srv, 0, sizeof(*srv));
    char err[256] = "";
    if (config_load(&srv->cfg, NULL, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "latchkey: configuration: %s\n", err);
        return ERR_INVALID;
    }
    log_set_level(quiet && srv->cfg.log_level < LOG_WARN ? LOG_WARN : srv->cfg.log_level);
    srv->pw =
        (struct password_params){.opslimit = srv->cfg.argon2_ops, .memlimit = srv->cfg.argon2_mem};
    if (crypto_init() != 0) {
        fprintf(stderr, "latchkey: libsodium failed to initialise\n");
        return ERR_CRYPTO;
    }
    int rc = store_open(srv->cfg.database_url, &srv->store);
    if (rc != 0) {
        char buf[512];
        fprintf(stderr, "latchkey: cannot open database %s: %s\n",
                shown_url(srv->cfg.database_url, buf, sizeof(buf)), err_str(rc));
        return rc;
    }
    rc = store_migrate(srv->store, applied);
    if (rc == 0)
        rc = store_schema_check(srv->store);
    if (rc != 0) {
        fprintf(stderr, "latchkey: database schema: %s\n",
                rc == ERR_SCHEMA ? "the database is newer than this binary" : err_str(rc));
        return rc;
    }
    srv->limiter = ratelimit_new();
    srv->keys = keyring_new(srv->store, srv->cfg.jwt_ttl_s);
    open_redis(srv);
    return 0;
}

int server_open(struct server *srv, int *applied)
{
    return open_server(srv, applied, false);
}

int server_open_quiet(struct server *srv)
{
    return open_server(srv, NULL, true);
}

int server_start_background(struct server *srv)
{
    srv->lastused = lastused_new(srv->store, srv->cfg.last_used_flush_ms);
    srv->pcache = pcache_new(srv->cfg.auth_cache);
    srv->hosts = hostcache_new(SERVER_HOST_CACHE);
    if (srv->redis != NULL) {
        /* Never the password: host, port and db only. A failure logs its own line. */
        enum rate_store st = ratelimit_store(srv->limiter, true);
        log_info("event=ratelimit_store store=redis host=%s port=%u db=%u state=%s",
                 srv->cfg.redis.host, (unsigned)srv->cfg.redis.port, srv->cfg.redis.db,
                 ratelimit_store_str(st));
    }
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

int64_t server_now(const struct server *srv)
{
    return time_now() + srv->cfg.clock_offset_s;
}

void server_close(struct server *srv)
{
    mailer_free(srv->mailer);
    srv->mailer = NULL;
    lastused_free(srv->lastused);
    srv->lastused = NULL;
    pcache_free(srv->pcache);
    srv->pcache = NULL;
    hostcache_free(srv->hosts);
    srv->hosts = NULL;
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
