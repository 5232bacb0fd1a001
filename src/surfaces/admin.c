/*
 * admin.c - seed 001, the platform's admin API (staff only).
 *
 *   POST  /admin/auth/login            email, password -> user + 24 h admin token
 *   POST  /admin/auth/refresh          a new token; the presented one dies at once
 *   GET   /admin/auth/me               the signed-in staff member
 *   POST  /admin/auth/forgot-password  email -> the same answer for every address
 *   POST  /admin/auth/reset-password   token, email, password, password_confirmation
 *   POST  /admin/auth/logout           revokes the presented token
 *   GET   /admin/reset-password        the HTML form the emailed link opens
 *   GET   /admin/users, /admin/users/{id}; POST /admin/users;
 *   PATCH /admin/users/{id}; DELETE /admin/users/{id}
 *   GET   /admin/tenants, /admin/tenants/{id}; PATCH /admin/tenants/{id}
 *   GET   /admin/roles, /admin/audit-logs
 *   GET   /admin/settings; PATCH /admin/settings  runtime settings (issue 14)
 *   POST  /admin/users/{id}/api-token  a user's WNCMS API token (rotation)
 *
 * Dialect: {"success":true,"data":{...}} (a "message" may follow), and
 * {"success":false,"message":"..."} for errors, plus "errors" on 422.
 * Every route but login, the password pair and the form needs an admin
 * token (AUTH_BEARER_ADMIN) and its staff permission; all but refresh and
 * logout (which are about the token) also take a staff member's dashboard
 * session instead (AUTH_STAFF, CSRF-checked: the staff console). Password hashing
 * runs on the worker pool (http_defer), never on an HTTP thread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/admin.h"
#include "core/apitoken.h"
#include "core/audit.h"
#include "core/login.h"
#include "core/reset.h"
#include "core/settings.h"
#include "core/staff.h"
#include "core/tenant.h"
#include "core/token.h"
#include "core/user.h"
#include "server.h"
#include "surfaces/admin.h"
#include "surfaces/dispatch.h"
#include "surfaces/page.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define NAME_MAX_CHARS   100
#define NEW_PASSWORD_MIN 8
#define NEW_PASSWORD_MAX 255
#define PER_PAGE_DEFAULT 15
#define PER_PAGE_MAX     100
#define PAGE_MAX         1000000
#define FORGOT_MESSAGE                                                                             \
    "If an account with that email address exists, we have emailed a password reset link."

/* ---- the dialect ---- */

static const char *default_message(enum http_error kind)
{
    switch (kind) {
    case HERR_BAD_REQUEST: return "Malformed JSON body.";
    case HERR_UNAUTHENTICATED: return "Unauthenticated.";
    case HERR_FORBIDDEN: return "You do not have permission to perform this action.";
    case HERR_NOT_FOUND: return "Not found.";
    case HERR_METHOD: return "Method Not Allowed.";
    case HERR_TOO_LARGE: return "Payload Too Large.";
    case HERR_CSRF: return "CSRF token mismatch.";
    case HERR_RATE_LIMITED: return "Too Many Attempts.";
    case HERR_UNAVAILABLE: return "Service Unavailable.";
    default: return "Server Error";
    }
}

void admin_error(struct request *req, enum http_error kind, const char *message)
{
    http_reply_json(req, http_error_status(kind),
                    json_pack("{s:b, s:s}", "success", 0, "message",
                              message != NULL ? message : default_message(kind)));
}

/* 200 (or status) {"success":true,"data":data} (data stolen). */
static void reply_ok(struct request *req, unsigned status, json_t *data, const char *message)
{
    json_t *body = json_pack("{s:b, s:o}", "success", 1, "data", data);
    if (message != NULL)
        json_object_set_new(body, "message", json_string(message));
    http_reply_json(req, status, body);
}

/* 422 with the validator's errors (struct surface .validation): the
 * seed's envelope around Laravel's message and errors. */
void admin_validation(struct request *req, const struct validator *v)
{
    http_reply_json(req, 422,
                    json_pack("{s:b, s:s, s:o}", "success", 0, "message", validate_message(v),
                              "errors", validate_errors(v)));
}

static void reply_invalid(struct request *req, const struct validator *v)
{
    validate_reply(&surface_admin, req, v);
}

static void reply_invalid_one(struct request *req, const char *field, const char *message)
{
    validate_reply_field(&surface_admin, req, field, message);
}

static void fail(struct request *req, int err)
{
    surface_fail(&surface_admin, req, err);
}

