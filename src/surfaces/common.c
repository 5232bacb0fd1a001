/*
 * common.c - routes shared by every deployment: health and readiness.
 *
 *   GET /healthz   200 {"status":"ok"} as soon as the server accepts requests
 *                  (the process alone: a load balancer must not restart it
 *                  because the database is away)
 *   GET /readyz    200 {"status":"ready","database":"ok"} when the database
 *                  answers now, else 503 {"status":"unavailable",
 *                  "database":"down"} (take the instance out of rotation)
 */
#include "server.h"
#include "store/store.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"

static void healthz(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    (void)p;
    http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void readyz(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    if (store_ping(srv->store) == 0)
        http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
    else
        http_reply_json(req, 503,
                        json_pack("{s:s, s:s}", "status", "unavailable", "database", "down"));
}

static const struct route routes[] = {
    {HTTP_GET, "/healthz", healthz, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/readyz", readyz, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_common = {
    .name = "common",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
