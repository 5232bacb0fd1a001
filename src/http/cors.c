/*
 * cors.c - CORS as Laravel ships it (config/cors.php defaults through
 * fruitcake/php-cors): allowed methods and headers "*" (the preflight
 * echoes what it asks for), no exposed headers, max age 0, no credentials;
 * allowed origins "*" or a list.
 *
 * Only paths matching one of the configured patterns take part (a trailing *
 * makes a pattern a prefix, anything else is an exact path). A preflight (OPTIONS with
 * Access-Control-Request-Method) on such a path is answered 204 before
 * routing: no authentication, no rate limit. Other responses get
 * Access-Control-Allow-Origin when the request has an Origin, so a request
 * without one (every non-browser client) costs a prefix test and one
 * header lookup. The configuration is constant after httpd_start: no
 * locking.
 */
#include <string.h>

#include "http/http_int.h"
#include "util/arena.h"
#include "util/buf.h"

/* Laravel's Vary values, in the order php-cors adds them. */
#define VARY_ORIGIN  "Origin"
#define VARY_METHOD  "Access-Control-Request-Method"
#define VARY_HEADERS "Access-Control-Request-Headers"

bool http_cors_covers(const struct http_cors *c, const char *path)
{
    if (c->paths == NULL)
        return false;
    for (const char *const *p = c->paths; *p != NULL; p++) {
        size_t n = strlen(*p);
        if (n > 0 && (*p)[n - 1] == '*') {
            if (strncmp(path, *p, n - 1) == 0)
                return true;
        } else if (strcmp(path, *p) == 0) {
            return true;
        }
    }
    return false;
}

/* True if origin is one of the configured origins (exact match). */
static bool origin_listed(const struct http_cors *c, const char *origin)
{
    for (size_t i = 0; i < c->n_origins; i++) {
        if (strcmp(c->origins[i], origin) == 0)
            return true;
    }
    return false;
}

/*
 * Adds Access-Control-Allow-Origin when the origin is allowed ("*" for
 * any; the request's own with a list, which also varies on Origin).
 * Returns true if it was added.
 */
static bool allow_origin(struct request *req, const struct http_cors *c, const char *origin,
                         struct buf *vary)
{
    if (c->n_origins == 0) {
        http_reply_header(req, "Access-Control-Allow-Origin", "*");
        return true;
    }
    buf_puts(vary, VARY_ORIGIN);
    if (origin == NULL || !origin_listed(c, origin))
        return false;
    http_reply_header(req, "Access-Control-Allow-Origin", origin);
    return true;
}

/* Appends ", name" (or name) to the Vary list. */
static void vary_add(struct buf *vary, const char *name)
{
    if (vary->len > 0)
        buf_puts(vary, ", ");
    buf_puts(vary, name);
}

bool http_cors_preflight(struct request *req)
{
    const struct http_cors *c = req->cors;
    if (req->method != HTTP_OPTIONS || c == NULL || !http_cors_covers(c, req->path))
        return false;
    const char *method = http_header(req, "Access-Control-Request-Method");
    if (method == NULL)
        return false; /* a plain OPTIONS request: routed as any other */
    struct buf vary;
    buf_init(&vary);
    if (allow_origin(req, c, http_header(req, "Origin"), &vary)) {
        char *upper = arena_strdup(req->arena, method);
        for (char *s = upper; *s != '\0'; s++) {
            if (*s >= 'a' && *s <= 'z')
                *s = (char)(*s - 'a' + 'A');
        }
        http_reply_header(req, "Access-Control-Allow-Methods", upper);
        vary_add(&vary, VARY_METHOD);
        /* MHD refuses an empty header value: none when none was asked for. */
        const char *headers = http_header(req, "Access-Control-Request-Headers");
        if (headers != NULL && headers[0] != '\0')
            http_reply_header(req, "Access-Control-Allow-Headers", headers);
        vary_add(&vary, VARY_HEADERS);
        http_reply_header(req, "Access-Control-Max-Age", "0");
    } else {
        vary_add(&vary, VARY_METHOD);
    }
    buf_putc(&vary, '\0');
    http_reply_header(req, "Vary", vary.data);
    buf_fini(&vary);
    http_reply_json(req, 204, NULL);
    req->preflight = true;
    return true;
}

void http_cors_actual(struct request *req)
{
    const struct http_cors *c = req->cors;
    if (c == NULL || req->preflight || !http_cors_covers(c, req->path))
        return;
    const char *origin = http_header(req, "Origin");
    if (origin == NULL && c->n_origins == 0)
        return; /* the hot path: not a browser's cross-origin request */
    struct buf vary;
    buf_init(&vary);
    allow_origin(req, c, origin, &vary);
    if (req->method == HTTP_OPTIONS)
        vary_add(&vary, VARY_METHOD);
    if (vary.len > 0) {
        buf_putc(&vary, '\0');
        http_reply_header(req, "Vary", vary.data);
    }
    buf_fini(&vary);
}
