/*
 * role.c - role templates and role lookup.
 *
 * The templates are copied into every new tenant; after that each tenant's
 * roles are its own rows. Permission names are "area.action".
 */
#include "core/role.h"

#include <string.h>
#include <strings.h>

#include "server.h"
#include "store/store.h"
#include "util/err.h"

static const char *const owner_perms[] = {
    "dashboard.admin", "dashboard.user",  "pos.view",          "pos.manage",
    "bookings.view",   "bookings.manage", "reports.view",      "team.view",
    "team.invite",     "team.edit",       "team.manage_roles", "team.remove",
    "settings.manage", "billing.manage",  "api_keys.manage",   NULL,
};
static const char *const admin_perms[] = {
    "dashboard.admin",   "dashboard.user", "pos.view",        "pos.manage",      "bookings.view",
    "bookings.manage",   "reports.view",   "team.view",       "team.invite",     "team.edit",
    "team.manage_roles", "team.remove",    "settings.manage", "api_keys.manage", NULL,
};
static const char *const manager_perms[] = {
    "dashboard.user", "pos.view",        "pos.manage",
    "bookings.view",  "bookings.manage", "reports.view",
    "team.view",      "team.invite",     NULL,
};
static const char *const agent_perms[] = {"dashboard.user", "pos.view", NULL};

const struct role_template role_templates[] = {
    {"Owner", "owner", owner_perms},
    {"Admin", "admin", admin_perms},
    {"Manager", "manager", manager_perms},
    {"Agent", "user", agent_perms},
};
const size_t n_role_templates = sizeof(role_templates) / sizeof(role_templates[0]);

int role_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *name_or_slug,
              struct role *out)
{
    struct role *roles = NULL;
    size_t n = 0;
    int rc = store_role_list(srv->store, a, tenant_id, &roles, &n);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(roles[i].slug, name_or_slug) == 0) {
            *out = roles[i];
            return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(roles[i].name, name_or_slug) == 0) {
            *out = roles[i];
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}

const struct permission_info permission_catalogue[] = {
    {"dashboard.admin", "View the administration dashboard", "dashboard"},
    {"dashboard.user", "View the user dashboard", "dashboard"},
    {"pos.view", "View the point of sale", "pos"},
    {"pos.manage", "Use and configure the point of sale", "pos"},
    {"bookings.view", "View bookings", "bookings"},
    {"bookings.manage", "Create, change and cancel bookings", "bookings"},
    {"reports.view", "View reports", "reports"},
    {"team.view", "View team members and roles", "team"},
    {"team.invite", "Invite members, resend and cancel invitations", "team"},
    {"team.edit", "Reactivate suspended members", "team"},
    {"team.manage_roles", "Change members' roles and view the permission catalogue", "team"},
    {"team.remove", "Suspend and remove members", "team"},
    {"settings.manage", "Manage the organization's settings", "settings"},
    {"billing.manage", "Manage billing and subscriptions", "billing"},
    {"api_keys.manage", "Create and revoke API keys", "api_keys"},
};
const size_t n_permission_catalogue =
    sizeof(permission_catalogue) / sizeof(permission_catalogue[0]);

const struct permission_info *permission_find(const char *name)
{
    for (size_t i = 0; i < n_permission_catalogue; i++) {
        if (strcmp(permission_catalogue[i].name, name) == 0)
            return &permission_catalogue[i];
    }
    return NULL;
}