/* ---- JSON shapes ---- */

/* "2025-02-13T10:00:00Z", the seed's form, or null for 0. */
static json_t *time_z(int64_t t)
{
    if (t == 0)
        return json_null();
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* first_name and last_name, from their columns or else split from name at
 * the first space (a user created with a single "name"). */
static void names_of(struct arena *a, const struct user *u, const char **first, const char **last)
{
    *first = u->first_name;
    *last = u->last_name;
    if (*first != NULL && (*first)[0] != '\0')
        return;
    const char *sp = strchr(u->name, ' ');
    if (sp == NULL) {
        *first = u->name;
        return;
    }
    *first = arena_strndup(a, u->name, (size_t)(sp - u->name));
    while (*sp == ' ')
        sp++;
    if (*last == NULL && *sp != '\0')
        *last = sp;
}

/* The seed's user: {id, first_name, last_name, email, role{id,name,permissions}}. */
static json_t *staff_user_json(struct request *req, const struct user *u, const struct role *r)
{
    const char *first, *last;
    names_of(http_arena(req), u, &first, &last);
    return json_pack("{s:I, s:s, s:o, s:s, s:{s:I, s:s, s:o}}", "id", (json_int_t)u->id,
                     "first_name", first, "last_name", json_str_or_null(last), "email", u->email,
                     "role", "id", (json_int_t)r->id, "name", r->name, "permissions",
                     json_strlist(&r->permissions));
}

static json_t *token_json(const char *plaintext, const struct token *t)
{
    return json_pack("{s:s, s:s, s:o}", "access_token", plaintext, "token_type", "Bearer",
                     "expires_at", time_z(t->expires_at));
}

/* A user as the admin endpoints list it. */
static json_t *user_json(struct request *req, const struct user *u, const struct role *staff)
{
    const char *first, *last;
    names_of(http_arena(req), u, &first, &last);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "first_name", json_string(first));
    json_object_set_new(o, "last_name", json_str_or_null(last));
    json_object_set_new(o, "email", json_string(u->email));
    json_object_set_new(o, "phone", json_str_or_null(u->phone));
    json_object_set_new(o, "status", json_string(user_status_str(u->status)));
    json_object_set_new(o, "is_super_admin", json_boolean(u->is_super_admin));
    json_object_set_new(o, "staff_role",
                        staff != NULL ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)staff->id,
                                                  "name", staff->name, "slug", staff->slug)
                                      : json_null());
    json_object_set_new(o, "email_verified_at", time_z(u->email_verified_at));
    json_object_set_new(o, "last_login_at", time_z(u->last_login_at));
    json_object_set_new(o, "created_at", time_z(u->created_at));
    json_object_set_new(o, "updated_at", time_z(u->updated_at));
    return o;
}

static json_t *tenant_json(const struct tenant *t, int64_t member_count)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:I, s:o}", "id", (json_int_t)t->id,
                     "slug", t->slug, "name", t->name, "domain", json_str_or_null(t->domain),
                     "default_currency", t->default_currency, "enabled_products",
                     json_strlist(&t->enabled_products), "status", tenant_status_str(t->status),
                     "member_count", (json_int_t)member_count, "created_at", time_z(t->created_at));
}

static json_t *meta_json(size_t page, size_t per_page, int64_t total)
{
    int64_t last = total > 0 ? (total + (int64_t)per_page - 1) / (int64_t)per_page : 1;
    return json_pack("{s:I, s:I, s:I, s:I}", "current_page", (json_int_t)page, "per_page",
                     (json_int_t)per_page, "total", (json_int_t)total, "last_page",
                     (json_int_t)last);
}

/* ---- query parameters ---- */

