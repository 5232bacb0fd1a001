/*
 * role.h - role lookup. The default roles a tenant starts with are its
 * product's (core/product.h); after creation each tenant's roles are its
 * own rows.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
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
/* The roles of a tenant, ordered by id (arena array); tenant_id 0: the
 * platform's staff roles. */
int role_list(struct server *srv, struct arena *a, int64_t tenant_id, struct role **out, size_t *n)
    __attribute__((warn_unused_result));
/* A role by id, whichever tenant it belongs to. ERR_NOT_FOUND. */
int role_get(struct server *srv, struct arena *a, int64_t id, struct role *out)
    __attribute__((warn_unused_result));

/*
 * True if the permissions held include every one of perms ("*" among held
 * grants everything): the hierarchy rule of the team API and the admin
 * API, where one acts only on someone whose permissions are a subset of
 * one's own (issue 16).
 */
bool role_grants_all(const struct strlist *held, const struct strlist *perms);
