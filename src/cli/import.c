/*
 * import.c - `latchkey import laravel --from DATABASE_URL` (core/import.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/import.h"
#include "util/err.h"

static const char import_usage[] =
    "usage: latchkey import laravel --from DATABASE_URL [--tenant SLUG --role ROLE]\n"
    "                               [--teams jetstream [--team-roles FROM=TO,...]]\n"
    "                               [--user-model CLASS] [--dry-run] [--json]\n\n"
    "Imports a Laravel application's users and Sanctum personal access tokens.\n"
    "DATABASE_URL: a SQLite file (PATH or sqlite:PATH) or postgres://...; only read.\n"
    "Passwords keep their bcrypt hash (rehashed to argon2id at the next login);\n"
    "tokens keep their id, secret, abilities, last_used_at and expires_at.\n"
    "--tenant/--role: every imported user joins that tenant with that role, and\n"
    "their tokens are bound to it. --user-model: the tokenable_type of users\n"
    "(default App\\Models\\User). --teams jetstream: each Jetstream team becomes a\n"
    "tenant (its owner the owner), each team_user row a membership with the role of\n"
    "that name, or the one --team-roles maps it to (editor=agent,admin=admin).\n"
    "--dry-run: report what would happen, write nothing.\n"
    "One transaction; running it again changes nothing. Rows it cannot take are\n"
    "listed with the reason.\n";

static json_t *count_json(const struct import_count *c)
{
    return json_pack("{s:I, s:I, s:I}", "created", (json_int_t)c->created, "unchanged",
                     (json_int_t)c->unchanged, "skipped", (json_int_t)c->skipped);
}

static void print_report(const struct import_report *rep, bool json, bool dry_run)
{
    const struct {
        const char *name;
        const struct import_count *c;
    } counts[] = {{"users", &rep->users},
                  {"tokens", &rep->tokens},
                  {"teams", &rep->teams},
                  {"memberships", &rep->memberships}};
    json_t *doc = json_pack("{s:b}", "dry_run", dry_run);
    json_t *skipped = json_array();
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        const struct import_count *c = counts[i].c;
        json_object_set_new(doc, counts[i].name, count_json(c));
        if (!json)
            printf("%s%s: %lld created, %lld unchanged, %lld skipped\n",
                   dry_run ? "(dry run) " : "", counts[i].name, (long long)c->created,
                   (long long)c->unchanged, (long long)c->skipped);
    }
    for (size_t i = 0; i < rep->n_skips; i++) {
        const struct import_skip *k = &rep->skips[i];
        if (!json)
            printf("skipped %s id=%lld: %s\n", k->table, (long long)k->id, k->reason);
        json_array_append_new(skipped, json_pack("{s:s, s:I, s:s}", "table", k->table, "id",
                                                 (json_int_t)k->id, "reason", k->reason));
    }
    json_object_set_new(doc, "skipped", skipped);
    if (json)
        cli_print_json(doc);
    else
        json_decref(doc);
}

/* "a=b,c=d": each item has a non-empty name on both sides of one '='. */
static bool team_roles_valid(const char *s)
{
    if (strlen(s) > 4096)
        return false;
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq == NULL || eq == p || eq == p + len - 1 ||
            memchr(eq + 1, '=', len - (size_t)(eq - p) - 1))
            return false;
        if (end == NULL)
            return true;
        p = end + 1;
    }
}

static int laravel(struct cli_run *r, struct cli_opt *o)
{
    struct import_options io = {
        .url = cli_get(o, "from"),
        .tenant_slug = cli_get(o, "tenant"),
        .role = cli_get(o, "role"),
        .user_model = cli_get(o, "user-model"),
        .team_roles = cli_get(o, "team-roles"),
        .dry_run = cli_get(o, "dry-run") != NULL,
    };
    if (io.url == NULL || io.url[0] == '\0')
        return cli_error(CLI_USAGE, "import laravel needs --from DATABASE_URL");
    if ((io.tenant_slug == NULL) != (io.role == NULL))
        return cli_error(CLI_USAGE, "--tenant and --role go together");
    const char *teams = cli_get(o, "teams");
    if (teams != NULL && strcmp(teams, "jetstream") != 0)
        return cli_error(CLI_USAGE, "--teams: only jetstream is known");
    io.jetstream = teams != NULL;
    if (io.team_roles != NULL && (!io.jetstream || !team_roles_valid(io.team_roles)))
        return cli_error(CLI_USAGE, "--team-roles goes with --teams jetstream, as FROM=TO,...");
    struct import_report rep;
    int rc = import_laravel(&r->srv, r->a, &io, &rep);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "import: the source database, the tenant or the role "
                                   "does not exist");
    if (rc == ERR_STORE)
        return cli_error(CLI_FAIL, "import: failed, nothing was imported (is --from a Laravel "
                                   "database with users and personal_access_tokens?)");
    if (rc != 0)
        return cli_fail(rc, "import");
    print_report(&rep, r->json, io.dry_run);
    return CLI_OK;
}

int cli_import(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"from", true, NULL},       {"tenant", true, NULL}, {"role", true, NULL},
        {"user-model", true, NULL}, {"teams", true, NULL},  {"team-roles", true, NULL},
        {"dry-run", false, NULL},   {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, import_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    if (r.n_pos == 1 && strcmp(r.pos[0], "laravel") == 0)
        rc = laravel(&r, o);
    else
        rc = cli_error(CLI_USAGE, "import: expected laravel\n%s", import_usage);
    return cli_end(&r, rc);
}
