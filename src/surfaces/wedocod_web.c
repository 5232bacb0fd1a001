/*
 * wedocod_web.c - seed 000 (WedoCOD): the dashboard's session routes and
 * API key management, in Laravel's dialect (Breeze and Sanctum).
 *
 *   GET    /sanctum/csrf-cookie               204, session and XSRF-TOKEN cookies
 *   POST   /login                             email, password -> a session
 *   POST   /logout                            ends the session
 *   POST   /reset-password                    email -> the reset link by email;
 *                                             token, email, password(+confirmation)
 *                                             -> the new password
 *   POST   /forgot-password                   the first form (Breeze's path)
 *   GET    /api/user                          the session's (or a PAT's) user
 *   PUT    /current-team                      team_id -> the session's current tenant
 *   GET    /settings/api-keys                 the keys the user may see
 *   POST   /settings/api-keys/generate        name, abilities[], expires_at? -> shown once
 *   DELETE /settings/api-keys/{token}/delete  revokes a key
 *
 * Authentication and CSRF are the route rows' (AUTH_SESSION,
 * AUTH_PUBLIC_SESSION; dispatch.c). A JSON client (Accept or Content-Type
 * JSON, or X-Requested-With) gets 204 from login, a plain form post 302 to
 * "/"; logout is always 204. The login throttle is Breeze's LoginRequest: failures
 * per lower(email)|ip, cleared by a success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/apikey.h"
#include "core/login.h"
#include "core/ratelimit.h"
#include "core/reset.h"
#include "core/session.h"
#include "core/staff.h"
#include "core/user.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#define LOGIN_BUCKET        "web_login"
#define BAD_CREDENTIALS     "These credentials do not match our records."
#define RESET_INVALID       "This password reset token is invalid."
#define RESET_SENT          "We have emailed your password reset link."
#define RESET_DONE          "Your password has been reset."
#define KEY_NOT_FOUND       "API key not found."
#define PASSWORD_MIN        8
#define PASSWORD_MAX        255
#define KEY_ID_MAX_DIGITS   18
#define USER_AGENT_MAX_KEEP 255

/* ---- cookies and replies ---- */

/* Cookies are Secure when the public URL is https (issue 13). */
static bool secure_cookies(const struct server *srv)
{
    return strncasecmp(srv->cfg.public_url, "https://", 8) == 0;
}

/* Sets both cookies (max_age 0 clears them). */
static void set_cookies(struct server *srv, struct request *req, const struct session_cookies *ck,
                        int64_t max_age)
{
    bool secure = secure_cookies(srv);
    http_set_cookie(req, &(struct http_cookie){.name = SESSION_COOKIE,
                                               .value = ck != NULL ? ck->id : "",
                                               .http_only = true,
                                               .secure = secure,
                                               .max_age = max_age});
    http_set_cookie(req, &(struct http_cookie){.name = SESSION_CSRF_COOKIE,
                                               .value = ck != NULL ? ck->csrf : "",
                                               .secure = secure,
                                               .max_age = max_age});
}

/* True if the client wants JSON (Laravel's expectsJson, plus a JSON body). */
static bool wants_json(struct request *req)
{
    const char *accept = http_header(req, "Accept");
    const char *ct = http_header(req, "Content-Type");
    const char *xrw = http_header(req, "X-Requested-With");
    return (accept != NULL && strstr(accept, "json") != NULL) ||
           (ct != NULL && strstr(ct, "json") != NULL) ||
           (xrw != NULL && strcasecmp(xrw, "XMLHttpRequest") == 0);
}

/* 204 for a JSON client, else 302 to the dashboard's home. */
static void reply_done(struct request *req)
{
    if (wants_json(req)) {
        http_reply_json(req, 204, NULL);
        return;
    }
    http_reply_header(req, "Location", "/");
    http_reply_json(req, 302, NULL);
}

/* Laravel's JSON time: "2026-12-05T22:33:13.000000Z", or null. */
static json_t *laravel_time(int64_t t)
{
    char out[40];
    if (t == 0 || !time_laravel(t, out))
        return json_null();
    return json_string(out);
}

static json_t *strlist_json(const struct strlist *l)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, json_string(l->items[i]));
    return arr;
}

/* ---- GET /sanctum/csrf-cookie ---- */

