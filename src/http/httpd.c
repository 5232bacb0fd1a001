/*
 * httpd.c - libmicrohttpd glue: daemon life cycle, the access handler and
 * the access log (DESIGN sections 1, 9 and 11).
 *
 * The access handler follows MHD's call pattern. Call 1 (headers read):
 * allocate the request and route it, so the body limit is known; queue
 * nothing (a response queued here makes MHD close the connection), except
 * to refuse oversized headers (431) or a declared body we would not even
 * drain (413), where closing is what we want. Calls
 * with data: append the body up to the limit, count and drop the rest.
 * Last call (no data): 413, 404/405, body parsing (an unparseable body is
 * an empty one, as in Laravel) and dispatch, then
 * queue the buffered reply. A deferred request is suspended until its job
 * has run on the pool; MHD then calls the handler once more and the resume
 * callback replies.
 *
 * Locking: defer_mu guards the job_done and suspended fields of every
 * request with a job in flight (the only fields two threads touch). The
 * counters are atomics. Everything else belongs to one MHD thread.
 */
#include "http/httpd.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/headwatch.h"
#include "http/http_int.h"
#include "http/pool.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/*
 * Request headers (request line included) above HEADER_LIMIT get a 431
 * from us. MHD keeps the headers in a per-connection memory pool that
 * must also hold the response headers, so the pool is twice that: headers
 * too big for the pool itself get MHD's own 431 (414 when the request line
 * alone does not fit), as an HTML page, and the connection is closed.
 * Measured on 0.9.75 (tests/unit/http/test_httpd.c): with a pool of L
 * bytes MHD accepts headers up to about L - 300 bytes, and then fails to
 * build the response if fewer bytes than its headers need are left.
 */
#define HEADER_LIMIT      ((size_t)16 * 1024)
#define CONN_MEMORY_LIMIT ((size_t)32 * 1024)
/* Bytes we read and drop past a body limit before giving up on the
 * connection; a declared Content-Length beyond it is refused at once. */
#define BODY_DRAIN_MAX ((size_t)1024 * 1024)
/* Defaults for zero options. */
#define DEFAULT_BODY_LIMIT 65536
#define DEFAULT_TIMEOUT_S  30
#define DEFAULT_HEAD_MS    10000
/* Open files kept for everything but client connections (database and
 * Redis connections, logs, mail, MHD's own): at least this many, and at
 * least an eighth of the limit. */
#define FD_RESERVE_MIN     128
#define DEFAULT_POOL_QUEUE 64
/* How long httpd_stop waits for in-flight requests. */
#define STOP_GRACE_MS 10000

struct httpd {
    const struct http_router *router; /* the application's, borrowed, constant */
    httpd_dispatch_fn dispatch;
    httpd_error_fn error;
    void *app;
    struct MHD_Daemon *daemon;
    struct pool *pool;
    struct headwatch *watch;
    unsigned idle_grace_ms; /* the idle timeout, before a keep-alive's next head is late */
    size_t body_limit;
    const struct netaddr *trusted_proxies; /* borrowed, constant */
    size_t n_trusted_proxies;
    struct http_cors cors; /* constant */
    uint16_t port;
    atomic_bool stopping;     /* httpd_stop began: new requests get 503 */
    atomic_ullong next_id;    /* request ids */
    atomic_size_t active;     /* requests between first call and completion */
    pthread_mutex_t defer_mu; /* see the file comment */
    /* Per route (the router's numbers; the last one: no route matched),
     * atomics: see httpd_route_stats. */
    struct httpd_route_stats *stats;
    size_t n_stats;
    /* Per route: its path carries a secret ("{token}": a reset or an
     * invitation link), so the access log shows the pattern instead. */
    bool *secret_path;
    enum log_access access_log;
};

static unsigned ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* MHD's error log, as one key=value line (its messages end in '\n'). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    for (char *p = msg; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r' || *p == '"')
            *p = *p == '"' ? '\'' : ' ';
    }
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ')
        msg[--n] = '\0';
    log_warnx("msg=\"mhd: %s\"", msg);
}

