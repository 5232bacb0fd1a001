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

/*
 * The permission catalogue (GET /api/v1/team/permissions): every name a
 * role template grants, with a description and its group (the part
 * before the dot). A static table rather than rows of the permissions
 * table: the templates above are compiled in too, and a catalogue that
 * differs between instances of one version would be a bug
 * (docs/decisions.md).
 */
struct permission_info {
    const char *name;
    const char *description;
    const char *group;
};
extern const struct permission_info permission_catalogue[];
extern const size_t n_permission_catalogue;
/* The catalogue entry for name, or NULL. */
const struct permission_info *permission_find(const char *name);
