/*
 * autocom.c - seed 002, AutoCom: tenant registration, login inside the
 * tenant the X-Tenant header names, RS256 JWT access tokens.
 *
 *   POST /api/v1/tenants               register a tenant and its owner -> 201 + JWT
 *   POST /api/v1/auth/login            X-Tenant, email, password -> JWT
 *   POST /api/v1/auth/logout           revokes the presented JWT
 *   GET  /api/v1/auth/me               the user, its membership here, its tenants
 *   GET  /api/v1/auth/tenants          every organisation of the user
 *   POST /api/v1/auth/change-password  current + new password; revokes the others
 *
 * Dialect (seed "Error Responses"): 401 {"message":"Unauthenticated"};
 * 403 {"message":"You do not have permission to perform this action",
 * "required_permission":...}; membership refusals with the seed's bodies;
 * 422 {"message":"The given data was invalid","errors":{...}} with
 * Laravel's per-field wording. Rate limits (seed "Rate Limiting"): login
 * 5/min and register 3/min per IP, the rest 60/min per user.
 * Password hashing and verification run on the hashing pool (http_defer).
 */
#include <stdio.h>
#include <string.h>

#include "core/jwtauth.h"
#include "core/login.h"
#include "core/passwd.h"
#include "core/user.h"
#include "core/product.h"
#include "core/register.h"
#include "core/tenant.h"
#include "core/token.h"
#include "server.h"
#include "surfaces/autocom.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/jsonw.h"
#include "util/timeutil.h"

#define PASSWORD_MIN     8
#define PASSWORD_MAX     255 /* characters; at most 1020 bytes, under PASSWORD_MAX_BYTES */
#define TOKEN_NAME_LOGIN "autocom:login"
#define ME_SIZE_HINT     1000 /* room for a typical /auth/me body (about 400 bytes) */

/* ---- dialect ---- */

void autocom_error(struct request *req, enum http_error kind, const char *message)
{
    if (message == NULL) {
        if (kind == HERR_UNAUTHENTICATED)
            message = "Unauthenticated";
        else if (kind == HERR_FORBIDDEN)
            message = "You do not have permission to perform this action";
    }
    laravel_error(req, kind, message);
}

void autocom_denied(struct request *req, const char *permission)
{
    http_reply_json(req, 403,
                    json_pack("{s:s, s:s}", "message",
                              "You do not have permission to perform this action",
                              "required_permission", permission));
}

static void reply_status(struct request *req, const char *message, const char *status)
{
    http_reply_json(req, 403, json_pack("{s:s, s:s}", "message", message, "status", status));
}

void autocom_refusal(struct request *req, const struct principal *p)
{
    switch (p->refusal) {
    case REFUSE_MEMBER_SUSPENDED:
        reply_status(req, "Your access to this organization has been suspended", "suspended");
        break;
    case REFUSE_TENANT_SUSPENDED:
        reply_status(req, "This organization has been suspended", "suspended");
        break;
    case REFUSE_USER_INACTIVE: reply_status(req, "Your account is inactive", "inactive"); break;
    case REFUSE_USER_SUSPENDED:
        reply_status(req, "Your account has been suspended", "suspended");
        break;
    case REFUSE_TENANT_UNKNOWN: autocom_message(req, 404, "Tenant not found"); break;
    default:
        http_reply_json(req, 403,
                        json_pack("{s:s}", "message", "You are not a member of this organization"));
    }
}

void autocom_validation(struct request *req, const struct validator *v)
{
    http_reply_json(
        req, 422,
        json_pack("{s:s, s:o}", "message", AUTOCOM_INVALID_DATA, "errors", validate_errors(v)));
}

void autocom_message(struct request *req, unsigned status, const char *message)
{
    http_reply_json(req, status, json_pack("{s:s}", "message", message));
}

/* ---- JSON pieces ---- */

/* "2024-01-07T15:30:00Z" as the seed writes times, or null. */
json_t *autocom_time(int64_t t)
{
    char buf[32];
    if (t == 0 || !time_iso8601_z(t, buf))
        return json_null();
    return json_string(buf);
}