/* The request's session (a new guest one when it has none) with the
 * plaintext of both cookies. */
static int session_cookies_for(struct server *srv, struct request *req, const struct principal *p,
                               struct session_cookies *ck)
{
    if (p != NULL && p->has_session) {
        struct session s = p->session;
        int rc = session_refresh_csrf(srv, &s, http_cookie(req, SESSION_COOKIE),
                                      http_cookie(req, SESSION_CSRF_COOKIE), ck);
        if (rc != ERR_NOT_FOUND)
            return rc;
        /* It ended meanwhile (a logout elsewhere): a new one. */
    }
    const char *ua = http_header(req, "User-Agent");
    struct session s;
    return session_start_guest(srv, http_client_ip(req),
                               ua != NULL && strlen(ua) <= USER_AGENT_MAX_KEEP ? ua : NULL, &s, ck);
}

/* session_cookies_for, then both cookies on the reply; false when it
 * replied with the failure. */
static bool give_cookies(struct server *srv, struct request *req, const struct principal *p,
                         struct session_cookies *ck)
{
    int rc = session_cookies_for(srv, req, p, ck);
    if (rc != 0) {
        surface_fail(&surface_wedocod_web, req, rc);
        return false;
    }
    set_cookies(srv, req, ck, srv->cfg.session_lifetime_s);
    return true;
}

static void csrf_cookie_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct session_cookies ck;
    if (give_cookies(srv, req, p, &ck))
        http_reply_json(req, 204, NULL);
}

/* ---- POST /login ---- */

struct login_job {
    struct login l; /* first: login_verify gets the job as its struct login */
    bool has_session;
    struct session current;
    const char *csrf;
    const char *throttle_key;
};

/* The throttle's answer (429 with Retry-After) if the key is locked out. */
static bool login_locked(struct server *srv, struct request *req, const char *key)
{
    const struct rate_rule *rule = config_rate(&srv->cfg, LOGIN_BUCKET);
    struct rate_result res;
    if (rule == NULL)
        return false;
    ratelimit_peek(srv->limiter, rule->name, key, rule->limit, rule->window_s, time_now(), &res);
    if (res.allowed)
        return false;
    ratelimit_refused(srv->limiter, rule->name);
    char v[24];
    snprintf(v, sizeof(v), "%u", res.retry_after);
    http_reply_header(req, "Retry-After", v);
    const char *msg =
        arena_printf(http_arena(req), "Too many login attempts. Please try again in %u seconds.",
                     res.retry_after);
    http_reply_json(req, 429,
                    json_pack("{s:s, s:{s:[s]}}", "message", msg, "errors", "email", msg));
    return true;
}

static void login_failed(struct server *srv, struct request *req, const char *key)
{
    const struct rate_rule *rule = config_rate(&srv->cfg, LOGIN_BUCKET);
    struct rate_result res;
    if (rule != NULL)
        ratelimit_hit(srv->limiter, rule->name, key, rule->limit, rule->window_s, time_now(), &res);
    validate_reply_field(&surface_wedocod_web, req, "email", BAD_CREDENTIALS);
}

static void login_resume(struct request *req, void *arg)
{
    struct login_job *j = arg;
    struct server *srv = j->l.srv;
    struct principal p;
    int rc = login_check(&j->l, http_arena(req), &p);
    if (rc == 0) {
        ratelimit_clear(srv->limiter, LOGIN_BUCKET, j->throttle_key);
        struct session s;
        struct session_cookies ck;
        const char *ua = http_header(req, "User-Agent");
        rc = session_login(srv, j->has_session ? &j->current : NULL, j->csrf, &p,
                           http_client_ip(req),
                           ua != NULL && strlen(ua) <= USER_AGENT_MAX_KEEP ? ua : NULL, &s, &ck);
        if (rc == 0) {
            login_succeeded(&j->l, &p, "session");
            set_cookies(srv, req, &ck, srv->cfg.session_lifetime_s);
            reply_done(req);
        }
    }
    login_fini(&j->l);
    if (rc == ERR_UNAUTHENTICATED)
        login_failed(srv, req, j->throttle_key);
    else if (rc == ERR_FORBIDDEN)
        laravel_error(req, HERR_FORBIDDEN, refusal_message(p.refusal));
    else if (rc != 0)
        surface_fail(&surface_wedocod_web, req, rc);
}

