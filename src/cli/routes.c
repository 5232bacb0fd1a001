/*
 * routes.c - `latchkey routes [--json]`: every route the server serves,
 * read from the surfaces' route tables (the same rows surfaces_router_new
 * hands to the router), in match order.
 *
 * The attack-matrix tests (tests/e2e/attack/) build their cases from this
 * listing, so a route added to a table is attacked without anyone editing
 * the tests; it needs no database and no configuration.
 *
 * `latchkey openapi` prints the OpenAPI document built from the same walk
 * (surfaces/openapi.h), byte for byte what GET /openapi.json serves; the
 * e2e suite validates every response against it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "surfaces/openapi.h"
#include "surfaces/surfaces.h"

static const char usage[] =
    "usage: latchkey routes [--json]\n\n"
    "Lists every route: surface, method, path, auth mode, permission, rate-limit\n"
    "bucket. Needs no database.\n";

/* A JSON string, or null for NULL (jansson's json_string(NULL) fails). */
static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *route_json(const struct surface *sf, const struct route *rt)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "surface", sf->name, "method",
                     http_method_str(rt->method), "path", rt->pattern, "auth",
                     surfaces_auth_name(rt->auth), "permission", str_or_null(rt->permission),
                     "bucket", str_or_null(rt->bucket), "platform_permission",
                     str_or_null(sf->platform_permission), "html", sf->html);
}

/* Prints or collects one route (surfaces_each_route's callback); ctx is
 * the --json array, or NULL for the plain listing. */
static void list_route(const struct surface *sf, const struct route *rt, void *ctx)
{
    if (ctx != NULL)
        json_array_append_new(ctx, route_json(sf, rt));
    else
        printf("%-7s %-48s %-18s %-18s %s\n", http_method_str(rt->method), rt->pattern,
               surfaces_auth_name(rt->auth), rt->permission != NULL ? rt->permission : "-",
               sf->name);
}

int cli_routes(int argc, char **argv)
{
    bool json, help;
    int rc = cli_parse_plain(argc, argv, usage, &json, &help);
    if (rc != CLI_OK || help)
        return rc;
    json_t *all = json ? json_array() : NULL;
    surfaces_each_route(list_route, all);
    if (json)
        cli_print_json(all);
    return CLI_OK;
}

static const char openapi_usage[] =
    "usage: latchkey openapi\n\n"
    "Prints the OpenAPI 3.1 document of every route (what GET /openapi.json\n"
    "serves). Needs no database.\n";

int cli_openapi(int argc, char **argv)
{
    bool json, help;
    int rc = cli_parse_plain(argc, argv, openapi_usage, &json, &help);
    if (rc != CLI_OK || help)
        return rc;
    char *doc = NULL, why[512];
    size_t len = 0;
    if (openapi_build(&doc, &len, why, sizeof(why)) != 0)
        return cli_error(CLI_FAIL, "cannot build the OpenAPI document: %s", why);
    fwrite(doc, 1, len, stdout);
    putchar('\n');
    free(doc);
    return CLI_OK;
}
