/*
 * wedocod_product.c - the WedoCOD product's (seed 000) permission
 * catalogue and default roles. An account is a tenant of this product.
 *
 * The eight scopes are permission names spelled exactly as the seed spells
 * them ("CREATE LEADS"), so one string is both what a role grants and
 * what a token's abilities hold: principal_can() is the seed's tokenCan()
 * plus the role check. A key can only be generated with scopes the
 * generating member's role grants.
 */
#include "core/product.h"
#include "surfaces/surfaces.h"

#define WEDOCOD_SCOPES                                                                             \
    "CREATE LEADS", "VIEW LEADS", "UPDATE LEADS", "DELETE LEADS", "CREATE ORDERS", "VIEW ORDERS",  \
        "UPDATE ORDERS", "DELETE ORDERS"

static const char *const owner_perms[] = {
    WEDOCOD_SCOPES,      "api_keys.manage", "team.view",       "team.invite",    "team.edit",
    "team.manage_roles", "team.remove",     "settings.manage", "billing.manage", NULL,
};
static const char *const admin_perms[] = {
    WEDOCOD_SCOPES,      "api_keys.manage", "team.view",       "team.invite", "team.edit",
    "team.manage_roles", "team.remove",     "settings.manage", NULL,
};
static const char *const agent_perms[] = {
    "CREATE LEADS", "VIEW LEADS",    "UPDATE LEADS", "CREATE ORDERS",
    "VIEW ORDERS",  "UPDATE ORDERS", NULL,
};
static const char *const viewer_perms[] = {"VIEW LEADS", "VIEW ORDERS", NULL};

static const struct role_template roles[] = {
    {"Owner", "owner", owner_perms},
    {"Admin", "admin", admin_perms},
    {"Agent", "agent", agent_perms},
    {"Viewer", "viewer", viewer_perms},
};

static const struct permission_info permissions[] = {
    {"CREATE LEADS", "Create leads via the API", "leads"},
    {"VIEW LEADS", "List and view individual leads", "leads"},
    {"UPDATE LEADS", "Update lead statuses", "leads"},
    {"DELETE LEADS", "Delete leads", "leads"},
    {"CREATE ORDERS", "Create orders via the API", "orders"},
    {"VIEW ORDERS", "List and view individual orders", "orders"},
    {"UPDATE ORDERS", "Update order statuses", "orders"},
    {"DELETE ORDERS", "Delete orders", "orders"},
    {"api_keys.manage", "See and revoke every API key of the account", "api_keys"},
    {"team.view", "View team members and roles", "team"},
    {"team.invite", "Invite members, resend and cancel invitations", "team"},
    {"team.edit", "Reactivate suspended members", "team"},
    {"team.manage_roles", "Change members' roles", "team"},
    {"team.remove", "Suspend and remove members", "team"},
    {"settings.manage", "Manage the account's settings", "settings"},
    {"billing.manage", "Manage billing", "billing"},
};

const struct product product_wedocod = {
    .name = "wedocod",
    .permissions = permissions,
    .n_permissions = sizeof(permissions) / sizeof(permissions[0]),
    .roles = roles,
    .n_roles = sizeof(roles) / sizeof(roles[0]),
};