static void login_handler(struct server *srv, struct request *req, const struct principal *guest)
{
    struct validator v;
    validator_init(&v, req);
    /* Breeze's LoginRequest: email required|string|email, password
     * required|string; tenant (ours) optional, a slug. */
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX_BYTES);
    const char *tenant = validate_string(&v, req, "tenant", 0, 255);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_web, req, &v);
        return;
    }
    struct arena *a = http_arena(req);
    struct login_job *j = arena_alloc(a, sizeof(*j));
    memset(j, 0, sizeof(*j));
    char addr[RATELIMIT_ADDR_MAX];
    ratelimit_addr_key(http_client_ip(req), addr);
    j->throttle_key = arena_printf(a, "%s|%s", user_email_fold(a, email), addr);
    if (login_locked(srv, req, j->throttle_key))
        return;
    j->has_session = guest != NULL && guest->has_session;
    if (j->has_session)
        j->current = guest->session;
    j->csrf = surface_csrf_token(req);
    int rc = login_begin(srv, a, &j->l, email, password, NULL, tenant, http_client_ip(req));
    if (rc == 0)
        rc = http_defer(req, login_verify, login_resume, &j->l);
    if (rc != 0) {
        login_fini(&j->l);
        surface_login_fail(&surface_wedocod_web, req, rc, j->l.retry_after);
    }
}

/* ---- POST /logout ---- */

static void logout_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int rc = session_logout(srv, &p->session, http_client_ip(req));
    if (rc != 0) {
        surface_fail(&surface_wedocod_web, req, rc);
        return;
    }
    set_cookies(srv, req, NULL, 0);
    /* Always 204, as Breeze's API stack answers (the contract's too). */
    http_reply_json(req, 204, NULL);
}

/* ---- password reset ---- */

static void reply_status(struct request *req, const char *status)
{
    http_reply_json(req, 200, json_pack("{s:s}", "status", status));
}

static void forgot_handler(struct server *srv, struct request *req, const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, req);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_web, req, &v);
        return;
    }
    reset_request(srv, email, http_client_ip(req), RESET_USERS);
    reply_status(req, RESET_SENT);
}

static void reset_resume(struct request *req, void *arg)
{
    struct reset_completion *c = arg;
    int rc = reset_finish(c, http_client_ip(req));
    reset_fini(c);
    if (rc == ERR_INVALID)
        validate_reply_field(&surface_wedocod_web, req, "email", RESET_INVALID);
    else if (rc != 0)
        surface_fail(&surface_wedocod_web, req, rc);
    else
        reply_status(req, RESET_DONE);
}

/* POST /reset-password: with a token, the new password (Breeze's
 * NewPasswordController); without, the link by email. */
static void reset_handler(struct server *srv, struct request *req, const struct principal *p)
{
    json_t *token_field = json_object_get(http_json(req), "token");
    if (token_field == NULL || json_is_null(token_field)) {
        forgot_handler(srv, req, p);
        return;
    }
    struct validator v;
    validator_init(&v, req);
    const char *token = validate_string(&v, req, "token", V_REQUIRED, 255);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    const char *password = validate_new_password(&v, req, "password", PASSWORD_MIN, PASSWORD_MAX);
    validate_password_policy(&v, srv, "password", password, email, NULL);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_web, req, &v);
        return;
    }
    struct reset_completion *c = arena_alloc(http_arena(req), sizeof(*c));
    int rc = reset_begin(srv, http_arena(req), c, token, email, password);
    if (rc == 0)
        rc = http_defer(req, reset_work, reset_resume, c);
    if (rc != 0)
        reset_fini(c);
    if (rc == ERR_INVALID)
        validate_reply_field(&surface_wedocod_web, req, "email", RESET_INVALID);
    else if (rc != 0)
        surface_fail(&surface_wedocod_web, req, rc);
}

/* ---- GET /api/user ---- */

