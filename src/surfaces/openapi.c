/*
 * openapi.c - the OpenAPI 3.1 document (openapi.h) and the surface that
 * serves it:
 *
 *   GET /openapi.json   the document, built once at start-up (wiring.c
 *                       keeps the bytes in struct server); a request only
 *                       copies them out
 *
 * The rendered view, /docs/api, is a page of the dashboard (web.c,
 * web/pages/api-docs.html) that fetches this document.
 *
 * The document is built from surfaces_each_route(), the walk the router
 * and `latchkey routes` use, so a route cannot be served without being
 * listed; its schemas come from the embedded files of src/surfaces/schemas/.
 * Nothing here is shared or mutable after the build.
 */
#include "surfaces/openapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "util/err.h"
#include "version.h"

/* What the walk over the routes builds. */
struct build {
    json_t *paths;   /* the document's "paths" */
    json_t *sources; /* surface name -> its parsed schema file */
    json_t *used;    /* "surface METHOD path" of every schema entry a route took */
};

static const char *reason(const char *status)
{
    static const char *const reasons[][2] = {
        {"200", "OK"},
        {"201", "Created"},
        {"202", "Accepted"},
        {"204", "No Content"},
        {"302", "Found"},
        {"304", "Not Modified"},
        {"400", "Bad Request"},
        {"401", "Unauthorized"},
        {"403", "Forbidden"},
        {"404", "Not Found"},
        {"405", "Method Not Allowed"},
        {"409", "Conflict"},
        {"410", "Gone"},
        {"413", "Content Too Large"},
        {"415", "Unsupported Media Type"},
        {"419", "Page Expired (CSRF token missing or wrong)"},
        {"422", "Unprocessable Content"},
        {"423", "Locked"},
        {"429", "Too Many Requests"},
        {"431", "Request Header Fields Too Large"},
        {"500", "Internal Server Error"},
        {"503", "Service Unavailable"},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (strcmp(reasons[i][0], status) == 0)
            return reasons[i][1];
    }
    return "Response";
}

/* A Response Object for one schema file entry (openapi.h): new reference. */
static json_t *response_object(const char *status, json_t *entry)
{
    json_t *r = json_pack("{s:s}", "description", reason(status));
    if (json_is_object(entry) && json_object_get(entry, "content") != NULL)
        json_object_set(r, "content", json_object_get(entry, "content"));
    else if (!json_is_null(entry))
        json_object_set_new(r, "content",
                            json_pack("{s:{s:O}}", "application/json", "schema", entry));
    return r;
}

static bool session_auth(enum route_auth a)
{
    return a == AUTH_SESSION || a == AUTH_SESSION_OR_PAT || a == AUTH_PUBLIC_SESSION ||
           a == AUTH_STAFF || a == AUTH_BEARER_JWT_TENANT_OR_SESSION;
}

static bool public_auth(enum route_auth a)
{
    return a == AUTH_PUBLIC || a == AUTH_PUBLIC_SESSION || a == AUTH_DENY;
}

/* True if the surface's error status applies to the route (openapi.h). */
static bool error_applies(const char *status, const struct route *rt, bool has_body)
{
    if (strcmp(status, "401") == 0)
        return !public_auth(rt->auth);
    if (strcmp(status, "419") == 0)
        return session_auth(rt->auth) && rt->method != HTTP_GET && rt->method != HTTP_HEAD;
    if (strcmp(status, "422") == 0)
        return has_body;
    if (strcmp(status, "429") == 0)
        return rt->bucket != NULL;
    return true;
}

/* The Security Requirements of an auth mode (components securitySchemes). */
static json_t *security(enum route_auth a)
{
    switch (a) {
    case AUTH_DENY:
    case AUTH_PUBLIC: return json_array();
    case AUTH_PUBLIC_SESSION: return json_pack("[{}, {s:[]}]", "session");
    case AUTH_BEARER_PAT: return json_pack("[{s:[]}]", "pat");
    case AUTH_BEARER_JWT:
    case AUTH_BEARER_JWT_USER:
    case AUTH_BEARER_JWT_TENANT: return json_pack("[{s:[]}]", "jwt");
    case AUTH_BEARER_ADMIN: return json_pack("[{s:[]}]", "admin");
    case AUTH_STAFF: return json_pack("[{s:[]}, {s:[], s:[]}]", "admin", "session", "xsrf");
    case AUTH_BEARER_JWT_TENANT_OR_SESSION:
        return json_pack("[{s:[]}, {s:[], s:[]}]", "jwt", "session", "xsrf");
    case AUTH_SESSION: return json_pack("[{s:[], s:[]}]", "session", "xsrf");
    case AUTH_SESSION_OR_PAT: return json_pack("[{s:[], s:[]}, {s:[]}]", "session", "xsrf", "pat");
    case AUTH_GATED: return json_pack("[{}, {s:[]}]", "basic");
    }
    return json_array();
}

