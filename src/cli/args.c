/*
 * args.c - option parsing and output helpers shared by the commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/arena.h"
#include "util/err.h"
#include "wiring.h"

static struct cli_opt *find(struct cli_opt *opts, const char *name, size_t len)
{
    for (struct cli_opt *o = opts; o->name != NULL; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

int cli_parse(int argc, char **argv, struct cli_opt *opts, const char **pos, int max_pos,
              int *n_pos, bool *json, bool *help)
{
    *n_pos = 0;
    *json = false;
    *help = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            *json = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (*n_pos >= max_pos)
                return cli_error(CLI_USAGE, "unexpected argument '%s'", a);
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        struct cli_opt *o = find(opts, name, len);
        if (o == NULL)
            return cli_error(CLI_USAGE, "unknown option '--%.*s'", (int)len, name);
        if (!o->has_value) {
            if (eq != NULL)
                return cli_error(CLI_USAGE, "option '--%s' takes no value", o->name);
            o->value = "";
        } else if (eq != NULL) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            return cli_error(CLI_USAGE, "option '--%s' needs a value", o->name);
        }
    }
    return CLI_OK;
}

int cli_parse_plain(int argc, char **argv, const char *usage, bool *json, bool *done)
{
    struct cli_opt none[] = {{NULL, false, NULL}};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, none, pos, 0, &n_pos, json, done);
    if (rc != CLI_OK)
        fputs(usage, stderr);
    else if (*done)
        fputs(usage, stdout);
    return rc;
}

const char *cli_get(const struct cli_opt *opts, const char *name)
{
    for (const struct cli_opt *o = opts; o->name != NULL; o++) {
        if (strcmp(o->name, name) == 0)
            return o->value;
    }
    return NULL;
}

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("latchkey: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

void cli_print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    if (s != NULL) {
        puts(s);
        free(s);
    }
    json_decref(j);
}

int cli_begin(struct cli_run *r, int argc, char **argv, struct cli_opt *opts, int max_pos,
              const char *usage)
{
    memset(r, 0, sizeof(*r));
    int rc = cli_parse(argc, argv, opts, r->pos, max_pos > 4 ? 4 : max_pos, &r->n_pos, &r->json,
                       &r->help);
    if (rc != CLI_OK) {
        fputs(usage, stderr);
        return rc;
    }
    if (r->help) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    r->opened = true;
    if (wiring_open_quiet(&r->srv) != 0)
        return CLI_FAIL;
    r->a = arena_new();
    return CLI_OK;
}

int cli_end(struct cli_run *r, int code)
{
    if (r->opened)
        wiring_close(&r->srv);
    arena_free(r->a);
    r->a = NULL;
    r->opened = false;
    return code;
}

int cli_fail(int err, const char *what)
{
    switch (err) {
    case ERR_NOT_FOUND: return cli_error(CLI_FAIL, "%s: not found", what);
    case ERR_CONFLICT: return cli_error(CLI_FAIL, "%s: already exists", what);
    case ERR_INVALID: return cli_error(CLI_USAGE, "%s: invalid value", what);
    default: return cli_error(CLI_FAIL, "%s: %s", what, err_str(err));
    }
}