/* A positive decimal id; 0 if s is not one. */
static int64_t parse_id(const char *s)
{
    if (s == NULL || *s == '\0' || *s == '0' || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* An optional positive integer query parameter within [min, max]. */
static size_t query_uint(struct validator *v, struct request *req, const char *name, size_t def,
                         size_t min, size_t max)
{
    const char *s = http_query(req, name);
    if (s == NULL || *s == '\0')
        return def;
    int64_t n = parse_id(s);
    if (n <= 0 || (size_t)n < min || (size_t)n > max) {
        const char *label = strcmp(name, "per_page") == 0 ? "per page" : name;
        validate_add(v, name,
                     arena_printf(http_arena(req),
                                  "The %s field must be an integer between %zu "
                                  "and %zu.",
                                  label, min, max));
        return def;
    }
    return (size_t)n;
}

/* page and per_page: returns the page and sets the rows' limit and offset. */
static size_t query_page(struct validator *v, struct request *req, size_t *limit, size_t *offset)
{
    size_t page = query_uint(v, req, "page", 1, 1, PAGE_MAX);
    *limit = query_uint(v, req, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX);
    *offset = (page - 1) * *limit;
    return page;
}

static int64_t query_id(struct validator *v, struct request *req, const char *name)
{
    const char *s = http_query(req, name);
    if (s == NULL || *s == '\0')
        return 0;
    int64_t id = parse_id(s);
    if (id == 0) {
        char *label = arena_strdup(http_arena(req), name);
        for (char *p = label; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        validate_add(v, name,
                     arena_printf(http_arena(req), "The %s field must be an integer.", label));
    }
    return id;
}

/* A query parameter that must be one of the NULL-terminated choices. */
static const char *query_enum(struct validator *v, struct request *req, const char *name,
                              const char *const *choices)
{
    const char *s = http_query(req, name);
    if (s == NULL || *s == '\0')
        return NULL;
    for (const char *const *c = choices; *c != NULL; c++) {
        if (strcmp(s, *c) == 0)
            return *c;
    }
    validate_add(v, name, arena_printf(http_arena(req), "The selected %s is invalid.", name));
    return NULL;
}

static const char *query_search(struct validator *v, struct request *req)
{
    const char *s = http_query(req, "search");
    if (s == NULL || *s == '\0')
        return NULL;
    if (strlen(s) > 255) {
        validate_add(v, "search", "The search field must not be greater than 255 characters.");
        return NULL;
    }
    return s;
}

static int64_t query_time(struct validator *v, struct request *req, const char *name)
{
    const char *s = http_query(req, name);
    int64_t t = 0;
    if (s == NULL || *s == '\0')
        return 0;
    if (strlen(s) > 40 || !time_parse(s, &t) || t <= 0) {
        validate_add(v, name,
                     arena_printf(http_arena(req),
                                  "The %s field must be a valid date (ISO 8601 or Unix seconds).",
                                  name));
        return 0;
    }
    return t;
}

/* ---- password fields ---- */

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A new password: required, 8..255 characters; confirmed when
 * confirm_required or when password_confirmation is present. */
static const char *new_password(struct validator *v, struct request *req, bool confirm_required)
{
    const char *pw = validate_string(v, req, "password", V_REQUIRED | V_NO_TRIM, NEW_PASSWORD_MAX);
    if (pw == NULL)
        return NULL;
    if (utf8_len(pw) < NEW_PASSWORD_MIN) {
        validate_add(v, "password", "The password field must be at least 8 characters.");
        return NULL;
    }
    json_t *c = json_object_get(http_json(req), "password_confirmation");
    if ((confirm_required || (c != NULL && !json_is_null(c))) &&
        (!json_is_string(c) || strcmp(json_string_value(c), pw) != 0)) {
        validate_add(v, "password", "The password field confirmation does not match.");
        return NULL;
    }
    return pw;
}

/* A password hashed on the worker pool, then a resume callback. */
struct hash_job {
    struct server *srv;
    char *password; /* owned, wiped */
    char hash[PASSWORD_HASH_MAX];
    int rc;
    int64_t user_id;             /* reset: whose password */
    struct password_reset reset; /* reset: the checked token */
    struct admin_user_create create;
    const struct principal *actor;
};

static void hash_run(void *arg)
{
    struct hash_job *j = arg;
    j->rc = password_hash(&j->srv->pw, j->password, j->hash);
}

static void hash_job_fini(struct hash_job *j)
{
    if (j->password != NULL) {
        secure_wipe(j->password, strlen(j->password));
        free(j->password);
        j->password = NULL;
    }
    secure_wipe(j->hash, sizeof(j->hash));
}

/* Starts the hash of password; resume replies. Replies itself on failure. */
static void hash_then(struct server *srv, struct request *req, struct hash_job *j,
                      const char *password, http_resume_fn resume)
{
    j->srv = srv;
    j->password = xstrdup(password);
    int rc = http_defer(req, hash_run, resume, j);
    if (rc != 0) {
        hash_job_fini(j);
        fail(req, rc);
    }
}

/* ---- auth ---- */

static void login_resume(struct request *req, void *arg)
{
    struct login *l = arg;
    struct principal p;
    char *plaintext = NULL;
    int rc = staff_login_finish(l, http_arena(req), &p, &plaintext);
    login_fini(l);
    if (rc == ERR_UNAUTHENTICATED) {
        admin_error(req, HERR_UNAUTHENTICATED, "Invalid credentials.");
        return;
    }
    if (rc == ERR_FORBIDDEN) {
        admin_error(req, HERR_FORBIDDEN, refusal_message(p.refusal));
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    http_no_store(req);
    reply_ok(req, 200,
             json_pack("{s:o, s:o}", "user", staff_user_json(req, &p.user, &p.role), "token",
                       token_json(plaintext, &p.token)),
             NULL);
}

static void login_handler(struct server *srv, struct request *req, const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, req);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX_BYTES);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct login *l = arena_alloc(http_arena(req), sizeof(*l));
    int rc = login_begin(srv, http_arena(req), l, email, password, STAFF_TOKEN_NAME, NULL,
                         http_client_ip(req));
    if (rc == 0)
        rc = http_defer(req, login_verify, login_resume, l);
    if (rc != 0) {
        login_fini(l);
        surface_login_fail(&surface_admin, req, rc, l->retry_after);
    }
}

static void refresh_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct token t;
    char *plaintext = NULL;
    int rc = staff_token_refresh(srv, http_arena(req), p, http_client_ip(req), &t, &plaintext);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    http_no_store(req);
    reply_ok(req, 200, json_pack("{s:o}", "token", token_json(plaintext, &t)), NULL);
}

static void me_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    reply_ok(req, 200, json_pack("{s:o}", "user", staff_user_json(req, &p->user, &p->role)), NULL);
}