static json_t *tenants_json(struct server *srv, struct request *req, int64_t user_id, int *rc)
{
    struct org_row *orgs = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    *rc = user_orgs(srv, http_arena(req), user_id, &orgs, &n);
    for (size_t i = 0; *rc == 0 && i < n; i++) {
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)orgs[i].tenant.id,
                                        "slug", orgs[i].tenant.slug, "name", orgs[i].tenant.name,
                                        "role", orgs[i].role.slug));
    }
    return arr;
}

static void user_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int rc;
    json_t *tenants = tenants_json(srv, req, p->user.id, &rc);
    struct role staff;
    int src = rc == 0 ? staff_role_of(srv, http_arena(req), p->user.id, &staff) : rc;
    if (rc != 0 || (src != 0 && src != ERR_NOT_FOUND)) {
        json_decref(tenants);
        surface_fail(&surface_wedocod_web, req, rc != 0 ? rc : src);
        return;
    }
    json_t *body = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p->user.id, "name", p->user.name,
                             "email", p->user.email);
    if (p->has_tenant) {
        json_object_set_new(body, "tenant",
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p->tenant.id, "slug",
                                      p->tenant.slug, "name", p->tenant.name));
        json_object_set_new(body, "role",
                            json_pack("{s:s, s:s}", "slug", p->role.slug, "name", p->role.name));
        json_object_set_new(body, "permissions", strlist_json(&p->role.permissions));
    } else {
        json_object_set_new(body, "tenant", json_null());
        json_object_set_new(body, "role", json_null());
        json_object_set_new(body, "permissions", json_array());
    }
    json_object_set_new(body, "tenants", tenants);
    json_object_set_new(body, "staff", src == 0 ? json_string(staff.slug) : json_null());
    http_reply_json(req, 200, body);
}

/* ---- PUT /current-team ---- */

/* The tenant switcher (Jetstream's CurrentTeamController): team_id is a
 * tenant id of GET /api/user's tenants. Refused alike whether the tenant
 * does not exist or the user may not act in it. */
static void current_team_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    int64_t id = 0;
    validate_integer(&v, req, "team_id", V_REQUIRED, &id);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_web, req, &v);
        return;
    }
    int rc = session_switch_tenant(srv, http_arena(req), p, id, http_client_ip(req));
    if (rc == ERR_FORBIDDEN)
        laravel_error(req, HERR_FORBIDDEN, NULL);
    else if (rc == ERR_NOT_FOUND)
        laravel_error(req, HERR_UNAUTHENTICATED, NULL);
    else if (rc != 0)
        surface_fail(&surface_wedocod_web, req, rc);
    else if (wants_json(req))
        http_reply_json(req, 204, NULL);
    else {
        http_reply_header(req, "Location", "/dashboard");
        http_reply_json(req, 303, NULL);
    }
}

/* ---- API keys ---- */

static json_t *key_json(const struct token *t)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)t->id, "name",
                     t->name, "abilities", strlist_json(&t->abilities), "scopes",
                     strlist_json(&t->abilities), "last_used_at", laravel_time(t->last_used_at),
                     "expires_at", laravel_time(t->expires_at), "created_at",
                     laravel_time(t->created_at));
}

static void keys_list_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct token *keys = NULL;
    size_t n = 0;
    int rc = apikey_list(srv, http_arena(req), p, &keys, &n);
    if (rc != 0) {
        surface_fail(&surface_wedocod_web, req, rc);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, key_json(&keys[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "data", data));
}

/* abilities (or its alias scopes): a non-empty array of strings. */
static void read_abilities(struct validator *v, struct request *req, struct strlist *out)
{
    json_t *body = http_json(req);
    json_t *arr = json_object_get(body, "abilities");
    if (arr == NULL || json_is_null(arr))
        arr = json_object_get(body, "scopes");
    *out = (struct strlist){0};
    if (arr == NULL || json_is_null(arr) || (json_is_array(arr) && json_array_size(arr) == 0)) {
        validate_add(v, "abilities", "The abilities field is required.");
        return;
    }
    if (!json_is_array(arr)) {
        validate_add(v, "abilities", "The abilities field must be an array.");
        return;
    }
    size_t n = json_array_size(arr);
    if (n > APIKEY_MAX_ABILITIES) {
        validate_add(v, "abilities", "The abilities field must not have more than 64 items.");
        return;
    }
    const char **items = arena_alloc(http_arena(req), n * sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        items[i] = json_string_value(json_array_get(arr, i));
        if (items[i] == NULL || strlen(items[i]) > 255) {
            validate_add(v, "abilities", "The selected abilities is invalid.");
            return;
        }
    }
    *out = (struct strlist){.items = items, .n = n};
}

