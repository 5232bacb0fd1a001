/*
 * import_teams.c - Jetstream's teams in the Laravel import
 * (`--teams jetstream`, import.h).
 *
 * Each team becomes a tenant of the default product, named as the team,
 * its slug made from the name (with "-<team id>" when another tenant has
 * it); the team's owner (teams.user_id) becomes its owner, and each
 * team_user row a membership with the role of the same name, or the one
 * --team-roles maps it to. Migration 0014's laravel_team_imports
 * remembers which tenant a team became, so a second run finds it again.
 */
#include <stdio.h>
#include <string.h>

#include "core/import_int.h"
#include "core/role.h"
#include "core/tenant.h"
#include "server.h"
#include "store/import.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/slug.h"

/* Room left in a slug for "-<team id>". */
#define SLUG_BASE_MAX 40

/* A slug no tenant has: the name's, else with "-<team id>"; NULL if both
 * are taken. */
static int free_slug(struct import_run *r, const struct laravel_team *t, const char **out)
{
    const char *base = slug_make(r->scratch, t->name, SLUG_BASE_MAX, "team");
    const char *tries[2] = {base, arena_printf(r->scratch, "%s-%lld", base, (long long)t->id)};
    *out = NULL;
    for (size_t i = 0; i < 2; i++) {
        struct tenant ex;
        int rc = store_tenant_by_slug(r->srv->store, r->scratch, tries[i], &ex);
        if (rc == ERR_NOT_FOUND) {
            *out = tries[i];
            return 0;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The tenant of a team this import has not seen: created, or skipped. */
static int create_tenant(struct import_run *r, const struct laravel_team *t, int64_t *tenant_id)
{
    *tenant_id = 0;
    if (t->name == NULL || t->name[0] == '\0' || strlen(t->name) > 255) {
        import_skip(r, &r->rep->teams, "teams", t->id,
                    "invalid name (empty or longer than 255 bytes)");
        return 0;
    }
    const char *slug;
    int rc = free_slug(r, t, &slug);
    if (rc != 0)
        return rc;
    if (slug == NULL) {
        import_skip(r, &r->rep->teams, "teams", t->id,
                    "its tenant slug and the slug with the team id are both taken");
        return 0;
    }
    struct tenant_request rq = {.slug = slug, .name = t->name};
    struct tenant tn;
    struct role *roles = NULL;
    size_t n_roles = 0;
    rc = tenant_insert_in_tx(r->srv, r->scratch, &rq, &tn, &roles, &n_roles);
    if (rc == 0)
        rc = store_import_team_link_put(r->srv->store, tn.id, t->id, r->now);
    if (rc == 0) {
        r->rep->teams.created++;
        *tenant_id = tn.id;
    }
    return rc;
}

/* Makes the user role (by name or slug) in the tenant, or reports why not. */
static int member_as(struct import_run *r, const char *table, int64_t row_id, int64_t laravel_user,
                     int64_t tenant_id, const char *role)
{
    int64_t user_id = import_map_find(&r->users, laravel_user);
    if (user_id == 0) {
        import_skip(r, &r->rep->memberships, table, row_id,
                    arena_printf(r->scratch, "its user (Laravel id %lld) was not imported",
                                 (long long)laravel_user));
        return 0;
    }
    struct role ro;
    int rc = role == NULL ? ERR_NOT_FOUND : role_find(r->srv, r->scratch, tenant_id, role, &ro);
    if (rc == ERR_NOT_FOUND) {
        import_skip(r, &r->rep->memberships, table, row_id,
                    arena_printf(r->scratch,
                                 "role %s is no role of the tenant (map it: --team-roles %s=ROLE)",
                                 role ? role : "NULL", role ? role : "NULL"));
        return 0;
    }
    if (rc != 0)
        return rc;
    return import_member(r, user_id, tenant_id, ro.id);
}

static int on_team(void *ctx, const struct laravel_team *t)
{
    struct import_run *r = ctx;
    arena_reset(r->scratch);
    int64_t tenant_id = 0;
    int rc = store_import_team_link_get(r->srv->store, t->id, &tenant_id);
    if (rc == 0)
        r->rep->teams.unchanged++;
    else if (rc == ERR_NOT_FOUND)
        rc = create_tenant(r, t, &tenant_id);
    if (rc != 0 || tenant_id == 0)
        return rc;
    import_map_add(&r->teams, t->id, tenant_id);
    return member_as(r, "teams", t->id, t->user_id, tenant_id, "owner");
}

/* The latchkey role a Jetstream role name maps to (--team-roles), or the
 * name itself. */
static const char *mapped_role(const struct import_run *r, const char *role)
{
    if (role == NULL || r->o->team_roles == NULL)
        return role;
    size_t n = strlen(role);
    for (const char *p = r->o->team_roles; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq != NULL && (size_t)(eq - p) == n && strncmp(p, role, n) == 0)
            return arena_strndup(r->scratch, eq + 1, len - n - 1);
        p = end ? end + 1 : NULL;
    }
    return role;
}

static int on_member(void *ctx, const struct laravel_member *m)
{
    struct import_run *r = ctx;
    arena_reset(r->scratch);
    int64_t tenant_id = import_map_find(&r->teams, m->team_id);
    if (tenant_id == 0) {
        import_skip(
            r, &r->rep->memberships, "team_user", m->id,
            arena_printf(r->scratch, "its team (%lld) was not imported", (long long)m->team_id));
        return 0;
    }
    return member_as(r, "team_user", m->id, m->user_id, tenant_id, mapped_role(r, m->role));
}

int import_teams(struct import_run *r, struct store *src)
{
    int rc = store_laravel_each_team(src, r->rows, on_team, r);
    if (rc == 0)
        rc = store_laravel_each_member(src, r->rows, on_member, r);
    return rc;
}
