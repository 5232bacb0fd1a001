/*
 * metrics.c - GET /metrics in the Prometheus text format 0.0.4 (README
 * "Metrics").
 *
 * Served by LATCHKEY_METRICS_LISTEN's listener (metrics_listener_route,
 * open: bind it to a private address), and on the main listener only with
 * LATCHKEY_METRICS_TOKEN, behind that bearer compared in constant time;
 * otherwise the main listener answers 404 as for any unknown path.
 *
 * Everything is counted where it happens, without a lock on the request
 * path (httpd's per-route counters, the pool's, the store's, the
 * caches'), and only read and formatted here, when scraped. Routes are
 * labelled by their pattern, never the path, so the series are bounded by
 * the route tables; only routes that have served a request are listed.
 */
#include <string.h>

#include "core/pcache.h"
#include "core/ratelimit.h"
#include "crypto/hash.h"
#include "http/httpd.h"
#include "http/router.h"
#include "mail/mail.h"
#include "server.h"
#include "store/store.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/metrics.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static const char *const classes[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

/* One listener's routes: the request counts by status class, or (hist)
 * the latency histograms. */
static void render_listener(struct buf *b, const struct http_router *r, const struct httpd *h,
                            const char *listener, bool hist)
{
    size_t n = http_router_count(r);
    for (size_t i = 0; i <= n; i++) {
        const struct httpd_route_stats *st = httpd_route_stats(h, i);
        const struct http_route *rt = i < n ? http_router_route(r, i) : NULL;
        const struct surface *sf = rt != NULL ? rt->owner : NULL;
        const char *labels[] = {"listener", listener,
                                "surface",  sf != NULL ? sf->name : "none",
                                "method",   rt != NULL ? http_method_str(rt->method) : "none",
                                "route",    rt != NULL ? rt->pattern : "none",
                                "code",     NULL,
                                NULL};
        uint64_t total = 0;
        for (size_t c = 0; c < 6; c++) {
            uint64_t k = atomic_load_explicit(&st->by_class[c], memory_order_relaxed);
            total += k;
            labels[9] = classes[c];
            if (!hist && k > 0)
                metrics_sample(b, "latchkey_http_requests_total", labels, (double)k);
        }
        labels[8] = NULL;
        if (hist && total > 0)
            metrics_hist_write(b, "latchkey_http_request_duration_seconds", labels, &st->latency);
    }
}

/* Both listeners' requests, one metric family after the other. */
static void render_requests(struct buf *b, struct server *srv)
{
    metrics_head(b, "latchkey_http_requests_total", "counter",
                 "Requests by listener, surface, route pattern and status class.");
    for (int hist = 0; hist < 2; hist++) {
        if (hist)
            metrics_head(b, "latchkey_http_request_duration_seconds", "histogram",
                         "Time from a request's head to its completion, by route.");
        render_listener(b, srv->router, srv->httpd, "main", hist);
        if (srv->metrics_httpd != NULL)
            render_listener(b, srv->metrics_router, srv->metrics_httpd, "metrics", hist);
    }
}

static void counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
    metrics_head(b, name, "counter", help);
    metrics_sample(b, name, NULL, (double)v);
}

static void gauge(struct buf *b, const char *name, const char *help, double v)
{
    metrics_head(b, name, "gauge", help);
    metrics_sample(b, name, NULL, v);
}

static void render_auth(struct buf *b, struct server *srv)
{
    const struct server_counters *c = &srv->counters;
    metrics_head(b, "latchkey_logins_total", "counter", "Password logins, by result.");
    metrics_sample(b, "latchkey_logins_total", (const char *const[]){"result", "ok", NULL},
                   (double)atomic_load(&c->logins_ok));
    metrics_sample(b, "latchkey_logins_total", (const char *const[]){"result", "failed", NULL},
                   (double)atomic_load(&c->logins_failed));
    counter(b, "latchkey_tokens_issued_total", "API tokens created or refreshed.",
            atomic_load(&c->tokens_issued));
    counter(b, "latchkey_tokens_revoked_total", "API tokens revoked.",
            atomic_load(&c->tokens_revoked));
    struct ratelimit_refusals rf[RATELIMIT_BUCKETS_MAX];
    size_t n = ratelimit_refusals(srv->limiter, rf, RATELIMIT_BUCKETS_MAX);
    metrics_head(b, "latchkey_ratelimit_refusals_total", "counter",
                 "Requests refused by a rate limit or lockout, by bucket.");
    for (size_t i = 0; i < n; i++)
        metrics_sample(b, "latchkey_ratelimit_refusals_total",
                       (const char *const[]){"bucket", rf[i].bucket, NULL}, (double)rf[i].count);
    struct pcache_stats ps;
    pcache_stats(srv->pcache, &ps);
    metrics_head(b, "latchkey_cache_hits_total", "counter", "Principal cache hits, by cache.");
    metrics_sample(b, "latchkey_cache_hits_total",
                   (const char *const[]){"cache", "principal", NULL}, (double)ps.hits);
    metrics_sample(b, "latchkey_cache_hits_total",
                   (const char *const[]){"cache", "organization", NULL}, (double)ps.org_hits);
    metrics_head(b, "latchkey_cache_misses_total", "counter", "Principal cache misses, by cache.");
    metrics_sample(b, "latchkey_cache_misses_total",
                   (const char *const[]){"cache", "principal", NULL}, (double)ps.misses);
    metrics_sample(b, "latchkey_cache_misses_total",
                   (const char *const[]){"cache", "organization", NULL}, (double)ps.org_misses);
    metrics_head(b, "latchkey_cache_bytes", "gauge",
                 "Bytes held by the read caches' entries, by cache (LATCHKEY_AUTH_CACHE_MB).");
    metrics_sample(b, "latchkey_cache_bytes", (const char *const[]){"cache", "principal", NULL},
                   (double)ps.bytes);
    metrics_sample(b, "latchkey_cache_bytes", (const char *const[]){"cache", "organization", NULL},
                   (double)ps.org_bytes);
}

