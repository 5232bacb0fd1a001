/*
 * surfaces.c - the surface list, in match order. Adding a dialect means
 * adding its file and one line here.
 */
#include "surfaces/surfaces.h"

const struct surface *const surfaces[] = {
    &surface_common, &surface_travel, &surface_autocom, &surface_admin, &surface_autocom_team,
};
const size_t n_surfaces = sizeof(surfaces) / sizeof(surfaces[0]);
