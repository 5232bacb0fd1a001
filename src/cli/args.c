/*
 * args.c - option parsing and output helpers shared by the commands.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "core/principal.h"
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

void cli_operator(struct principal *p)
{
    static const char *const all[] = {"*"};
    memset(p, 0, sizeof(*p));
    p->user.is_super_admin = true;
    p->token.kind = TOKEN_ADMIN;
    p->role.permissions = (struct strlist){.items = (const char **)(uintptr_t)all, .n = 1};
    p->platform = true;
    p->staff = true;
}

bool cli_confirm(const char *yes, const char *question)
{
    if (yes != NULL)
        return true;
    if (!isatty(STDIN_FILENO)) {
        cli_error(CLI_USAGE, "%s: pass --yes to confirm (stdin is not a terminal)", question);
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char line[16];
    if (fgets(line, sizeof(line), stdin) == NULL || (line[0] != 'y' && line[0] != 'Y')) {
        cli_error(CLI_USAGE, "not confirmed; nothing changed");
        return false;
    }
    return true;
}

/* Reads one line into buf, without its newline; false on EOF or a line
 * longer than size - 1 (the rest is drained). */
static bool read_line(FILE *f, char *buf, size_t size)
{
    if (fgets(buf, (int)size, f) == NULL)
        return false;
    size_t n = strcspn(buf, "\n");
    bool whole = buf[n] == '\n' || feof(f);
    buf[n] = '\0';
    if (!whole) {
        int c;
        while ((c = fgetc(f)) != EOF && c != '\n')
            ;
    }
    return whole;
}

/* Prompts on the terminal with echo off. */
static bool prompt_hidden(const char *prompt, char *buf, size_t size)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return false;
    struct termios old, quiet;
    bool have = tcgetattr(fileno(tty), &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fputs(prompt, tty);
    fflush(tty);
    bool ok = read_line(tty, buf, size);
    if (have)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    return ok;
}

int cli_read_secret(bool from_stdin, const char *prompt, char *buf, size_t size)
{
    bool ok;
    if (from_stdin || !isatty(STDIN_FILENO)) {
        ok = read_line(stdin, buf, size);
    } else {
        char again[CLI_SECRET_MAX + 2];
        ok = prompt_hidden(prompt, buf, size) && prompt_hidden("again: ", again, sizeof(again));
        if (ok && strcmp(buf, again) != 0) {
            secure_wipe(again, sizeof(again));
            secure_wipe(buf, size);
            return cli_error(CLI_USAGE, "the two passwords differ");
        }
        secure_wipe(again, sizeof(again));
    }
    if (!ok || buf[0] == '\0') {
        secure_wipe(buf, size);
        return cli_error(CLI_USAGE, "no password read (at most %zu bytes, one line)", size - 2);
    }
    return CLI_OK;
}
