/*
 * fuzz_http.c - libFuzzer harness: the whole request path of a real
 * server in this process, over a loopback socket: libmicrohttpd, the
 * router, Authorization (Bearer PAT, JWT and admin tokens, Basic),
 * Cookie (the dashboard session and XSRF-TOKEN), X-Tenant,
 * X-Forwarded-For (127.0.0.1 is a trusted proxy here), the query
 * (page, per_page, search, the admin audit's from/to dates, ...), the
 * body parsers and every route's own validation.
 *
 * The server runs on a temporary SQLite database with a platform owner
 * (the admin token) and one AutoCom tenant (the JWT), so the fuzzer
 * reaches the handlers behind authentication too.
 *
 * Input: byte 0 picks the route (over surfaces_all, so a new route is
 * fuzzed without editing this file), byte 1 the credentials and headers
 * to send (and whether the path parameter goes raw); the rest is split at
 * '\n' into the path parameter, the query,
 * the Authorization value, the Cookie value, X-Tenant, X-Forwarded-For
 * and (all that remains) the body. A 500, a reply that never comes or a
 * sanitizer report fails the run: a client's mistake never makes a 500.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/keyring.h"
#include "core/staff.h"
#include "core/user.h"
#include "server.h"
#include "surfaces/surfaces.h"
#include "util/arena.h"
#include "util/buf.h"
#include "wiring.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OWNER_EMAIL    "owner@fuzz.test"
#define OWNER_PASSWORD "fuzz-owner-password"
#define REPLY_MAX      (1 << 20)

static struct server srv;
static uint16_t port;
static char admin_token[256];
static char jwt[4096];

enum {
    F_CRED = 3,        /* bits 0-1: none, the fuzzed Authorization, admin token, JWT */
    F_TENANT = 1 << 2, /* send X-Tenant */
    F_FORM = 1 << 3,   /* the body as a form, else JSON */
    F_COOKIE = 1 << 4, /* send Cookie */
    F_XFF = 1 << 5,    /* send X-Forwarded-For */
    F_BASIC = 1 << 6,  /* with F_CRED 1: "Basic " + base64 of the Authorization field */
    F_RAW = 1 << 7,    /* the path parameter as raw bytes (a NUL too), not percent-encoded */
};

static int setup(struct server *s)
{
    struct arena *a = arena_new();
    struct user u;
    struct role owner;
    struct user_request rq = {.email = OWNER_EMAIL,
                              .name = "Fuzz Owner",
                              .password = OWNER_PASSWORD,
                              .status = USER_ACTIVE,
                              .verified = true,
                              .is_super_admin = true};
    int rc = user_create(s, a, &rq, &u);
    if (rc == 0)
        rc = staff_grant(s, a, u.id, STAFF_OWNER_SLUG, 0, &owner);
    if (rc == 0)
        rc = keyring_ensure(s->keys, NULL);
    arena_free(a);
    return rc;
}

/*
 * A new connection to the server. Two failures of connect() say nothing
 * about the server and are retried for up to 5 s: EINTR (libFuzzer's
 * timeout timer, SIGALRM, interrupts a blocking connect now and then; the
 * long run aborted on it after 596,091 inputs) and EADDRNOTAVAIL (at a few
 * thousand connections a second the loopback's ephemeral ports can all be
 * in TIME_WAIT). Any other failure, or one that lasts, aborts the run.
 */
static int connect_server(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; tries < 500; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct timeval tv = {.tv_sec = 10};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        int e = errno;
        close(fd);
        if (e != EINTR && e != EADDRNOTAVAIL) {
            fprintf(stderr, "fuzz_http: connect: %s\n", strerror(e));
            abort();
        }
        usleep(10 * 1000);
    }
    fprintf(stderr, "fuzz_http: connect: still failing after 5 s\n");
    abort();
}

/* Sends req[0..n) on a new connection and reads the reply into out;
 * returns the status (0 when the server closed without one, -1 on a
 * timeout). */
static int roundtrip(const char *req, size_t n, struct buf *out)
{
    int fd = connect_server();
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, req + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may close early (413, 400) */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    char chunk[8192];
    int status = 0;
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
        if (r < 0 && errno == EINTR)
            continue; /* libFuzzer's timer (SIGALRM) */
        if (r < 0) {
            /* A reset is the server closing on a request it refused; only a
             * timeout means a reply that never came. */
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                status = -1;
            break;
        }
        if (r == 0)
            break;
        if (out->len < REPLY_MAX)
            buf_append(out, chunk, (size_t)r);
    }
    close(fd);
    buf_putc(out, '\0');
    if (status == 0 && out->len > 12 && strncmp(out->data, "HTTP/1.", 7) == 0)
        status = atoi(out->data + 9);
    return status;
}