/* Renders an error through the application, in the dialect of the
 * request's owner. */
static void reply_error(struct httpd *h, struct request *req, enum http_error kind,
                        const char *message)
{
    h->error(h->app, req, req->owner, kind, message);
    if (!req->replied)
        http_reply_json(req, 500, NULL);
}

/* Routes req and copies its path parameters into the arena. */
static void find_route(struct httpd *h, struct request *req)
{
    struct http_route_match m;
    bool html = http_accept_prefers_html(http_header(req, MHD_HTTP_HEADER_ACCEPT));
    req->match = http_route_find(h->router, req->method, req->path, html, &m);
    req->owner = m.owner;
    req->route = m.route;
    req->allow = m.allow;
    if (req->match == HTTP_MATCH_FOUND) {
        for (size_t i = 0; i < m.n_caps; i++) {
            req->param_names[i] = arena_strndup(req->arena, m.caps[i].name, m.caps[i].name_len);
            req->param_values[i] = arena_strndup(req->arena, m.caps[i].value, m.caps[i].value_len);
        }
        req->n_params = m.n_caps;
        if (m.route->body_limit > 0)
            req->body_limit = m.route->body_limit;
    }
}

/* True if the request line and headers exceed HEADER_LIMIT. */
static bool headers_too_large(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return ci != NULL && ci->header_size > HEADER_LIMIT;
}

/* True if the request declares a body longer than we would ever drain. */
static bool declared_too_large(struct request *req)
{
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl == NULL)
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno != 0 || end == cl)
        return false; /* MHD itself rejects a malformed Content-Length */
    return n > (unsigned long long)req->body_limit + BODY_DRAIN_MAX;
}

/* What the request's head says about its framing (RFC 9112 section 6.3). */
struct framing {
    unsigned n_host;
    unsigned n_length;
    bool lengths_differ; /* two Content-Length lines with different values */
    const char *length;  /* the first Content-Length value */
    unsigned n_coding;   /* Transfer-Encoding lines */
    bool chunked_only;   /* the only Transfer-Encoding line says "chunked" */
};

static bool key_is(const char *key, const char *name, size_t len)
{
    return strlen(key) == len && strcasecmp(key, name) == 0;
}

