/*
 * cli.h - the command line: `latchkey <command> [sub] [--options]`.
 *
 * Exit codes: 0 success, 1 runtime failure (not found, duplicate, database),
 * 2 usage error. Errors go to stderr as "latchkey: ...". Every command has
 * --help and --json (one JSON document on stdout).
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct server;

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* One option of a command; value is set by cli_parse. */
struct cli_opt {
    const char *name;  /* without "--" */
    bool has_value;    /* --name VALUE / --name=VALUE; else a flag */
    const char *value; /* the value, or "" for a set flag, NULL if absent */
};

/*
 * Parses argv (after the command words) into opts; at most max_pos
 * positional arguments go to pos[]. Prints the error and returns
 * CLI_USAGE on unknown options, missing values or extra arguments.
 * --json and --help are always accepted (reported through json and help).
 */
int cli_parse(int argc, char **argv, struct cli_opt *opts, const char **pos, int max_pos,
              int *n_pos, bool *json, bool *help);
/*
 * For commands without options or arguments: parses --json/--help, prints
 * usage on --help (setting *done). Returns CLI_OK or CLI_USAGE.
 */
int cli_parse_plain(int argc, char **argv, const char *usage, bool *json, bool *done);
/* The value of option name, or NULL. */
const char *cli_get(const struct cli_opt *opts, const char *name);
/* Prints "latchkey: <message>" on stderr; returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints j (stolen) as one JSON document on stdout. */
void cli_print_json(json_t *j);

#include "server.h"

/* The state of one command run: parsed arguments, an open server, an arena. */
struct cli_run {
    struct server srv;
    struct arena *a;
    bool json;
    bool help;
    const char *pos[4];
    int n_pos;
    bool opened;
};

/*
 * Parses the arguments; on --help prints usage and sets r->help; otherwise
 * opens the server (migrating) and an arena. Returns CLI_OK to go on (check
 * r->help), or the exit code. cli_end() must follow in every case.
 */
int cli_begin(struct cli_run *r, int argc, char **argv, struct cli_opt *opts, int max_pos,
              const char *usage);
/* Closes what cli_begin opened; returns code. */
int cli_end(struct cli_run *r, int code);
/* Maps a core error to an exit code with a message naming what failed. */
int cli_fail(int err, const char *what);

struct principal;
/* Fills *p as the operator at the command line: a super-admin with every
 * permission and no user id, for the core calls the admin API makes. */
void cli_operator(struct principal *p);
/* True if yes (the --yes option's value) is set, or the terminal user
 * answers y; otherwise prints why not and returns false (exit CLI_USAGE). */
bool cli_confirm(const char *yes, const char *question);
/* The longest secret cli_read_secret accepts; its buffer holds + 2. */
#define CLI_SECRET_MAX 256
/*
 * Reads a secret: one line of stdin when from_stdin or stdin is not a
 * terminal, else twice at a prompt on /dev/tty with echo off. Never from
 * argv (visible in ps). Returns CLI_OK, or CLI_USAGE (message printed) for
 * an empty, too long or mismatched entry.
 */
int cli_read_secret(bool from_stdin, const char *prompt, char *buf, size_t size);

/* The commands (cli/<name>.c). argv starts after the command word. */
int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_tenant(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_member(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_role(int argc, char **argv);
int cli_keys(int argc, char **argv);
int cli_staff(int argc, char **argv);
int cli_setting(int argc, char **argv);
int cli_rule(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_prune(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_doctor(int argc, char **argv);
int cli_config(int argc, char **argv);

/* A row of main.c's command table. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};
/* `latchkey completion bash`: prints a bash completion script naming the
 * n commands of cmds; subcommands and options come from `<command>
 * --help` when TAB is pressed (completion.c). */
int cli_completion(int argc, char **argv, const struct cli_command *cmds, size_t n);
int cli_import(int argc, char **argv);
/* `latchkey openapi`: prints the OpenAPI document GET /openapi.json serves. */
int cli_openapi(int argc, char **argv);
