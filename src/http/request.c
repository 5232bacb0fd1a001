/*
 * request.c - struct request: accessors, buffered replies and http_defer.
 *
 * A reply is only buffered here; httpd.c queues it with MHD at the end of
 * the access-handler invocation, because MHD accepts a response only from
 * inside that call (and, to keep the connection alive, only after the
 * body has been read). One thread at a time touches a request, except for
 * the deferral fields documented in http_int.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http/http_int.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* Writes the peer address of conn as text; "::ffff:a.b.c.d" becomes "a.b.c.d". */
static void client_ip(struct MHD_Connection *conn, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (outlen < 2)
        return;
    out[0] = '-';
    out[1] = '\0';
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET && outlen >= INET_ADDRSTRLEN) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        netaddr_ipv4_str((const unsigned char *)&in->sin_addr, out);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && outlen >= INET_ADDRSTRLEN)
            netaddr_ipv4_str(&in6->sin6_addr.s6_addr[12], out);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)outlen);
    }
}

bool http_request_id_valid(const char *s)
{
    if (s == NULL)
        return false;
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || n == HTTP_REQUEST_ID_MAX)
            return false;
    }
    return n > 0;
}

struct request *http_request_new(struct httpd *h, struct MHD_Connection *conn, const char *method,
                                 const char *url, const char *id)
{
    struct arena *a = arena_new();
    struct request *req = arena_alloc(a, sizeof(*req));
    req->start_ns = time_mono_ns();
    req->httpd = h;
    req->conn = conn;
    req->arena = a;
    req->state = REQ_ACTIVE;
    req->method = http_method_parse(method);
    req->method_str = arena_strndup(a, method, strnlen(method, 16));
    req->path = arena_strdup(a, url);
    size_t idlen = strnlen(id, sizeof(req->id) - 1);
    memcpy(req->id, id, idlen);
    req->id[idlen] = '\0';
    client_ip(conn, req->ip, sizeof(req->ip));
    buf_init(&req->body);
    req->hdrs_tail = &req->hdrs;
    return req;
}

/* Appends one X-Forwarded-For header line to the list (cls, a struct buf). */
static enum MHD_Result collect_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    (void)kind;
    struct buf *b = cls;
    if (strcasecmp(key, "X-Forwarded-For") == 0 && value != NULL) {
        if (b->len > 0)
            buf_putc(b, ',');
        buf_puts(b, value);
    }
    return MHD_YES;
}

/* The address of list[0..end) after its last comma, trimmed; false if not an address. */
static bool last_hop(const char *list, size_t end, size_t *start, struct netaddr *out)
{
    size_t s = end;
    while (s > 0 && list[s - 1] != ',')
        s--;
    *start = s;
    size_t e = end;
    while (s < e && (list[s] == ' ' || list[s] == '\t'))
        s++;
    while (e > s && (list[e - 1] == ' ' || list[e - 1] == '\t'))
        e--;
    return netaddr_parse(list + s, e - s, out);
}

void http_request_forwarded(struct request *req, const struct netaddr *trusted, size_t n)
{
    struct netaddr peer, hop, client;
    if (n == 0 || !netaddr_parse(req->ip, strlen(req->ip), &peer) ||
        !netaddr_in_list(trusted, n, &peer))
        return;
    req->via_proxy = true;
    struct buf list;
    buf_init(&list);
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_forwarded, &list);
    /* Right to left: each trusted hop vouches for the one before it; the
     * first hop that is not a trusted proxy is the client. An entry that is
     * not an address ends the walk (what is left of it cannot be trusted). */
    bool found = false;
    size_t end = list.len;
    while (end > 0) {
        size_t start;
        if (!last_hop(list.data, end, &start, &hop))
            break;
        client = hop;
        found = true;
        if (!netaddr_in_list(trusted, n, &hop))
            break;
        end = start > 0 ? start - 1 : 0;
    }
    buf_fini(&list);
    if (found)
        netaddr_str(&client, req->ip, sizeof(req->ip));
}