/* Counts Host, Content-Length and Transfer-Encoding lines (cls: struct framing). */
static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;
    (void)kind;
    if (value == NULL)
        value = "";
    if (key_is(key, "Host", 4)) {
        f->n_host++;
    } else if (key_is(key, "Content-Length", 14)) {
        if (f->n_length++ == 0)
            f->length = value;
        else if (strcmp(value, f->length) != 0)
            f->lengths_differ = true;
    } else if (key_is(key, "Transfer-Encoding", 17)) {
        f->chunked_only = f->n_coding++ == 0 && strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/*
 * The status that refuses a head whose framing is ambiguous, or 0 to go
 * on: Content-Length with Transfer-Encoding, two different Content-Length
 * values, more than one Host or none in HTTP/1.1 (400); a transfer coding
 * other than chunked alone (501). MHD 0.9.75 takes the first of two
 * Content-Length lines and reads a body of another coding until the
 * connection closes, so these are refused before it reads any body.
 */
static unsigned framing_status(struct MHD_Connection *conn, const char *version)
{
    struct framing f = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.n_coding > 0 && f.n_length > 0)
        return 400;
    if (f.n_coding > 0 && !f.chunked_only)
        return 501;
    if (f.lengths_differ || f.n_host > 1)
        return 400;
    if (f.n_host == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
        return 400;
    return 0;
}

/*
 * What MHD's URI log callback saw of a head, for the handler's first call.
 * It is called with the raw request target, before MHD decodes it or
 * parses its query:
 *  - a path with "%00" would be cut at the NUL by the decoding
 *    (/admin/users/1%00 read as /admin/users/1), so it is marked to be
 *    refused, as is a target with a raw NUL byte (target_len);
 *  - the query is copied here and taken from MHD, which would otherwise
 *    store each of its arguments as a record in the connection's 32 KiB
 *    memory pool. A query of ~600 arguments in a 1.2 KB request line (or
 *    one argument after a request line near the pool's size) ran that
 *    pool out while the request line was parsed, and MHD 0.9.75 then
 *    queued two error replies: the second one marks the connection closed
 *    without closing it, so the client got no reply until the head
 *    deadline (10 s; found by fuzz_http, tests/fuzz/corpus/http/
 *    revoke-no-reply). The callback receives the line in MHD's own read
 *    buffer and MHD has already found the '?', so ending the string just
 *    after it leaves MHD an empty query; http_query() reads the copy
 *    (tests/unit/http/test_httpd.c, test_query_in_pool).
 * The note is NULL when there is nothing to say (most requests: no
 * allocation); else malloc'd and stored in *con_cls with its low bit set,
 * which a struct request's address never has, until the first call takes
 * it.
 */
struct head_note {
    bool nul_in_path;
    size_t query_len;
    char query[]; /* raw, not decoded */
};

#define NOTE_TAG ((uintptr_t)1)

static struct head_note *note_of(void *con_cls)
{
    uintptr_t v = (uintptr_t)con_cls;
    return (v & NOTE_TAG) != 0 ? (struct head_note *)(v & ~NOTE_TAG) : NULL;
}

/*
 * The length of the request target uri. MHD has ended it with a NUL where
 * the space before the version was, and checked that the version is
 * exactly "HTTP/1.d", which the line's own end (another NUL) follows. A
 * NUL met before that is a raw NUL byte of the request line, which RFC
 * 9112 allows nowhere; the target goes on after it. Every read stops at or
 * before the real end. A target that holds a forged "\0HTTP/1.1\0" is cut
 * there, which at worst lets MHD read a query after it (the sender's own
 * connection then waits for the head deadline).
 */
static size_t target_len(const char *uri)
{
    size_t n = strlen(uri);
    for (;;) {
        const char *v = uri + n + 1;
        if (strncmp(v, "HTTP/1.", 7) == 0 && v[7] >= '0' && v[7] <= '9' && v[8] == '\0')
            return n;
        n += 1 + strlen(v);
    }
}

static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    size_t len = target_len(uri);
    bool raw_nul = len != strlen(uri);
    const char *q = memchr(uri, '?', len);
    size_t n = q != NULL ? (size_t)(q - uri) : len;
    bool nul = raw_nul;
    for (size_t i = 0; i + 2 < n && !nul; i++)
        nul = uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0';
    /* With a raw NUL the request is refused: its query is not kept. */
    size_t qlen = q != NULL && !raw_nul ? strlen(q + 1) : 0;
    if (!nul && qlen == 0)
        return NULL;
    struct head_note *note = xmalloc(sizeof(*note) + qlen + 1);
    note->nul_in_path = nul;
    note->query_len = qlen;
    if (qlen > 0)
        memcpy(note->query, q + 1, qlen);
    note->query[qlen] = '\0';
    if (q != NULL) {
        /* See above: the line is in MHD's (writable) read buffer. */
        char *w = memchr(uri + n, '?', 1);
        w[1] = '\0';
    }
    return (void *)((uintptr_t)note | NOTE_TAG);
}

/* Queues a plain JSON refusal {"message": message} and closes the connection after it. */
static enum MHD_Result refuse(struct request *req, unsigned status, const char *message)
{
    http_reply_header(req, "Connection", "close");
    http_reply_json(req, status, json_pack("{s:s}", "message", message));
    return http_request_queue(req);
}

/* s with each byte that starts no valid UTF-8 sequence replaced by U+FFFD
 * (s itself when it is valid), so a message quoting it can be JSON. */