static json_t *permissions_json(const struct principal *p)
{
    return p->has_tenant ? json_strlist(&p->role.permissions) : json_array();
}

/* The role of the tenant context: its slug (machine name). */
static const char *role_name(const struct principal *p)
{
    return p->has_tenant ? p->role.slug : NULL;
}

/*
 * The organisations of p's user where both the membership and the tenant
 * are active, oldest membership first: an arena array in *out.
 */
static int list_orgs(struct server *srv, struct arena *a, const struct principal *p,
                     struct autocom_org **out, size_t *n)
{
    struct org_row *rows = NULL;
    size_t nr = 0;
    *out = NULL;
    *n = 0;
    /* One joined read, or none when nothing changed since the last. */
    int rc = user_orgs(srv, a, p->user.id, &rows, &nr);
    if (rc != 0)
        return rc;
    struct autocom_org *orgs = arena_alloc(a, sizeof(*orgs) * (nr + 1));
    for (size_t i = 0; i < nr; i++)
        orgs[i] = (struct autocom_org){
            .tenant = rows[i].tenant, .role = rows[i].role, .m = rows[i].membership};
    *out = orgs;
    *n = nr;
    return 0;
}

/* ---- POST /api/v1/tenants ---- */

static void register_resume(struct request *req, void *arg)
{
    struct registration *r = arg;
    struct principal p;
    char *jwt = NULL;
    enum register_conflict conflict = REG_NO_CONFLICT;
    int rc = register_finish(r, http_arena(req), &p, &jwt, &conflict);
    register_fini(r);
    if (rc == ERR_CONFLICT && conflict == REG_DOMAIN_TAKEN) {
        validate_reply_field(&surface_autocom, req, "domain", "The domain has already been taken.");
        return;
    }
    if (rc == ERR_CONFLICT && conflict == REG_EMAIL_TAKEN) {
        validate_reply_field(&surface_autocom, req, "admin_email",
                             "The admin email has already been taken.");
        return;
    }
    if (rc == ERR_FORBIDDEN) {
        autocom_refusal(req, &p);
        return;
    }
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    const char *domain = p.tenant.domain != NULL ? p.tenant.domain : p.tenant.slug;
    http_no_store(req);
    http_reply_json(req, 201,
                    json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:I, s:s, s:s, s:s}, s:s, s:s}",
                              "message", "Tenant registered successfully", "tenant", "id",
                              p.tenant.slug, "name", p.tenant.name, "domain", domain, "user", "id",
                              (json_int_t)p.user.id, "name", p.user.name, "email", p.user.email,
                              "role", p.role.slug, "access_token", jwt, "token_type", "Bearer"));
}