/* The first string member named key in j, searched depth first. */
static json_t *find_key(json_t *j, const char *key)
{
    if (!json_is_object(j))
        return NULL;
    json_t *v = json_object_get(j, key);
    if (json_is_string(v))
        return v;
    const char *k;
    json_object_foreach(j, k, v)
    {
        json_t *found = find_key(v, key);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* A JSON request for the set-up; returns the string member key of the reply into out. */
static void setup_request(const char *method, const char *path, const char *body, const char *key,
                          char *out, size_t outlen)
{
    struct buf req, rep;
    buf_init(&req);
    buf_init(&rep);
    buf_printf(&req,
               "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
               "Content-Type: application/json\r\nAccept: application/json\r\n"
               "Content-Length: %zu\r\n\r\n%s",
               method, path, strlen(body), body);
    int status = roundtrip(req.data, req.len, &rep);
    const char *json = strstr(rep.data, "\r\n\r\n");
    json_t *j = json != NULL ? json_loads(json + 4, 0, NULL) : NULL;
    json_t *v = find_key(j, key);
    if (status < 200 || status > 299 || !json_is_string(v) ||
        (size_t)snprintf(out, outlen, "%s", json_string_value(v)) >= outlen) {
        fprintf(stderr, "fuzz_http: set-up %s %s failed (%d): %s\n", method, path, status,
                rep.data);
        abort();
    }
    json_decref(j);
    buf_fini(&req);
    buf_fini(&rep);
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        abort();
    close(fd);
    return ntohs(sa.sin_port);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    static char dir[] = "/tmp/latchkey-fuzz-http.XXXXXX";
    if (mkdtemp(dir) == NULL)
        abort();
    port = free_port();
    char v[512];
    snprintf(v, sizeof(v), "%s/fuzz.db", dir);
    setenv("LATCHKEY_DATABASE_URL", v, 1);
    snprintf(v, sizeof(v), "127.0.0.1:%u", port);
    setenv("LATCHKEY_LISTEN", v, 1);
    snprintf(v, sizeof(v), "%s/mail", dir);
    setenv("LATCHKEY_MAIL_DIR", v, 1);
    setenv("LATCHKEY_LOG_LEVEL", "error", 1);
    setenv("LATCHKEY_ARGON2_OPSLIMIT", "1", 1);
    setenv("LATCHKEY_ARGON2_MEMLIMIT_KIB", "8192", 1);
    setenv("LATCHKEY_TRUSTED_PROXIES", "127.0.0.1", 1);
    setenv("LATCHKEY_THREADS", "2", 1);
    static const char *const buckets[] = {"TOKEN", "LOGIN", "REGISTER", "API", "TRAVEL"};
    for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++) {
        char name[64];
        snprintf(name, sizeof(name), "LATCHKEY_RATE_%s", buckets[i]);
        setenv(name, "100000000/60", 1);
    }
    if (wiring_open(&srv, NULL, setup) != 0 || wiring_start_background(&srv) != 0 ||
        wiring_start_http(&srv) != 0)
        abort();
    setup_request("POST", "/admin/auth/login",
                  "{\"email\":\"" OWNER_EMAIL "\",\"password\":\"" OWNER_PASSWORD "\"}",
                  "access_token", admin_token, sizeof(admin_token));
    setup_request("POST", "/api/v1/tenants",
                  "{\"company_name\":\"Fuzz\",\"domain\":\"fuzz\",\"admin_name\":\"F\","
                  "\"admin_email\":\"f@fuzz.test\",\"admin_password\":\"securepass123\","
                  "\"admin_password_confirmation\":\"securepass123\"}",
                  "access_token", jwt, sizeof(jwt));
    return 0;
}

/* The routes, in surfaces_all's order; counted once. */
static const struct route *route_at(size_t i, const struct surface **sf)
{
    static size_t total;
    if (total == 0) {
        for (size_t k = 0; k < n_surfaces_all; k++)
            total += surfaces_all[k]->n_routes;
    }
    i %= total;
    for (size_t k = 0;; k++) {
        if (i < surfaces_all[k]->n_routes) {
            *sf = surfaces_all[k];
            return &surfaces_all[k]->routes[i];
        }
        i -= surfaces_all[k]->n_routes;
    }
}

/* Appends p[0..n), percent-encoding every byte but unreserved ones and keep. */
static void put_encoded(struct buf *b, const uint8_t *p, size_t n, const char *keep)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c != '\0' && (strchr("-._~", c) != NULL || strchr(keep, c) != NULL)))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