static const char *utf8_scrubbed(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    if (utf8_valid(s, n))
        return s;
    char *out = arena_alloc(a, 3 * n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (len > n - i || (c >= 0x80 && !utf8_valid(s + i, len))) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
    return out;
}

/* Writes a new request id, "r" and a per-process counter in hex, into id
 * (room for 18 bytes); without printf, once per request. */
static void new_request_id(struct httpd *h, char *id)
{
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    unsigned long long n = (unsigned long long)atomic_fetch_add(&h->next_id, 1);
    size_t nd = 0, k = 0;
    do {
        digits[nd++] = hex[n & 15];
        n >>= 4;
    } while (n > 0);
    id[k++] = 'r';
    while (nd > 0)
        id[k++] = digits[--nd];
    id[k] = '\0';
}

/* Call 1: creates and routes the request (owned by MHD's *con_cls from now on). */
static struct request *first_call(struct httpd *h, struct MHD_Connection *conn, const char *url,
                                  const char *method)
{
    /* The client's (or its proxy's) X-Request-Id when well-formed, so one
     * id follows the request through every log; else ours. */
    char ours[24];
    const char *id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (!http_request_id_valid(id)) {
        new_request_id(h, ours);
        id = ours;
    }
    headwatch_head_done(conn);
    struct request *req = http_request_new(h, conn, method, url, id);
    req->body_limit = h->body_limit;
    req->cors = &h->cors;
    http_request_forwarded(req, h->trusted_proxies, h->n_trusted_proxies);
    if (atomic_load(&h->stopping))
        req->refused = true; /* not waited for: httpd_stop drains the others */
    else
        atomic_fetch_add(&h->active, 1);
    find_route(h, req);
    return req;
}

/* The final call: decides what to do with a fully read request. */
static void handle(struct httpd *h, struct request *req)
{
    if (req->body_dropped > 0) {
        reply_error(h, req, HERR_TOO_LARGE, NULL);
        return;
    }
    /* Before routing, as Laravel's global HandleCors middleware: no route
     * needs to exist, no authentication or rate limit applies. */
    if (http_cors_preflight(req))
        return;
    if (req->match == HTTP_MATCH_NOT_FOUND) {
        /* Laravel's wording (NotFoundHttpException), in the dialect of the
         * owner of the path's prefix, if there is one. */
        const char *path = utf8_scrubbed(http_arena(req), http_path(req));
        size_t len = strlen(path);
        len -= len > 1 && path[len - 1] == '/'; /* as the router ignores it */
        reply_error(h, req, HERR_NOT_FOUND,
                    arena_printf(http_arena(req), "The route %.*s could not be found.",
                                 (int)(len - (path[0] == '/')), path + (path[0] == '/')));
        return;
    }
    if (req->match == HTTP_MATCH_METHOD) {
        char allow[128];
        http_allow_str(req->allow, allow, sizeof(allow));
        http_reply_header(req, "Allow", allow);
        /* Laravel's wording (MethodNotAllowedHttpException). */
        const char *path = utf8_scrubbed(http_arena(req), http_path(req));
        const char *msg = arena_printf(
            http_arena(req), "The %s method is not supported for route %s. Supported methods: %s.",
            http_method_str(http_method(req)), path + (path[0] == '/'), allow);
        reply_error(h, req, HERR_METHOD, msg);
        return;
    }
    http_request_parse_body(req);
    h->dispatch(h->app, req, req->route);
}

/* Runs the resume callback of a finished job, once, its request active
 * again (it may defer anew, unless the request is gone). */
static void run_resume(struct request *req)
{
    http_resume_fn resume = req->resume;
    void *arg = req->job_arg;
    req->job = NULL;
    req->resume = NULL;
    req->job_arg = NULL;
    req->suspended = false;
    req->state = REQ_ACTIVE;
    resume(req, arg);
}

/*
 * After a handler or resume callback returned: suspend for a pending job,
 * run the resume callback at once if the job already finished, or queue
 * the reply. Loops because a resume callback may defer again.
 */
static enum MHD_Result settle(struct httpd *h, struct request *req)
{
    while (req->state == REQ_DEFERRED) {
        pthread_mutex_lock(&h->defer_mu);
        bool done = req->job_done;
        if (!done && !req->suspended) {
            MHD_suspend_connection(req->conn);
            req->suspended = true;
        }
        pthread_mutex_unlock(&h->defer_mu);
        if (!done)
            return MHD_YES; /* the job resumes the connection */
        run_resume(req);
    }
    if (!req->replied) {
        log_warnx("req=%s msg=\"handler did not reply\" path=%s", req->id,
                  req->route != NULL ? req->route->pattern : "-");
        reply_error(h, req, HERR_INTERNAL, NULL);
    }
    return http_request_queue(req);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct httpd *h = cls;
    struct request *req = *con_cls;

    struct head_note *note = note_of(*con_cls);
    if (req == NULL || note != NULL) {
        bool nul_in_path = note != NULL && note->nul_in_path;
        req = first_call(h, conn, url, method);
        if (note != NULL) {
            http_request_set_query(req, note->query, note->query_len);
            free(note);
        }
        *con_cls = req;
        if (req->refused) {
            /* The server is stopping: answer at once and close, so the
             * client retries elsewhere (MHD closes a connection whose
             * reply is queued on this first call). */
            http_reply_header(req, "Connection", "close");
            reply_error(h, req, HERR_UNAVAILABLE, NULL);
            return http_request_queue(req);
        }
        /* No error kind for these in the dialects: one plain shape. */
        if (headers_too_large(conn))
            return refuse(req, 431, "Request Header Fields Too Large.");
        unsigned status = nul_in_path ? 400 : framing_status(conn, version);
        if (status != 0)
            return refuse(req, status, status == 501 ? "Not Implemented." : "Bad Request.");
        if (declared_too_large(req)) {
            /* Refuse without reading: MHD closes the connection after. */
            req->body_dropped = 1;
            handle(h, req);
            return http_request_queue(req);
        }
        return MHD_YES;
    }
    if (req->state == REQ_FINISHED) {
        *upload_data_size = 0; /* e.g. the rest of a body we refused early */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->body_dropped == 0 && req->body.len + n <= req->body_limit) {
            buf_append(&req->body, upload_data, n);
            return MHD_YES;
        }
        req->body_dropped += n;
        if (req->body_dropped > BODY_DRAIN_MAX)
            return MHD_NO; /* not worth draining: drop the connection */
        return MHD_YES;
    }
    if (req->state == REQ_ACTIVE) {
        handle(h, req); /* else resumed after a deferred job */
        if (req->state != REQ_DEFERRED)
            pool_note_busy(h->pool, req->start_ns);
    }
    return settle(h, req);
}

