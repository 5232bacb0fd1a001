/*
 * team.c - `latchkey member list | set-role | remove`: a tenant's members,
 * changed through team_apply (core/team.h) like the team API, so the
 * last-owner rule, the revocations and the audit entries are the same.
 * The actor is the operator (cli_operator), a super-admin.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/role.h"
#include "core/team.h"
#include "core/tenant.h"
#include "core/user.h"
#include "util/err.h"
#include "util/jsonutil.h"

static json_t *row_json(const struct member_row *m)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o}", "user_id", (json_int_t)m->user.id, "email",
                     m->user.email, "name", m->user.name, "role",
                     m->has_role ? json_string(m->role.slug) : json_null(), "status",
                     member_status_str(m->membership.status), "joined_at",
                     json_time(m->membership.joined_at));
}

int cli_member_list(struct cli_run *r, struct cli_opt *o)
{
    const char *slug = cli_get(o, "tenant");
    if (slug == NULL)
        return cli_error(CLI_USAGE, "member list needs --tenant");
    struct tenant t;
    int rc = tenant_find_slug(&r->srv, r->a, slug, &t);
    if (rc != 0)
        return cli_fail(rc, "tenant");
    json_t *a = r->json ? json_array() : NULL;
    int64_t total = 0;
    for (int64_t page = 1;; page++) {
        struct member_row *rows = NULL;
        size_t n = 0;
        rc = team_list(&r->srv, r->a, t.id, page, TEAM_PER_PAGE_MAX, &rows, &n, &total);
        if (rc != 0) {
            json_decref(a);
            return cli_fail(rc, "member list");
        }
        for (size_t i = 0; i < n; i++) {
            if (a != NULL)
                json_array_append_new(a, row_json(&rows[i]));
            else
                printf("%-6lld %-10s %-10s %s\n", (long long)rows[i].user.id,
                       rows[i].has_role ? rows[i].role.slug : "-",
                       member_status_str(rows[i].membership.status), rows[i].user.email);
        }
        if (n < TEAM_PER_PAGE_MAX || page * TEAM_PER_PAGE_MAX >= total)
            break;
    }
    if (a != NULL)
        cli_print_json(json_pack("{s:s, s:o, s:I}", "tenant", t.slug, "members", a, "total",
                                 (json_int_t)total));
    return CLI_OK;
}

static const char *refusal(enum team_refusal why)
{
    switch (why) {
    case TEAM_LAST_OWNER: return "the tenant would have no active owner left";
    case TEAM_BAD_ROLE: return "the role is not one of the tenant's";
    default: return "refused";
    }
}

/* Applies c to --user in --tenant; prints the member as it is after. */
static int change(struct cli_run *r, struct cli_opt *o, struct team_change *c, const char *done)
{
    const char *email = cli_get(o, "user"), *slug = cli_get(o, "tenant");
    const char *role_name = cli_get(o, "role");
    struct user u;
    struct tenant t;
    struct role role;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "no user with email %s", email);
    if (rc != 0)
        return cli_fail(rc, "user");
    if ((rc = tenant_find_slug(&r->srv, r->a, slug, &t)) != 0)
        return cli_fail(rc, "tenant");
    if (c->action == TEAM_SET_ROLE) {
        if ((rc = role_find(&r->srv, r->a, t.id, role_name, &role)) != 0)
            return cli_fail(rc, "role");
        c->role_id = role.id;
    }
    struct principal op;
    cli_operator(&op);
    op.has_tenant = true;
    op.tenant = t;
    c->user_id = u.id;
    struct member_row m;
    enum team_refusal why = TEAM_OK;
    rc = team_apply(&r->srv, r->a, &op, c, &m, &why);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "%s is not a member of %s", u.email, t.slug);
    if (rc != 0 && why != TEAM_OK)
        return cli_error(CLI_FAIL, "%s in %s: %s", u.email, t.slug, refusal(why));
    if (rc != 0)
        return cli_fail(rc, "membership");
    if (r->json) {
        json_t *j = row_json(&m);
        json_object_set_new(j, "tenant", json_string(t.slug));
        cli_print_json(j);
    } else {
        printf("%s %s in %s\n", u.email, done, t.slug);
    }
    return CLI_OK;
}

int cli_member_set_role(struct cli_run *r, struct cli_opt *o)
{
    if (cli_get(o, "user") == NULL || cli_get(o, "tenant") == NULL || cli_get(o, "role") == NULL)
        return cli_error(CLI_USAGE, "member set-role needs --user, --tenant and --role");
    struct team_change c = {.action = TEAM_SET_ROLE};
    return change(r, o, &c, "has a new role");
}

int cli_member_remove(struct cli_run *r, struct cli_opt *o)
{
    if (cli_get(o, "user") == NULL || cli_get(o, "tenant") == NULL)
        return cli_error(CLI_USAGE, "member remove needs --user and --tenant");
    struct team_change c = {.action = TEAM_REMOVE};
    return change(r, o, &c, "removed");
}
