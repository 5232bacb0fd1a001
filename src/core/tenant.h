/*
 * tenant.h - tenants and their default roles.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "store/model.h"

struct arena;
struct server;

struct tenant_request {
    const char *slug;        /* ^[a-z0-9][a-z0-9-]{0,62}$ */
    const char *name;        /* 1..255 bytes */
    const char *domain;      /* may be NULL */
    const char *currency;    /* 3 upper-case letters; NULL = "USD" */
    struct strlist products; /* seed 004's enabled_products */
    const char *product;     /* the product it belongs to (product.h); NULL: the default */
};

/* The longest slug a lookup sends to the database; longer ones are not
 * found without asking (valid slugs are at most 63 bytes). */
#define TENANT_SLUG_LOOKUP_MAX 255

/* True if slug is a valid tenant slug. */
bool tenant_slug_valid(const char *slug);

/* Finds a tenant by slug (the X-Tenant value), compared exactly.
 * ERR_NOT_FOUND, also for a slug over TENANT_SLUG_LOOKUP_MAX bytes. */
int tenant_find_slug(struct server *srv, struct arena *a, const char *slug, struct tenant *out)
    __attribute__((warn_unused_result));
/* Every tenant, ordered by id (arena array). */
int tenant_list(struct server *srv, struct arena *a, struct tenant **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Creates the tenant and its product's default roles in one transaction.
 * *roles / *n_roles receive the roles (arena). ERR_INVALID for bad fields
 * or an unknown product, ERR_CONFLICT for a taken slug.
 */
int tenant_create(struct server *srv, struct arena *a, const struct tenant_request *rq,
                  struct tenant *out, struct role **roles, size_t *n_roles)
    __attribute__((warn_unused_result));
/*
 * Like tenant_create, inside the caller's open transaction (which the
 * caller commits or rolls back) and without the audit record.
 */
int tenant_insert_in_tx(struct server *srv, struct arena *a, const struct tenant_request *rq,
                        struct tenant *out, struct role **roles, size_t *n_roles)
    __attribute__((warn_unused_result));

/* What `latchkey tenant update` changes: NULL (or !set_products) keeps. */
struct tenant_update {
    const char *name;     /* 1..255 bytes */
    const char *domain;   /* "" clears it */
    const char *currency; /* 3 upper-case letters */
    bool set_products;
    struct strlist products;
};

/*
 * Updates the tenant named slug and audits tenant.update; *out is the
 * tenant as stored. ERR_NOT_FOUND; ERR_INVALID. Servers see a new domain
 * once their host cache entry expires (HOSTCACHE_TTL_MS).
 */
int tenant_update(struct server *srv, struct arena *a, const char *slug,
                  const struct tenant_update *up, struct tenant *out)
    __attribute__((warn_unused_result));
