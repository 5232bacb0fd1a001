/*
 * httpd.h - the HTTP server's life cycle (libmicrohttpd glue).
 *
 * The server owns the mechanism, whoever starts it hands in the policy
 * (as with libmicrohttpd's access handler or h2o's configuration): the
 * routes (router.h), the dispatch function a matched request goes to and
 * the renderer of the errors the transport decides itself. The transport
 * knows nothing else of the application.
 *
 * httpd_start() listens and serves on MHD's internal epoll thread pool.
 * For each request it reads the body (up to the limit, else 413), finds
 * the route (404/405), parses the body into JSON (a malformed or too deep
 * body is read as an empty object, as Laravel does) and calls dispatch.
 * Headers over 16 KiB get 431. One access-log line is written per request when it completes
 * (requests that MHD refuses itself before our handler runs, such as
 * malformed request lines or headers beyond its memory pool, get none).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "http/pool.h"
#include "util/log.h"
#include "util/metrics.h"

struct httpd;
struct http_route;
struct http_router;
struct netaddr;

/*
 * Called on an HTTP thread for a matched request, its body read and
 * parsed: must reply or defer (http.h). app is httpd_options.app; route is
 * the router's copy of the matched route (its target and owner are the
 * application's).
 */
typedef void (*httpd_dispatch_fn)(void *app, struct request *req, const struct http_route *route);
/*
 * Renders an error the transport decided (404, 405, 413, 500 for a handler
 * that did not reply, 503 while stopping) in the dialect of owner: the
 * matched route's, the owner of the path's prefix (router.h), or NULL (the
 * application's default dialect). message is the wording to use, or NULL
 * for the dialect's own. Must reply; a renderer that does not gets an
 * empty 500.
 */
typedef void (*httpd_error_fn)(void *app, struct request *req, const void *owner,
                               enum http_error kind, const char *message);

/* Zero means the default noted for each field. */
struct httpd_options {
    const char *host;            /* IPv4/IPv6 literal or name; NULL or "": 0.0.0.0 */
    uint16_t port;               /* 0: any free port */
    unsigned threads;            /* MHD worker threads (0: one per core) */
    unsigned conn_timeout_s;     /* idle connection timeout (0: 30) */
    unsigned head_timeout_ms;    /* deadline of each request head (0: 10000) */
    unsigned per_ip_connections; /* (0: unlimited) */
    unsigned max_connections;    /* in all (0: from RLIMIT_NOFILE, see httpd_start) */
    size_t body_limit;           /* for routes without their own (0: 65536) */
    unsigned pool_threads;       /* worker pool for http_defer (0: one per core) */
    unsigned pool_queue;         /* max queued jobs beyond the running ones (0: 64) */
    enum log_access access_log;  /* which requests get an access-log line (0: all) */
    /* Proxies whose X-Forwarded-For gives the client address (borrowed for
     * the server's life; none: the peer address is the client). */
    const struct netaddr *trusted_proxies;
    size_t n_trusted_proxies;
    /* CORS (README "HTTP behaviour"), borrowed for the server's life: the
     * covered path patterns, NULL-terminated (a trailing * makes a prefix; NULL:
     * CORS off), and the allowed origins (none: any, "*"). */
    const char *const *cors_paths;
    const char *const *cors_origins;
    size_t n_cors_origins;
    /* The application (required), borrowed for the server's life: its
     * routes, where a matched request goes, how errors look, and the
     * pointer both functions get. */
    const struct http_router *router;
    httpd_dispatch_fn dispatch;
    httpd_error_fn error;
    void *app;
};

/*
 * Starts serving; *out is owned by the caller. Raises the process's soft
 * limit of open files to its hard limit, and without max_connections
 * takes connections up to that limit less a reserve for everything else
 * (databases, logs, mail).
 */
int httpd_start(const struct httpd_options *o, struct httpd **out)
    __attribute__((warn_unused_result));
/* The port actually bound (useful with port 0). */
uint16_t httpd_port(const struct httpd *h);
/*
 * The requests one route has served: route i of the router
 * (http_router_index), or i = http_router_count for those no route
 * matched; NULL past that. Counted when a request completes, with
 * relaxed atomics: read them as a consistent-enough snapshot.
 */
struct httpd_route_stats {
    atomic_uint_fast64_t by_class[6]; /* by status / 100; [0]: no reply (client left) */
    struct metrics_hist latency;      /* first call to completion */
};
const struct httpd_route_stats *httpd_route_stats(const struct httpd *h, size_t i);
/* Client connections open now. */
unsigned httpd_connections(const struct httpd *h);
/* The deferred-work (password hashing) pool's state. */
void httpd_pool_stats(const struct httpd *h, struct pool_stats *out);
/* Stops accepting, waits for in-flight requests and deferred jobs to
 * finish, and frees everything. Accepts NULL. */
void httpd_stop(struct httpd *h);