void http_request_free(struct request *req)
{
    if (req == NULL)
        return;
    buf_fini(&req->body);
    json_decref(req->json);
    free(req->reply_body);
    arena_free(req->arena); /* req itself lives in the arena */
}

enum http_method http_method(const struct request *req)
{
    return req->method;
}

const char *http_path(const struct request *req)
{
    return req->path;
}

const char *http_header(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void http_request_set_query(struct request *req, const char *query, size_t len)
{
    req->query = arena_strndup(req->arena, query, len);
    req->query_len = len;
}

const char *http_query(struct request *req, const char *name)
{
    return http_form_lookup(req->arena, req->query, req->query_len, name);
}

const char *http_param(const struct request *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->param_names[i], name) == 0)
            return req->param_values[i];
    }
    return NULL;
}

const char *http_client_ip(const struct request *req)
{
    return req->ip;
}

/* Host names are at most 253 characters (RFC 1035, without the final dot). */
#define HOST_NAME_MAX_LEN 253

const char *http_host(struct request *req)
{
    const char *h = NULL;
    size_t n;
    if (req->via_proxy)
        h = http_header(req, "X-Forwarded-Host");
    if (h != NULL) {
        while (*h == ' ' || *h == '\t')
            h++;
        n = strcspn(h, ", \t");
    } else {
        h = http_header(req, "Host");
        if (h == NULL)
            return NULL;
        n = strlen(h);
    }
    /* "[::1]:8080" and other IPv6 literals: an address, never a tenant. */
    if (n == 0 || h[0] == '[')
        return NULL;
    const char *colon = memchr(h, ':', n);
    if (colon != NULL)
        n = (size_t)(colon - h);
    if (n > 0 && h[n - 1] == '.')
        n--;
    if (n == 0 || n > HOST_NAME_MAX_LEN)
        return NULL;
    char *out = arena_strndup(req->arena, h, n);
    bool all_digits_dots = true;
    for (char *p = out; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            *p = c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return NULL;
        all_digits_dots = all_digits_dots && (c == '.' || (c >= '0' && c <= '9'));
    }
    return all_digits_dots ? NULL : out;
}

const char *http_request_id(const struct request *req)
{
    return req->id;
}

struct arena *http_arena(struct request *req)
{
    return req->arena;
}

const char *http_body(const struct request *req, size_t *len)
{
    *len = req->body.len;
    return req->body.data != NULL ? req->body.data : "";
}

json_t *http_json(struct request *req)
{
    if (req->json == NULL)
        req->json = json_object();
    return req->json;
}

/* True if the body may carry a payload we parse (GET and HEAD bodies are ignored). */
static bool method_has_body(enum http_method m)
{
    return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE ||
           m == HTTP_OPTIONS || m == HTTP_OTHER;
}