/* The pool side of http_defer: runs the job, then wakes the connection. */
static void run_job(void *arg)
{
    struct request *req = arg;
    struct httpd *h = req->httpd;
    req->job(req->job_arg);

    pthread_mutex_lock(&h->defer_mu);
    req->job_done = true;
    bool suspended = req->suspended;
    struct MHD_Connection *conn = req->conn;
    pthread_mutex_unlock(&h->defer_mu);
    /* From here on req may be freed by its MHD thread; conn stays valid
     * while suspended, until this resume. */
    if (suspended)
        MHD_resume_connection(conn);
}

int httpd_submit_job(struct httpd *h, struct request *req)
{
    return pool_submit(h->pool, run_job, req);
}

/* Writes s into out with anything outside printable ASCII or a space
 * escaped as %XX, so a decoded path cannot forge log fields. */
static void log_escape(const char *s, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s != '\0' && o + 4 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '%') {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

/* The access log line is built by hand: it runs once per request, and
 * printf was a visible share of a request's time. */
struct line {
    char *p;
    char *end;
};

static void put_str(struct line *l, const char *s)
{
    size_t n = strlen(s);
    if (n > (size_t)(l->end - l->p))
        n = (size_t)(l->end - l->p);
    memcpy(l->p, s, n);
    l->p += n;
}

static void put_u64(struct line *l, unsigned long long v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0 && l->p < l->end)
        *l->p++ = digits[--n];
}

