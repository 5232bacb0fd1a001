/*
 * role.h - roles and the permission catalogue.
 *
 * Each tenant gets copies of the role templates at creation (owner, admin,
 * manager, and "Agent" whose slug is "user" as in seed 004's example).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

struct arena;
struct server;

struct role_template {
    const char *name;
    const char *slug;
    const char *const *permissions; /* NULL-terminated */
};

/* The templates, in creation order. */
extern const struct role_template role_templates[];
extern const size_t n_role_templates;

/*
 * Finds a tenant's role by slug or name, case-insensitively (slug first).
 * ERR_NOT_FOUND if none.
 */
int role_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *name_or_slug,
              struct role *out) __attribute__((warn_unused_result));