static void logout_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int rc = token_revoke(srv, p->token.id, p->user.id, http_client_ip(req));
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        fail(req, rc);
        return;
    }
    reply_ok(req, 200, json_object(), "Successfully logged out.");
}

static void forgot_handler(struct server *srv, struct request *req, const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, req);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    reset_request(srv, email, http_client_ip(req), RESET_STAFF);
    reply_ok(req, 200, json_object(), FORGOT_MESSAGE);
}

static void reset_resume(struct request *req, void *arg)
{
    struct hash_job *j = arg;
    int rc = j->rc;
    if (rc == 0)
        rc = reset_complete(j->srv, &j->reset, j->user_id, j->hash, http_client_ip(req));
    hash_job_fini(j);
    if (rc == ERR_INVALID) {
        reply_invalid_one(req, "email", "This password reset token is invalid.");
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    reply_ok(req, 200, json_object(), "Your password has been reset.");
}

static void reset_handler(struct server *srv, struct request *req, const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, req);
    const char *token = validate_string(&v, req, "token", V_REQUIRED, 255);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    const char *password = new_password(&v, req, true);
    validate_password_policy(&v, srv, "password", password, email, NULL);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct hash_job *j = arena_alloc(http_arena(req), sizeof(*j));
    struct user u;
    int rc = reset_check(srv, http_arena(req), token, email, &j->reset, &u);
    if (rc == ERR_INVALID) {
        reply_invalid_one(req, "email", "This password reset token is invalid.");
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    j->user_id = u.id;
    hash_then(srv, req, j, password, reset_resume);
}

/* The page the emailed link opens: a plain form (no script) that posts
 * the token and email with the new password to reset-password. */
static void reset_page_handler(struct server *srv, struct request *req,
                               const struct principal *unused)
{
    (void)srv;
    (void)unused;
    page_reset_form(req, "/admin/auth/reset-password", http_query(req, "token"),
                    http_query(req, "email"), NULL);
}

/* ---- users ---- */

static const char *const user_statuses[] = {"active", "inactive", "suspended", NULL};
static const char *const tenant_statuses[] = {"active", "suspended", NULL};

static void users_list_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct arena *a = http_arena(req);
    struct validator v;
    validator_init(&v, req);
    struct user_filter f = {
        .search = query_search(&v, req),
        .status = query_enum(&v, req, "status", user_statuses),
        .tenant_id = query_id(&v, req, "tenant_id"),
    };
    size_t page = query_page(&v, req, &f.limit, &f.offset);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct user *users = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct staff_roster staff;
    int rc = admin_user_search(srv, a, &f, &users, &n, &total);
    if (rc == 0)
        rc = staff_roster_load(srv, a, &staff);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              user_json(req, &users[i], staff_roster_role(&staff, users[i].id)));
    reply_ok(req, 200,
             json_pack("{s:o, s:o}", "users", list, "meta", meta_json(page, f.limit, total)), NULL);
}