/* Milliseconds with two decimals from nanoseconds, as "%.2f" would print. */
static void put_ms(struct line *l, int64_t ns)
{
    unsigned long long hundredths = ns > 0 ? ((unsigned long long)ns + 5000) / 10000 : 0;
    put_u64(l, hundredths / 100);
    put_str(l, hundredths % 100 < 10 ? ".0" : ".");
    put_u64(l, hundredths % 100);
}

/* "req=r1f method=GET path=/x status=200 ms=0.09 ip=127.0.0.1 bytes=552" */
static void access_log(const struct httpd *h, const struct request *req, size_t route,
                       unsigned status, int64_t ns)
{
    char path[256];
    char text[512];
    struct line l = {.p = text, .end = text + sizeof(text)};
    if (!log_enabled(LOG_INFO) || h->access_log == LOG_ACCESS_OFF ||
        (h->access_log == LOG_ACCESS_ERRORS && status != 0 && status < 400))
        return;
    log_escape(h->secret_path[route] ? req->route->pattern : req->path, path, sizeof(path));
    put_str(&l, "req=");
    put_str(&l, req->id);
    put_str(&l, " method=");
    put_str(&l, req->method_str);
    put_str(&l, " path=");
    put_str(&l, path);
    put_str(&l, " status=");
    put_u64(&l, status);
    put_str(&l, " ms=");
    put_ms(&l, ns);
    put_str(&l, " ip=");
    put_str(&l, req->ip);
    put_str(&l, " bytes=");
    put_u64(&l, req->reply_len);
    log_text(LOG_INFO, text, (size_t)(l.p - text));
}

/*
 * A connection that closed while its request was deferred (the client
 * left during the job: MHD notices when the job resumes it, and closes
 * without calling the handler again). The resume callbacks own what
 * their job holds (a password copy, a login's state), so they still run,
 * once each, to release it; what they reply is dropped with the request,
 * and a further http_defer is refused.
 */
static bool drop_deferred(struct httpd *h, struct request *req)
{
    pthread_mutex_lock(&h->defer_mu);
    bool done = req->job_done;
    pthread_mutex_unlock(&h->defer_mu);
    if (!done) {
        /* Not reached: MHD closes a suspended connection only when it is
         * resumed, which the finished job does, or at stop, after the
         * pool ran every job. Leak the request rather than free what the
         * job still uses. */
        log_warnx("req=%s msg=\"request closed while its job runs\"", req->id);
        return false;
    }
    req->gone = true; /* so the resume callback cannot defer again */
    run_resume(req);
    return true;
}

/* Counts req in its route's stats and writes its access-log line. */
static void count_request(struct httpd *h, const struct request *req)
{
    unsigned status = req->state == REQ_FINISHED ? req->status : 0;
    int64_t ns = time_mono_ns() - req->start_ns;
    size_t i = req->route != NULL ? http_router_index(h->router, req->route) : h->n_stats - 1;
    struct httpd_route_stats *st = &h->stats[i];
    unsigned cls = status >= 100 && status < 600 ? status / 100 : 0;
    atomic_fetch_add_explicit(&st->by_class[cls], 1, memory_order_relaxed);
    metrics_hist_observe(&st->latency, ns);
    access_log(h, req, i, status, ns);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct httpd *h = cls;
    struct request *req = *con_cls;
    struct head_note *note = note_of(req);
    (void)toe;
    /* An idle keep-alive connection is MHD's idle timer's (conn_timeout_s);
     * a next head that keeps it busy must still be complete in time. */
    headwatch_head_wait(conn, h->idle_grace_ms);
    if (req == NULL || note != NULL) {
        free(note);
        *con_cls = NULL; /* the head was refused before the handler saw it */
        return;
    }
    *con_cls = NULL;
    if (req->state == REQ_DEFERRED && !drop_deferred(h, req))
        return;
    count_request(h, req);
    bool counted = !req->refused;
    http_request_free(req);
    if (counted)
        atomic_fetch_sub(&h->active, 1);
}