/* expires_at: absent or null, else a date (ISO 8601 or Y-m-d). */
static int64_t read_expiry(struct validator *v, struct request *req)
{
    json_t *f = json_object_get(http_json(req), "expires_at");
    const char *s = json_string_value(f);
    int64_t t = 0;
    if (f == NULL || json_is_null(f) || (s != NULL && s[0] == '\0'))
        return 0;
    if (s == NULL || strlen(s) > 40 || !time_parse(s, &t) || t <= 0) {
        validate_add(v, "expires_at", "The expires at field must be a valid date.");
        return 0;
    }
    return t;
}

static void generate_failed(struct request *req, enum apikey_refusal why, const char *scope)
{
    const char *field = "abilities", *msg = "The selected abilities is invalid.";
    if (why == APIKEY_SCOPE_DENIED)
        msg = arena_printf(http_arena(req), "Your role does not allow the scope %s.", scope);
    else if (why == APIKEY_EXPIRES_PAST) {
        field = "expires_at";
        msg = "The expires at field must be a date after now.";
    }
    validate_reply_field(&surface_wedocod_web, req, field, msg);
}

static void keys_generate_handler(struct server *srv, struct request *req,
                                  const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    struct apikey_request rq = {.ip = http_client_ip(req)};
    rq.name = validate_string(&v, req, "name", V_REQUIRED, 255);
    read_abilities(&v, req, &rq.abilities);
    rq.expires_at = read_expiry(&v, req);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_web, req, &v);
        return;
    }
    struct token t;
    char *plaintext = NULL;
    enum apikey_refusal why;
    const char *scope;
    int rc = apikey_generate(srv, http_arena(req), p, &rq, &t, &plaintext, &why, &scope);
    if (rc == ERR_INVALID) {
        generate_failed(req, why, scope);
        return;
    }
    if (rc != 0) {
        surface_fail(&surface_wedocod_web, req, rc);
        return;
    }
    t.created_at = t.created_at != 0 ? t.created_at : time_now();
    http_no_store(req);
    http_reply_json(req, 201,
                    json_pack("{s:s, s:s, s:o}", "token", plaintext, "plainTextToken", plaintext,
                              "accessToken", key_json(&t)));
}

/* A key id as the path gives it: 1 to 18 digits, no leading zero. */
static bool key_id(const char *s, int64_t *out)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > KEY_ID_MAX_DIGITS || s[0] == '0' || strspn(s, "0123456789") != n)
        return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

static void keys_delete_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id;
    int rc = key_id(http_param(req, "token"), &id)
                 ? apikey_revoke(srv, http_arena(req), p, id, http_client_ip(req))
                 : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        laravel_error(req, HERR_NOT_FOUND, KEY_NOT_FOUND);
    else if (rc != 0)
        surface_fail(&surface_wedocod_web, req, rc);
    else
        http_reply_json(req, 204, NULL);
}

static const struct route routes[] = {
    {HTTP_GET, "/sanctum/csrf-cookie", csrf_cookie_handler, AUTH_PUBLIC_SESSION, NULL, NULL, 0},
    {HTTP_POST, "/login", login_handler, AUTH_PUBLIC_SESSION, NULL, NULL, 0},
    {HTTP_POST, "/logout", logout_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_POST, "/reset-password", reset_handler, AUTH_PUBLIC_SESSION, NULL, "web_password", 0},
    {HTTP_POST, "/forgot-password", forgot_handler, AUTH_PUBLIC_SESSION, NULL, "web_password", 0},
    {HTTP_GET, "/api/user", user_handler, AUTH_SESSION_OR_PAT, NULL, NULL, 0},
    {HTTP_PUT, "/current-team", current_team_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_GET, "/settings/api-keys", keys_list_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_POST, "/settings/api-keys/generate", keys_generate_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_DELETE, "/settings/api-keys/{token}/delete", keys_delete_handler, AUTH_SESSION, NULL,
     NULL, 0},
};

const struct surface surface_wedocod_web = {
    .name = "wedocod_web",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
