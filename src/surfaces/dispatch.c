/*
 * dispatch.c - the middleware every route goes through, driven by its
 * route row: rate limit (public routes by IP before auth, authenticated
 * routes by user after it), authentication, the X-Tenant header when the
 * route requires it (AUTH_BEARER_JWT_TENANT), permission, handler.
 *
 * On an authenticated route the credential is checked first, so the rate
 * limit can count per user (like Laravel's throttle keyed by
 * $request->user()?->id ?: ip): a valid credential, also one refused with
 * 403, counts against its user; a missing or invalid one (401) against the
 * client IP, and its 401 also carries the X-RateLimit-* headers.
 */
#include "surfaces/dispatch.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/jwtauth.h"
#include "core/passwd.h"
#include "core/ratelimit.h"
#include "core/session.h"
#include "core/staff.h"
#include "http/router.h"
#include "server.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/numfmt.h"
#include "util/timeutil.h"

const char *refusal_message(enum refusal r)
{
    switch (r) {
    case REFUSE_USER_INACTIVE: return "Your account is inactive.";
    case REFUSE_USER_SUSPENDED: return "Your account has been suspended.";
    case REFUSE_TENANT_SUSPENDED: return "This tenant has been suspended.";
    case REFUSE_MEMBER_SUSPENDED: return "Your membership in this tenant has been suspended.";
    case REFUSE_NOT_MEMBER: return "You are not a member of this tenant.";
    case REFUSE_NOT_STAFF: return "You do not have access to the admin API.";
    case REFUSE_TENANT_UNKNOWN: return "Tenant not found.";
    default: return "This action is unauthorized.";
    }
}

unsigned http_error_status(enum http_error kind)
{
    switch (kind) {
    case HERR_BAD_REQUEST: return 400;
    case HERR_UNAUTHENTICATED: return 401;
    case HERR_FORBIDDEN: return 403;
    case HERR_NOT_FOUND: return 404;
    case HERR_METHOD: return 405;
    case HERR_TOO_LARGE: return 413;
    case HERR_CSRF: return 419;
    case HERR_RATE_LIMITED: return 429;
    case HERR_UNAVAILABLE: return 503;
    default: return 500;
    }
}

static const char *default_message(struct request *req, enum http_error kind)
{
    switch (kind) {
    case HERR_BAD_REQUEST: return "Bad Request.";
    case HERR_UNAUTHENTICATED: return "Unauthenticated.";
    case HERR_FORBIDDEN: return "This action is unauthorized.";
    case HERR_NOT_FOUND:
        return arena_printf(http_arena(req), "The route %s could not be found.",
                            http_path(req) + (http_path(req)[0] == '/'));
    case HERR_METHOD: return "Method Not Allowed.";
    case HERR_TOO_LARGE: return "Payload Too Large.";
    case HERR_CSRF: return "CSRF token mismatch.";
    case HERR_RATE_LIMITED: return "Too Many Attempts.";
    case HERR_UNAVAILABLE: return "Service Unavailable.";
    default: return "Server Error";
    }
}

void laravel_error(struct request *req, enum http_error kind, const char *message)
{
    if (message == NULL)
        message = default_message(req, kind);
    http_reply_json(req, http_error_status(kind), json_pack("{s:s}", "message", message));
}

void surface_error(void *app, struct request *req, const void *owner, enum http_error kind,
                   const char *message)
{
    const struct surface *sf = owner;
    (void)app;
    if (sf != NULL)
        sf->error(req, kind, message);
    else
        laravel_error(req, kind, message);
}

void surface_fail(const struct surface *sf, struct request *req, int err)
{
    switch (err) {
    case ERR_UNAUTHENTICATED: sf->error(req, HERR_UNAUTHENTICATED, NULL); break;
    case ERR_FORBIDDEN: sf->error(req, HERR_FORBIDDEN, NULL); break;
    case ERR_NOT_FOUND: sf->error(req, HERR_NOT_FOUND, NULL); break;
    case ERR_BUSY:
    case ERR_UNAVAILABLE: sf->error(req, HERR_UNAVAILABLE, NULL); break;
    default:
        log_error("req=%s event=internal_error err=\"%s\"", http_request_id(req), err_str(err));
        sf->error(req, HERR_INTERNAL, NULL);
    }
}

