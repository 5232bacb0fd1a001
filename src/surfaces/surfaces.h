/*
 * surfaces.h - the surface objects, one per seed dialect (listed in
 * surfaces.c, the only place that knows them all).
 */
#pragma once
#include "http/route.h"

extern const struct surface surface_common;
extern const struct surface surface_travel;
extern const struct surface surface_autocom;
extern const struct surface surface_admin;
extern const struct surface surface_autocom_team;

/* The products, each declared by its surface (core/product.h). */
struct product;
extern const struct product product_travel;
extern const struct product product_autocom;

/* The path patterns CORS covers (a trailing * makes a prefix), NULL-terminated. */
extern const char *const surface_cors_paths[];
