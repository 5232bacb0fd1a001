/*
 * token.c - `latchkey token create | list | revoke | prune` and
 * `latchkey role list`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/role.h"
#include "core/tenant.h"
#include "core/token.h"
#include "core/user.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/timeutil.h"

static const char token_usage[] =
    "usage: latchkey token create --user EMAIL [--tenant SLUG] --name NAME [--abilities a,b]\n"
    "                             [--expires-in 30d] [--json]\n"
    "       latchkey token list --user EMAIL [--json]\n"
    "       latchkey token revoke ID [--json]\n"
    "       latchkey token prune [--hours N] [--json]\n\n"
    "create prints the plaintext token once; only its SHA-256 is stored.\n"
    "--abilities defaults to * (everything the role allows); an ability may hold spaces\n"
    "(--abilities \"VIEW LEADS,CREATE LEADS\"). Without --tenant the token names no tenant\n"
    "(platform staff reading every WedoCOD account). --expires-in: 45s, 15m, 12h, 30d, 2w.\n"
    "prune deletes every token (of every kind) that expired or was revoked more than\n"
    "--hours ago (24, as Sanctum's sanctum:prune-expired; 0 to 876000), in batches.\n";

static const char role_usage[] = "usage: latchkey role list --tenant SLUG [--json]\n";

static int create(struct cli_run *r, struct cli_opt *o)
{
    const char *email = cli_get(o, "user"), *slug = cli_get(o, "tenant");
    const char *name = cli_get(o, "name"), *expires = cli_get(o, "expires-in");
    if (email == NULL || name == NULL)
        return cli_error(CLI_USAGE, "token create needs --user and --name");
    int64_t ttl = 0;
    if (expires != NULL && (!time_parse_duration(expires, &ttl) || ttl <= 0))
        return cli_error(CLI_USAGE, "--expires-in must look like 45s, 15m, 12h, 30d or 2w");
    struct token_request rq = {.name = name, .kind = TOKEN_PAT};
    if (!strlist_split(r->a, cli_get(o, "abilities"), 128, &rq.abilities))
        return cli_error(CLI_USAGE, "--abilities: at most 128 abilities");
    struct user u;
    struct tenant t = {0};
    struct membership m;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    if (slug != NULL) {
        rc = tenant_find_slug(&r->srv, r->a, slug, &t);
        if (rc != 0)
            return cli_fail(rc, "tenant");
        if (member_get(&r->srv, u.id, t.id, &m) != 0)
            return cli_error(CLI_FAIL, "%s is not a member of %s", u.email, t.slug);
    }
    rq.user_id = u.id;
    rq.tenant_id = t.id;
    rq.expires_at = ttl ? time_now() + ttl : 0;
    struct token tok;
    char *plaintext = NULL;
    rc = token_issue(&r->srv, r->a, &rq, &tok, &plaintext);
    if (rc != 0)
        return cli_fail(rc, "token");
    if (r->json)
        cli_print_json(json_pack(
            "{s:I, s:s, s:s, s:o, s:I, s:o}", "id", (json_int_t)tok.id, "token", plaintext, "name",
            tok.name, "abilities", json_strlist(&tok.abilities), "tenant_id",
            (json_int_t)tok.tenant_id, "expires_at", json_time(tok.expires_at)));
    else
        printf("%s\n", plaintext);
    return CLI_OK;
}

static json_t *token_json(const struct token *t)
{
    return json_pack(
        "{s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)t->id, "name", t->name,
        "tenant_id", t->tenant_id ? json_integer(t->tenant_id) : json_null(), "kind",
        token_kind_str(t->kind), "abilities", json_strlist(&t->abilities), "last_used_at",
        json_time(t->last_used_at), "expires_at", json_time(t->expires_at), "created_at",
        json_time(t->created_at), "revoked_at", json_time(t->revoked_at));
}

static int list(struct cli_run *r, struct cli_opt *o)
{
    const char *email = cli_get(o, "user");
    if (email == NULL)
        return cli_error(CLI_USAGE, "token list needs --user");
    struct user u;
    struct token *ts = NULL;
    size_t n = 0;
    int rc = user_find_email(&r->srv, r->a, email, &u);
    if (rc != 0)
        return cli_fail(rc, "user");
    if ((rc = token_list_user(&r->srv, r->a, u.id, &ts, &n)) != 0)
        return cli_fail(rc, "token list");
    if (r->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, token_json(&ts[i]));
        cli_print_json(a);
        return CLI_OK;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-6lld %-8s %-10s %s\n", (long long)ts[i].id, token_kind_str(ts[i].kind),
               ts[i].revoked_at ? "revoked" : "active", ts[i].name);
    return CLI_OK;
}

static int revoke(struct cli_run *r)
{
    if (r->n_pos != 2)
        return cli_error(CLI_USAGE, "token revoke needs the token ID");
    char *end = NULL;
    long long id = strtoll(r->pos[1], &end, 10);
    if (end == r->pos[1] || *end != '\0' || id <= 0)
        return cli_error(CLI_USAGE, "token ID must be a positive integer");
    int rc = token_revoke(&r->srv, id, 0, NULL);
    if (rc != 0)
        return cli_fail(rc, "token");
    if (r->json)
        cli_print_json(json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
    else
        printf("revoked token %lld\n", id);
    return CLI_OK;
}

/* Rows one DELETE removes: short transactions, the writers are not held up. */
#define PRUNE_BATCH 1000