/* Resolves host:port into addr; host is an IPv4 or IPv6 literal or a name
 * (empty or NULL: every IPv4 address). */
static int resolve(const char *host, uint16_t port, struct sockaddr_storage *addr)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char portstr[8];
    char name[256];
    size_t n = host != NULL ? strlen(host) : 0;

    /* Accept "[::1]" as well as "::1". */
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n >= sizeof(name))
        return ERR_INVALID;
    memcpy(name, host != NULL ? host : "", n);
    name[n] = '\0';
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    int rc = getaddrinfo(n > 0 ? name : "0.0.0.0", portstr, &hints, &res);
    if (rc != 0 || res == NULL) {
        log_warnx("msg=\"cannot resolve listen address\" host=\"%s\" error=\"%s\"", name,
                  gai_strerror(rc));
        return ERR_INVALID;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* Raises the soft limit of open files to the hard one and returns how
 * many client connections fit in it (see FD_RESERVE_MIN). */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024 - FD_RESERVE_MIN;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = rl.rlim_max;
        else
            log_warn("msg=\"cannot raise the open files limit\" soft=%llu hard=%llu",
                     (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    }
    rlim_t files = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ? 1048576 : rl.rlim_cur;
    rlim_t reserve = files / 8 > FD_RESERVE_MIN ? files / 8 : FD_RESERVE_MIN;
    return files > 2 * reserve ? (unsigned)(files - reserve) : (unsigned)(files / 2);
}

int httpd_start(const struct httpd_options *o, struct httpd **out)
{
    struct sockaddr_storage addr;
    struct httpd *h = NULL;
    int rc = 0;

    *out = NULL;
    if (o->router == NULL || o->dispatch == NULL || o->error == NULL) {
        log_warnx("msg=\"httpd_start without a router, dispatch or error function\"");
        return ERR_INVALID;
    }
    rc = resolve(o->host, o->port, &addr);
    if (rc != 0)
        goto out;
    h = xcalloc(1, sizeof(*h));
    h->router = o->router;
    h->dispatch = o->dispatch;
    h->error = o->error;
    h->app = o->app;
    atomic_init(&h->stopping, false);
    h->body_limit = o->body_limit > 0 ? o->body_limit : DEFAULT_BODY_LIMIT;
    h->trusted_proxies = o->trusted_proxies;
    h->n_trusted_proxies = o->n_trusted_proxies;
    h->cors = (struct http_cors){
        .paths = o->cors_paths, .origins = o->cors_origins, .n_origins = o->n_cors_origins};
    h->access_log = o->access_log;
    h->n_stats = http_router_count(o->router) + 1;
    h->stats = xcalloc(h->n_stats, sizeof(*h->stats));
    h->secret_path = xcalloc(h->n_stats, sizeof(*h->secret_path));
    for (size_t i = 0; i + 1 < h->n_stats; i++)
        h->secret_path[i] = strstr(http_router_route(o->router, i)->pattern, "{token}") != NULL;
    atomic_init(&h->next_id, 1);
    atomic_init(&h->active, 0);
    pthread_mutex_init(&h->defer_mu, NULL);
    h->pool = pool_new(o->pool_threads > 0 ? o->pool_threads : ncpu(),
                       o->pool_queue > 0 ? o->pool_queue : DEFAULT_POOL_QUEUE);
    if (h->pool == NULL) {
        rc = ERR_UNAVAILABLE;
        goto out;
    }

    h->watch = headwatch_new(o->head_timeout_ms > 0 ? o->head_timeout_ms : DEFAULT_HEAD_MS);
    if (h->watch == NULL) {
        rc = ERR_UNAVAILABLE;
        goto out;
    }
    unsigned conn_timeout_s = o->conn_timeout_s > 0 ? o->conn_timeout_s : DEFAULT_TIMEOUT_S;
    h->idle_grace_ms = conn_timeout_s * 1000;
    unsigned threads = o->threads > 0 ? o->threads : ncpu();
    unsigned max_conns = o->max_connections > 0 ? o->max_connections : connection_limit();
    if (max_conns < threads)
        max_conns = threads; /* MHD wants one per thread at least */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_DUAL_STACK; /* "::" also takes IPv4 clients */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, h},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logged, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)headwatch_notify, h->watch},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)max_conns, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)conn_timeout_s, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)o->per_ip_connections, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)CONN_MEMORY_LIMIT, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    h->daemon = MHD_start_daemon(flags, o->port, NULL, NULL, access_handler, h, MHD_OPTION_ARRAY,
                                 opts, MHD_OPTION_END);
    if (h->daemon == NULL) {
        log_warnx("msg=\"cannot start HTTP server\" host=\"%s\" port=%u",
                  o->host != NULL ? o->host : "", (unsigned)o->port);
        rc = ERR_IO;
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di != NULL ? di->port : o->port;
    log_info("event=http_limits connections=%u per_ip=%u head_timeout_ms=%u", max_conns,
             o->per_ip_connections, o->head_timeout_ms > 0 ? o->head_timeout_ms : DEFAULT_HEAD_MS);
    *out = h;
    h = NULL;
out:
    httpd_stop(h);
    return rc;
}

