/*
 * router.c - method + path -> one of the routes the application handed in.
 *
 * A linear scan over a few dozen routes runs on every request, so it never
 * allocates: the routes sit in one flat array, and captures are (pointer,
 * length) pairs into the pattern and the path. A "{name}" in a pattern
 * matches one non-empty path segment; a "{name*}" at its end, the
 * non-empty rest of the path. The router is read-only while the
 * server runs (router.h), so no locking is needed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"
#include "util/xalloc.h"

/* A path prefix whose unmatched paths its owner renders (router.h). */
struct prefix {
    const char *prefix; /* borrowed */
    size_t len;
    const void *owner;
};

struct http_router {
    struct http_route *routes; /* in match order */
    size_t n_routes;
    size_t cap_routes;
    struct prefix *prefixes;
    size_t n_prefixes;
};

struct http_router *http_router_new(void)
{
    return xcalloc(1, sizeof(struct http_router));
}

void http_router_add(struct http_router *r, const struct http_route *route)
{
    if (r->n_routes == r->cap_routes) {
        r->cap_routes = r->cap_routes > 0 ? 2 * r->cap_routes : 32;
        r->routes = xrealloc(r->routes, r->cap_routes * sizeof(*r->routes));
    }
    r->routes[r->n_routes++] = *route;
}

void http_router_add_prefix(struct http_router *r, const char *prefix, const void *owner)
{
    r->prefixes = xrealloc(r->prefixes, (r->n_prefixes + 1) * sizeof(*r->prefixes));
    r->prefixes[r->n_prefixes++] =
        (struct prefix){.prefix = prefix, .len = strlen(prefix), .owner = owner};
}

size_t http_router_count(const struct http_router *r)
{
    return r->n_routes;
}

const struct http_route *http_router_route(const struct http_router *r, size_t i)
{
    return &r->routes[i];
}

size_t http_router_index(const struct http_router *r, const struct http_route *route)
{
    return (size_t)(route - r->routes);
}

void http_router_free(struct http_router *r)
{
    if (r == NULL)
        return;
    free(r->routes);
    free(r->prefixes);
    free(r);
}

static const char *const method_names[] = {
    [HTTP_GET] = "GET",         [HTTP_HEAD] = "HEAD",   [HTTP_POST] = "POST",
    [HTTP_PUT] = "PUT",         [HTTP_PATCH] = "PATCH", [HTTP_DELETE] = "DELETE",
    [HTTP_OPTIONS] = "OPTIONS", [HTTP_OTHER] = "OTHER",
};

const char *http_method_str(enum http_method m)
{
    if ((unsigned)m > HTTP_OTHER)
        m = HTTP_OTHER;
    return method_names[m];
}

enum http_method http_method_parse(const char *s)
{
    for (unsigned m = HTTP_GET; m < HTTP_OTHER; m++) {
        if (strcmp(s, method_names[m]) == 0)
            return (enum http_method)m;
    }
    return HTTP_OTHER;
}

/* Matches one pattern against path[0..len); fills out's captures. */
static bool match_pattern(const char *pat, const char *path, size_t len,
                          struct http_route_match *out)
{
    const char *s = path;
    const char *end = path + len;
    size_t n = 0;

    while (*pat != '\0' && s < end) {
        if (*pat != '{') {
            if (*pat != *s)
                return false;
            pat++;
            s++;
            continue;
        }
        const char *close = strchr(pat, '}');
        if (close == NULL || n == HTTP_MAX_PARAMS)
            return false;
        /* A last "{name*}" takes the rest of the path, slashes and all. */
        bool rest = close > pat + 1 && close[-1] == '*' && close[1] == '\0';
        const char *seg_end = rest ? NULL : memchr(s, '/', (size_t)(end - s));
        if (seg_end == NULL)
            seg_end = end;
        if (seg_end == s)
            return false;
        out->caps[n++] = (struct http_capture){
            .name = pat + 1,
            .name_len = (size_t)(close - pat - 1 - rest),
            .value = s,
            .value_len = (size_t)(seg_end - s),
        };
        pat = close + 1;
        s = seg_end;
    }
    if (*pat != '\0' || s != end)
        return false;
    out->n_caps = n;
    return true;
}