void surface_login_fail(const struct surface *sf, struct request *req, int err,
                        uint32_t retry_after)
{
    if (err != ERR_LIMIT) {
        surface_fail(sf, req, err);
        return;
    }
    char v[NUM_INT_SIZE];
    num_int(retry_after, v);
    http_reply_header(req, "Retry-After", v);
    sf->error(req, HERR_RATE_LIMITED,
              arena_printf(http_arena(req),
                           "Too many login attempts. Please try again in %u seconds.",
                           retry_after));
}

int64_t surface_path_id(struct request *req, const char *name)
{
    const char *s = http_param(req, name);
    if (s == NULL || s[0] == '0')
        return 0;
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool surface_rate_limit(struct server *srv, const struct surface *sf, const struct route *rt,
                        struct request *req, const struct principal *p)
{
    const struct rate_rule *rule = config_rate(&srv->cfg, rt->bucket);
    if (rule == NULL) {
        log_error("event=unknown_rate_bucket bucket=%s", rt->bucket);
        return true;
    }
    /* Every request of a limited route passes here: keys and header
     * values are written without printf (num_int). */
    char key[RATELIMIT_ADDR_MAX + 8];
    if (p != NULL && p->user.id != 0) {
        memcpy(key, "u:", 2);
        num_int(p->user.id, key + 2);
    } else {
        /* An IPv6 client counts as its /64 (issue 16). */
        memcpy(key, "ip:", 3);
        ratelimit_addr_key(http_client_ip(req), key + 3);
    }
    struct rate_result res;
    ratelimit_hit(srv->limiter, rule->name, key, rule->limit, rule->window_s, time_now(), &res);
    char v[NUM_INT_SIZE];
    num_int(res.limit, v);
    http_reply_header(req, "X-RateLimit-Limit", v);
    num_int(res.remaining, v);
    http_reply_header(req, "X-RateLimit-Remaining", v);
    num_int(res.reset_at, v);
    http_reply_header(req, "X-RateLimit-Reset", v);
    if (res.allowed)
        return true;
    ratelimit_refused(srv->limiter, rule->name);
    num_int(res.retry_after, v);
    http_reply_header(req, "Retry-After", v);
    sf->error(req, HERR_RATE_LIMITED, NULL);
    return false;
}

void surface_change_password(struct server *srv, const struct surface *sf, struct request *req,
                             const struct principal *p, http_resume_fn resume)
{
    struct validator v;
    validator_init(&v, req);
    const char *current =
        validate_string(&v, req, "current_password", V_REQUIRED | V_NO_TRIM, PASSWD_NEW_MAX);
    const char *password =
        validate_new_password(&v, req, "password", PASSWD_NEW_MIN, PASSWD_NEW_MAX);
    validate_password_policy(&v, srv, "password", password, p->user.email, p->user.name);
    if (validate_failed(&v)) {
        validate_reply(sf, req, &v);
        return;
    }
    struct passwd_change *pc = arena_alloc(http_arena(req), sizeof(*pc));
    passwd_begin(srv, http_arena(req), pc, p, current, password, http_client_ip(req));
    int rc = http_defer(req, passwd_work, resume, pc);
    if (rc != 0) {
        passwd_fini(pc);
        surface_fail(sf, req, rc);
    }
}

const char *surface_bearer(struct request *req)
{
    const char *h = http_header(req, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

static const char *bearer(struct request *req)
{
    return surface_bearer(req);
}

/* ---- dashboard sessions and CSRF (seed 000) ---- */

const char *surface_csrf_token(struct request *req)
{
    const char *t = http_header(req, "X-XSRF-TOKEN");
    if (t == NULL)
        t = http_header(req, "X-CSRF-TOKEN");
    if (t == NULL)
        t = json_string_value(json_object_get(http_json(req), "_token"));
    return t;
}

/* The live session of the request's cookie into p (has_session), with
 * its user bound when it has one; a missing or ended session is
 * ERR_UNAUTHENTICATED. */
static int session_authenticate(struct server *srv, struct request *req, struct principal *p)
{
    struct session s;
    memset(p, 0, sizeof(*p));
    int rc = session_find(srv, http_arena(req), http_cookie(req, SESSION_COOKIE), &s);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != 0)
        return rc;
    return session_principal(srv, http_arena(req), &s, p);
}

/* Unsafe methods change state: they need the CSRF token. */
static bool unsafe(const struct request *req)
{
    enum http_method m = http_method(req);
    return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

/*
 * The CSRF check of a request p's session stands for: 419 (and false)
 * unless the request carries its token. A request without a live session
 * has no token to match, so it fails as well, as in Laravel; a Bearer
 * request (p->via VIA_PAT) is never checked.
 */
static bool csrf_passes(const struct surface *sf, struct request *req, const struct principal *p)
{
    if (!unsafe(req) || p->via == VIA_PAT)
        return true;
    if (p->has_session && session_csrf_ok(&p->session, surface_csrf_token(req)))
        return true;
    sf->error(req, HERR_CSRF, NULL);
    return false;
}

/* AUTH_PUBLIC_SESSION: the session (a guest's too) for the handler,
 * and the CSRF check. NULL when it replied (419, or 500). */
static const struct principal *public_session(struct server *srv, const struct surface *sf,
                                              struct request *req)
{
    struct principal *p = arena_alloc(http_arena(req), sizeof(*p));
    int rc = session_authenticate(srv, req, p);
    if (rc != 0 && rc != ERR_UNAUTHENTICATED && rc != ERR_FORBIDDEN) {
        surface_fail(sf, req, rc);
        return NULL;
    }
    if (rc != 0) {
        /* A guest session, or one refused for its user: the handler starts
         * afresh from the session row alone. */
        struct session s = p->session;
        bool has = p->has_session && rc == ERR_UNAUTHENTICATED;
        memset(p, 0, sizeof(*p));
        p->has_session = has;
        if (has)
            p->session = s;
    }
    return csrf_passes(sf, req, p) ? p : NULL;
}

/* Whether the request authenticates with the dashboard session: the
 * session routes, and a route that takes a JWT or the session when the
 * request carries the session cookie and no Bearer. */
static bool by_session(const struct route *rt, struct request *req)
{
    if (rt->auth == AUTH_BEARER_JWT_TENANT_OR_SESSION)
        return bearer(req) == NULL && http_cookie(req, SESSION_COOKIE) != NULL;
    return rt->auth == AUTH_SESSION || rt->auth == AUTH_SESSION_OR_PAT;
}

/* Whether the route requires X-Tenant from this request (400 without). */
static bool needs_x_tenant(const struct route *rt, struct request *req)
{
    return rt->auth == AUTH_BEARER_JWT_TENANT ||
           (rt->auth == AUTH_BEARER_JWT_TENANT_OR_SESSION && !by_session(rt, req));
}

/* Fills *p from the route's credential; 0 or a core error. */
static int authenticate(struct server *srv, const struct route *rt, struct request *req,
                        struct principal *p)
{
    const char *x_tenant = http_header(req, "X-Tenant");
    int rc;
    switch (rt->auth) {
    case AUTH_BEARER_PAT:
        /* The Sanctum surfaces: X-Tenant, else the tenant the Host names. */
        rc = principal_tenant_hint(srv, http_arena(req), x_tenant, http_host(req), &x_tenant);
        if (rc != 0)
            return rc;
        return principal_from_bearer(srv, http_arena(req), bearer(req), x_tenant, p);
    case AUTH_BEARER_JWT_TENANT_OR_SESSION:
        if (by_session(rt, req))
            return session_authenticate(srv, req, p);
        /* fall through */
    case AUTH_BEARER_JWT_TENANT:
        /* Without X-Tenant only the token and the user are checked, so
         * the answer is the 400 below, not the token's tenant's refusal. */
        if (x_tenant == NULL || x_tenant[0] == '\0')
            return principal_from_jwt_user(srv, http_arena(req), bearer(req), p);
        return principal_from_jwt(srv, http_arena(req), bearer(req), x_tenant, p);
    case AUTH_BEARER_JWT: return principal_from_jwt(srv, http_arena(req), bearer(req), x_tenant, p);
    case AUTH_BEARER_JWT_USER: return principal_from_jwt_user(srv, http_arena(req), bearer(req), p);
    case AUTH_BEARER_ADMIN: return staff_authenticate(srv, http_arena(req), bearer(req), p);
    case AUTH_STAFF:
        if (bearer(req) != NULL || http_cookie(req, SESSION_COOKIE) == NULL)
            return staff_authenticate(srv, http_arena(req), bearer(req), p);
        rc = session_authenticate(srv, req, p);
        return rc != 0 ? rc : staff_bind(srv, http_arena(req), p);
    case AUTH_SESSION: return session_authenticate(srv, req, p);
    case AUTH_SESSION_OR_PAT:
        rc = session_authenticate(srv, req, p);
        if (rc != ERR_UNAUTHENTICATED || bearer(req) == NULL)
            return rc;
        return principal_from_bearer(srv, http_arena(req), bearer(req), NULL, p);
    default: return ERR_UNAUTHENTICATED;
    }
}

/* A credential refused for its account or tenant (403, or 404 for a
 * tenant that does not exist), as opposed to a failure of the request. */
static bool refused(int rc, const struct principal *p)
{
    return rc == ERR_FORBIDDEN || (rc == ERR_NOT_FOUND && p->refusal == REFUSE_TENANT_UNKNOWN);
}

static void auth_failed(const struct surface *sf, struct request *req, const struct principal *p,
                        int rc)
{
    if (!refused(rc, p))
        surface_fail(sf, req, rc);
    else if (sf->refusal != NULL)
        sf->refusal(req, p);
    else
        sf->error(req, rc == ERR_NOT_FOUND ? HERR_NOT_FOUND : HERR_FORBIDDEN,
                  refusal_message(p->refusal));
}

void surface_dispatch(void *app, struct request *req, const struct http_route *route)
{
    struct server *srv = app;
    const struct surface *sf = route->owner;
    const struct route *rt = route->target;
    if (rt->auth == AUTH_GATED) {
        gate_dispatch(srv, sf, rt, req);
        return;
    }
    if (rt->auth == AUTH_PUBLIC || rt->auth == AUTH_PUBLIC_SESSION) {
        const struct principal *guest = NULL;
        if (rt->auth == AUTH_PUBLIC_SESSION && (guest = public_session(srv, sf, req)) == NULL)
            return;
        if (rt->bucket != NULL && !surface_rate_limit(srv, sf, rt, req, NULL))
            return;
        rt->handler(srv, req, guest);
        return;
    }
    struct principal *p = arena_alloc(http_arena(req), sizeof(*p));
    int rc = authenticate(srv, rt, req, p);
    bool session_route = by_session(rt, req) || (rt->auth == AUTH_STAFF && p->via == VIA_SESSION);
    if (session_route && (rc == 0 || refused(rc, p) || rc == ERR_UNAUTHENTICATED) &&
        !csrf_passes(sf, req, p))
        return;
    bool counted = rc == 0 || refused(rc, p) || rc == ERR_UNAUTHENTICATED;
    const struct principal *who = rc == ERR_UNAUTHENTICATED ? NULL : p;
    if (rt->bucket != NULL && counted && !surface_rate_limit(srv, sf, rt, req, who))
        return;
    if (rc != 0) {
        auth_failed(sf, req, p, rc);
        return;
    }
    if (sf->platform_permission != NULL && rt->method == HTTP_GET) {
        rc = staff_bind_platform(srv, http_arena(req), p, sf->platform_permission);
        if (rc != 0) {
            surface_fail(sf, req, rc);
            return;
        }
    }
    http_set_user_data(req, p);
    const char *x_tenant = http_header(req, "X-Tenant");
    if (needs_x_tenant(rt, req) && (x_tenant == NULL || x_tenant[0] == '\0')) {
        sf->error(req, HERR_BAD_REQUEST, "X-Tenant header is required");
        return;
    }
    /* A tenant route on a session without a tenant (platform staff, a
     * super-admin too) has no tenant to act in. */
    bool tenantless = rt->auth == AUTH_BEARER_JWT_TENANT_OR_SESSION && !p->has_tenant;
    bool allowed = !tenantless && (rt->permission == NULL ||
                                   (rt->auth == AUTH_BEARER_ADMIN || rt->auth == AUTH_STAFF
                                        ? staff_can(p, rt->permission)
                                        : principal_can(p, rt->permission)));
    if (!allowed) {
        if (sf->denied != NULL)
            sf->denied(req, rt->permission);
        else
            sf->error(req, HERR_FORBIDDEN, NULL);
        return;
    }
    rt->handler(srv, req, p);
}
