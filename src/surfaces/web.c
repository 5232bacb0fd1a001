/*
 * web.c - the dashboard: the pages and assets of web/, compiled into the
 * binary (surfaces/web_files.h), served to browsers.
 *
 *   GET /assets/{name}   an asset under its content-hashed name, cacheable
 *                        for a year (Cache-Control: public, max-age=31536000,
 *                        immutable); any other name is a 404
 *   GET /, /login, ...   the pages (routes below; /docs/api renders
 *                        /openapi.json): Cache-Control: no-cache,
 *                        so a browser revalidates them and so picks up
 *                        the new asset names of a new build
 *
 * Every reply carries an ETag (a hash of the bytes); a request whose
 * If-None-Match names it gets a 304 without a body. Every reply also
 * carries the strict headers of README "Dashboard": a Content-Security-
 * Policy that allows only this origin's scripts and styles (the pages have
 * no inline script or style), no framing, nosniff, a same-origin Referrer.
 *
 * The routes are html routes (struct surface .html): a browser's
 * navigation gets the page even where an API route shares the path
 * (GET /settings/api-keys), other clients the API. The pages are public:
 * each page's module asks the session API who is signed in and sends a
 * visitor without a session to /login.
 */
#include <string.h>

#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/web_files.h"

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/* The embedded file named name (an asset's served path or a page's file
 * name), or NULL. */
static const struct web_file *find_file(const char *name)
{
    for (size_t i = 0; i < n_web_files; i++) {
        if (strcmp(web_files[i].name, name) == 0)
            return &web_files[i];
    }
    return NULL;
}

/* True if the If-None-Match header names etag (or is "*"); a weak
 * comparison, as RFC 9110 13.1.2 asks for GET. */
static bool not_modified(struct request *req, const char *etag)
{
    const char *inm = http_header(req, "If-None-Match");
    if (inm == NULL)
        return false;
    return strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL;
}

static void security_headers(struct request *req)
{
    http_reply_header(req, "Content-Security-Policy", CSP);
    http_reply_header(req, "X-Content-Type-Options", "nosniff");
    http_reply_header(req, "Referrer-Policy", "same-origin");
    http_reply_header(req, "X-Frame-Options", "DENY");
}

static void serve_file(struct request *req, const struct web_file *f)
{
    security_headers(req);
    http_reply_header(req, "ETag", f->etag);
    http_reply_header(req, "Cache-Control",
                      f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (not_modified(req, f->etag)) {
        http_reply_raw(req, 304, NULL, NULL, 0);
        return;
    }
    http_reply_raw(req, 200, f->content_type, f->data, f->len);
}

static void asset(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    (void)p;
    const struct web_file *f = find_file(http_path(req));
    if (f == NULL || !f->immutable) {
        security_headers(req);
        laravel_error(req, HERR_NOT_FOUND, NULL);
        return;
    }
    serve_file(req, f);
}

/* Serves the page named name; a missing one is a build error caught by
 * the e2e tests, answered 404 here. */
static void page(struct request *req, const char *name)
{
    const struct web_file *f = find_file(name);
    if (f == NULL || f->immutable) {
        security_headers(req);
        laravel_error(req, HERR_NOT_FOUND, NULL);
        return;
    }
    serve_file(req, f);
}

/* One handler per page file: the route table holds a handler, not an
 * argument. */
#define PAGE(fn, file)                                                                             \
    static void fn(struct server *srv, struct request *req, const struct principal *p)             \
    {                                                                                              \
        (void)srv;                                                                                 \
        (void)p;                                                                                   \
        page(req, file);                                                                           \
    }
PAGE(login_page, "login.html")
PAGE(forgot_page, "forgot-password.html")
PAGE(reset_page, "reset-password.html")
PAGE(invitation_page, "invitation.html")
PAGE(dashboard_page, "dashboard.html")
PAGE(api_keys_page, "api-keys.html")
PAGE(team_page, "team.html")
PAGE(profile_page, "profile.html")
PAGE(developer_page, "developer.html")
PAGE(staff_page, "staff.html")
PAGE(api_docs_page, "api-docs.html")

#define PUB AUTH_PUBLIC
static const struct route routes[] = {
    {HTTP_GET, "/assets/{name}", asset, PUB, NULL, NULL, 0},
    {HTTP_GET, "/", login_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/login", login_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/forgot-password", forgot_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/reset-password/{token}", reset_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/invitations/{token}", invitation_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/dashboard", dashboard_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/settings/api-keys", api_keys_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/team", team_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/profile", profile_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/tenant-admin/developer", developer_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/super-admin/developer", developer_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/staff", staff_page, PUB, NULL, NULL, 0},
    {HTTP_GET, "/docs/api", api_docs_page, PUB, NULL, NULL, 0},
};
#undef PUB

const struct surface surface_web = {
    .name = "web",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
    .html = true,
};
