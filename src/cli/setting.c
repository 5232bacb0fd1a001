/*
 * setting.c - `latchkey setting get | set | unset | list [--tenant SLUG]`:
 * the runtime settings (core/settings.h), in force on every running
 * instance within about a second, no restart.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/settings.h"
#include "core/tenant.h"
#include "util/err.h"

static const char usage[] =
    "usage: latchkey setting list [--tenant SLUG] [--json]\n"
    "       latchkey setting get KEY [--tenant SLUG] [--json]\n"
    "       latchkey setting set KEY VALUE [--tenant SLUG] [--json]\n"
    "       latchkey setting unset KEY [--tenant SLUG] [--json]\n\n"
    "Without --tenant: the platform default, used by every tenant without its own value.\n"
    "get and list show the effective value and where it comes from (tenant, platform or\n"
    "default); unset removes the scope's value so the next scope decides.\n"
    "Values: switches true/false (also 1/0, on/off, yes/no); *_auth none, simple or basic;\n"
    "*_role none or a role slug. `latchkey setting list` lists every key.\n";

static json_t *view_json(const struct setting_view *v)
{
    return json_pack("{s:s,s:s,s:s}", "key", v->def->key, "value", v->value, "source",
                     setting_source_str(v->source));
}

static void print_view(const struct setting_view *v, size_t n, bool json)
{
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, view_json(&v[i]));
        cli_print_json(n == 1 ? json_incref(json_array_get(a, 0)) : json_incref(a));
        json_decref(a);
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-32s %-8s %-10s %s\n", v[i].def->key, v[i].value, setting_source_str(v[i].source),
               v[i].def->help);
}

/* Shows key (or every key when NULL) for tenant_id. */
static int show(struct cli_run *r, int64_t tenant_id, const char *key)
{
    struct settings *c = settings_new(r->srv.store, 0);
    if (c == NULL)
        return cli_fail(ERR_STORE, "settings");
    struct setting_view *v;
    size_t n = settings_view(c, r->a, tenant_id, &v);
    settings_free(c);
    for (size_t i = 0; key != NULL && i < n; i++) {
        if (strcmp(v[i].def->key, key) == 0) {
            print_view(&v[i], 1, r->json);
            return CLI_OK;
        }
    }
    if (key != NULL)
        return cli_error(CLI_FAIL, "unknown setting %s (see `latchkey setting list`)", key);
    print_view(v, n, r->json);
    return CLI_OK;
}

static int change(struct cli_run *r, int64_t tenant_id, const char *key, const char *value)
{
    int rc = settings_set(&r->srv, tenant_id, key, value, 0, NULL);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "unknown setting %s (see `latchkey setting list`)", key);
    if (rc == ERR_INVALID)
        return cli_error(CLI_USAGE, "invalid value for %s\n%s", key, usage);
    if (rc != 0)
        return cli_fail(rc, "setting");
    return show(r, tenant_id, key);
}

static int run(struct cli_run *r, struct cli_opt *o)
{
    const char *sub = r->n_pos > 0 ? r->pos[0] : "";
    const char *key = r->n_pos > 1 ? r->pos[1] : NULL;
    const char *value = r->n_pos > 2 ? r->pos[2] : NULL;
    int64_t tenant_id = 0;
    const char *slug = cli_get(o, "tenant");
    if (slug != NULL) {
        struct tenant t;
        int rc = tenant_find_slug(&r->srv, r->a, slug, &t);
        if (rc != 0)
            return cli_fail(rc, "tenant");
        tenant_id = t.id;
    }
    if (strcmp(sub, "list") == 0 && key == NULL)
        return show(r, tenant_id, NULL);
    if (strcmp(sub, "get") == 0 && key != NULL && value == NULL)
        return show(r, tenant_id, key);
    if (strcmp(sub, "set") == 0 && key != NULL && value != NULL)
        return change(r, tenant_id, key, value);
    if (strcmp(sub, "unset") == 0 && key != NULL && value == NULL)
        return change(r, tenant_id, key, NULL);
    return cli_error(CLI_USAGE, "setting: expected list, get KEY, set KEY VALUE or unset KEY\n%s",
                     usage);
}

int cli_setting(int argc, char **argv)
{
    struct cli_opt o[] = {{"tenant", true, NULL}, {NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 3, usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    return cli_end(&r, run(&r, o));
}
