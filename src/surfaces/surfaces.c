/*
 * surfaces.c - the surface list, in match order, and the product list
 * (core/product.h). Adding a dialect means adding its file and one line
 * here; a dialect with tenants of its own adds its product too.
 */
#include "surfaces/surfaces.h"

#include "core/product.h"

const struct surface *const surfaces[] = {
    &surface_common, &surface_travel, &surface_autocom, &surface_admin, &surface_autocom_team,
};
const size_t n_surfaces = sizeof(surfaces) / sizeof(surfaces[0]);

const struct product *const products[] = {&product_travel, &product_autocom};
const size_t n_products = sizeof(products) / sizeof(products[0]);

/*
 * The paths that take part in CORS (README "HTTP behaviour"): Laravel's
 * api/ paths, the admin API of seed 001 (a browser admin panel calls it),
 * and the JWKS (public keys a browser may fetch to verify a JWT).
 */
const char *const surface_cors_paths[] = {"/api/*", "/admin/*", "/.well-known/jwks.json", NULL};
