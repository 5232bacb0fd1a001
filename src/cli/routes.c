/*
 * routes.c - `latchkey routes [--json]`: every route the server serves,
 * read from the surfaces' route tables (the same rows surfaces_router_new
 * hands to the router), in match order.
 *
 * The attack-matrix tests (tests/e2e/attack/) build their cases from this
 * listing, so a route added to a table is attacked without anyone editing
 * the tests; it needs no database and no configuration.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "surfaces/surfaces.h"

static const char usage[] =
    "usage: latchkey routes [--json]\n\n"
    "Lists every route: surface, method, path, auth mode, permission, rate-limit\n"
    "bucket. Needs no database.\n";

/* The auth mode's name in the listing (route.h, enum route_auth). */
static const char *auth_name(enum route_auth a)
{
    switch (a) {
    case AUTH_DENY: return "deny";
    case AUTH_PUBLIC: return "public";
    case AUTH_BEARER_PAT: return "bearer_pat";
    case AUTH_BEARER_JWT: return "bearer_jwt";
    case AUTH_BEARER_ADMIN: return "bearer_admin";
    case AUTH_BEARER_JWT_TENANT: return "bearer_jwt_tenant";
    case AUTH_BEARER_JWT_USER: return "bearer_jwt_user";
    case AUTH_SESSION: return "session";
    case AUTH_SESSION_OR_PAT: return "session_or_pat";
    case AUTH_PUBLIC_SESSION: return "public_session";
    case AUTH_GATED: return "gated";
    case AUTH_STAFF: return "staff";
    case AUTH_BEARER_JWT_TENANT_OR_SESSION: return "bearer_jwt_tenant_or_session";
    }
    return "unknown";
}

/* A JSON string, or null for NULL (jansson's json_string(NULL) fails). */
static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *route_json(const struct surface *sf, const struct route *rt)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "surface", sf->name, "method",
                     http_method_str(rt->method), "path", rt->pattern, "auth", auth_name(rt->auth),
                     "permission", str_or_null(rt->permission), "bucket", str_or_null(rt->bucket),
                     "platform_permission", str_or_null(sf->platform_permission), "html", sf->html);
}

int cli_routes(int argc, char **argv)
{
    bool json, help;
    int rc = cli_parse_plain(argc, argv, usage, &json, &help);
    if (rc != CLI_OK || help)
        return rc;
    json_t *all = json ? json_array() : NULL;
    for (size_t i = 0; i < n_surfaces_all; i++) {
        const struct surface *sf = surfaces_all[i];
        for (size_t j = 0; j < sf->n_routes; j++) {
            const struct route *rt = &sf->routes[j];
            if (json)
                json_array_append_new(all, route_json(sf, rt));
            else
                printf("%-7s %-48s %-18s %-18s %s\n", http_method_str(rt->method), rt->pattern,
                       auth_name(rt->auth), rt->permission != NULL ? rt->permission : "-",
                       sf->name);
        }
    }
    if (json)
        cli_print_json(all);
    return CLI_OK;
}