/* The domain field: lower-cased, a valid slug, not taken. NULL if not. */
static const char *validate_domain(struct server *srv, struct validator *v, struct request *req)
{
    const char *domain = validate_string(v, req, "domain", V_REQUIRED, 63);
    if (domain == NULL)
        return NULL;
    char *slug = arena_strdup(http_arena(req), domain);
    for (char *c = slug; *c; c++) {
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    if (!tenant_slug_valid(slug)) {
        validate_add(v, "domain", "The domain field format is invalid.");
        return NULL;
    }
    struct tenant t;
    int rc = tenant_find_slug(srv, http_arena(req), slug, &t);
    if (rc == 0) {
        validate_add(v, "domain", "The domain has already been taken.");
        return NULL;
    }
    return slug;
}

static void register_handler(struct server *srv, struct request *req, const struct principal *u)
{
    (void)u;
    struct validator v;
    validator_init(&v, req);
    const char *company = validate_string(&v, req, "company_name", V_REQUIRED, 255);
    const char *slug = validate_domain(srv, &v, req);
    const char *name = validate_string(&v, req, "admin_name", V_REQUIRED, 255);
    const char *email = validate_string(&v, req, "admin_email", V_REQUIRED | V_EMAIL, 254);
    const char *password =
        validate_new_password(&v, req, "admin_password", PASSWORD_MIN, PASSWORD_MAX);
    validate_password_policy(&v, srv, "admin_password", password, email, name);
    if (validate_failed(&v)) {
        validate_reply(&surface_autocom, req, &v);
        return;
    }
    struct registration *r = arena_alloc(http_arena(req), sizeof(*r));
    int rc = register_begin(srv, http_arena(req), r, company, slug, name, email, password,
                            http_client_ip(req));
    r->product = product_autocom.name; /* AutoCom registers AutoCom tenants */
    if (rc == 0)
        rc = http_defer(req, register_work, register_resume, r);
    if (rc != 0) {
        register_fini(r);
        surface_fail(&surface_autocom, req, rc);
    }
}

/* ---- POST /api/v1/auth/login ---- */

static void login_resume(struct request *req, void *arg)
{
    struct login *l = arg;
    struct principal p;
    char *jwt = NULL;
    int rc = login_finish(l, http_arena(req), &p, &jwt);
    login_fini(l);
    if (rc == ERR_UNAUTHENTICATED) {
        http_reply_json(req, 401, json_pack("{s:s}", "message", "Invalid credentials"));
        return;
    }
    if (rc == ERR_FORBIDDEN) {
        autocom_refusal(req, &p);
        return;
    }
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    http_no_store(req);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:{s:I, s:s, s:s, s:s, s:o}, s:{s:s, s:s}, s:s, s:s}",
                              "message", "Login successful", "user", "id", (json_int_t)p.user.id,
                              "name", p.user.name, "email", p.user.email, "role", role_name(&p),
                              "permissions", permissions_json(&p), "tenant", "id", p.tenant.slug,
                              "name", p.tenant.name, "access_token", jwt, "token_type", "Bearer"));
}

/* The tenant of X-Tenant; false after replying 400 (missing) or 404. */
static bool login_tenant(struct server *srv, struct request *req, struct tenant *t)
{
    const char *slug = http_header(req, "X-Tenant");
    if (slug == NULL || slug[0] == '\0') {
        http_reply_json(req, 400, json_pack("{s:s}", "message", "X-Tenant header is required"));
        return false;
    }
    int rc = tenant_find_slug(srv, http_arena(req), slug, t);
    if (rc == ERR_NOT_FOUND) {
        http_reply_json(req, 404, json_pack("{s:s}", "message", "Tenant not found"));
        return false;
    }
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return false;
    }
    return true;
}

static void login_handler(struct server *srv, struct request *req, const struct principal *u)
{
    (void)u;
    struct tenant t;
    if (!login_tenant(srv, req, &t))
        return;
    struct validator v;
    validator_init(&v, req);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 254);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX);
    if (validate_failed(&v)) {
        validate_reply(&surface_autocom, req, &v);
        return;
    }
    struct login *l = arena_alloc(http_arena(req), sizeof(*l));
    int rc = login_begin(srv, http_arena(req), l, email, password, TOKEN_NAME_LOGIN, t.slug,
                         http_client_ip(req));
    l->jwt = true;
    if (rc == 0)
        rc = http_defer(req, login_verify, login_resume, l);
    if (rc != 0) {
        login_fini(l);
        surface_login_fail(&surface_autocom, req, rc, l->retry_after);
    }
}

/* ---- POST /api/v1/auth/logout ---- */

static void logout_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int rc = token_revoke(srv, p->token.id, p->user.id, http_client_ip(req));
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:s}", "message", "Successfully logged out"));
}

/* ---- GET /api/v1/auth/me ---- */

/* autocom_time(t), written. */
static void write_time(struct jw *w, int64_t t)
{
    char buf[32];
    if (t != 0 && time_iso8601_z(t, buf))
        jw_str(w, buf);
    else
        jw_null(w);
}

/* The membership of the tenant context, or null without one. */
static void write_membership(struct jw *w, const struct principal *p)
{
    if (!p->has_tenant) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    JW_KEY(w, "role");
    jw_str(w, p->role.slug);
    JW_KEY(w, "status");
    jw_str(w, member_status_str(p->membership.status));
    JW_KEY(w, "joined_at");
    write_time(w, p->membership.joined_at);
    JW_KEY(w, "permissions");
    jw_strlist(w, &p->role.permissions);
    jw_obj_end(w);
}