/* The user with their staff role and memberships (tenant, role, status). */
static int user_detail(struct server *srv, struct request *req, const struct user *u, json_t **out)
{
    struct arena *a = http_arena(req);
    struct role staff_role;
    int rc = staff_role_of(srv, a, u->id, &staff_role);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    json_t *o = user_json(req, u, rc == 0 ? &staff_role : NULL);
    struct admin_membership *ms = NULL;
    size_t n = 0;
    rc = admin_user_memberships(srv, a, u->id, &ms, &n);
    json_t *list = json_array();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct tenant *t = &ms[i].tenant;
        const struct role *r = &ms[i].role;
        json_array_append_new(
            list, json_pack("{s:{s:I, s:s, s:s, s:s}, s:o, s:s, s:o}", "tenant", "id",
                            (json_int_t)t->id, "slug", t->slug, "name", t->name, "status",
                            tenant_status_str(t->status), "role",
                            r->id != 0 ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r->id,
                                                   "name", r->name, "slug", r->slug)
                                       : json_null(),
                            "status", member_status_str(ms[i].membership.status), "joined_at",
                            time_z(ms[i].membership.joined_at)));
    }
    json_object_set_new(o, "memberships", list);
    if (rc != 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* The {id} of the route, or replies 404 with not_found (the resource's
 * own message, the same as for an id that does not exist) and returns 0. */
static int64_t path_id(struct request *req, const char *not_found)
{
    int64_t id = parse_id(http_param(req, "id"));
    if (id == 0)
        admin_error(req, HERR_NOT_FOUND, not_found);
    return id;
}

static void reply_user(struct server *srv, struct request *req, unsigned status,
                       const struct user *u, const char *message)
{
    json_t *o = NULL;
    int rc = user_detail(srv, req, u, &o);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    reply_ok(req, status, json_pack("{s:o}", "user", o), message);
}

/* The user of the route's {id} into *u, or false with the 404 (or the
 * store's error) sent. */
static bool path_user(struct server *srv, struct request *req, struct user *u)
{
    int64_t id = path_id(req, "User not found.");
    if (id == 0)
        return false;
    int rc = user_find_id(srv, http_arena(req), id, u);
    if (rc == ERR_NOT_FOUND)
        admin_error(req, HERR_NOT_FOUND, "User not found.");
    else if (rc != 0)
        fail(req, rc);
    return rc == 0;
}

static void users_show_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct user u;
    if (path_user(srv, req, &u))
        reply_user(srv, req, 200, &u, NULL);
}

static void users_create_resume(struct request *req, void *arg)
{
    struct hash_job *j = arg;
    struct user u;
    int rc = j->rc;
    j->create.password_hash = j->hash;
    if (rc == 0)
        rc = admin_user_create(j->srv, http_arena(req), j->actor, &j->create, http_client_ip(req),
                               &u);
    struct server *srv = j->srv;
    hash_job_fini(j);
    if (rc == ERR_CONFLICT) {
        reply_invalid_one(req, "email", "The email has already been taken.");
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    reply_user(srv, req, 201, &u, "User created.");
}

static void users_create_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    struct hash_job *j = arena_alloc(http_arena(req), sizeof(*j));
    j->actor = p;
    j->create.first_name = validate_string(&v, req, "first_name", V_REQUIRED, NAME_MAX_CHARS);
    j->create.last_name = validate_string(&v, req, "last_name", 0, NAME_MAX_CHARS);
    j->create.email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, USER_EMAIL_MAX);
    const char *password = new_password(&v, req, false);
    validate_password_policy(&v, srv, "password", password, j->create.email, j->create.first_name);
    const char *status = validate_string(&v, req, "status", 0, 16);
    if (status != NULL && !user_status_parse(status, &j->create.status))
        validate_add(&v, "status", "The selected status is invalid.");
    struct user existing;
    if (j->create.email != NULL &&
        user_find_email(srv, http_arena(req), j->create.email, &existing) == 0)
        validate_add(&v, "email", "The email has already been taken.");
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    hash_then(srv, req, j, password, users_create_resume);
}

#define STAFF_ABOVE_ACTOR                                                                          \
    "You cannot manage a staff member whose role has permissions you do not have."

/* Replies for admin_user_update / admin_user_delete failures. */
static void user_change_failed(struct request *req, int rc)
{
    if (rc == ERR_NOT_FOUND)
        admin_error(req, HERR_NOT_FOUND, "User not found.");
    else if (rc == ERR_FORBIDDEN)
        admin_error(req, HERR_FORBIDDEN, STAFF_ABOVE_ACTOR);
    else if (rc == ERR_CONFLICT)
        reply_invalid_one(req, "status", "You cannot suspend, deactivate or delete yourself.");
    else
        fail(req, rc);
}

