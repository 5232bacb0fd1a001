/*
 * http_int.h - declarations private to src/http/ (router, body parsers and
 * the struct request shared by httpd.c and request.c).
 *
 * Ownership: a struct request is created by httpd.c on the first call of
 * the access handler and freed by http_request_free() from the
 * request-completed callback. Its arena holds every string it hands out.
 */
#pragma once
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "http/router.h"
#include "util/buf.h"

struct httpd;
struct netaddr;

/* Most "{name}" captures one route pattern may have. */
#define HTTP_MAX_PARAMS 8
/* Longest X-Request-Id taken from a client (README "HTTP behaviour"). */
#define HTTP_REQUEST_ID_MAX 128
/* Deepest JSON nesting ([ and {) a body may have. */
#define HTTP_JSON_MAX_DEPTH 32

/* One captured path parameter; both point into borrowed strings. */
struct http_capture {
    const char *name; /* into the route pattern, not NUL-terminated */
    size_t name_len;
    const char *value; /* into the request path, not NUL-terminated */
    size_t value_len;
};

enum http_match {
    HTTP_MATCH_FOUND,     /* route, owner and captures are set */
    HTTP_MATCH_NOT_FOUND, /* no pattern matched; owner is the prefix's owner, or NULL */
    HTTP_MATCH_METHOD,    /* the path matched, not the method; owner and allow are set */
};

struct http_route_match {
    const struct http_route *route; /* the router's copy */
    const void *owner;              /* see enum http_match */
    struct http_capture caps[HTTP_MAX_PARAMS];
    size_t n_caps;
    unsigned allow; /* with HTTP_MATCH_METHOD: bit (1 << method) per allowed method */
};

/*
 * Matches method + path against every route of r in order. A single
 * trailing slash of path is ignored ("/a/b/" matches "/a/b"). HEAD falls
 * back to a GET route. An html route (router.h) matches first only when
 * wants_html, else after every other route. With HTTP_MATCH_METHOD the
 * owner is the first matching route's. Never allocates. path and r are
 * borrowed by *out.
 */
enum http_match http_route_find(const struct http_router *r, enum http_method m, const char *path,
                                bool wants_html, struct http_route_match *out);
/*
 * True if an Accept header value prefers HTML: its first media range is
 * text/html or application/xhtml+xml, as a browser's navigation sends
 * ("text/html,application/xhtml+xml,..."). The catch-all range that
 * fetch() and curl send, a JSON client's "application/json" and NULL are
 * false.
 */
bool http_accept_prefers_html(const char *accept);
/* Writes the methods of an allow mask as "GET, HEAD, POST" into out. */
void http_allow_str(unsigned allow, char *out, size_t outlen);
/* Maps "GET", "POST", ... to the enum (HTTP_OTHER if unknown). */
enum http_method http_method_parse(const char *s);

/*
 * Body parsers. Both return a new JSON object (owned) or NULL when the
 * body is malformed. The JSON parser also refuses nesting deeper than
 * HTTP_JSON_MAX_DEPTH, duplicate keys and any top level but an object.
 */
json_t *http_body_parse_json(const char *p, size_t len);
json_t *http_body_parse_form(const char *p, size_t len);
/*
 * The value of the last name=value pair of the form-encoded p[0..len)
 * whose decoded name is name, decoded into a (as PHP reads a query string:
 * the last one wins, names compare exactly). NULL when there is none, when
 * that pair has no '=', or when it decodes to a NUL byte. p may be NULL
 * when len is 0.
 */
const char *http_form_lookup(struct arena *a, const char *p, size_t len, const char *name);
/* True if the JSON text never nests deeper than max_depth (strings aware). */
bool http_json_depth_ok(const char *p, size_t len, unsigned max_depth);

/*
 * CORS settings (cors.c), constant while the server runs. paths: patterns,
 * NULL-terminated (a trailing * makes a prefix, else an exact path); NULL = CORS off.
 * origins[0..n_origins): the allowed origins; none = any ("*"). Borrowed.
 */
struct http_cors {
    const char *const *paths;
    const char *const *origins;
    size_t n_origins;
};

/* True if path takes part in CORS. */
bool http_cors_covers(const struct http_cors *c, const char *path);
/*
 * If req is a CORS preflight (OPTIONS with Access-Control-Request-Method)
 * on a covered path, replies 204 with Laravel's headers and returns true.
 */
