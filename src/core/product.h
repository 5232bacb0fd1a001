/*
 * product.h - the products latchkey serves (one per surface that has
 * tenants: travel, AutoCom), each with its own permission catalogue and
 * default roles, declared by the product as static tables.
 *
 * A tenant belongs to the product it was created for (tenants.product)
 * and gets that product's default roles at creation; after that its roles
 * are its own rows. Core knows products only through the list the surfaces
 * register (products[], defined in surfaces/surfaces.c next to the surface
 * list), so adding a product means declaring its tables and listing it
 * there.
 */
#pragma once
#include <stddef.h>

/* One permission of a catalogue (GET /api/v1/team/permissions). */
struct permission_info {
    /* "area.action", or a seed's own spelling "ACTION AREA" (WedoCOD's
     * scopes, "CREATE LEADS"), which is then also the token ability. */
    const char *name;
    const char *description;
    const char *group; /* the area: the part before the dot, or after the space */
};

/* A default role, copied into every new tenant of the product. */
struct role_template {
    const char *name;
    const char *slug;
    const char *const *permissions; /* NULL-terminated, each in the catalogue */
};

struct product {
    const char *name; /* tenants.product, the CLI's --product */
    const struct permission_info *permissions;
    size_t n_permissions;
    const struct role_template *roles; /* in creation order; one has slug "owner" */
    size_t n_roles;
};

/* Every product, in the order the CLI lists them (surfaces/surfaces.c). */
extern const struct product *const products[];
extern const size_t n_products;

/* The product called name (exactly), or NULL. name may be NULL: the
 * product of TENANT_PRODUCT_DEFAULT. */
const struct product *product_find(const char *name);
/* The catalogue entry of product for permission name, or NULL. */
const struct permission_info *product_permission(const struct product *pr, const char *name);
/* Writes the product names, comma-separated ("travel, autocom"), into buf
 * (size bytes, truncated if need be), for usage and error messages. */
void product_names(char *buf, size_t size);