static void users_update_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id = path_id(req, "User not found.");
    if (id == 0)
        return;
    struct validator v;
    validator_init(&v, req);
    struct admin_user_update up = {
        .first_name = validate_string(&v, req, "first_name", 0, NAME_MAX_CHARS),
        .last_name = validate_string(&v, req, "last_name", 0, NAME_MAX_CHARS),
    };
    const char *status = validate_string(&v, req, "status", 0, 16);
    if (status != NULL) {
        up.set_status = user_status_parse(status, &up.status);
        if (!up.set_status)
            validate_add(&v, "status", "The selected status is invalid.");
    }
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct user u;
    int rc = admin_user_update(srv, http_arena(req), p, id, &up, http_client_ip(req), &u);
    if (rc != 0) {
        user_change_failed(req, rc);
        return;
    }
    reply_user(srv, req, 200, &u, "User updated.");
}

static void users_delete_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id = path_id(req, "User not found.");
    if (id == 0)
        return;
    int rc = admin_user_delete(srv, http_arena(req), p, id, http_client_ip(req));
    if (rc != 0) {
        user_change_failed(req, rc);
        return;
    }
    reply_ok(req, 200, json_object(), "User deleted.");
}

/* ---- tenants ---- */

static void tenants_list_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct validator v;
    validator_init(&v, req);
    struct tenant_filter f = {
        .search = query_search(&v, req),
        .status = query_enum(&v, req, "status", tenant_statuses),
    };
    size_t page = query_page(&v, req, &f.limit, &f.offset);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct tenant_summary *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = admin_tenant_search(srv, http_arena(req), &f, &rows, &n, &total);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, tenant_json(&rows[i].tenant, rows[i].member_count));
    reply_ok(req, 200,
             json_pack("{s:o, s:o}", "tenants", list, "meta", meta_json(page, f.limit, total)),
             NULL);
}

static void reply_tenant(struct server *srv, struct request *req, int64_t id, const char *message)
{
    struct tenant_summary t;
    int rc = admin_tenant_find(srv, http_arena(req), id, &t);
    if (rc == ERR_NOT_FOUND) {
        admin_error(req, HERR_NOT_FOUND, "Tenant not found.");
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    reply_ok(req, 200, json_pack("{s:o}", "tenant", tenant_json(&t.tenant, t.member_count)),
             message);
}

static void tenants_show_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    int64_t id = path_id(req, "Tenant not found.");
    if (id != 0)
        reply_tenant(srv, req, id, NULL);
}

static void tenants_update_handler(struct server *srv, struct request *req,
                                   const struct principal *p)
{
    int64_t id = path_id(req, "Tenant not found.");
    if (id == 0)
        return;
    struct validator v;
    validator_init(&v, req);
    const char *status = validate_string(&v, req, "status", V_REQUIRED, 16);
    enum tenant_status st = TENANT_ACTIVE;
    if (status != NULL && !tenant_status_parse(status, &st))
        validate_add(&v, "status", "The selected status is invalid.");
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    int rc = admin_tenant_set_status(srv, p, id, st, http_client_ip(req));
    if (rc == ERR_NOT_FOUND) {
        admin_error(req, HERR_NOT_FOUND, "Tenant not found.");
        return;
    }
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    reply_tenant(srv, req, id, st == TENANT_ACTIVE ? "Tenant reactivated." : "Tenant suspended.");
}

/* ---- roles and audit ---- */

static void roles_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct staff_roster staff;
    int rc = staff_roster_load(srv, http_arena(req), &staff);
    const struct role *roles = staff.roles;
    json_t *list = json_array();
    for (size_t i = 0; rc == 0 && i < staff.n_roles; i++) {
        int64_t count = staff_roster_count(&staff, roles[i].id);
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:o, s:I}", "id", (json_int_t)roles[i].id, "name",
                            roles[i].name, "slug", roles[i].slug, "permissions",
                            json_strlist(&roles[i].permissions), "staff_count", (json_int_t)count));
    }
    if (rc != 0) {
        json_decref(list);
        fail(req, rc);
        return;
    }
    reply_ok(req, 200, json_pack("{s:o}", "roles", list), NULL);
}