/* True if the Content-Type's media type is t (parameters such as charset ignored). */
static bool content_type_is(const char *ct, const char *t)
{
    size_t n = strlen(t);
    if (ct == NULL)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return strncasecmp(ct, t, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

void http_request_parse_body(struct request *req)
{
    json_decref(req->json);
    req->json = NULL;
    if (req->body.len > 0 && method_has_body(req->method)) {
        const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (content_type_is(ct, "application/x-www-form-urlencoded"))
            req->json = http_body_parse_form(req->body.data, req->body.len);
        else
            req->json = http_body_parse_json(req->body.data, req->body.len);
        /* Laravel reads a body it cannot decode as no input at all: the
         * route then answers as for an empty body (its own 422). */
        if (req->json == NULL)
            log_debug("req=%s event=body_unparsed bytes=%zu", req->id, req->body.len);
    }
    if (req->json == NULL)
        req->json = json_object();
}

void http_reply_header(struct request *req, const char *name, const char *value)
{
    struct http_hdr *h = arena_alloc(req->arena, sizeof(*h));
    h->name = arena_strdup(req->arena, name);
    h->value = arena_strdup(req->arena, value);
    *req->hdrs_tail = h;
    req->hdrs_tail = &h->next;
}

void http_no_store(struct request *req)
{
    http_reply_header(req, "Cache-Control", "no-store");
    http_reply_header(req, "Pragma", "no-cache");
}

/* Takes ownership of body (malloc'd, may be NULL when len is 0). */
static void reply(struct request *req, unsigned status, const char *content_type, char *body,
                  size_t len)
{
    if (req->replied) {
        log_warnx("req=%s msg=\"second reply ignored\" status=%u", req->id, status);
        free(body);
        return;
    }
    req->replied = true;
    req->status = status;
    req->content_type = content_type;
    req->reply_body = body;
    req->reply_len = len;
}

void http_reply_json(struct request *req, unsigned status, json_t *body)
{
    char *text = NULL;
    size_t len = 0;
    if (body != NULL) {
        text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        if (text == NULL) {
            log_warnx("req=%s msg=\"json_dumps failed\"", req->id);
            status = 500;
            text = xstrdup("{\"message\":\"Server Error\"}");
        }
        len = strlen(text);
    }
    reply(req, status, body != NULL ? "application/json" : NULL, text, len);
}

void http_reply_json_text(struct request *req, unsigned status, char *text, size_t len)
{
    reply(req, status, "application/json", text, len);
}

void http_reply_raw(struct request *req, unsigned status, const char *content_type,
                    const void *body, size_t len)
{
    char *copy = NULL;
    if (len > 0) {
        copy = xmalloc(len);
        memcpy(copy, body, len);
    }
    reply(req, status, arena_strdup(req->arena, content_type), copy, len);
}

bool http_replied(const struct request *req)
{
    return req->replied;
}

unsigned http_status(const struct request *req)
{
    return req->replied ? req->status : 0;
}

enum MHD_Result http_request_queue(struct request *req)
{
    struct MHD_Response *resp;
    http_cors_actual(req);
    if (req->reply_len > 0) {
        resp =
            MHD_create_response_from_buffer(req->reply_len, req->reply_body, MHD_RESPMEM_MUST_FREE);
    } else {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL)
        return MHD_NO; /* reply_body stays ours; freed with the request */
    if (req->reply_len > 0)
        req->reply_body = NULL; /* MHD frees it with the response */
    if (req->content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    bool nosniff = false; /* a surface (web.c) may have set it already */
    for (const struct http_hdr *h = req->hdrs; h != NULL; h = h->next) {
        if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
            log_warnx("req=%s msg=\"bad response header\" name=\"%s\"", req->id, h->name);
        nosniff = nosniff || strcasecmp(h->name, "X-Content-Type-Options") == 0;
    }
    MHD_add_response_header(resp, "X-Request-Id", req->id);
    /* Browsers must not read an answer as another type than it says
     * (a JSON answer as HTML or script). */
    if (req->content_type != NULL && !nosniff)
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    req->state = REQ_FINISHED;
    return ret;
}

int http_defer(struct request *req, http_job_fn job, http_resume_fn resume, void *arg)
{
    if (req->gone)
        return ERR_UNAVAILABLE;
    if (req->replied || req->job != NULL) {
        log_warnx("req=%s msg=\"http_defer after a reply or a second time\"", req->id);
        return ERR_INVALID;
    }
    req->job = job;
    req->resume = resume;
    req->job_arg = arg;
    req->job_done = false;
    req->suspended = false;
    int rc = httpd_submit_job(req->httpd, req);
    if (rc != 0) {
        req->job = NULL;
        req->resume = NULL;
        req->job_arg = NULL;
        return ERR_BUSY;
    }
    req->state = REQ_DEFERRED;
    return 0;
}

void http_set_user_data(struct request *req, void *p)
{
    req->user_data = p;
}

void *http_user_data(const struct request *req)
{
    return req->user_data;
}