static int prune(struct cli_run *r, struct cli_opt *o)
{
    const char *hours_s = cli_get(o, "hours");
    long long hours = 24;
    if (hours_s != NULL) {
        char *end = NULL;
        hours = strtoll(hours_s, &end, 10);
        if (end == hours_s || *end != '\0' || hours < 0 || hours > 876000)
            return cli_error(CLI_USAGE, "--hours must be an integer from 0 to 876000");
    }
    struct store_prune_cutoff cut = {.before = time_now() - (int64_t)hours * 3600};
    int64_t total = 0, n = 0;
    do {
        /* The batch `latchkey prune` deletes tokens with (core/prune.c). */
        int rc = store_prune_batch(r->srv.store, STORE_PRUNE_TOKENS, &cut, PRUNE_BATCH, &n);
        if (rc != 0)
            return cli_fail(rc, "token prune");
        total += n;
    } while (n == PRUNE_BATCH);
    if (r->json)
        cli_print_json(
            json_pack("{s:I, s:I}", "deleted", (json_int_t)total, "hours", (json_int_t)hours));
    else
        printf("deleted %lld expired or revoked token(s)\n", (long long)total);
    return CLI_OK;
}

int cli_token(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"user", true, NULL},      {"tenant", true, NULL},     {"name", true, NULL},
        {"abilities", true, NULL}, {"expires-in", true, NULL}, {"hours", true, NULL},
        {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 2, token_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "create") == 0 && r.n_pos == 1)
        rc = create(&r, o);
    else if (strcmp(sub, "list") == 0 && r.n_pos == 1)
        rc = list(&r, o);
    else if (strcmp(sub, "revoke") == 0)
        rc = revoke(&r);
    else if (strcmp(sub, "prune") == 0 && r.n_pos == 1)
        rc = prune(&r, o);
    else
        rc = cli_error(CLI_USAGE, "token: expected create, list, revoke ID or prune\n%s",
                       token_usage);
    return cli_end(&r, rc);
}

int cli_role(int argc, char **argv)
{
    struct cli_opt o[] = {{"tenant", true, NULL}, {NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, role_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *slug = cli_get(o, "tenant");
    if (r.n_pos != 1 || strcmp(r.pos[0], "list") != 0 || slug == NULL)
        return cli_end(&r, cli_error(CLI_USAGE, "%s", role_usage));
    struct tenant t;
    struct role *roles = NULL;
    size_t n = 0;
    rc = tenant_find_slug(&r.srv, r.a, slug, &t);
    if (rc == 0)
        rc = role_list(&r.srv, r.a, t.id, &roles, &n);
    if (rc != 0)
        return cli_end(&r, cli_fail(rc, "tenant"));
    if (r.json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a,
                                  json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)roles[i].id,
                                            "name", roles[i].name, "slug", roles[i].slug,
                                            "permissions", json_strlist(&roles[i].permissions)));
        cli_print_json(a);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-6lld %-10s %-10s %zu permissions\n", (long long)roles[i].id, roles[i].slug,
                   roles[i].name, roles[i].permissions.n);
    }
    return cli_end(&r, CLI_OK);
}
