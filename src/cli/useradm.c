/*
 * useradm.c - `latchkey user list | show | set-password | delete`: the
 * admin API's user operations at the command line. Each makes the core call
 * the admin API makes (core/admin.h, core/passwd.h), so the audit entries
 * and the revocations are the same; the actor is the operator
 * (cli_operator: no user id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/admin.h"
#include "core/passwd.h"
#include "core/pwpolicy.h"
#include "core/staff.h"
#include "core/tenant.h"
#include "core/user.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/xalloc.h"

#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX     1000

/* The user named by the EMAIL argument (or --email). */
static int find_user(struct cli_run *r, struct cli_opt *o, const char *cmd, struct user *u)
{
    const char *email = r->n_pos > 1 ? r->pos[1] : cli_get(o, "email");
    if (email == NULL)
        return cli_error(CLI_USAGE, "user %s needs EMAIL", cmd);
    int rc = user_find_email(&r->srv, r->a, email, u);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "no user with email %s", email);
    if (rc != 0)
        return cli_fail(rc, "user");
    return CLI_OK;
}

static json_t *user_row_json(const struct user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "id", (json_int_t)u->id, "email",
                     u->email, "name", u->name, "status", user_status_str(u->status),
                     "is_super_admin", u->is_super_admin, "email_verified_at",
                     json_time(u->email_verified_at), "last_login_at", json_time(u->last_login_at),
                     "created_at", json_time(u->created_at));
}

/* Parses a count option in [min, max]; def when absent. */
static bool count_opt(const char *s, long long min, long long max, long long def, long long *out)
{
    if (s == NULL) {
        *out = def;
        return true;
    }
    char *end = NULL;
    long long n = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || n < min || n > max)
        return false;
    *out = n;
    return true;
}

int cli_user_list(struct cli_run *r, struct cli_opt *o)
{
    const char *slug = cli_get(o, "tenant"), *status = cli_get(o, "status");
    long long limit, offset;
    enum user_status st;
    if (!count_opt(cli_get(o, "limit"), 1, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, &limit))
        return cli_error(CLI_USAGE, "--limit must be an integer from 1 to %d", LIST_LIMIT_MAX);
    if (!count_opt(cli_get(o, "offset"), 0, 1000000000, 0, &offset))
        return cli_error(CLI_USAGE, "--offset must be a non-negative integer");
    if (status != NULL && !user_status_parse(status, &st))
        return cli_error(CLI_USAGE, "--status must be active, inactive or suspended");
    struct user_filter f = {.search = cli_get(o, "search"),
                            .status = status,
                            .limit = (size_t)limit,
                            .offset = (size_t)offset};
    if (slug != NULL) {
        struct tenant t;
        int rc = tenant_find_slug(&r->srv, r->a, slug, &t);
        if (rc != 0)
            return cli_fail(rc, "tenant");
        f.tenant_id = t.id;
    }
    struct user *us = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = admin_user_search(&r->srv, r->a, &f, &us, &n, &total);
    if (rc != 0)
        return cli_fail(rc, "user list");
    if (r->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, user_row_json(&us[i]));
        cli_print_json(json_pack("{s:o, s:I}", "users", a, "total", (json_int_t)total));
        return CLI_OK;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-6lld %-10s %-32s %s\n", (long long)us[i].id, user_status_str(us[i].status),
               us[i].email, us[i].name);
    if ((int64_t)(offset + (long long)n) < total)
        printf("(%zu of %lld shown; --offset %lld for more)\n", n, (long long)total,
               offset + (long long)n);
    return CLI_OK;
}

