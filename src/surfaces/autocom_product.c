/*
 * autocom_product.c - AutoCom's (seed 002) permission catalogue and default
 * roles, with the seed's names: the owner's permissions start as the
 * seed's login example lists them (dashboard.view,
 * dashboard.view_analytics, orders.view, orders.create, ...), the team
 * routes need the seed's team.* names, and a member role is "agent".
 * Where the seed elides ("..."), the catalogue is latchkey's
 * (docs/decisions.md): the seed's areas, with the usual actions.
 */
#include "core/product.h"
#include "surfaces/surfaces.h"

static const char *const owner_perms[] = {
    "dashboard.view",
    "dashboard.view_analytics",
    "orders.view",
    "orders.create",
    "orders.edit",
    "orders.delete",
    "products.view",
    "products.create",
    "products.edit",
    "products.delete",
    "customers.view",
    "customers.create",
    "customers.edit",
    "customers.delete",
    "reports.view",
    "reports.export",
    "settings.view",
    "settings.edit",
    "billing.manage",
    "team.view",
    "team.invite",
    "team.edit",
    "team.manage_roles",
    "team.remove",
    NULL,
};
/* Everything but billing, so an admin cannot act on an owner. */
static const char *const admin_perms[] = {
    "dashboard.view", "dashboard.view_analytics",
    "orders.view",    "orders.create",
    "orders.edit",    "orders.delete",
    "products.view",  "products.create",
    "products.edit",  "products.delete",
    "customers.view", "customers.create",
    "customers.edit", "customers.delete",
    "reports.view",   "reports.export",
    "settings.view",  "settings.edit",
    "team.view",      "team.invite",
    "team.edit",      "team.manage_roles",
    "team.remove",    NULL,
};
static const char *const manager_perms[] = {
    "dashboard.view",
    "dashboard.view_analytics",
    "orders.view",
    "orders.create",
    "orders.edit",
    "products.view",
    "products.create",
    "products.edit",
    "customers.view",
    "customers.create",
    "customers.edit",
    "reports.view",
    "team.view",
    "team.invite",
    NULL,
};
static const char *const agent_perms[] = {
    "dashboard.view", "orders.view",      "orders.create",  "orders.edit", "products.view",
    "customers.view", "customers.create", "customers.edit", NULL,
};

static const struct role_template roles[] = {
    {"Owner", "owner", owner_perms},
    {"Admin", "admin", admin_perms},
    {"Manager", "manager", manager_perms},
    {"Agent", "agent", agent_perms},
};

static const struct permission_info permissions[] = {
    {"dashboard.view", "View the dashboard", "dashboard"},
    {"dashboard.view_analytics", "View the dashboard's analytics", "dashboard"},
    {"orders.view", "View orders", "orders"},
    {"orders.create", "Create orders", "orders"},
    {"orders.edit", "Change orders and their status", "orders"},
    {"orders.delete", "Delete orders", "orders"},
    {"products.view", "View products", "products"},
    {"products.create", "Create products", "products"},
    {"products.edit", "Change products, prices and stock", "products"},
    {"products.delete", "Delete products", "products"},
    {"customers.view", "View customers", "customers"},
    {"customers.create", "Create customers", "customers"},
    {"customers.edit", "Change customers", "customers"},
    {"customers.delete", "Delete customers", "customers"},
    {"reports.view", "View reports", "reports"},
    {"reports.export", "Export reports", "reports"},
    {"settings.view", "View the organization's settings", "settings"},
    {"settings.edit", "Change the organization's settings", "settings"},
    {"billing.manage", "Manage billing and subscriptions", "billing"},
    {"team.view", "View team members and roles", "team"},
    {"team.invite", "Invite members, resend and cancel invitations", "team"},
    {"team.edit", "Reactivate suspended members", "team"},
    {"team.manage_roles", "Change members' roles and view the permission catalogue", "team"},
    {"team.remove", "Suspend and remove members", "team"},
};

const struct product product_autocom = {
    .name = "autocom",
    .permissions = permissions,
    .n_permissions = sizeof(permissions) / sizeof(permissions[0]),
    .roles = roles,
    .n_roles = sizeof(roles) / sizeof(roles[0]),
};
