/*
 * user.c - `latchkey user create | set-status | api-token` and
 * `latchkey member add | set-status`; the other subcommands of both words
 * are in useradm.c and team.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/apitoken.h"
#include "core/role.h"
#include "core/tenant.h"
#include "core/pwpolicy.h"
#include "core/user.h"
#include "util/err.h"

static const char user_usage[] =
    "usage: latchkey user create --email EMAIL --name NAME (--password P | --password-hash H)\n"
    "                            [--tenant SLUG --role ROLE] [--phone PHONE] [--avatar URL]\n"
    "                            [--status active|inactive|suspended] [--preferences JSON]\n"
    "                            [--attributes JSON] [--verified] [--json]\n"
    "       latchkey user set-status --email EMAIL --status active|inactive|suspended [--json]\n"
    "       latchkey user api-token EMAIL [--tenant SLUG] [--json]\n"
    "       latchkey user list [--search TEXT] [--status STATUS] [--tenant SLUG] [--limit N]\n"
    "                          [--offset N] [--json]\n"
    "       latchkey user show EMAIL [--json]\n"
    "       latchkey user set-password EMAIL [--password-stdin] [--json]\n"
    "       latchkey user delete EMAIL [--yes] [--json]\n\n"
    "--role takes a role's slug or name, case-insensitive. Without --tenant the user has no\n"
    "membership. --password-hash imports an argon2id or bcrypt ($2y$) hash from another app.\n"
    "--attributes holds product fields, e.g. '{\"vacation_pool_balance\":\"150.00\"}'.\n"
    "api-token generates the user's WNCMS API token for one site (printed once) and revokes\n"
    "the previous one; the site is --tenant, else the user's first active membership.\n"
    "list: --limit 1-1000 (100). show: the user, their memberships and staff role.\n"
    "set-password reads the new password from stdin (one line) or, at a terminal, asks\n"
    "twice without echo; never from the command line. The password policy applies; every\n"
    "token of the user is revoked and every session ended, as on a password change.\n"
    "delete removes the user with their memberships, tokens, sessions and staff role;\n"
    "the audit log keeps its entries (with the user id). It asks first, unless --yes.\n";

static const char member_usage[] =
    "usage: latchkey member add --user EMAIL --tenant SLUG --role ROLE [--json]\n"
    "       latchkey member set-status --user EMAIL --tenant SLUG --status active|suspended "
    "[--json]\n"
    "       latchkey member list --tenant SLUG [--json]\n"
    "       latchkey member set-role --user EMAIL --tenant SLUG --role ROLE [--json]\n"
    "       latchkey member remove --user EMAIL --tenant SLUG [--json]\n\n"
    "set-role and remove follow the team API's rules: the tenant keeps an active owner;\n"
    "remove revokes the member's tokens and ends their sessions in that tenant.\n";

/* Validates that text is a JSON object; prints the error. */
static bool json_object_text(const char *text, const char *opt)
{
    if (text == NULL)
        return true;
    json_t *j = json_loads(text, 0, NULL);
    bool ok = json_is_object(j);
    json_decref(j);
    if (!ok)
        cli_error(CLI_USAGE, "--%s must be a JSON object", opt);
    return ok;
}

/* Resolves --tenant and --role into ids. */
static int tenant_role(struct cli_run *r, const char *slug, const char *role_name, struct tenant *t,
                       struct role *role)
{
    int rc = tenant_find_slug(&r->srv, r->a, slug, t);
    if (rc != 0)
        return cli_fail(rc, "tenant");
    rc = role_find(&r->srv, r->a, t->id, role_name, role);
    if (rc != 0)
        return cli_fail(rc, "role");
    return CLI_OK;
}

static json_t *user_json(const struct user *u, const struct tenant *t, const struct role *role)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)u->id, "email", u->email,
                     "name", u->name, "status", user_status_str(u->status), "tenant",
                     t ? json_string(t->slug) : json_null(), "role",
                     role ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)role->id, "name",
                                      role->name, "slug", role->slug)
                          : json_null());
}