bool http_cors_preflight(struct request *req);
/* Adds the CORS headers of an actual (not preflight) response to req's
 * reply; nothing when the path is not covered or, with any origin
 * allowed, when the request has no Origin. */
void http_cors_actual(struct request *req);

/* A response header queued before the reply is sent (arena strings). */
struct http_hdr {
    struct http_hdr *next;
    const char *name;
    const char *value;
};

enum req_state {
    REQ_ACTIVE,   /* receiving the body or running a handler */
    REQ_DEFERRED, /* a job is pending on the pool */
    REQ_FINISHED, /* a reply was queued with MHD */
};

struct request {
    struct httpd *httpd;
    struct MHD_Connection *conn;
    struct arena *arena;
    enum req_state state;
    enum http_method method;
    const char *method_str; /* arena copy, for the access log */
    const char *path;       /* arena copy of MHD's (decoded) url */
    const char *query;      /* arena copy of the raw query (after '?'), or NULL */
    size_t query_len;
    char id[HTTP_REQUEST_ID_MAX + 1]; /* the client's X-Request-Id or ours */
    const struct http_cors *cors;     /* the server's, borrowed */
    bool preflight;                   /* answered by http_cors_preflight */
    char ip[48];
    bool via_proxy;   /* the peer is in LATCHKEY_TRUSTED_PROXIES */
    int64_t start_ns; /* monotonic, for the access log */

    /* Routing, done on the first call so the body limit is known. */
    enum http_match match;
    const void *owner;                        /* whose dialect renders errors (http_route_match) */
    const struct http_route *route;           /* with HTTP_MATCH_FOUND, else NULL */
    const char *param_names[HTTP_MAX_PARAMS]; /* arena copies */
    const char *param_values[HTTP_MAX_PARAMS];
    size_t n_params;
    unsigned allow;

    /* Body. */
    struct buf body; /* at most body_limit bytes */
    size_t body_limit;
    size_t body_dropped; /* bytes ignored past the limit */
    bool refused;        /* arrived while stopping: 503, not counted as active */
    json_t *json;        /* owned; parsed before dispatch */

    /* Reply, buffered until the end of the handler invocation. */
    bool replied;
    unsigned status;
    const char *content_type; /* static or arena */
    char *reply_body;         /* malloc'd, owned until queued */
    size_t reply_len;
    struct http_hdr *hdrs; /* in order of addition */
    struct http_hdr **hdrs_tail;

    /* Deferred work: every field below is guarded by httpd's defer lock
     * once the job has been submitted. */
    http_job_fn job;
    http_resume_fn resume;
    void *job_arg;
    bool job_done;
    bool suspended;
    /* The connection closed while a job ran: the resume callback runs
     * only to release what the job holds, its reply is dropped, and it
     * cannot defer again. */
    bool gone;

    void *user_data;
};

/*
 * True if s may serve as a request id: 1 to HTTP_REQUEST_ID_MAX characters
 * of [A-Za-z0-9._:-] (UUIDs, hex, base64url and "host:seq" ids fit; a
 * space, quote or '=' could forge access-log fields). NULL is false.
 */
bool http_request_id_valid(const char *s);
/* Allocates a request for conn (owned; free with http_request_free). */
struct request *http_request_new(struct httpd *h, struct MHD_Connection *conn, const char *method,
                                 const char *url, const char *id);
void http_request_free(struct request *req);
/* Gives req the raw query (after '?', len bytes) that http_query reads. */
void http_request_set_query(struct request *req, const char *query, size_t len);
/*
 * When the peer is one of the n trusted proxies, replaces req->ip with the
 * client its X-Forwarded-For names: all header lines in order, read right
 * to left, the first address that is not a trusted proxy (so a client
 * cannot pick its own address by sending the header itself). trusted is
 * borrowed.
 */
void http_request_forwarded(struct request *req, const struct netaddr *trusted, size_t n);
/*
 * Parses the body into req->json. A body that is not a JSON object (or a
 * form) within the limits - malformed, a list or a scalar at the top,
 * nested deeper than HTTP_JSON_MAX_DEPTH, duplicate keys - becomes an
 * empty object, as Laravel reads an undecodable body as no input.
 */
void http_request_parse_body(struct request *req);
/* Queues the buffered reply with MHD; returns MHD's verdict. */
enum MHD_Result http_request_queue(struct request *req);

/* Submits req's job to the pool (httpd.c). 0 or ERR_BUSY. */
int httpd_submit_job(struct httpd *h, struct request *req);