static void render_process(struct buf *b, struct server *srv)
{
    struct pool_stats pool;
    httpd_pool_stats(srv->httpd, &pool);
    gauge(b, "latchkey_hash_pool_queue_depth", "Password-hashing jobs waiting for a thread.",
          (double)pool.queued);
    gauge(b, "latchkey_hash_pool_running", "Password-hashing jobs running.", (double)pool.running);
    metrics_head(b, "latchkey_hash_pool_wait_seconds", "histogram",
                 "Time a password-hashing job waited for a thread.");
    metrics_hist_write(b, "latchkey_hash_pool_wait_seconds", NULL, pool.wait);
    metrics_head(b, "latchkey_store_query_duration_seconds", "histogram",
                 "Database statements, start to end.");
    metrics_hist_write(b, "latchkey_store_query_duration_seconds",
                       (const char *const[]){"backend", store_backend(srv->store), NULL},
                       store_latency(srv->store));
    struct mail_stats ms = {0};
    if (srv->mailer != NULL)
        mailer_stats(srv->mailer, &ms);
    gauge(b, "latchkey_mail_queue_depth", "Mails waiting for delivery.", (double)ms.depth);
    counter(b, "latchkey_mail_sent_total", "Mails delivered.", ms.sent);
    counter(b, "latchkey_mail_retries_total", "Delivery attempts that failed and were retried.",
            ms.retried);
    counter(b, "latchkey_mail_failures_total", "Mails given up or refused (queue full).",
            ms.dropped);
    counter(b, "latchkey_log_dropped_lines_total", "Log lines dropped by a stalled log output.",
            log_dropped_total());
    gauge(b, "latchkey_open_connections", "Client connections open on the main listener.",
          (double)httpd_connections(srv->httpd));
    gauge(b, "process_start_time_seconds", "Start time of the process since the Unix epoch.",
          (double)srv->started_at);
}

/* Replies with every metric. */
static void serve_metrics(struct server *srv, struct request *req)
{
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, 64 * 1024);
    render_requests(&b, srv);
    render_auth(&b, srv);
    render_process(&b, srv);
    http_reply_raw(req, 200, CONTENT_TYPE, b.data, b.len);
    buf_fini(&b);
}

/* GET /metrics on the main listener: only with LATCHKEY_METRICS_TOKEN, and
 * only for that bearer; otherwise the path does not exist. */
static void metrics_bearer(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    const char *token = srv->cfg.metrics_token;
    if (token == NULL) {
        surface_common.error(req, HERR_NOT_FOUND, NULL);
        return;
    }
    const char *auth = http_header(req, "Authorization");
    size_t n = strlen(token);
    bool ok = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 && strlen(auth + 7) == n &&
              ct_equal(auth + 7, token, n);
    if (!ok) {
        http_reply_header(req, "WWW-Authenticate", "Bearer");
        surface_common.error(req, HERR_UNAUTHENTICATED, NULL);
        return;
    }
    serve_metrics(srv, req);
}

/* GET /metrics on LATCHKEY_METRICS_LISTEN's listener: open. */
static void metrics_open(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    serve_metrics(srv, req);
}

static const struct route routes[] = {
    {HTTP_GET, "/metrics", metrics_bearer, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_metrics = {
    .name = "metrics",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};

static const struct route listener_routes[] = {
    {HTTP_GET, "/metrics", metrics_open, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_metrics_listener = {
    .name = "metrics",
    .routes = listener_routes,
    .n_routes = sizeof(listener_routes) / sizeof(listener_routes[0]),
    .error = laravel_error,
};
