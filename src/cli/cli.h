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
int cli_routes(int argc, char **argv);
/* `latchkey openapi`: prints the OpenAPI document GET /openapi.json serves. */
int cli_openapi(int argc, char **argv);
