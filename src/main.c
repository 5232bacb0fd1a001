/*
 * main.c - `latchkey <command>`: picks the command; nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cli_serve, "serve HTTP on LATCHKEY_LISTEN (migrates the database first)"},
    {"migrate", cli_migrate, "apply pending database migrations"},
    {"tenant", cli_tenant, "create | list tenants"},
    {"user", cli_user, "create users, set a user's status"},
    {"member", cli_member, "add a user to a tenant, set a membership's status"},
    {"token", cli_token, "create | list | revoke personal access tokens"},
    {"role", cli_role, "list a tenant's roles"},
    {"keys", cli_keys, "list | rotate the JWT signing keys"},
    {"staff", cli_staff, "grant | revoke | list platform staff roles (the admin API)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: latchkey <command> [options]   (latchkey <command> --help)\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
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
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "latchkey: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