static int create(struct cli_run *r, struct cli_opt *o)
{
    struct user_request rq = {
        .email = cli_get(o, "email"),
        .name = cli_get(o, "name"),
        .password = cli_get(o, "password"),
        .password_hash = cli_get(o, "password-hash"),
        .phone = cli_get(o, "phone"),
        .avatar = cli_get(o, "avatar"),
        .preferences = cli_get(o, "preferences"),
        .attributes = cli_get(o, "attributes"),
        .verified = cli_get(o, "verified") != NULL,
    };
    const char *slug = cli_get(o, "tenant"), *role_name = cli_get(o, "role");
    const char *status = cli_get(o, "status");
    if (rq.email == NULL || rq.name == NULL)
        return cli_error(CLI_USAGE, "user create needs --email and --name");
    if ((rq.password == NULL) == (rq.password_hash == NULL))
        return cli_error(CLI_USAGE, "user create needs one of --password or --password-hash");
    if ((slug == NULL) != (role_name == NULL))
        return cli_error(CLI_USAGE, "--tenant and --role go together");
    if (!user_email_valid(rq.email))
        return cli_error(CLI_USAGE, "--email is not a valid email address");
    if (status != NULL && !user_status_parse(status, &rq.status))
        return cli_error(CLI_USAGE, "--status must be active, inactive or suspended");
    const char *weak = pwpolicy_message(pwpolicy_check(&r->srv, rq.password, rq.email, rq.name));
    if (weak != NULL)
        return cli_error(CLI_USAGE, "--password: %s", weak);
    if (!json_object_text(rq.preferences, "preferences") ||
        !json_object_text(rq.attributes, "attributes"))
        return CLI_USAGE;
    struct tenant t;
    struct role role;
    if (slug != NULL) {
        int rc = tenant_role(r, slug, role_name, &t, &role);
        if (rc != CLI_OK)
            return rc;
        rq.tenant_id = t.id;
        rq.role_id = role.id;
    }
    struct user u;
    int rc = user_create(&r->srv, r->a, &rq, &u);
    if (rc == ERR_CONFLICT)
        return cli_error(CLI_FAIL, "a user with email %s already exists", u.email);
    if (rc == ERR_INVALID)
        return cli_error(CLI_USAGE, "invalid user: --name 1-255 characters, --password not empty, "
                                    "--password-hash an argon2id or bcrypt hash");
    if (rc != 0)
        return cli_fail(rc, "user");
    if (r->json)
        cli_print_json(user_json(&u, slug ? &t : NULL, slug ? &role : NULL));
    else
        printf("created user %s (id %lld)\n", u.email, (long long)u.id);
    return CLI_OK;
}

static int set_status(struct cli_run *r, struct cli_opt *o)
{
    const char *email = cli_get(o, "email"), *status = cli_get(o, "status");
    enum user_status st;
    if (email == NULL || status == NULL)
        return cli_error(CLI_USAGE, "user set-status needs --email and --status");
    if (!user_status_parse(status, &st))
        return cli_error(CLI_USAGE, "--status must be active, inactive or suspended");
    struct user u;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc == 0)
        rc = user_set_status(&r->srv, u.id, st);
    if (rc != 0)
        return cli_fail(rc, "user");
    u.status = st;
    if (r->json)
        cli_print_json(user_json(&u, NULL, NULL));
    else
        printf("user %s is now %s\n", u.email, status);
    return CLI_OK;
}

static int api_token(struct cli_run *r, struct cli_opt *o)
{
    const char *email = r->n_pos > 1 ? r->pos[1] : NULL, *slug = cli_get(o, "tenant");
    if (email == NULL)
        return cli_error(CLI_USAGE, "user api-token needs EMAIL\n%s", user_usage);
    struct user u;
    struct tenant t = {0};
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    if (slug != NULL) {
        struct membership m;
        if ((rc = tenant_find_slug(&r->srv, r->a, slug, &t)) != 0)
            return cli_fail(rc, "tenant");
        if (member_get(&r->srv, u.id, t.id, &m) != 0)
            return cli_error(CLI_FAIL, "%s is not a member of %s", u.email, t.slug);
    }
    char *plaintext = NULL;
    rc = apitoken_rotate(&r->srv, r->a, u.id, t.id, NULL, &plaintext);
    if (rc != 0)
        return cli_fail(rc, "api token");
    if (r->json)
        cli_print_json(json_pack("{s:s,s:s,s:o}", "user", u.email, "api_token", plaintext, "tenant",
                                 slug != NULL ? json_string(t.slug) : json_null()));
    else
        printf("%s\n", plaintext);
    return CLI_OK;
}