uint16_t httpd_port(const struct httpd *h)
{
    return h->port;
}

const struct httpd_route_stats *httpd_route_stats(const struct httpd *h, size_t i)
{
    return i < h->n_stats ? &h->stats[i] : NULL;
}

unsigned httpd_connections(const struct httpd *h)
{
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return di != NULL ? di->num_connections : 0;
}

void httpd_pool_stats(const struct httpd *h, struct pool_stats *out)
{
    pool_stats(h->pool, out);
}

/* Waits up to ms for the in-flight request count to reach zero. */
static void wait_idle(struct httpd *h, int64_t ms)
{
    int64_t deadline = time_mono_ns() + ms * 1000000;
    while (atomic_load(&h->active) > 0 && time_mono_ns() < deadline) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 5000000L};
        nanosleep(&ts, NULL);
    }
}

/*
 * Stopping: requests that arrive from now on get a 503 and their
 * connection closed, the ones in flight finish (up to STOP_GRACE_MS), then
 * the daemon stops. Not MHD_quiesce_daemon: with an epoll thread pool it
 * removes the listening socket from each worker's epoll set while the
 * worker may be removing it too, and the loser's epoll_ctl failure is an
 * MHD_PANIC (abort) in 0.9.75 - seen under the sanitizers in CI.
 */
void httpd_stop(struct httpd *h)
{
    if (h == NULL)
        return;
    atomic_store(&h->stopping, true);
    if (h->daemon != NULL)
        wait_idle(h, STOP_GRACE_MS);
    /* Runs every queued job (each resumes its connection); later
     * deferrals get ERR_BUSY, so the handlers reply 503. */
    if (h->pool != NULL)
        pool_stop(h->pool);
    if (h->daemon != NULL) {
        wait_idle(h, STOP_GRACE_MS);
        if (atomic_load(&h->active) > 0)
            log_warnx("msg=\"stopping with requests in flight\" active=%zu",
                      atomic_load(&h->active));
        MHD_stop_daemon(h->daemon);
    }
    headwatch_free(h->watch); /* after the daemon: it reported every connection closed */
    pool_free(h->pool);
    pthread_mutex_destroy(&h->defer_mu);
    free(h->stats);
    free(h->secret_path);
    free(h);
}
