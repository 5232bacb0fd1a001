/*
 * role.h - role lookup. The default roles a tenant starts with are its
 * product's (core/product.h); after creation each tenant's roles are its
 * own rows.
 */
#pragma once
#include <stdint.h>

#include "store/model.h"

struct arena;
struct server;

/*
 * Finds a tenant's role by slug or name, case-insensitively (slug first).
 * ERR_NOT_FOUND if none.
 */
int role_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *name_or_slug,
              struct role *out) __attribute__((warn_unused_result));