/* Appends a header value: no control characters (they cannot be sent in one). */
static void put_header(struct buf *b, const char *name, const uint8_t *p, size_t n)
{
    buf_printf(b, "%s: ", name);
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] != 0x7f)
            buf_putc(b, (char)p[i]);
    }
    buf_puts(b, "\r\n");
}

static void put_base64(struct buf *b, const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_putc(b, tab[v >> 18 & 63]);
        buf_putc(b, tab[v >> 12 & 63]);
        buf_putc(b, i + 1 < n ? tab[v >> 6 & 63] : '=');
        buf_putc(b, i + 2 < n ? tab[v & 63] : '=');
    }
}

/*
 * Writes the route's path with every "{name}" replaced by the parameter:
 * percent-encoded, or with raw as sent by a client that does not encode
 * (any byte but CR, LF and space, which would end the request line or the
 * target: a raw NUL, '?' and '#' too).
 */
static void put_path(struct buf *b, const char *pattern, const uint8_t *param, size_t n, bool raw)
{
    for (const char *c = pattern; *c;) {
        if (*c == '{' && raw) {
            for (size_t i = 0; i < n; i++) {
                if (param[i] != '\r' && param[i] != '\n' && param[i] != ' ')
                    buf_putc(b, (char)param[i]);
            }
            const char *end = strchr(c, '}');
            c = end != NULL ? end + 1 : c + strlen(c);
        } else if (*c == '{') {
            put_encoded(b, param, n, "");
            const char *end = strchr(c, '}');
            c = end != NULL ? end + 1 : c + strlen(c);
        } else {
            buf_putc(b, *c++);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const struct surface *sf;
    const struct route *rt = route_at(data[0], &sf);
    unsigned flags = data[1];
    /* The fields, split at '\n'; the last one (the body) keeps its newlines. */
    enum { PARAM, QUERY, AUTH, COOKIE, TENANT, XFF, BODY, NFIELDS };
    const uint8_t *f[NFIELDS] = {0};
    size_t fn[NFIELDS] = {0};
    const uint8_t *p = data + 2, *end = data + size;
    for (int i = 0; i < NFIELDS; i++) {
        const uint8_t *nl = i < BODY ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        const uint8_t *stop = nl != NULL ? nl : end;
        f[i] = p;
        fn[i] = (size_t)(stop - p);
        p = nl != NULL ? nl + 1 : end;
    }
    struct buf req, rep;
    buf_init(&req);
    buf_init(&rep);
    buf_printf(&req, "%s ", http_method_str(rt->method));
    put_path(&req, rt->pattern, f[PARAM], fn[PARAM], (flags & F_RAW) != 0);
    if (fn[QUERY] > 0) {
        buf_putc(&req, '?');
        put_encoded(&req, f[QUERY], fn[QUERY], "=&%+[]");
    }
    buf_puts(&req, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                   "Accept: application/json\r\n");
    switch (flags & F_CRED) {
    case 1:
        if (flags & F_BASIC) {
            buf_puts(&req, "Authorization: Basic ");
            put_base64(&req, f[AUTH], fn[AUTH]);
            buf_puts(&req, "\r\n");
        } else {
            put_header(&req, "Authorization", f[AUTH], fn[AUTH]);
        }
        break;
    case 2: buf_printf(&req, "Authorization: Bearer %s\r\n", admin_token); break;
    case 3: buf_printf(&req, "Authorization: Bearer %s\r\n", jwt); break;
    }
    if (flags & F_COOKIE)
        put_header(&req, "Cookie", f[COOKIE], fn[COOKIE]);
    if (flags & F_TENANT)
        put_header(&req, "X-Tenant", f[TENANT], fn[TENANT]);
    if (flags & F_XFF)
        put_header(&req, "X-Forwarded-For", f[XFF], fn[XFF]);
    buf_printf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
               flags & F_FORM ? "application/x-www-form-urlencoded" : "application/json", fn[BODY]);
    buf_append(&req, f[BODY], fn[BODY]);
    int status = roundtrip(req.data, req.len, &rep);
    if (status == 500 || status < 0) {
        fprintf(stderr, "fuzz_http: %s %s answered %d%s\n", http_method_str(rt->method),
                rt->pattern, status, status < 0 ? " (no reply within 10 s)" : "");
        abort();
    }
    (void)sf;
    buf_fini(&req);
    buf_fini(&rep);
    return 0;
}
