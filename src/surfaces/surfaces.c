/*
 * surfaces.c - the surface list, in match order. Adding a dialect means
 * adding its file and one line here.
 */
#include "surfaces/surfaces.h"

const struct surface *const surfaces[] = {
    &surface_common, &surface_travel, &surface_autocom, &surface_admin, &surface_autocom_team,
};
const size_t n_surfaces = sizeof(surfaces) / sizeof(surfaces[0]);

/*
 * The paths that take part in CORS (README "HTTP behaviour"): Laravel's
 * api/ paths, the admin API of seed 001 (a browser admin panel calls it),
 * and the JWKS (public keys a browser may fetch to verify a JWT).
 */
const char *const surface_cors_paths[] = {"/api/*", "/admin/*", "/.well-known/jwks.json", NULL};
