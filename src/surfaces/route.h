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
    /* AUTH_BEARER_ADMIN, else the dashboard session of a staff member
     * (the staff console, /staff): the Bearer token wins when both are
     * sent; a session request is CSRF-checked (419 first) and held to
     * the same staff permission. */
    AUTH_STAFF,
    /* AUTH_BEARER_JWT and the X-Tenant header is required: without it,
     * after authentication and before the permission check, 400 "X-Tenant
     * header is required" (AutoCom's tenant-scoped routes). */
    AUTH_BEARER_JWT_TENANT,
    /* AUTH_BEARER_JWT for a route that takes no tenant (the user's own
     * account): X-Tenant is ignored and no tenant is bound. */
    AUTH_BEARER_JWT_USER,
    /* AUTH_BEARER_JWT_TENANT for a request with an Authorization Bearer;
     * a request without one but with the dashboard session cookie is
     * AUTH_SESSION's instead (CSRF on unsafe methods, 419 first), acting
     * in the session's current tenant (X-Tenant is ignored). The team
     * API serves the dashboard this way (issue 15). */
    AUTH_BEARER_JWT_TENANT_OR_SESSION,
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
    /* The surface's gate decides, from settings (struct route_gate). */
    AUTH_GATED,
};

/*
 * A route whose switch, auth mode and required role are runtime settings
 * (issue 14; core/settings.h) has auth AUTH_GATED, and its permission
 * field names its setting key instead of a permission. gate_dispatch()
 * (gate.c) reads, per tenant and before authentication:
 *   <global> and <key>   SETTING_BOOL switches: off -> GATE_DISABLED (403)
 *   <key>_auth           none | simple | basic
 *   <key>_role           "none" or the role slug the user must hold
 * The tenant (the "site") is the X-Tenant header's, else the Host's, else
 * the credential's; it must belong to product. The surface holds the
 * gate (struct surface .gate): one global switch and product per surface.
 */
struct route_gate {
    const char *global;  /* "wncms_api_enabled" */
    const char *product; /* "wncms" */
};

/* Why a gate refused a request, rendered by the surface's gate_refusal. */
enum gate_refusal {
    GATE_DISABLED,  /* the route's or the global switch is off */
    GATE_NO_SITE,   /* no tenant of the product named, or none to find */
    GATE_BAD_TOKEN, /* simple: missing, unknown or revoked token, inactive user */
    GATE_BAD_BASIC, /* basic: missing or wrong credentials, inactive user */
    GATE_ROLE,      /* the user lacks the required role */
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
    /*
     * Optional: a staff permission ("accounts:read") that lets platform
     * staff read across tenants. On the surface's GET routes, a token
     * that names no tenant, of a super-admin or of staff whose role
     * grants it, makes a platform principal (p->platform): the route's
     * permission is then tokenCan alone, and the handler serves every
     * tenant. NULL: no platform reads.
     */
    const char *platform_permission;
    /* The gate of its AUTH_GATED routes, and how its refusals look
     * (both required when it has such routes). */
    const struct route_gate *gate;
    void (*gate_refusal)(struct request *req, enum gate_refusal why);
    /* Every route of the surface is a page for browsers (struct
     * http_route .html): a request that prefers HTML gets it before any
     * other surface's route of the same path and method, other requests
     * only when no other route matches. */
    bool html;
};
