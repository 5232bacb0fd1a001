/*
 * tenant.c - `latchkey tenant create | list | show | update | suspend |
 * reactivate`. Suspension is the admin API's (admin_tenant_set_status).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/admin.h"
#include "core/product.h"
#include "core/tenant.h"
#include "util/err.h"
#include "util/jsonutil.h"

static const char usage[] =
    "usage: latchkey tenant create --slug SLUG --name NAME [--product "
    "travel|autocom|wedocod|wncms]\n"
    "                              [--domain DOMAIN] [--currency USD] [--products a,b,c]\n"
    "                              [--json]\n"
    "       latchkey tenant list [--json]\n"
    "       latchkey tenant show SLUG [--json]\n"
    "       latchkey tenant update SLUG [--name NAME] [--domain DOMAIN] [--currency USD]\n"
    "                              [--products a,b,c] [--json]\n"
    "       latchkey tenant suspend SLUG [--json]\n"
    "       latchkey tenant reactivate SLUG [--json]\n\n"
    "SLUG: lower-case letters, digits and dashes (the X-Tenant value).\n"
    "--product: the product the tenant belongs to (default travel); it gets that product's\n"
    "roles and permissions: travel (seed 004): Owner, Admin, Manager, Agent (slug \"user\");\n"
    "autocom (seed 002): Owner, Admin, Manager, Agent (slug \"agent\").\n"
    "--products: seed 004's enabled_products (hotel, flight, ...), not the product.\n"
    "update changes only the options given; --domain \"\" clears the domain.\n"
    "suspend refuses the tenant's members on every surface until reactivate.\n";

static json_t *tenant_json(const struct tenant *t)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o}", "id", (json_int_t)t->id,
                     "slug", t->slug, "name", t->name, "product", t->product, "domain",
                     t->domain ? json_string(t->domain) : json_null(), "default_currency",
                     t->default_currency, "enabled_products", json_strlist(&t->enabled_products),
                     "status", tenant_status_str(t->status), "created_at",
                     json_time(t->created_at));
}

static int create(struct cli_run *r, struct cli_opt *opts)
{
    struct tenant_request rq = {
        .slug = cli_get(opts, "slug"),
        .name = cli_get(opts, "name"),
        .domain = cli_get(opts, "domain"),
        .currency = cli_get(opts, "currency"),
        .product = cli_get(opts, "product"),
    };
    if (rq.slug == NULL || rq.name == NULL)
        return cli_error(CLI_USAGE, "tenant create needs --slug and --name");
    if (product_find(rq.product) == NULL) {
        char names[128];
        product_names(names, sizeof(names));
        return cli_error(CLI_USAGE, "--product must be one of: %s", names);
    }
    if (!tenant_slug_valid(rq.slug))
        return cli_error(CLI_USAGE, "--slug must be lower-case letters, digits and dashes "
                                    "(at most 63, not starting with a dash)");
    if (!strlist_split(r->a, cli_get(opts, "products"), 64, &rq.products))
        return cli_error(CLI_USAGE, "--products: at most 64 products");
    struct tenant t;
    struct role *roles = NULL;
    size_t n_roles = 0;
    int rc = tenant_create(&r->srv, r->a, &rq, &t, &roles, &n_roles);
    if (rc == ERR_INVALID)
        return cli_error(CLI_USAGE, "invalid tenant: --name 1-255 characters, --currency three "
                                    "upper-case letters (e.g. USD)");
    if (rc != 0)
        return cli_fail(rc, "tenant");
    if (!r->json) {
        printf("created tenant %s (id %lld)\n", t.slug, (long long)t.id);
        return CLI_OK;
    }
    json_t *j = tenant_json(&t);
    json_t *rl = json_array();
    for (size_t i = 0; i < n_roles; i++)
        json_array_append_new(rl, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)roles[i].id,
                                            "name", roles[i].name, "slug", roles[i].slug));
    json_object_set_new(j, "roles", rl);
    cli_print_json(j);
    return CLI_OK;
}

static int list(struct cli_run *r)
{
    struct tenant *ts = NULL;
    size_t n = 0;
    int rc = tenant_list(&r->srv, r->a, &ts, &n);
    if (rc != 0)
        return cli_fail(rc, "tenant list");
    if (r->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, tenant_json(&ts[i]));
        cli_print_json(a);
        return CLI_OK;
    }
    for (size_t i = 0; i < n; i++)
        printf("%-6lld %-24s %-10s %s\n", (long long)ts[i].id, ts[i].slug,
               tenant_status_str(ts[i].status), ts[i].name);
    return CLI_OK;
}

static int show(struct cli_run *r, const char *slug)
{
    struct tenant t;
    struct tenant_summary sum;
    int rc = tenant_find_slug(&r->srv, r->a, slug, &t);
    if (rc == 0)
        rc = admin_tenant_find(&r->srv, r->a, t.id, &sum);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "no tenant with slug %s", slug);
    if (rc != 0)
        return cli_fail(rc, "tenant");
    if (r->json) {
        json_t *j = tenant_json(&t);
        json_object_set_new(j, "member_count", json_integer(sum.member_count));
        cli_print_json(j);
        return CLI_OK;
    }
    printf("id:       %lld\nslug:     %s\nname:     %s\nproduct:  %s\nstatus:   %s\n"
           "domain:   %s\ncurrency: %s\nmembers:  %lld\n",
           (long long)t.id, t.slug, t.name, t.product, tenant_status_str(t.status),
           t.domain ? t.domain : "-", t.default_currency, (long long)sum.member_count);
    return CLI_OK;
}

static int update(struct cli_run *r, struct cli_opt *opts, const char *slug)
{
    struct tenant_update up = {
        .name = cli_get(opts, "name"),
        .domain = cli_get(opts, "domain"),
        .currency = cli_get(opts, "currency"),
        .set_products = cli_get(opts, "products") != NULL,
    };
    if (cli_get(opts, "slug") != NULL || cli_get(opts, "product") != NULL)
        return cli_error(CLI_USAGE, "a tenant's slug and product cannot change");
    if (up.name == NULL && up.domain == NULL && up.currency == NULL && !up.set_products)
        return cli_error(CLI_USAGE, "tenant update needs --name, --domain, --currency or "
                                    "--products");
    if (!strlist_split(r->a, cli_get(opts, "products"), 64, &up.products))
        return cli_error(CLI_USAGE, "--products: at most 64 products");
    struct tenant t;
    int rc = tenant_update(&r->srv, r->a, slug, &up, &t);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "no tenant with slug %s", slug);
    if (rc == ERR_INVALID)
        return cli_error(CLI_USAGE, "invalid tenant: --name 1-255 characters, --currency three "
                                    "upper-case letters (e.g. USD), --domain at most 255");
    if (rc != 0)
        return cli_fail(rc, "tenant");
    if (r->json)
        cli_print_json(tenant_json(&t));
    else
        printf("updated tenant %s\n", t.slug);
    return CLI_OK;
}

static int set_status(struct cli_run *r, const char *slug, enum tenant_status st)
{
    struct tenant t;
    struct principal op;
    cli_operator(&op);
    int rc = tenant_find_slug(&r->srv, r->a, slug, &t);
    if (rc == 0)
        rc = admin_tenant_set_status(&r->srv, &op, t.id, st, NULL);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "no tenant with slug %s", slug);
    if (rc != 0)
        return cli_fail(rc, "tenant");
    t.status = st;
    if (r->json)
        cli_print_json(tenant_json(&t));
    else
        printf("tenant %s is now %s\n", t.slug, tenant_status_str(st));
    return CLI_OK;
}

/* The subcommands that name one tenant: SLUG is the second word. */
static int one(struct cli_run *r, struct cli_opt *opts, const char *sub)
{
    if (r->n_pos != 2)
        return cli_error(CLI_USAGE, "tenant %s needs SLUG\n%s", sub, usage);
    const char *slug = r->pos[1];
    if (strcmp(sub, "show") == 0)
        return show(r, slug);
    if (strcmp(sub, "update") == 0)
        return update(r, opts, slug);
    if (strcmp(sub, "suspend") == 0)
        return set_status(r, slug, TENANT_SUSPENDED);
    return set_status(r, slug, TENANT_ACTIVE);
}

int cli_tenant(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"slug", true, NULL},     {"name", true, NULL},     {"domain", true, NULL},
        {"currency", true, NULL}, {"products", true, NULL}, {"product", true, NULL},
        {NULL, false, NULL},
    };
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, opts, 2, usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "create") == 0 && r.n_pos == 1)
        rc = create(&r, opts);
    else if (strcmp(sub, "list") == 0 && r.n_pos == 1)
        rc = list(&r);
    else if (strcmp(sub, "show") == 0 || strcmp(sub, "update") == 0 ||
             strcmp(sub, "suspend") == 0 || strcmp(sub, "reactivate") == 0)
        rc = one(&r, opts, sub);
    else
        rc = cli_error(CLI_USAGE,
                       "tenant: expected create, list, show, update, suspend or reactivate\n%s",
                       usage);
    return cli_end(&r, rc);
}
