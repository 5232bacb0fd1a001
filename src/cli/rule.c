/*
 * rule.c - `latchkey rule list | show | add | update | enable | disable |
 * remove`: the forward-auth access rules of GET /auth/verify
 * (core/access.h), in force on every running instance within about a
 * second, no restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/access.h"
#include "util/err.h"

static const char usage[] =
    "usage: latchkey rule list [--json]\n"
    "       latchkey rule show ID [--json]\n"
    "       latchkey rule add --pattern PATTERN [--method M] [--auth A] [--ability X]\n"
    "                         [--role SLUG] [--tenant T] [--disabled] [--json]\n"
    "       latchkey rule update ID [--pattern P] [--method M] [--auth A] [--ability X]\n"
    "                         [--role SLUG] [--tenant T] [--json]\n"
    "       latchkey rule enable | disable | remove ID [--json]\n\n"
    "A rule: which requests GET /auth/verify lets through to an upstream service.\n"
    "  --pattern  /path, with {name} for one segment; ending in /* for a prefix (/* = all)\n"
    "  --method   * (default: any) or GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\n"
    "  --auth     none (public), or a comma list of pat, jwt, session (default: all three;\n"
    "             an API key is a pat)\n"
    "  --ability  a permission the role must grant and the token allow (none: not needed)\n"
    "  --role     a role slug the user must hold in the tenant (owner passes any)\n"
    "  --tenant   header (X-Tenant, else the Host's; default), host, or credential\n"
    "A disabled rule refuses what it matches (403). A request no rule matches is refused\n"
    "(403): add `--pattern '/*'` for \"any signed-in user\".\n";

static void print_rules(const struct access_rule *r, size_t n, bool json, bool one)
{
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s,s:b}", "id",
                                               (json_int_t)r[i].id, "method", r[i].method,
                                               "pattern", r[i].pattern, "auth", r[i].auth,
                                               "ability", r[i].ability, "role", r[i].role, "tenant",
                                               r[i].tenant_from, "enabled", r[i].enabled));
        cli_print_json(one ? json_incref(json_array_get(a, 0)) : json_incref(a));
        json_decref(a);
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-5lld %-7s %-40s auth=%s ability=%s role=%s tenant=%s %s\n", (long long)r[i].id,
               r[i].method, r[i].pattern, r[i].auth, r[i].ability ? r[i].ability : "-",
               r[i].role ? r[i].role : "-", r[i].tenant_from, r[i].enabled ? "on" : "off");
}

static int64_t parse_id(const char *s)
{
    char *end = NULL;
    long long v = s != NULL ? strtoll(s, &end, 10) : 0;
    return end != NULL && *end == '\0' && v > 0 ? (int64_t)v : 0;
}

/* The options given override r's fields. */
static void apply(const struct cli_opt *o, struct access_rule *r)
{
    const char *v;
    if ((v = cli_get(o, "pattern")) != NULL)
        r->pattern = v;
    if ((v = cli_get(o, "method")) != NULL)
        r->method = v;
    if ((v = cli_get(o, "auth")) != NULL)
        r->auth = v;
    if ((v = cli_get(o, "ability")) != NULL)
        r->ability = v;
    if ((v = cli_get(o, "role")) != NULL)
        r->role = v;
    if ((v = cli_get(o, "tenant")) != NULL)
        r->tenant_from = v;
}

static int save(struct cli_run *r, struct access_rule *rule)
{
    const char *field, *why;
    int rc = access_rule_save(&r->srv, r->a, rule, 0, NULL, &field, &why);
    if (rc == ERR_INVALID)
        return cli_error(CLI_USAGE, "rule: %s: %s\n%s", field, why, usage);
    if (rc == ERR_CONFLICT)
        return cli_error(CLI_FAIL, "rule: %s %s already exists", rule->method, rule->pattern);
    if (rc != 0)
        return cli_fail(rc, "rule");
    print_rules(rule, 1, r->json, true);
    return CLI_OK;
}

static int list(struct cli_run *r)
{
    struct access_rule *rules;
    size_t n;
    int rc = access_rule_list(&r->srv, r->a, &rules, &n);
    if (rc != 0)
        return cli_fail(rc, "rule");
    print_rules(rules, n, r->json, false);
    return CLI_OK;
}

/* show, update, enable, disable, remove: on rule ID. */
static int on_one(struct cli_run *r, const struct cli_opt *o, const char *sub, int64_t id)
{
    struct access_rule rule;
    int rc = access_rule_get(&r->srv, r->a, id, &rule);
    if (rc != 0)
        return cli_fail(rc, "rule");
    if (strcmp(sub, "show") == 0) {
        print_rules(&rule, 1, r->json, true);
        return CLI_OK;
    }
    if (strcmp(sub, "remove") == 0) {
        rc = access_rule_delete(&r->srv, id, 0, NULL);
        if (rc != 0)
            return cli_fail(rc, "rule");
        print_rules(&rule, 1, r->json, true);
        return CLI_OK;
    }
    if (strcmp(sub, "enable") == 0 || strcmp(sub, "disable") == 0)
        rule.enabled = strcmp(sub, "enable") == 0;
    else
        apply(o, &rule);
    return save(r, &rule);
}

static int run(struct cli_run *r, const struct cli_opt *o)
{
    const char *sub = r->n_pos > 0 ? r->pos[0] : "";
    if (strcmp(sub, "list") == 0 && r->n_pos == 1)
        return list(r);
    if (strcmp(sub, "add") == 0 && r->n_pos == 1) {
        struct access_rule rule = {.method = "*", .enabled = cli_get(o, "disabled") == NULL};
        apply(o, &rule);
        if (rule.pattern == NULL)
            return cli_error(CLI_USAGE, "rule add: --pattern is required\n%s", usage);
        return save(r, &rule);
    }
    static const char *const on_id[] = {"show", "update", "enable", "disable", "remove", NULL};
    for (size_t i = 0; on_id[i] != NULL; i++) {
        if (strcmp(sub, on_id[i]) != 0)
            continue;
        int64_t id = r->n_pos == 2 ? parse_id(r->pos[1]) : 0;
        if (id == 0)
            return cli_error(CLI_USAGE, "rule %s: expected a rule ID\n%s", sub, usage);
        return on_one(r, o, sub, id);
    }
    return cli_error(
        CLI_USAGE, "rule: expected list, show, add, update, enable, disable or remove\n%s", usage);
}

int cli_rule(int argc, char **argv)
{
    struct cli_opt o[] = {{"pattern", true, NULL},   {"method", true, NULL}, {"auth", true, NULL},
                          {"ability", true, NULL},   {"role", true, NULL},   {"tenant", true, NULL},
                          {"disabled", false, NULL}, {NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 2, usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    return cli_end(&r, run(&r, o));
}