int cli_user(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"email", true, NULL},           {"name", true, NULL},       {"password", true, NULL},
        {"password-hash", true, NULL},   {"tenant", true, NULL},     {"role", true, NULL},
        {"phone", true, NULL},           {"avatar", true, NULL},     {"status", true, NULL},
        {"preferences", true, NULL},     {"attributes", true, NULL}, {"verified", false, NULL},
        {"search", true, NULL},          {"limit", true, NULL},      {"offset", true, NULL},
        {"password-stdin", false, NULL}, {"yes", false, NULL},       {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 2, user_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "create") == 0 && r.n_pos == 1)
        rc = create(&r, o);
    else if (strcmp(sub, "set-status") == 0 && r.n_pos == 1)
        rc = set_status(&r, o);
    else if (strcmp(sub, "api-token") == 0)
        rc = api_token(&r, o);
    else if (strcmp(sub, "list") == 0 && r.n_pos == 1)
        rc = cli_user_list(&r, o);
    else if (strcmp(sub, "show") == 0)
        rc = cli_user_show(&r, o);
    else if (strcmp(sub, "set-password") == 0)
        rc = cli_user_set_password(&r, o);
    else if (strcmp(sub, "delete") == 0)
        rc = cli_user_delete(&r, o);
    else
        rc = cli_error(CLI_USAGE,
                       "user: expected create, set-status, api-token, list, show, set-password "
                       "or delete\n%s",
                       user_usage);
    return cli_end(&r, rc);
}

static json_t *member_json(const struct user *u, const struct tenant *t, const struct role *role,
                           const char *status)
{
    return json_pack("{s:s, s:s, s:{s:I, s:s, s:s}, s:s}", "user", u->email, "tenant", t->slug,
                     "role", "id", (json_int_t)role->id, "name", role->name, "slug", role->slug,
                     "status", status);
}

static int member_run(struct cli_run *r, struct cli_opt *o, bool add)
{
    const char *email = cli_get(o, "user"), *slug = cli_get(o, "tenant");
    const char *role_name = cli_get(o, "role"), *status = cli_get(o, "status");
    enum member_status st = MEMBER_ACTIVE;
    if (email == NULL || slug == NULL || (add && role_name == NULL) || (!add && status == NULL))
        return cli_error(CLI_USAGE, "%s", member_usage);
    if (!add && !member_status_parse(status, &st))
        return cli_error(CLI_USAGE, "--status must be active or suspended");
    struct user u;
    struct tenant t;
    struct role role = {0};
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    if (add) {
        if ((rc = tenant_role(r, slug, role_name, &t, &role)) != CLI_OK)
            return rc;
        rc = member_add(&r->srv, u.id, t.id, role.id);
    } else {
        struct membership m;
        rc = tenant_find_slug(&r->srv, r->a, slug, &t);
        if (rc == 0)
            rc = member_get(&r->srv, u.id, t.id, &m);
        if (rc == 0)
            rc = role_get(&r->srv, r->a, m.role_id, &role);
        if (rc == 0)
            rc = member_set_status(&r->srv, u.id, t.id, st);
    }
    if (rc != 0)
        return cli_fail(rc, "membership");
    if (r->json)
        cli_print_json(member_json(&u, &t, &role, member_status_str(st)));
    else
        printf("%s in %s: %s (%s)\n", u.email, t.slug, role.slug, member_status_str(st));
    return CLI_OK;
}

int cli_member(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"user", true, NULL},   {"tenant", true, NULL}, {"role", true, NULL},
        {"status", true, NULL}, {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, member_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "add") == 0)
        rc = member_run(&r, o, true);
    else if (strcmp(sub, "set-status") == 0)
        rc = member_run(&r, o, false);
    else if (strcmp(sub, "list") == 0)
        rc = cli_member_list(&r, o);
    else if (strcmp(sub, "set-role") == 0)
        rc = cli_member_set_role(&r, o);
    else if (strcmp(sub, "remove") == 0)
        rc = cli_member_remove(&r, o);
    else
        rc = cli_error(CLI_USAGE, "member: expected add, set-status, list, set-role or remove\n%s",
                       member_usage);
    return cli_end(&r, rc);
}
