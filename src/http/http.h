/*
 * http.h - what the application sees of an HTTP request and its reply.
 *
 * A struct request lives from the first byte of a request to the
 * request-completed callback. Everything it hands out (headers, params,
 * parsed JSON, arena allocations) is borrowed and valid until then.
 * A handler must either reply (exactly once, through http_reply_*) or
 * defer (http_defer) and reply from its resume callback.
 * Requests are handled on libmicrohttpd's worker threads; a request is only
 * ever touched by one thread at a time.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct request;

enum http_method {
    HTTP_GET = 0,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_OTHER,
};

/*
 * Error kinds a reply may carry, which the application renders in its own
 * dialect (httpd.h, httpd_error_fn). The transport itself raises
 * NOT_FOUND, METHOD, TOO_LARGE, INTERNAL (a handler that did not reply) and
 * UNAVAILABLE (the server is stopping); the others are the application's.
 */
enum http_error {
    HERR_BAD_REQUEST,     /* 400: malformed JSON and the like */
    HERR_UNAUTHENTICATED, /* 401 */
    HERR_FORBIDDEN,       /* 403 */
    HERR_NOT_FOUND,       /* 404 */
    HERR_METHOD,          /* 405 */
    HERR_TOO_LARGE,       /* 413 */
    HERR_CSRF,            /* 419: the CSRF token is missing or wrong (Laravel's) */
    HERR_RATE_LIMITED,    /* 429 */
    HERR_INTERNAL,        /* 500 */
    HERR_UNAVAILABLE,     /* 503 */
};

/* "GET", "POST", ... */
const char *http_method_str(enum http_method m);

enum http_method http_method(const struct request *req);
/* The path without the query string, percent-decoded by MHD. */
const char *http_path(const struct request *req);
/* A request header (case-insensitive name), or NULL. */
const char *http_header(struct request *req, const char *name);
/* A request cookie by name (MHD parses the Cookie header), or NULL. */
const char *http_cookie(struct request *req, const char *name);
/* A query-string argument, or NULL. */
const char *http_query(struct request *req, const char *name);
/* A path parameter captured by "{name}" in the route pattern, or NULL. */
const char *http_param(const struct request *req, const char *name);
/* The client address as text ("127.0.0.1", "::1"). */
const char *http_client_ip(const struct request *req);
/*
 * The host name the client asked for (to find the tenant whose domain it
 * is): the first entry of X-Forwarded-Host when the peer is a trusted
 * proxy and sends one, else the Host header; lower-cased, without its
 * port and a trailing dot, in the arena. NULL when absent, not a host name
 * (only letters, digits, '-' and '.', at most 253), or an IP address (an
 * address never names a tenant).
 */
const char *http_host(struct request *req);
/* A short per-process unique id for logs ("r1f3a"). */
const char *http_request_id(const struct request *req);
/* The per-request arena (freed when the request completes). */
struct arena *http_arena(struct request *req);
/* The raw body bytes (NUL-terminated; len 0 when there is none). */
const char *http_body(const struct request *req, size_t *len);
/*
 * The body as a JSON object, parsed once by the dispatcher before the
 * handler runs (an empty body is an empty object; form-urlencoded bodies
 * become an object of strings; a body that is not a JSON object, or is
 * malformed or too deep, is an empty object, as Laravel reads it). Borrowed.
 */
json_t *http_json(struct request *req);

/* Adds a response header (both strings copied). */
void http_reply_header(struct request *req, const char *name, const char *value);
/*
 * Marks the reply as one that carries a token or a secret, so no cache
 * keeps it: Cache-Control: no-store and Pragma: no-cache (RFC 6749 5.1).
 * Call it before the reply of every route that shows a credential.
 */
void http_no_store(struct request *req);
/*
 * A cookie to set (http_set_cookie). Always Path=/ and SameSite=Lax.
 * max_age: seconds the browser keeps it (with a matching Expires); 0
 * clears the cookie (empty value, Max-Age=0, Expires in the past).
 */
struct http_cookie {
    const char *name;  /* a token: letters, digits and -_. */
    const char *value; /* cookie-safe: no space, '"', ',', ';' or '\' */
    bool http_only;
    bool secure;
    int64_t max_age;
};
/*
 * Adds one Set-Cookie header for c (a reply may carry several). A name or
 * value with characters a cookie cannot hold is dropped with a warning,
 * never sent broken. Strings are copied.
 */
void http_set_cookie(struct request *req, const struct http_cookie *c);
/* Replies with status and a JSON body (stolen; NULL = no body). */
void http_reply_json(struct request *req, unsigned status, json_t *body);
/* Replies with status and JSON text already serialised (stolen: malloc'd,
 * len bytes). */
void http_reply_json_text(struct request *req, unsigned status, char *text, size_t len);
/* Replies with status and body bytes (copied) of the given content type. */
void http_reply_raw(struct request *req, unsigned status, const char *content_type,
                    const void *body, size_t len);
/* True once a reply has been queued for this request. */
bool http_replied(const struct request *req);
/* The status of the queued reply (0 before one). */
unsigned http_status(const struct request *req);

/*
 * Runs job(arg) on the bounded worker pool (password hashing), then, on an
 * HTTP thread, resume(req, arg), which must reply. The connection is
 * suspended in between (and is not subject to the idle timeout, so jobs
 * must finish). Returns 0, or ERR_BUSY when the pool's queue is full (the
 * caller replies 503 itself).
 */
typedef void (*http_job_fn)(void *arg);
typedef void (*http_resume_fn)(struct request *req, void *arg);
int http_defer(struct request *req, http_job_fn job, http_resume_fn resume, void *arg)
    __attribute__((warn_unused_result));

/* Per-request slot for the application's own state (set by its dispatch function). */
void http_set_user_data(struct request *req, void *p);
void *http_user_data(const struct request *req);
