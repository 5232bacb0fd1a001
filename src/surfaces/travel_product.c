/*
 * travel_product.c - the travel product's (seed 004) permission catalogue
 * and default roles: Owner, Admin, Manager and Agent, whose slug is "user"
 * as seed 004's example shows. Tenants created before products existed
 * belong to this product (TENANT_PRODUCT_DEFAULT).
 */
#include "core/product.h"
#include "surfaces/surfaces.h"

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

static const struct role_template roles[] = {
    {"Owner", "owner", owner_perms},
    {"Admin", "admin", admin_perms},
    {"Manager", "manager", manager_perms},
    {"Agent", "user", agent_perms},
};

static const struct permission_info permissions[] = {
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

const struct product product_travel = {
    .name = "travel",
    .permissions = permissions,
    .n_permissions = sizeof(permissions) / sizeof(permissions[0]),
    .roles = roles,
    .n_roles = sizeof(roles) / sizeof(roles[0]),
};