static json_t *id_or_null(int64_t id)
{
    return id != 0 ? json_integer(id) : json_null();
}

static json_t *audit_json(const struct audit_entry *e)
{
    json_t *detail = e->detail != NULL ? json_loads(e->detail, 0, NULL) : NULL;
    return json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)e->id, "at",
                     time_z(e->at), "action", e->action, "user_id", id_or_null(e->user_id),
                     "tenant_id", id_or_null(e->tenant_id), "ip", json_str_or_null(e->ip), "detail",
                     detail != NULL ? detail : json_null());
}

static void audit_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct validator v;
    validator_init(&v, req);
    struct audit_filter f = {
        .user_id = query_id(&v, req, "user_id"),
        .tenant_id = query_id(&v, req, "tenant_id"),
        .from = query_time(&v, req, "from"),
        .to = query_time(&v, req, "to"),
    };
    if (f.user_id == 0)
        f.user_id = query_id(&v, req, "actor_id");
    const char *action = http_query(req, "action");
    if (action != NULL && *action != '\0') {
        size_t len = strlen(action);
        if (len > 64) {
            validate_add(&v, "action", "The action field must not be greater than 64 characters.");
        } else if (action[len - 1] == '*') {
            f.action = arena_strndup(http_arena(req), action, len - 1);
            f.action_prefix = true;
        } else {
            f.action = action;
        }
    }
    size_t page = query_page(&v, req, &f.limit, &f.offset);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    struct audit_entry *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = audit_search(srv, http_arena(req), &f, &rows, &n, &total);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, audit_json(&rows[i]));
    reply_ok(req, 200,
             json_pack("{s:o, s:o}", "audit_logs", list, "meta", meta_json(page, f.limit, total)),
             NULL);
}

/* ---- the route table ---- */

#define PUB   AUTH_PUBLIC
#define ADMIN AUTH_BEARER_ADMIN
#define STAFF AUTH_STAFF

/* ---- runtime settings and the API token (issue 14) ---- */

/* The tenant a settings request names (field of the body, else the
 * query): *id 0 for none. False with a 404 sent for an unknown slug. */
static bool settings_scope(struct server *srv, struct request *req, const char *slug, int64_t *id)
{
    *id = 0;
    if (slug == NULL || slug[0] == '\0')
        return true;
    struct tenant t;
    int rc = tenant_find_slug(srv, http_arena(req), slug, &t);
    if (rc == ERR_NOT_FOUND)
        admin_error(req, HERR_NOT_FOUND, "Tenant not found.");
    else if (rc != 0)
        fail(req, rc);
    *id = t.id;
    return rc == 0;
}

static void reply_settings(struct server *srv, struct request *req, const char *slug,
                           int64_t tenant_id, const char *message)
{
    static const char *const types[] = {"boolean", "auth_mode", "role"};
    struct setting_view *v;
    size_t n = settings_view(srv->settings, http_arena(req), tenant_id, &v);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:s,s:s,s:s}", "key", v[i].def->key, "value", v[i].value,
                            "source", setting_source_str(v[i].source), "type",
                            types[v[i].def->type], "default", v[i].def->fallback));
    reply_ok(req, 200,
             json_pack("{s:o,s:o}", "tenant", slug != NULL ? json_string(slug) : json_null(),
                       "settings", list),
             message);
}

static void settings_list_handler(struct server *srv, struct request *req,
                                  const struct principal *p)
{
    (void)p;
    const char *slug = http_query(req, "tenant");
    int64_t tenant_id;
    if (settings_scope(srv, req, slug, &tenant_id))
        reply_settings(srv, req, tenant_id != 0 ? slug : NULL, tenant_id, NULL);
}

/* A value of the PATCH body as text: a string, true/false, or NULL for
 * null (unset); *ok false for any other JSON type. */
static const char *setting_text(json_t *v, bool *ok)
{
    *ok = true;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    *ok = json_is_null(v);
    return NULL;
}

