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
    &surface_common,      &surface_travel,       &surface_autocom,
    &surface_admin,       &surface_autocom_team, &surface_wedocod_web,
    &surface_wedocod_api, &surface_wncms,        &surface_wncms_dashboard,
    &surface_profile,     &surface_fwdauth,      &surface_admin_rules,
    &surface_metrics,     &surface_web,          &surface_oauth,
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

/* Hands every route of sf (and its prefix) to r, in table order. */
static void add_surface(struct http_router *r, const struct surface *sf)
{
    for (size_t j = 0; j < sf->n_routes; j++) {
        const struct route *rt = &sf->routes[j];
        http_router_add(r, &(struct http_route){.method = rt->method,
                                                .pattern = rt->pattern,
                                                .body_limit = rt->body_limit,
                                                .owner = sf,
                                                .target = rt,
                                                .html = sf->html});
    }
    if (sf->prefix != NULL)
        http_router_add_prefix(r, sf->prefix, sf);
}

struct http_router *surfaces_router_new(void)
{
    struct http_router *r = http_router_new();
    for (size_t i = 0; i < n_surfaces_all; i++)
        add_surface(r, surfaces_all[i]);
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
