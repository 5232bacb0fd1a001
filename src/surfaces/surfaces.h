/*
 * surfaces.h - the surface objects, one per seed dialect (listed in
 * surfaces.c, the only place that knows them all), and what whoever starts
 * the HTTP server hands to it (http/httpd.h): the router of every route,
 * the dispatch function, the error renderer and the CORS paths.
 */
#pragma once
#include "http/http.h"
#include "surfaces/route.h"

struct http_route;
struct http_router;

extern const struct surface surface_common;
extern const struct surface surface_travel;
extern const struct surface surface_autocom;
extern const struct surface surface_admin;
extern const struct surface surface_autocom_team;
extern const struct surface surface_wncms;
extern const struct surface surface_wncms_dashboard;
extern const struct surface surface_wedocod_web;
extern const struct surface surface_wedocod_api;
extern const struct surface surface_profile;
extern const struct surface surface_web;
extern const struct surface surface_oauth;
extern const struct surface surface_fwdauth;
extern const struct surface surface_admin_rules;
/* GET /metrics on the main listener (behind LATCHKEY_METRICS_TOKEN), and
 * the metrics listener's own surface (metrics.c). */
extern const struct surface surface_metrics;
extern const struct surface surface_metrics_listener;
extern const struct surface surface_docs;

/* Every surface, in match order (what surfaces_router_new() routes; the
 * route listing of `latchkey routes` and the fuzz harnesses walk it). */
extern const struct surface *const surfaces_all[];
extern const size_t n_surfaces_all;

/*
 * Calls fn(surface, route, ctx) for every route of every surface, in
 * match order: the one walk that `latchkey routes`, the OpenAPI document
 * (surfaces/openapi.h) and the router share. Borrows everything.
 */
void surfaces_each_route(void (*fn)(const struct surface *sf, const struct route *rt, void *ctx),
                         void *ctx);
/* The auth mode's name in listings and documents ("bearer_pat"); static. */
const char *surfaces_auth_name(enum route_auth a);

/* The products, each declared by its surface (core/product.h). */
struct product;
extern const struct product product_travel;
extern const struct product product_autocom;
extern const struct product product_wedocod;
extern const struct product product_wncms;

/*
 * A router of every surface's routes, in match order, each route's owner
 * its surface and target its row, and the surfaces' prefixes (struct
 * surface .prefix). Owned: http_router_free() after httpd_stop().
 */
struct http_router *surfaces_router_new(void);
/* The router of LATCHKEY_METRICS_LISTEN's listener: GET /metrics alone
 * (owned: http_router_free). */
struct http_router *surfaces_metrics_router_new(void);
/*
 * httpd's dispatch function (httpd_dispatch_fn): app is the struct server,
 * route one of surfaces_router_new()'s. Runs rate limit, auth and
 * permission from the route row, then its handler (dispatch.c).
 */
void surface_dispatch(void *app, struct request *req, const struct http_route *route);
/*
 * httpd's error renderer (httpd_error_fn): in the dialect of owner (a
 * struct surface), or the default (Laravel's) when owner is NULL.
 */
void surface_error(void *app, struct request *req, const void *owner, enum http_error kind,
                   const char *message);

/* The path patterns CORS covers (a trailing * makes a prefix), NULL-terminated. */
extern const char *const surface_cors_paths[];
