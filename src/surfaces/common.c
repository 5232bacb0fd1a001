/*
 * common.c - routes shared by every deployment: health.
 *
 *   GET /healthz   200 {"status":"ok"} as soon as the server accepts requests
 */
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"

static void healthz(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    (void)p;
    http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static const struct route routes[] = {
    {HTTP_GET, "/healthz", healthz, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_common = {
    .name = "common",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