static json_t *security_schemes(void)
{
    return json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s},"
                     " s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}}",
                     "pat", "type", "http", "scheme", "bearer", "bearerFormat", "id|secret",
                     "description",
                     "A Sanctum personal access token (seeds 000, 003, 004) or API key.", "jwt",
                     "type", "http", "scheme", "bearer", "bearerFormat", "JWT", "description",
                     "An AutoCom RS256 access token (seed 002); tenant routes also take X-Tenant.",
                     "admin", "type", "http", "scheme", "bearer", "bearerFormat", "id|secret",
                     "description", "An admin API token of a staff member (seed 001).", "session",
                     "type", "apiKey", "in", "cookie", "name", "latchkey_session", "description",
                     "The dashboard session cookie (POST /login).", "xsrf", "type", "apiKey", "in",
                     "header", "name", "X-XSRF-TOKEN", "description",
                     "The XSRF-TOKEN cookie's value, on unsafe methods of a session (419 without).",
                     "basic", "type", "http", "scheme", "basic", "description",
                     "HTTP Basic (WNCMS endpoints in basic mode).");
}

/* The parameters: one per {name} of the pattern, and X-Tenant. */
static json_t *parameters(const struct route *rt)
{
    json_t *list = json_array();
    for (const char *s = strchr(rt->pattern, '{'); s != NULL; s = strchr(s + 1, '{')) {
        const char *e = strchr(s, '}');
        if (e == NULL)
            break;
        json_array_append_new(list, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", s + 1,
                                              (size_t)(e - s - 1), "in", "path", "required", true,
                                              "schema", "type", "string"));
    }
    if (rt->auth == AUTH_BEARER_JWT_TENANT || rt->auth == AUTH_BEARER_JWT_TENANT_OR_SESSION ||
        rt->auth == AUTH_GATED)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "X-Tenant", "in",
                                        "header", "required", rt->auth == AUTH_BEARER_JWT_TENANT,
                                        "description", "The tenant (its slug) the request acts in.",
                                        "schema", "type", "string"));
    return list;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* The operation's description: what authenticates it and what it needs. */
static json_t *description(const struct surface *sf, const struct route *rt)
{
    char text[512];
    snprintf(text, sizeof(text), "Surface: %s. Auth: %s.%s%s%s%s%s", sf->name,
             surfaces_auth_name(rt->auth),
             rt->permission == NULL   ? ""
             : rt->auth == AUTH_GATED ? " Setting: "
                                      : " Permission: ",
             rt->permission != NULL ? rt->permission : "", rt->permission != NULL ? "." : "",
             rt->bucket != NULL ? " Rate limit bucket: " : "",
             rt->bucket != NULL ? rt->bucket : "");
    return json_string(text);
}

/* The operation's responses: the entry's own, then the surface's errors
 * that apply (openapi.h). */
static json_t *responses(json_t *src, json_t *entry, const struct route *rt)
{
    json_t *out = json_object(), *v;
    const char *status;
    json_object_foreach(json_object_get(entry, "responses"), status, v)
    {
        json_object_set_new(out, status, response_object(status, v));
    }
    bool has_body = json_is_object(json_object_get(entry, "request"));
    json_object_foreach(json_object_get(src, "errors"), status, v)
    {
        if (json_object_get(out, status) == NULL && error_applies(status, rt, has_body))
            json_object_set_new(out, status, response_object(status, v));
    }
    return out;
}

static json_t *operation(const struct surface *sf, const struct route *rt, json_t *src,
                         json_t *entry)
{
    json_t *op = json_pack("{s:[s], s:o, s:o, s:s, s:o, s:o, s:o}", "tags", sf->name, "description",
                           description(sf, rt), "security", security(rt->auth), "x-latchkey-auth",
                           surfaces_auth_name(rt->auth), "x-latchkey-permission",
                           str_or_null(rt->permission), "x-latchkey-rate-limit",
                           str_or_null(rt->bucket), "parameters", parameters(rt));
    if (entry == NULL) {
        json_object_set_new(op, "x-latchkey-undocumented", json_true());
        return op;
    }
    json_t *summary = json_object_get(entry, "summary");
    if (json_is_string(summary))
        json_object_set(op, "summary", summary);
    json_t *req = json_object_get(entry, "request");
    if (json_is_null(req))
        json_object_set_new(op, "x-latchkey-no-body", json_true());
    else if (req != NULL)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:O}}}", "required", true, "content",
                                      "application/json", "schema", req));
    json_object_set_new(op, "responses", responses(src, entry, rt));
    return op;
}

/* Adds op's tag and response bodies to the operation already at the same
 * method and path (an html page beside an API route: struct surface .html). */
static void merge(json_t *into, json_t *op)
{
    json_array_extend(json_object_get(into, "tags"), json_object_get(op, "tags"));
    if (json_object_get(op, "x-latchkey-undocumented") != NULL)
        json_object_set_new(into, "x-latchkey-undocumented", json_true());
    json_t *rs = json_object_get(into, "responses");
    if (rs == NULL) {
        json_object_set(into, "responses", json_object_get(op, "responses"));
        return;
    }
    const char *status;
    json_t *r;
    json_object_foreach(json_object_get(op, "responses"), status, r)
    {
        json_t *have = json_object_get(rs, status);
        if (have == NULL)
            json_object_set(rs, status, r);
        else if (json_object_get(have, "content") != NULL && json_object_get(r, "content") != NULL)
            json_object_update_missing(json_object_get(have, "content"),
                                       json_object_get(r, "content"));
    }
}