static void settings_update_handler(struct server *srv, struct request *req,
                                    const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    const char *slug = validate_string(&v, req, "tenant", 0, 255);
    json_t *changes = json_object_get(http_json(req), "settings");
    if (!json_is_object(changes) || json_object_size(changes) == 0)
        validate_add(&v, "settings", "The settings field must be an object of key: value.");
    const char *key;
    json_t *val;
    json_object_foreach(changes, key, val)
    {
        bool ok;
        const char *text = setting_text(val, &ok);
        const struct setting_def *def = setting_def_find(key);
        char canon[SETTING_VALUE_MAX + 1];
        const char *field = arena_printf(http_arena(req), "settings.%s", key);
        if (def == NULL)
            validate_add(&v, field, "The setting is unknown.");
        else if (!ok || (text != NULL && setting_canonical(def, text, canon) != 0))
            validate_add(&v, field, "The value is invalid for this setting.");
    }
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    int64_t tenant_id;
    if (!settings_scope(srv, req, slug, &tenant_id))
        return;
    json_object_foreach(changes, key, val)
    {
        bool ok;
        int rc = settings_set(srv, tenant_id, key, setting_text(val, &ok), p->user.id,
                              http_client_ip(req));
        if (rc != 0) {
            fail(req, rc);
            return;
        }
    }
    reply_settings(srv, req, slug, tenant_id, "Settings updated.");
}

static void api_token_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct user u;
    if (!path_user(srv, req, &u))
        return;
    struct validator v;
    validator_init(&v, req);
    const char *slug = validate_string(&v, req, "tenant", 0, 255);
    if (validate_failed(&v)) {
        reply_invalid(req, &v);
        return;
    }
    int64_t tenant_id = 0;
    if (!settings_scope(srv, req, slug, &tenant_id))
        return;
    int rc = admin_may_act_on(srv, http_arena(req), p, u.id);
    if (rc != 0) {
        user_change_failed(req, rc);
        return;
    }
    struct membership m;
    if (tenant_id != 0 && member_get(srv, u.id, tenant_id, &m) != 0) {
        reply_invalid_one(req, "tenant", "The user is not a member of this tenant.");
        return;
    }
    char *plaintext = NULL;
    rc = apitoken_rotate(srv, http_arena(req), u.id, tenant_id, http_client_ip(req), &plaintext);
    if (rc != 0) {
        fail(req, rc);
        return;
    }
    http_no_store(req);
    reply_ok(req, 201, json_pack("{s:s}", "api_token", plaintext),
             "API token generated; the previous one is revoked.");
}

static const struct route routes[] = {
    {HTTP_POST, "/admin/auth/login", login_handler, PUB, NULL, "admin_login", 0},
    {HTTP_POST, "/admin/auth/refresh", refresh_handler, ADMIN, NULL, "admin", 0},
    {HTTP_GET, "/admin/auth/me", me_handler, STAFF, NULL, "admin", 0},
    {HTTP_POST, "/admin/auth/forgot-password", forgot_handler, PUB, NULL, "admin_password", 0},
    {HTTP_POST, "/admin/auth/reset-password", reset_handler, PUB, NULL, "admin_password", 0},
    {HTTP_POST, "/admin/auth/logout", logout_handler, ADMIN, NULL, "admin", 0},
    {HTTP_GET, "/admin/reset-password", reset_page_handler, PUB, NULL, NULL, 0},
    {HTTP_GET, "/admin/users", users_list_handler, STAFF, "users:list", "admin", 0},
    {HTTP_POST, "/admin/users", users_create_handler, STAFF, "users:create", "admin", 0},
    {HTTP_GET, "/admin/users/{id}", users_show_handler, STAFF, "users:list", "admin", 0},
    {HTTP_PATCH, "/admin/users/{id}", users_update_handler, STAFF, "users:update", "admin", 0},
    {HTTP_DELETE, "/admin/users/{id}", users_delete_handler, STAFF, "users:delete", "admin", 0},
    {HTTP_GET, "/admin/tenants", tenants_list_handler, STAFF, "tenants:list", "admin", 0},
    {HTTP_GET, "/admin/tenants/{id}", tenants_show_handler, STAFF, "tenants:list", "admin", 0},
    {HTTP_PATCH, "/admin/tenants/{id}", tenants_update_handler, STAFF, "tenants:update", "admin",
     0},
    {HTTP_GET, "/admin/roles", roles_handler, STAFF, "roles:list", "admin", 0},
    {HTTP_GET, "/admin/audit-logs", audit_handler, STAFF, "audit:list", "admin", 0},
    {HTTP_GET, "/admin/settings", settings_list_handler, STAFF, "settings:list", "admin", 0},
    {HTTP_PATCH, "/admin/settings", settings_update_handler, STAFF, "settings:manage", "admin", 0},
    {HTTP_POST, "/admin/users/{id}/api-token", api_token_handler, STAFF, "users:update", "admin",
     0},
};

const struct surface surface_admin = {
    .name = "admin",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = admin_error,
    .validation = admin_validation,
    .prefix = "/admin",
};
