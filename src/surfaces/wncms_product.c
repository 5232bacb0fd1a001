/*
 * wncms_product.c - the WNCMS product's (seed 003) permission catalogue,
 * default roles and settings. A WNCMS site is a tenant of this product.
 * Roles: Owner, Admin (what WNCMS's hasRole('admin') means: the
 * admin-only endpoints require it, and an owner passes too), Editor and
 * Author.
 */
#include "core/product.h"
#include "core/settings.h"
#include "surfaces/surfaces.h"

static const char *const owner_perms[] = {
    "posts.view",      "posts.create",     "posts.edit", "posts.delete",      "posts.edit_any",
    "team.view",       "team.invite",      "team.edit",  "team.manage_roles", "team.remove",
    "settings.manage", "api_token.manage", NULL,
};
static const char *const admin_perms[] = {
    "posts.view",      "posts.create",     "posts.edit", "posts.delete",      "posts.edit_any",
    "team.view",       "team.invite",      "team.edit",  "team.manage_roles", "team.remove",
    "settings.manage", "api_token.manage", NULL,
};
static const char *const editor_perms[] = {
    "posts.view",     "posts.create", "posts.edit",       "posts.delete",
    "posts.edit_any", "team.view",    "api_token.manage", NULL,
};
static const char *const author_perms[] = {
    "posts.view", "posts.create", "posts.edit", "api_token.manage", NULL,
};

static const struct role_template roles[] = {
    {"Owner", "owner", owner_perms},
    {"Admin", "admin", admin_perms},
    {"Editor", "editor", editor_perms},
    {"Author", "author", author_perms},
};

static const struct permission_info permissions[] = {
    {"posts.view", "View posts", "posts"},
    {"posts.create", "Create posts", "posts"},
    {"posts.edit", "Edit own posts", "posts"},
    {"posts.delete", "Delete posts", "posts"},
    {"posts.edit_any", "Edit every author's posts", "posts"},
    {"team.view", "View the site's users and roles", "team"},
    {"team.invite", "Invite users, resend and cancel invitations", "team"},
    {"team.edit", "Reactivate suspended users", "team"},
    {"team.manage_roles", "Change users' roles", "team"},
    {"team.remove", "Suspend and remove users", "team"},
    {"settings.manage", "Change the site's settings", "settings"},
    {"api_token.manage", "Generate one's own API token", "api_token"},
};

const struct product product_wncms = {
    .name = "wncms",
    .permissions = permissions,
    .n_permissions = sizeof(permissions) / sizeof(permissions[0]),
    .roles = roles,
    .n_roles = sizeof(roles) / sizeof(roles[0]),
};

/* The WNCMS API's settings (README "WNCMS API (seed 003)"): the global
 * switch, and per endpoint its switch, auth mode and required role. */
#define ENDPOINT(name, mode, role)                                                                 \
    {"wncms_api_posts_" name, SETTING_BOOL, "true", "posts " name ": on/off"},                     \
        {"wncms_api_posts_" name "_auth", SETTING_AUTH_MODE, mode,                                 \
         "posts " name ": none, simple or basic"},                                                 \
    {                                                                                              \
        "wncms_api_posts_" name "_role", SETTING_ROLE, role,                                       \
            "posts " name ": the role required (none, or a role slug)"                             \
    }
const struct setting_def wncms_settings[] = {
    {"wncms_api_enabled", SETTING_BOOL, "true", "the whole WNCMS API: on/off"},
    ENDPOINT("index", "simple", "none"),
    ENDPOINT("show", "simple", "none"),
    ENDPOINT("store", "simple", "admin"),
    ENDPOINT("update", "simple", "admin"),
    ENDPOINT("delete", "simple", "admin"),
    {NULL, SETTING_BOOL, NULL, NULL},
};