/* surfaces_each_route's callback: one route into b->paths. */
static void add_route(const struct surface *sf, const struct route *rt, void *ctx)
{
    struct build *b = ctx;
    char key[512], method[16];
    const char *m = http_method_str(rt->method);
    size_t i;
    for (i = 0; m[i] != '\0' && i + 1 < sizeof(method); i++)
        method[i] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] - 'A' + 'a' : m[i]);
    method[i] = '\0';
    snprintf(key, sizeof(key), "%s %s", m, rt->pattern);
    json_t *src = json_object_get(b->sources, sf->name);
    json_t *entry = json_object_get(json_object_get(src, "routes"), key);
    if (entry != NULL) {
        char used[600];
        snprintf(used, sizeof(used), "%s %s", sf->name, key);
        json_object_set_new(b->used, used, json_true());
    }
    json_t *op = operation(sf, rt, src, entry);
    json_t *item = json_object_get(b->paths, rt->pattern);
    if (item == NULL) {
        item = json_object();
        json_object_set_new(b->paths, rt->pattern, item);
    }
    json_t *have = json_object_get(item, method);
    if (have != NULL)
        merge(have, op);
    else
        json_object_set(item, method, op);
    json_decref(op);
}

/* Parses every embedded file into b->sources; ERR_INVALID with why. */
static int load_sources(struct build *b, char *why, size_t why_len)
{
    for (size_t i = 0; i < n_openapi_sources; i++) {
        const struct openapi_source *s = &openapi_sources[i];
        json_error_t jerr;
        json_t *j = json_loadb(s->json, s->len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(j)) {
            snprintf(why, why_len, "src/surfaces/schemas/%s.json:%d: %s", s->name, jerr.line,
                     j == NULL ? jerr.text : "not an object");
            json_decref(j);
            return ERR_INVALID;
        }
        json_object_set_new(b->sources, s->name, j);
    }
    return 0;
}

/* ERR_INVALID with why if a schema entry names no route of its surface. */
static int check_used(const struct build *b, char *why, size_t why_len)
{
    const char *name, *key;
    json_t *src, *v;
    json_object_foreach(b->sources, name, src)
    {
        json_object_foreach(json_object_get(src, "routes"), key, v)
        {
            char used[600];
            snprintf(used, sizeof(used), "%s %s", name, key);
            if (json_object_get(b->used, used) == NULL) {
                snprintf(why, why_len, "src/surfaces/schemas/%s.json: \"%s\" is no route of it",
                         name, key);
                return ERR_INVALID;
            }
        }
    }
    return 0;
}

/* The tags: one per surface, described by its schema file. */
static json_t *tags(const struct build *b)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n_surfaces_all; i++) {
        const char *name = surfaces_all[i]->name;
        json_t *d = json_object_get(json_object_get(b->sources, name), "description");
        json_t *tag = json_pack("{s:s}", "name", name);
        if (json_is_string(d))
            json_object_set(tag, "description", d);
        json_array_append_new(list, tag);
    }
    return list;
}

int openapi_build(char **out, size_t *len, char *why, size_t why_len)
{
    struct build b = {.paths = json_object(), .sources = json_object(), .used = json_object()};
    json_t *doc = NULL;
    *out = NULL;
    int rc = load_sources(&b, why, why_len);
    if (rc != 0)
        goto out;
    surfaces_each_route(add_route, &b);
    rc = check_used(&b, why, why_len);
    if (rc != 0)
        goto out;
    json_t *components = json_object_get(json_object_get(b.sources, "components"), "schemas");
    components = components != NULL ? json_incref(components) : json_object();
    doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:O, s:{s:o, s:o}}", "openapi", "3.1.0", "info",
                    "title", "latchkey", "version", latchkey_version, "description",
                    "Every route latchkey serves, generated from its route tables. Several "
                    "surfaces (one per seed dialect) share one server; operations are tagged by "
                    "surface, and each surface's errors have its own shape.",
                    "tags", tags(&b), "paths", b.paths, "components", "schemas", components,
                    "securitySchemes", security_schemes());
    *out = json_dumps(doc, JSON_COMPACT);
    if (*out == NULL) {
        snprintf(why, why_len, "the document does not serialise");
        rc = ERR_INVALID;
        goto out;
    }
    *len = strlen(*out);
out:
    json_decref(doc);
    json_decref(b.paths);
    json_decref(b.sources);
    json_decref(b.used);
    return rc;
}

static void openapi_json(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    http_reply_header(req, "Cache-Control", "no-cache");
    http_reply_raw(req, 200, "application/json", srv->openapi, srv->openapi_len);
}

static const struct route routes[] = {
    {HTTP_GET, "/openapi.json", openapi_json, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_docs = {
    .name = "docs",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
