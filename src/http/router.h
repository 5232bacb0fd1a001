/*
 * router.h - the routes an application hands to the HTTP server.
 *
 * The transport knows a route only by what it needs to serve it: a method,
 * a path pattern and a body limit. The rest belongs to the application and
 * travels as two opaque pointers the transport hands back: target (the
 * application's own route, given to its dispatch function) and owner (the
 * group the route belongs to, e.g. an API dialect, given to its error
 * renderer for the 404/405/413 and transport errors of that route's paths).
 *
 * A router is built once by whoever starts the server (add the routes in
 * match order, then the prefixes), borrowed by httpd_start() and freed
 * after httpd_stop(). It is read-only while the server runs, so matching
 * takes no lock; matching never allocates.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

/* One route, as the transport sees it. */
struct http_route {
    enum http_method method;
    const char *pattern; /* "/api/v1/auth/user", "/api/v1/team/members/{id}"; borrowed */
    size_t body_limit;   /* 0: the server's default */
    const void *owner;   /* the application's group of routes (borrowed, may be NULL) */
    const void *target;  /* the application's route (borrowed) */
    /*
     * A page for browsers: it matches a request that prefers HTML (its
     * Accept header lists text/html first, as a browser's navigation
     * does), and any other request only when no other route matches it. So
     * a page and a JSON API may share a path (content negotiation, as a
     * Laravel controller answers view or JSON on one route).
     */
    bool html;
};

struct http_router;

/* An empty router (owned: http_router_free). */
struct http_router *http_router_new(void);
/*
 * Appends route (copied; its strings and pointers stay borrowed). Routes
 * match in the order they were added: the first whose pattern and method
 * match wins. A "{name}" in a pattern matches one non-empty path segment,
 * read with http_param(); a "{name*}" that ends the pattern matches the
 * non-empty rest of the path, slashes included (read as http_param(name)).
 */
void http_router_add(struct http_router *r, const struct http_route *route);
/*
 * Declares that owner's error renderer answers an unmatched path equal to
 * prefix or under it (prefix "/admin": "/admin", "/admin/x/y"). prefix is
 * borrowed. Without one, such paths get owner NULL: the default dialect.
 */
void http_router_add_prefix(struct http_router *r, const char *prefix, const void *owner);
/*
 * For a router used as a rule table (core/access.c), not by the server:
 * the target of the first route of method m whose pattern matches path
 * (a GET route also answers HEAD), else the owner of the first prefix
 * path is equal to or under, else NULL. path has no query string; a
 * trailing '/' is ignored. Never allocates; no lock (read-only router).
 */
const void *http_router_lookup(const struct http_router *r, enum http_method m, const char *path);
/* How many routes r has; they are numbered 0..count-1 in match order. */
size_t http_router_count(const struct http_router *r);
/* Route i (< http_router_count), borrowed. */
const struct http_route *http_router_route(const struct http_router *r, size_t i);
/* The number of route, a pointer a match returned. */
size_t http_router_index(const struct http_router *r, const struct http_route *route);
/* Accepts NULL. */
void http_router_free(struct http_router *r);