/* The owner of the prefix path[0..len) is, or is under; NULL if none. */
static const void *prefix_owner(const struct http_router *r, const char *path, size_t len)
{
    for (size_t i = 0; i < r->n_prefixes; i++) {
        const struct prefix *p = &r->prefixes[i];
        if (len >= p->len && memcmp(path, p->prefix, p->len) == 0 &&
            (len == p->len || path[p->len] == '/'))
            return p->owner;
    }
    return NULL;
}

/* Which routes one scan of http_route_find() considers. */
enum scan {
    SCAN_ALL,
    SCAN_HTML,  /* the html routes only */
    SCAN_OTHER, /* every route but the html ones */
};

static enum http_match scan_routes(const struct http_router *r, enum http_method m,
                                   const char *path, size_t len, enum scan which,
                                   struct http_route_match *out)
{
    struct http_route_match head_get = {0};
    bool have_head_get = false, path_matched = false;
    out->route = NULL;
    out->owner = NULL;
    out->n_caps = 0;
    out->allow = 0;

    for (size_t i = 0; i < r->n_routes; i++) {
        const struct http_route *rt = &r->routes[i];
        struct http_route_match cand;
        if ((which == SCAN_HTML && !rt->html) || (which == SCAN_OTHER && rt->html))
            continue;
        if (!match_pattern(rt->pattern, path, len, &cand))
            continue;
        if (rt->method == m) {
            cand.route = rt;
            cand.owner = rt->owner;
            cand.allow = 0;
            *out = cand;
            return HTTP_MATCH_FOUND;
        }
        if (m == HTTP_HEAD && rt->method == HTTP_GET && !have_head_get) {
            head_get = cand;
            head_get.route = rt;
            head_get.owner = rt->owner;
            head_get.allow = 0;
            have_head_get = true;
        }
        if (!path_matched)
            out->owner = rt->owner;
        path_matched = true;
        out->allow |= 1u << rt->method;
    }
    if (have_head_get) {
        *out = head_get;
        return HTTP_MATCH_FOUND;
    }
    if (path_matched)
        return HTTP_MATCH_METHOD;
    out->owner = prefix_owner(r, path, len);
    return HTTP_MATCH_NOT_FOUND;
}

/* The html routes get a scan of their own first for a request that
 * prefers HTML; the others first for any other request. Without a match
 * there, a scan of all routes gives the route, or the 404 or 405 with the
 * methods every route of the path allows. */
enum http_match http_route_find(const struct http_router *r, enum http_method m, const char *path,
                                bool wants_html, struct http_route_match *out)
{
    size_t len = strlen(path);
    /* "/a/b/" is "/a/b" (Laravel does the same); "/" stays "/". */
    if (len > 1 && path[len - 1] == '/')
        len--;
    if (scan_routes(r, m, path, len, wants_html ? SCAN_HTML : SCAN_OTHER, out) == HTTP_MATCH_FOUND)
        return HTTP_MATCH_FOUND;
    return scan_routes(r, m, path, len, SCAN_ALL, out);
}

const void *http_router_lookup(const struct http_router *r, enum http_method m, const char *path)
{
    struct http_route_match out;
    switch (http_route_find(r, m, path, false, &out)) {
    case HTTP_MATCH_FOUND: return out.route->target;
    case HTTP_MATCH_NOT_FOUND: return out.owner;
    default: return NULL;
    }
}

/* Media type characters up to ',' or ';', compared case-insensitively. */
static bool media_is(const char *s, size_t n, const char *type)
{
    return strlen(type) == n && strncasecmp(s, type, n) == 0;
}

bool http_accept_prefers_html(const char *accept)
{
    if (accept == NULL)
        return false;
    while (*accept == ' ' || *accept == '\t')
        accept++;
    size_t n = strcspn(accept, ",; \t");
    return media_is(accept, n, "text/html") || media_is(accept, n, "application/xhtml+xml");
}

void http_allow_str(unsigned allow, char *out, size_t outlen)
{
    size_t used = 0;
    if (outlen == 0)
        return;
    out[0] = '\0';
    /* A GET route also answers HEAD. */
    if (allow & (1u << HTTP_GET))
        allow |= 1u << HTTP_HEAD;
    for (unsigned m = HTTP_GET; m < HTTP_OTHER; m++) {
        if (!(allow & (1u << m)))
            continue;
        const char *name = method_names[m];
        size_t need = strlen(name) + (used ? 2 : 0);
        if (used + need >= outlen)
            break;
        if (used) {
            memcpy(out + used, ", ", 2);
            used += 2;
        }
        memcpy(out + used, name, strlen(name) + 1);
        used += strlen(name);
    }
}
