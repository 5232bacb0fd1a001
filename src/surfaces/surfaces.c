/*
 * surfaces.c - the surface list, in match order, and the product list
 * (core/product.h). Adding a dialect means adding its file and one line
 * here; a dialect with tenants of its own adds its product too.
 */
#include "surfaces/surfaces.h"

#include "core/product.h"
#include "core/settings.h"
#include "http/router.h"

const struct surface *const surfaces_all[] = {
    &surface_common,          &surface_travel,      &surface_autocom,     &surface_admin,
    &surface_autocom_team,    &surface_wedocod_web, &surface_wedocod_api, &surface_wncms,
    &surface_wncms_dashboard, &surface_profile,     &surface_fwdauth,     &surface_admin_rules,
    &surface_metrics,         &surface_web,         &surface_docs,        &surface_oauth,
};
const size_t n_surfaces_all = sizeof(surfaces_all) / sizeof(surfaces_all[0]);

const struct product *const products[] = {&product_travel, &product_autocom, &product_wedocod,
                                          &product_wncms};
const size_t n_products = sizeof(products) / sizeof(products[0]);

/* The settings each surface declares (in its *_product.c). */
extern const struct setting_def wncms_settings[];

/* Each surface's runtime settings (core/settings.h), each table ended by
 * a NULL key. */
const struct setting_def *const setting_defs[] = {wncms_settings};
const size_t n_setting_defs = sizeof(setting_defs) / sizeof(setting_defs[0]);

void surfaces_each_route(void (*fn)(const struct surface *sf, const struct route *rt, void *ctx),
                         void *ctx)
{
    for (size_t i = 0; i < n_surfaces_all; i++) {
        const struct surface *sf = surfaces_all[i];
        for (size_t j = 0; j < sf->n_routes; j++)
            fn(sf, &sf->routes[j], ctx);
    }
}

const char *surfaces_auth_name(enum route_auth a)
{
    switch (a) {
    case AUTH_DENY: return "deny";
    case AUTH_PUBLIC: return "public";
    case AUTH_BEARER_PAT: return "bearer_pat";
    case AUTH_BEARER_JWT: return "bearer_jwt";
    case AUTH_BEARER_ADMIN: return "bearer_admin";
    case AUTH_BEARER_JWT_TENANT: return "bearer_jwt_tenant";
    case AUTH_BEARER_JWT_USER: return "bearer_jwt_user";
    case AUTH_SESSION: return "session";
    case AUTH_SESSION_OR_PAT: return "session_or_pat";
    case AUTH_PUBLIC_SESSION: return "public_session";
    case AUTH_GATED: return "gated";
    case AUTH_STAFF: return "staff";
    case AUTH_BEARER_JWT_TENANT_OR_SESSION: return "bearer_jwt_tenant_or_session";
    }
    return "unknown";
}

/* Hands one route to the router (surfaces_each_route's callback). */
static void add_route(const struct surface *sf, const struct route *rt, void *ctx)
{
    http_router_add(ctx, &(struct http_route){.method = rt->method,
                                              .pattern = rt->pattern,
                                              .body_limit = rt->body_limit,
                                              .owner = sf,
                                              .target = rt,
                                              .html = sf->html});
}

/* Hands every route of sf (and its prefix) to r, in table order: the
 * metrics listener's router, which has that one surface. */
static void add_surface(struct http_router *r, const struct surface *sf)
{
    for (size_t j = 0; j < sf->n_routes; j++)
        add_route(sf, &sf->routes[j], r);
    if (sf->prefix != NULL)
        http_router_add_prefix(r, sf->prefix, sf);
}

struct http_router *surfaces_router_new(void)
{
    struct http_router *r = http_router_new();
    surfaces_each_route(add_route, r);
    for (size_t i = 0; i < n_surfaces_all; i++) {
        if (surfaces_all[i]->prefix != NULL)
            http_router_add_prefix(r, surfaces_all[i]->prefix, surfaces_all[i]);
    }
    return r;
}

struct http_router *surfaces_metrics_router_new(void)
{
    struct http_router *r = http_router_new();
    add_surface(r, &surface_metrics_listener);
    return r;
}

/*
 * The paths that take part in CORS (README "HTTP behaviour"): Laravel's
 * api/ paths, the admin API of seed 001 (a browser admin panel calls it),
 * and the JWKS and OIDC discovery (public documents a browser may fetch
 * to verify a JWT).
 */
const char *const surface_cors_paths[] = {"/api/*", "/admin/*", "/.well-known/jwks.json",
                                          "/.well-known/openid-configuration", NULL};
