/*
 * fwdauth.c - forward-auth (issue 17): GET /auth/verify, the decision API
 * of nginx auth_request, traefik forwardAuth and envoy ext_authz (HTTP).
 *
 * The proxy asks before it forwards a request upstream. The original
 * request is X-Original-Method / X-Original-URI (nginx), else
 * X-Forwarded-Method / X-Forwarded-Uri (traefik), else this request's own
 * method and its path below /auth/verify (envoy sends the original method
 * to path_prefix + the original path), else "/"; its host is http_host()
 * (the Host header, or a trusted proxy's X-Forwarded-Host). The credential is the request's
 * Authorization Bearer (a Sanctum PAT, an API key, or an AutoCom JWT) or the dashboard session
 * cookie. core/access.c decides by the access rules.
 *
 * Answers: 200 with X-Auth-User-Id, X-Auth-Email, X-Auth-Tenant,
 * X-Auth-Role and X-Auth-Abilities (those that apply; none for a public
 * rule), 401 with WWW-Authenticate: Bearer, or 403; the body is a short
 * {"message", "reason"}. Every X-Auth-* value is printable ASCII of
 * bounded length, or left out: a proxy copies them into upstream headers.
 * The route answers every method, since some proxies (envoy) send the
 * original one; it is never cached.
 */
#include <string.h>

#include "core/access.h"
#include "core/session.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/numfmt.h"

#define VALUE_MAX     255  /* an e-mail, a slug */
#define ABILITIES_MAX 1024 /* the comma list */

/* v if it is printable ASCII of at most max bytes, else NULL. */
static const char *safe_value(const char *v, size_t max)
{
    if (v == NULL || v[0] == '\0')
        return NULL;
    size_t n = strlen(v);
    if (n > max)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c >= 0x7f)
            return NULL;
    }
    return v;
}

static void header(struct request *req, const char *name, const char *value, size_t max)
{
    value = safe_value(value, max);
    if (value != NULL)
        http_reply_header(req, name, value);
}

/* Appends item to the comma list b unless it would pass ABILITIES_MAX. */
static void add_ability(struct buf *b, const char *item)
{
    if (safe_value(item, ABILITIES_MAX) == NULL || strchr(item, ',') != NULL ||
        b->len + strlen(item) + 1 > ABILITIES_MAX)
        return;
    if (b->len > 0)
        buf_append(b, ",", 1);
    buf_append(b, item, strlen(item));
}

/* What p may do: the role's permissions its token allows ("*" for a
 * super-admin whose token allows everything). */
static const char *abilities(struct request *req, const struct principal *p)
{
    struct buf b;
    buf_init(&b);
    if (p->user.is_super_admin && principal_token_can(p, "*")) {
        add_ability(&b, "*");
    } else if (p->has_tenant) {
        for (size_t i = 0; i < p->role.permissions.n; i++) {
            if (principal_token_can(p, p->role.permissions.items[i]))
                add_ability(&b, p->role.permissions.items[i]);
        }
    }
    const char *out = arena_strndup(http_arena(req), b.data, b.len);
    buf_fini(&b);
    return out;
}

static void reply_allow(struct request *req, const struct access_decision *d)
{
    if (d->has_principal) {
        const struct principal *p = &d->p;
        char id[NUM_INT_SIZE];
        num_int(p->user.id, id);
        http_reply_header(req, "X-Auth-User-Id", id);
        header(req, "X-Auth-Email", p->user.email, VALUE_MAX);
        if (p->has_tenant) {
            header(req, "X-Auth-Tenant", p->tenant.slug, VALUE_MAX);
            header(req, "X-Auth-Role", p->role.slug, VALUE_MAX);
        }
        header(req, "X-Auth-Abilities", abilities(req, p), ABILITIES_MAX);
    }
    /* No body: nginx reads only the head of an auth_request answer, and an
     * unread body costs it the keep-alive connection to latchkey. */
    http_reply_json(req, 200, NULL);
}

/* The first of two headers that is set. */
static const char *either(struct request *req, const char *a, const char *b)
{
    const char *v = http_header(req, a);
    return v != NULL ? v : http_header(req, b);
}

static void verify_handler(struct server *srv, struct request *req, const struct principal *unused)
{
    (void)unused;
    http_no_store(req);
    const char *method = either(req, "X-Original-Method", "X-Forwarded-Method");
    const char *uri = either(req, "X-Original-URI", "X-Forwarded-Uri");
    const char *rest = http_param(req, "path");
    bool decoded = uri == NULL && rest != NULL;
    if (decoded) /* envoy: /auth/verify/<the original path>, decoded by MHD */
        uri = arena_printf(http_arena(req), "/%s", rest);
    struct access_query q = {
        .method = method != NULL ? method : http_method_str(http_method(req)),
        .uri = uri,
        .uri_decoded = decoded,
        .host = http_host(req),
        .x_tenant = http_header(req, "X-Tenant"),
        .bearer = surface_bearer(req),
        .session_cookie = http_cookie(req, SESSION_COOKIE),
    };
    /* In the arena: the request's user data outlives this call. */
    struct access_decision *d = arena_alloc(http_arena(req), sizeof(*d));
    int rc = access_decide(srv, http_arena(req), &q, d);
    if (rc != 0) {
        surface_fail(&surface_fwdauth, req, rc);
        return;
    }
    log_debug("req=%s event=fwdauth verdict=%d reason=%s rule=%lld", http_request_id(req),
              (int)d->verdict, access_reason_str(d->reason), (long long)d->rule_id);
    if (d->has_principal)
        http_set_user_data(req, &d->p);
    const char *reason = access_reason_str(d->reason);
    switch (d->verdict) {
    case ACCESS_ALLOW: reply_allow(req, d); break;
    case ACCESS_UNAUTHENTICATED:
        http_reply_header(req, "WWW-Authenticate", "Bearer");
        http_reply_json(req, 401,
                        json_pack("{s:s,s:s}", "message", "Unauthenticated.", "reason", reason));
        break;
    case ACCESS_FORBIDDEN:
        http_reply_json(
            req, 403,
            json_pack("{s:s,s:s}", "message", "This action is unauthorized.", "reason", reason));
        break;
    }
}

#define VERIFY(m, path)                                                                            \
    {                                                                                              \
        m, path, verify_handler, AUTH_PUBLIC, NULL, NULL, 1024                                     \
    }
#define VERIFY_ALL(path)                                                                           \
    VERIFY(HTTP_GET, path), VERIFY(HTTP_POST, path), VERIFY(HTTP_PUT, path),                       \
        VERIFY(HTTP_PATCH, path), VERIFY(HTTP_DELETE, path), VERIFY(HTTP_OPTIONS, path)

static const struct route routes[] = {VERIFY_ALL("/auth/verify"),
                                      VERIFY_ALL("/auth/verify/{path*}")};

const struct surface surface_fwdauth = {
    .name = "fwdauth",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
