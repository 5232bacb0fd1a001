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
    "                               [--user-model CLASS] [--dry-run] [--json]\n\n"
    "Imports a Laravel application's users and Sanctum personal access tokens.\n"
    "DATABASE_URL: a SQLite file (PATH or sqlite:PATH) or postgres://...; only read.\n"
    "Passwords keep their bcrypt hash (rehashed to argon2id at the next login);\n"
    "tokens keep their id, secret, abilities, last_used_at and expires_at.\n"
    "--tenant/--role: every imported user joins that tenant with that role, and\n"
    "their tokens are bound to it. --user-model: the tokenable_type of users\n"
    "(default App\\Models\\User). --dry-run: report what would happen, write nothing.\n"
    "One transaction; running it again changes nothing. Rows it cannot take are\n"
    "listed with the reason.\n";

static json_t *count_json(const struct import_count *c)
{
    return json_pack("{s:I, s:I, s:I}", "created", (json_int_t)c->created, "unchanged",
                     (json_int_t)c->unchanged, "skipped", (json_int_t)c->skipped);
}

static void print_report(const struct import_report *rep, bool json, bool dry_run)
{
    if (json) {
        json_t *skipped = json_array();
        for (size_t i = 0; i < rep->n_skips; i++)
            json_array_append_new(
                skipped, json_pack("{s:s, s:I, s:s}", "table", rep->skips[i].table, "id",
                                   (json_int_t)rep->skips[i].id, "reason", rep->skips[i].reason));
        cli_print_json(json_pack("{s:b, s:o, s:o, s:{s:I}, s:o}", "dry_run", dry_run, "users",
                                 count_json(&rep->users), "tokens", count_json(&rep->tokens),
                                 "memberships", "created", (json_int_t)rep->memberships_created,
                                 "skipped", skipped));
        return;
    }
    printf("%susers: %lld created, %lld unchanged, %lld skipped\n", dry_run ? "(dry run) " : "",
           (long long)rep->users.created, (long long)rep->users.unchanged,
           (long long)rep->users.skipped);
    printf("%stokens: %lld created, %lld unchanged, %lld skipped\n", dry_run ? "(dry run) " : "",
           (long long)rep->tokens.created, (long long)rep->tokens.unchanged,
           (long long)rep->tokens.skipped);
    if (rep->memberships_created > 0)
        printf("memberships: %lld created\n", (long long)rep->memberships_created);
    for (size_t i = 0; i < rep->n_skips; i++)
        printf("skipped %s id=%lld: %s\n", rep->skips[i].table, (long long)rep->skips[i].id,
               rep->skips[i].reason);
}

static int laravel(struct cli_run *r, struct cli_opt *o)
{
    struct import_options io = {
        .url = cli_get(o, "from"),
        .tenant_slug = cli_get(o, "tenant"),
        .role = cli_get(o, "role"),
        .user_model = cli_get(o, "user-model"),
        .dry_run = cli_get(o, "dry-run") != NULL,
    };
    if (io.url == NULL || io.url[0] == '\0')
        return cli_error(CLI_USAGE, "import laravel needs --from DATABASE_URL");
    if ((io.tenant_slug == NULL) != (io.role == NULL))
        return cli_error(CLI_USAGE, "--tenant and --role go together");
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
        {"from", true, NULL},       {"tenant", true, NULL},   {"role", true, NULL},
        {"user-model", true, NULL}, {"dry-run", false, NULL}, {NULL, false, NULL},
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
