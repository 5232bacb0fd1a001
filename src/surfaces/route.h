/*
 * route.h - route tables and surfaces (DESIGN section 6).
 *
 * A surface is a static table of routes plus a dialect (how its errors
 * look). surfaces_router_new() (surfaces.h) hands every route to the
 * HTTP server's router, in match order; for a matched route the server
 * calls surface_dispatch(), which applies rate limits, authentication and
 * the permission check from the route row before calling the handler.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

struct server;
struct principal;
struct surface;
struct validator;

/* How a route authenticates. Unset (0) denies everything. */
enum route_auth {
    AUTH_DENY = 0,
    AUTH_PUBLIC,     /* no credential needed */
    AUTH_BEARER_PAT, /* Authorization: Bearer <Sanctum token> */
    AUTH_BEARER_JWT, /* Authorization: Bearer <RS256 JWT> (AutoCom) */
    /* Bearer <admin token> of a staff member (seed 001); the route's
     * permission is a staff permission ("users:list"). */
    AUTH_BEARER_ADMIN,
    /* AUTH_BEARER_JWT and the X-Tenant header is required: without it,
     * after authentication and before the permission check, 400 "X-Tenant
     * header is required" (AutoCom's tenant-scoped routes). */
    AUTH_BEARER_JWT_TENANT,
    /* AUTH_BEARER_JWT for a route that takes no tenant (the user's own
     * account): X-Tenant is ignored and no tenant is bound. */
    AUTH_BEARER_JWT_USER,
    /* The dashboard session cookie of a logged-in user (seed 000); unsafe
     * methods also need the CSRF token (419 first). */
    AUTH_SESSION,
    /* AUTH_SESSION, else Authorization: Bearer <PAT> (Sanctum's guard,
     * GET /api/user); a Bearer request is never CSRF-checked. */
    AUTH_SESSION_OR_PAT,
    /* A public route of the dashboard: the handler's principal carries
     * the session cookie's live session if any (has_session, a guest's
     * too; no user is bound), and an unsafe method without its CSRF token
     * is 419 before anything else (POST /login, /reset-password). */
    AUTH_PUBLIC_SESSION,
};

typedef void (*route_handler)(struct server *srv, struct request *req, const struct principal *p);

struct route {
    enum http_method method;
    const char *pattern; /* "/api/v1/auth/user", "/api/v1/team/members/{id}" */
    route_handler handler;
    enum route_auth auth;
    const char *permission; /* checked with principal_can(); NULL = none */
    const char *bucket;     /* rate-limit bucket (config_rate); NULL = none */
    size_t body_limit;      /* 0 = the configured default */
};

struct surface {
    const char *name;
    const struct route *routes;
    size_t n_routes;
    /* Renders an error in the surface's dialect; message may be NULL for
     * the dialect's default wording. */
    void (*error)(struct request *req, enum http_error kind, const char *message);
    /* Optional: renders p->refusal: 403 (suspended, not a member), or 404
     * for REFUSE_TENANT_UNKNOWN. NULL: error(HERR_FORBIDDEN or
     * HERR_NOT_FOUND, refusal_message(p->refusal)). */
    void (*refusal)(struct request *req, const struct principal *p);
    /* Optional: renders the 403 for a missing route permission. NULL:
     * error(HERR_FORBIDDEN, NULL). */
    void (*denied)(struct request *req, const char *permission);
    /* Optional: renders the 422 for v's errors (surfaces/validate.h). NULL:
     * Laravel's {"message": first error (and N more errors), "errors"}. */
    void (*validation)(struct request *req, const struct validator *v);
    /* Optional: a path prefix the surface owns ("/admin"): a path equal to
     * it or under it ("/admin/...") that no route matches gets its 404 in
     * this surface's dialect. NULL: such paths get the default dialect. */
    const char *prefix;
    /* Every route of the surface is a page for browsers (struct
     * http_route .html): a request that prefers HTML gets it before any
     * other surface's route of the same path and method, other requests
     * only when no other route matches. */
    bool html;
};