void autocom_me_write(const struct principal *p, const struct autocom_org *orgs, size_t n,
                      struct buf *b)
{
    const struct user *u = &p->user;
    struct jw w;
    jw_init(&w, b);
    jw_obj_begin(&w);
    JW_KEY(&w, "id");
    jw_int(&w, u->id);
    JW_KEY(&w, "name");
    jw_str(&w, u->name);
    JW_KEY(&w, "email");
    jw_str(&w, u->email);
    JW_KEY(&w, "email_verified");
    jw_bool(&w, u->email_verified_at != 0);
    JW_KEY(&w, "is_super_admin");
    jw_bool(&w, u->is_super_admin);
    JW_KEY(&w, "created_at");
    write_time(&w, u->created_at);
    JW_KEY(&w, "last_login_at");
    write_time(&w, u->last_login_at);
    JW_KEY(&w, "tenant_membership");
    write_membership(&w, p);
    JW_KEY(&w, "tenants");
    jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(&w);
        JW_KEY(&w, "id");
        jw_str(&w, orgs[i].tenant.slug);
        JW_KEY(&w, "name");
        jw_str(&w, orgs[i].tenant.name);
        JW_KEY(&w, "role");
        jw_str(&w, orgs[i].role.slug);
        JW_KEY(&w, "is_current");
        jw_bool(&w, p->has_tenant && orgs[i].tenant.id == p->tenant.id);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
}

static void me_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct autocom_org *orgs = NULL;
    size_t n = 0;
    int rc = list_orgs(srv, http_arena(req), p, &orgs, &n);
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, ME_SIZE_HINT);
    autocom_me_write(p, orgs, n, &b);
    size_t len = b.len;
    http_reply_json_text(req, 200, buf_steal(&b), len);
}

/* ---- GET /api/v1/auth/tenants ---- */

static void tenants_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct autocom_org *orgs = NULL;
    size_t n = 0;
    int rc = list_orgs(srv, http_arena(req), p, &orgs, &n);
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    json_t *tenants = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(tenants,
                              json_pack("{s:s, s:s, s:s, s:o}", "id", orgs[i].tenant.slug, "name",
                                        orgs[i].tenant.name, "role", orgs[i].role.slug, "joined_at",
                                        autocom_time(orgs[i].m.joined_at)));
    http_reply_json(req, 200, json_pack("{s:o}", "tenants", tenants));
}

/* ---- POST /api/v1/auth/change-password ---- */

static void change_password_resume(struct request *req, void *arg)
{
    struct passwd_change *pc = arg;
    int rc = passwd_finish(pc, NULL);
    passwd_fini(pc);
    if (rc == ERR_UNAUTHENTICATED) {
        validate_reply_field(&surface_autocom, req, "current_password",
                             "The password is incorrect.");
        return;
    }
    if (rc != 0) {
        surface_fail(&surface_autocom, req, rc);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:s}", "message", "Password changed successfully"));
}

static void change_password_handler(struct server *srv, struct request *req,
                                    const struct principal *p)
{
    surface_change_password(srv, &surface_autocom, req, p, change_password_resume);
}

static const struct route routes[] = {
    {HTTP_POST, "/api/v1/tenants", register_handler, AUTH_PUBLIC, NULL, "register", 0},
    {HTTP_POST, "/api/v1/auth/login", login_handler, AUTH_PUBLIC, NULL, "login", 0},
    {HTTP_POST, "/api/v1/auth/logout", logout_handler, AUTH_BEARER_JWT, NULL, "api", 0},
    {HTTP_GET, "/api/v1/auth/me", me_handler, AUTH_BEARER_JWT, NULL, "api", 0},
    {HTTP_GET, "/api/v1/auth/tenants", tenants_handler, AUTH_BEARER_JWT_USER, NULL, "api", 0},
    {HTTP_POST, "/api/v1/auth/change-password", change_password_handler, AUTH_BEARER_JWT_USER, NULL,
     "api", 0},
};

const struct surface surface_autocom = {
    .name = "autocom",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = autocom_error,
    .refusal = autocom_refusal,
    .denied = autocom_denied,
    .validation = autocom_validation,
};
