/*
 * main.c - `latchkey <command>`: picks the command; nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "version.h"

static int version(int argc, char **argv);
static int completion(int argc, char **argv);

/* The commands: `latchkey --help`, the bash completion and the man page
 * (scripts/gen-man.sh) are made from this table and each command's --help. */
static const struct cli_command commands[] = {
    {"serve", cli_serve, "serve HTTP on LATCHKEY_LISTEN (migrates the database first)"},
    {"migrate", cli_migrate, "apply pending database migrations"},
    {"tenant", cli_tenant, "create | list | show | update | suspend | reactivate tenants"},
    {"user", cli_user, "create | list | show | set-status | set-password | delete users"},
    {"member", cli_member, "add | list | set-role | set-status | remove tenant members"},
    {"token", cli_token, "create | list | revoke | prune personal access tokens"},
    {"role", cli_role, "list a tenant's roles"},
    {"keys", cli_keys, "list | rotate | revoke | rewrap the JWT signing keys"},
    {"key", cli_keys, "the same as keys"},
    {"staff", cli_staff, "grant | revoke | list platform staff roles (the admin API)"},
    {"setting", cli_setting, "list | get | set | unset runtime settings (WNCMS API switches)"},
    {"rule", cli_rule, "list | add | update | enable | disable | remove forward-auth access rules"},
    {"routes", cli_routes, "list every route: method, path, auth mode, permission"},
    {"prune", cli_prune, "delete expired tokens, resets, invitations, sessions, old audit"},
    {"doctor", cli_doctor, "check configuration, database, keys, Redis, SMTP; how to fix"},
    {"backup", cli_backup, "copy the SQLite database to FILE while serve runs"},
    {"config", cli_config, "show the effective LATCHKEY_* configuration, secrets masked"},
    {"completion", completion, "print the bash completion script"},
    {"import", cli_import, "import a Laravel app's users and Sanctum tokens"},
    {"openapi", cli_openapi, "print the OpenAPI 3.1 document of every route"},
    {"version", version, "print the version (also --version)"},
};

/* `latchkey version` and `latchkey --version`: "latchkey X.Y.Z", and the
 * git commit when it was built from a checkout. */
static int version(int argc, char **argv)
{
    static const char help[] = "usage: latchkey version   (or latchkey --version)\n";
    if (argc == 1 && strcmp(argv[0], "--help") == 0) {
        fputs(help, stdout);
        return CLI_OK;
    }
    if (argc > 0) {
        fputs(help, stderr);
        return cli_error(CLI_USAGE, "unexpected argument '%s'", argv[0]);
    }
    if (latchkey_commit[0] != '\0')
        printf("latchkey %s (git %s)\n", latchkey_version, latchkey_commit);
    else
        printf("latchkey %s\n", latchkey_version);
    return CLI_OK;
}

static int completion(int argc, char **argv)
{
    return cli_completion(argc, argv, commands, sizeof(commands) / sizeof(commands[0]));
}

static void usage(FILE *f)
{
    fprintf(f, "usage: latchkey <command> [options]   (latchkey <command> --help)\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nConfiguration comes from LATCHKEY_* environment variables (see README).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return version(argc - 2, argv + 2);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "latchkey: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