int cli_user_show(struct cli_run *r, struct cli_opt *o)
{
    struct user u;
    int rc = find_user(r, o, "show", &u);
    if (rc != CLI_OK)
        return rc;
    struct admin_membership *ms = NULL;
    size_t n = 0;
    struct role staff;
    rc = admin_user_memberships(&r->srv, r->a, u.id, &ms, &n);
    if (rc != 0)
        return cli_fail(rc, "memberships");
    rc = staff_role_of(&r->srv, r->a, u.id, &staff);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return cli_fail(rc, "staff role");
    bool is_staff = rc == 0;
    if (r->json) {
        json_t *j = user_row_json(&u), *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "tenant", ms[i].tenant.slug,
                                               "role", ms[i].role.slug, "status",
                                               member_status_str(ms[i].membership.status)));
        json_object_set_new(j, "memberships", a);
        json_object_set_new(j, "staff_role", is_staff ? json_string(staff.slug) : json_null());
        cli_print_json(j);
        return CLI_OK;
    }
    printf("id:          %lld\nemail:       %s\nname:        %s\nstatus:      %s\n",
           (long long)u.id, u.email, u.name, user_status_str(u.status));
    printf("staff role:  %s\nmemberships: %zu\n", is_staff ? staff.slug : "-", n);
    for (size_t i = 0; i < n; i++)
        printf("  %-24s %-10s %s\n", ms[i].tenant.slug, ms[i].role.slug,
               member_status_str(ms[i].membership.status));
    return CLI_OK;
}

/* Stores hash as u's password the way a password change does (passwd.c):
 * every token revoked, every session ended, audited password.change. */
static int store_password(struct cli_run *r, const struct user *u, const char *password,
                          int64_t *revoked)
{
    struct principal p = {.user = *u};
    struct passwd_change pc;
    passwd_begin(&r->srv, r->a, &pc, &p, "", password, NULL);
    pc.verified = true; /* the operator needs no current password */
    pc.hash_rc = password_hash(&r->srv.pw, password, pc.new_hash);
    int rc = passwd_finish(&pc, revoked);
    passwd_fini(&pc);
    return rc;
}

int cli_user_set_password(struct cli_run *r, struct cli_opt *o)
{
    struct user u;
    int rc = find_user(r, o, "set-password", &u);
    if (rc != CLI_OK)
        return rc;
    char pw[CLI_SECRET_MAX + 2];
    rc = cli_read_secret(cli_get(o, "password-stdin") != NULL, "new password: ", pw, sizeof(pw));
    if (rc != CLI_OK)
        return rc;
    const char *weak = pwpolicy_message(pwpolicy_check(&r->srv, pw, u.email, u.name));
    size_t len = strlen(pw);
    int64_t revoked = 0;
    if (len < PASSWD_NEW_MIN || len > PASSWD_NEW_MAX)
        rc = cli_error(CLI_USAGE, "password: %d to %d characters", PASSWD_NEW_MIN, PASSWD_NEW_MAX);
    else if (weak != NULL)
        rc = cli_error(CLI_USAGE, "password: %s", weak);
    else if ((rc = store_password(r, &u, pw, &revoked)) != 0)
        rc = cli_fail(rc, "password");
    secure_wipe(pw, sizeof(pw));
    if (rc != CLI_OK)
        return rc;
    if (r->json)
        cli_print_json(
            json_pack("{s:s, s:I}", "user", u.email, "revoked_tokens", (json_int_t)revoked));
    else
        printf("password of %s changed; %lld token(s) revoked, every session ended\n", u.email,
               (long long)revoked);
    return CLI_OK;
}

int cli_user_delete(struct cli_run *r, struct cli_opt *o)
{
    struct user u;
    int rc = find_user(r, o, "delete", &u);
    if (rc != CLI_OK)
        return rc;
    char question[USER_EMAIL_MAX + 96];
    snprintf(question, sizeof(question), "delete %s with their tokens, sessions and memberships",
             u.email);
    if (!cli_confirm(cli_get(o, "yes"), question))
        return CLI_USAGE;
    struct principal op;
    cli_operator(&op);
    rc = admin_user_delete(&r->srv, r->a, &op, u.id, NULL);
    if (rc != 0)
        return cli_fail(rc, "user");
    if (r->json)
        cli_print_json(
            json_pack("{s:I, s:s, s:b}", "id", (json_int_t)u.id, "email", u.email, "deleted", 1));
    else
        printf("deleted user %s (id %lld)\n", u.email, (long long)u.id);
    return CLI_OK;
}
