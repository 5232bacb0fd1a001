/*
 * staff.c - `latchkey staff grant | revoke | list`: platform staff roles
 * (seed 001), the only way to make someone staff.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/staff.h"
#include "core/user.h"
#include "util/err.h"

static const char staff_usage[] =
    "usage: latchkey staff grant --email EMAIL --role ROLE [--json]\n"
    "       latchkey staff revoke --email EMAIL [--json]\n"
    "       latchkey staff list [--json]\n\n"
    "Staff may use the admin API (/admin). ROLE is a platform role's slug or name:\n"
    "owner, manager, developer, support, marketing or service (a service account: HTTP\n"
    "Basic on /oauth/introspect and /oauth/revoke, no admin API). grant changes the role\n"
    "of someone who is staff already. revoke also revokes their admin tokens. The last\n"
    "Owner can be neither revoked nor demoted.\n";

static json_t *role_json(const struct role *r)
{
    json_t *perms = json_array();
    for (size_t i = 0; i < r->permissions.n; i++)
        json_array_append_new(perms, json_string(r->permissions.items[i]));
    return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)r->id, "name", r->name, "slug",
                     r->slug, "permissions", perms);
}

static json_t *staff_json(const struct user *u, const struct role *r)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "user_id", (json_int_t)u->id, "email", u->email,
                     "name", u->name, "role", r != NULL ? role_json(r) : json_null());
}

static int grant(struct cli_run *r, struct cli_opt *o)
{
    const char *email = cli_get(o, "email"), *role_name = cli_get(o, "role");
    if (email == NULL || role_name == NULL)
        return cli_error(CLI_USAGE, "staff grant needs --email and --role");
    struct user u;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    struct role role;
    rc = staff_grant(&r->srv, r->a, u.id, role_name, 0, &role);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_USAGE,
                         "unknown staff role '%s' (owner, manager, developer, support, "
                         "marketing)",
                         role_name);
    if (rc == ERR_CONFLICT)
        return cli_error(CLI_FAIL, "%s is the last Owner: grant Owner to someone else first",
                         u.email);
    if (rc != 0)
        return cli_fail(rc, "staff");
    if (r->json)
        cli_print_json(staff_json(&u, &role));
    else
        printf("%s is now staff: %s\n", u.email, role.name);
    return CLI_OK;
}

static int revoke(struct cli_run *r, struct cli_opt *o)
{
    const char *email = cli_get(o, "email");
    if (email == NULL)
        return cli_error(CLI_USAGE, "staff revoke needs --email");
    struct user u;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    rc = staff_revoke(&r->srv, r->a, u.id, 0);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "%s is not staff", u.email);
    if (rc == ERR_CONFLICT)
        return cli_error(CLI_FAIL, "%s is the last Owner: grant Owner to someone else first",
                         u.email);
    if (rc != 0)
        return cli_fail(rc, "staff");
    if (r->json)
        cli_print_json(staff_json(&u, NULL));
    else
        printf("%s is no longer staff\n", u.email);
    return CLI_OK;
}

static int list(struct cli_run *r)
{
    struct staff_roster staff;
    int rc = staff_roster_load(&r->srv, r->a, &staff);
    if (rc != 0)
        return cli_fail(rc, "staff");
    json_t *out = json_array();
    for (size_t i = 0; i < staff.n_staff && rc == 0; i++) {
        struct user u;
        const struct role *role = staff_roster_role(&staff, staff.staff[i].user_id);
        rc = role != NULL ? user_find_id(&r->srv, r->a, staff.staff[i].user_id, &u) : ERR_NOT_FOUND;
        if (rc != 0)
            break;
        if (r->json)
            json_array_append_new(out, staff_json(&u, role));
        else
            printf("%-40s %s\n", u.email, role->name);
    }
    if (rc != 0) {
        json_decref(out);
        return cli_fail(rc, "staff");
    }
    if (r->json)
        cli_print_json(out);
    else
        json_decref(out);
    return CLI_OK;
}

int cli_staff(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"email", true, NULL},
        {"role", true, NULL},
        {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, staff_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "grant") == 0)
        rc = grant(&r, o);
    else if (strcmp(sub, "revoke") == 0)
        rc = revoke(&r, o);
    else if (strcmp(sub, "list") == 0)
        rc = list(&r);
    else
        rc = cli_error(CLI_USAGE, "staff: expected grant, revoke or list\n%s", staff_usage);
    return cli_end(&r, rc);
}
