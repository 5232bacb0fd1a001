/*
 * wncms.c - seed 003, the WNCMS API: posts behind per-endpoint switches
 * and auth modes (AUTH_GATED routes, gate.c; settings in
 * wncms_product.c).
 *
 *   GET|POST /api/v1/posts                 index: page_size, page, keyword, status
 *   POST     /api/v1/posts/store           title, content, excerpt, status, slug
 *   POST     /api/v1/posts/update/{slug}   the same fields, each optional
 *   POST     /api/v1/posts/delete/{slug}
 *   GET|POST /api/v1/posts/{slug}          show
 *
 *   POST     /user/api-token                the session user's new API token (the
 *                                          dashboard: session and CSRF, Laravel's errors)
 *
 * Dialect: {"code":200,"status":"success","message":...,"data":...,
 * "extra":{}}; errors {"code":N,"status":"fail","message":...}; 422
 * {"code":422,"status":"fail","message":"Validation failed","data":
 * {"errors":{...}}}; and the seed's three bodies for the gate's refusals,
 * byte for byte. A site is a tenant of the product "wncms".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitoken.h"
#include "core/post.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"

#define PAGE_SIZE_DEFAULT 15
#define PAGE_SIZE_MAX     100
#define PAGE_MAX          1000000
#define TITLE_MAX         255
#define EXCERPT_MAX       1000
#define CONTENT_MAX       1000000
#define KEYWORD_MAX       255
#define BASIC_REALM       "Basic realm=\"WNCMS API\", charset=\"UTF-8\""

static const char *const statuses[] = {"published", "drafted", "trashed", NULL};

/* ---- the dialect ---- */

static void wncms_error(struct request *req, enum http_error kind, const char *message)
{
    unsigned status = http_error_status(kind);
    if (message == NULL) {
        switch (kind) {
        case HERR_NOT_FOUND: message = "Not found"; break;
        case HERR_RATE_LIMITED: message = "Too Many Attempts."; break;
        case HERR_BAD_REQUEST: message = "Bad request"; break;
        case HERR_METHOD: message = "Method not allowed"; break;
        case HERR_TOO_LARGE: message = "Payload too large"; break;
        case HERR_UNAVAILABLE: message = "Service unavailable"; break;
        case HERR_UNAUTHENTICATED: message = "Invalid token"; break;
        case HERR_FORBIDDEN: message = "Forbidden"; break;
        default: message = "Server error";
        }
    }
    http_reply_json(
        req, status,
        json_pack("{s:i,s:s,s:s}", "code", (int)status, "status", "fail", "message", message));
}

static void wncms_validation(struct request *req, const struct validator *v)
{
    http_reply_json(req, 422,
                    json_pack("{s:i,s:s,s:s,s:{s:o}}", "code", 422, "status", "fail", "message",
                              "Validation failed", "data", "errors", validate_errors(v)));
}

/* The seed's bodies: "Error Responses" of seed 003. */
static void wncms_gate_refusal(struct request *req, enum gate_refusal why)
{
    switch (why) {
    case GATE_DISABLED:
        http_reply_json(req, 403,
                        json_pack("{s:i,s:s}", "status", 403, "message", "API access is disabled"));
        return;
    case GATE_NO_SITE:
        http_reply_json(req, 404,
                        json_pack("{s:s,s:s}", "status", "fail", "message", "Site not found"));
        return;
    case GATE_BAD_BASIC:
        http_reply_header(req, "WWW-Authenticate", BASIC_REALM);
        http_reply_json(req, 401,
                        json_pack("{s:s,s:s}", "status", "fail", "message", "Invalid credentials"));
        return;
    case GATE_ROLE:
        http_reply_json(
            req, 403, json_pack("{s:s,s:s}", "status", "fail", "message", "Admin access required"));
        return;
    case GATE_BAD_TOKEN:
    default:
        /* 401, not WNCMS's 200: docs/decisions.md "WNCMS: Invalid token". */
        http_reply_json(req, 401,
                        json_pack("{s:s,s:s}", "status", "fail", "message", "Invalid token"));
        return;
    }
}

static void reply_ok(struct request *req, const char *message, json_t *data)
{
    http_reply_json(req, 200,
                    json_pack("{s:i,s:s,s:s,s:o,s:{}}", "code", 200, "status", "success", "message",
                              message, "data", data != NULL ? data : json_null(), "extra"));
}

static void reply_fail(struct request *req, unsigned status, const char *message)
{
    http_reply_json(
        req, status,
        json_pack("{s:i,s:s,s:s}", "code", (int)status, "status", "fail", "message", message));
}

/* ---- posts as JSON ---- */

/* Laravel's date serialisation: "2025-01-31T12:00:00.000000Z". */
static json_t *time_json(int64_t t)
{
    char buf[32], out[40];
    if (t == 0 || !time_iso8601_z(t, buf))
        return json_null();
    size_t n = strlen(buf);
    snprintf(out, sizeof(out), "%.*s.000000Z", (int)(n - 1), buf);
    return json_string(out);
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *post_json(const struct post *p)
{
    json_t *author = p->author_id != 0 ? json_pack("{s:I,s:o}", "id", (json_int_t)p->author_id,
                                                   "name", str_or_null(p->author_name))
                                       : json_null();
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o}", "id", (json_int_t)p->id, "title",
                     p->title, "slug", p->slug, "content", str_or_null(p->content), "excerpt",
                     str_or_null(p->excerpt), "status", p->status, "author", author, "created_at",
                     time_json(p->created_at), "updated_at", time_json(p->updated_at));
}

/* ---- parameters ---- */

/* An index parameter: the body's (JSON or form), else the query's. */
static bool in_body(struct request *req, const char *name)
{
    return json_object_get(http_json(req), name) != NULL;
}

static int64_t int_param(struct validator *v, struct request *req, const char *name, int64_t def,
                         int64_t max)
{
    int64_t n = def;
    if (in_body(req, name)) {
        if (!validate_integer(v, req, name, 0, &n))
            return def;
    } else {
        const char *q = http_query(req, name);
        if (q == NULL || q[0] == '\0')
            return def;
        char *end;
        long long x = strtoll(q, &end, 10);
        if (*end != '\0' || end - q > 18) {
            validate_add(v, name,
                         arena_printf(http_arena(req), "The %s field must be an integer.",
                                      validate_label(req, name)));
            return def;
        }
        n = x;
    }
    if (n < 1 || n > max) {
        validate_add(v, name,
                     arena_printf(http_arena(req), "The %s field must be between 1 and %lld.",
                                  validate_label(req, name), (long long)max));
        return def;
    }
    return n;
}

static const char *str_param(struct validator *v, struct request *req, const char *name, size_t max)
{
    if (in_body(req, name))
        return validate_string(v, req, name, 0, max);
    const char *q = http_query(req, name);
    if (q == NULL || q[0] == '\0')
        return NULL;
    if (strlen(q) > max) {
        validate_add(v, name,
                     arena_printf(http_arena(req),
                                  "The %s field must not be greater than %zu "
                                  "characters.",
                                  validate_label(req, name), max));
        return NULL;
    }
    return q;
}

static void check_status(struct validator *v, struct request *req, const char *status)
{
    for (size_t i = 0; status != NULL && statuses[i] != NULL; i++) {
        if (strcmp(status, statuses[i]) == 0)
            return;
    }
    if (status != NULL)
        validate_add(v, "status",
                     arena_printf(http_arena(req), "The selected %s is invalid.",
                                  validate_label(req, "status")));
}

/* A slug given by the client: 1..POST_SLUG_MAX bytes, no '/', no blanks. */
static void check_slug(struct validator *v, const char *slug)
{
    if (slug == NULL)
        return;
    for (const char *c = slug; *c; c++) {
        if (*c == '/' || *c == ' ' || *c == '\t' || *c == '?' || *c == '#') {
            validate_add(v, "slug", "The slug field format is invalid.");
            return;
        }
    }
}

/* ---- handlers ---- */

static void index_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    int64_t page_size = int_param(&v, req, "page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
    int64_t page = int_param(&v, req, "page", 1, PAGE_MAX);
    struct post_filter f = {
        .tenant_id = p->tenant.id,
        .keyword = str_param(&v, req, "keyword", KEYWORD_MAX),
        .status = str_param(&v, req, "status", 32),
        .limit = (size_t)page_size,
        .offset = (size_t)((page - 1) * page_size),
    };
    check_status(&v, req, f.status);
    if (validate_failed(&v)) {
        validate_reply(&surface_wncms, req, &v);
        return;
    }
    struct post *posts;
    size_t n;
    int64_t total;
    int rc = post_search(srv, http_arena(req), &f, &posts, &n, &total);
    if (rc != 0) {
        surface_fail(&surface_wncms, req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, post_json(&posts[i]));
    int64_t last = total > 0 ? (total + page_size - 1) / page_size : 1;
    json_t *data = json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:I,s:b}}", "data", list, "pagination",
                             "total", (json_int_t)total, "count", (json_int_t)n, "page_size",
                             (json_int_t)page_size, "current_page", (json_int_t)page, "last_page",
                             (json_int_t)last, "has_more", page < last);
    reply_ok(req, "Successfully fetched posts", data);
}

/* The post of the path's {slug} in the site, or a 404 already sent. */
static bool find_post(struct server *srv, struct request *req, const struct principal *p,
                      struct post *out)
{
    int rc = post_find(srv, http_arena(req), p->tenant.id, http_param(req, "slug"), out);
    if (rc == ERR_NOT_FOUND)
        reply_fail(req, 404, "Post not found");
    else if (rc != 0)
        surface_fail(&surface_wncms, req, rc);
    return rc == 0;
}

static void show_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct post post;
    if (find_post(srv, req, p, &post))
        reply_ok(req, "Successfully fetched post", post_json(&post));
}

/* Reads the writable fields into *post; title required when required. */
static void read_fields(struct validator *v, struct request *req, struct post *post, bool required)
{
    const char *title = validate_string(v, req, "title", required ? V_REQUIRED : 0, TITLE_MAX);
    if (!required && title == NULL && in_body(req, "title") && !validate_failed(v))
        validate_add(v, "title", "The title field is required.");
    const char *slug = validate_string(v, req, "slug", 0, POST_SLUG_MAX);
    check_slug(v, slug);
    const char *status = validate_string(v, req, "status", 0, 32);
    check_status(v, req, status);
    const char *content = validate_string(v, req, "content", V_NO_TRIM, CONTENT_MAX);
    const char *excerpt = validate_string(v, req, "excerpt", 0, EXCERPT_MAX);
    if (title != NULL)
        post->title = title;
    if (slug != NULL)
        post->slug = slug;
    if (status != NULL)
        post->status = status;
    if (content != NULL || in_body(req, "content"))
        post->content = content != NULL ? content : "";
    if (excerpt != NULL || in_body(req, "excerpt"))
        post->excerpt = excerpt;
}

static void saved(struct request *req, int rc, const struct post *post, const char *message)
{
    if (rc == ERR_CONFLICT) {
        struct validator v;
        validator_init(&v, req);
        validate_add(&v, "slug", "The slug has already been taken.");
        validate_reply(&surface_wncms, req, &v);
    } else if (rc != 0) {
        surface_fail(&surface_wncms, req, rc);
    } else {
        reply_ok(req, message, post_json(post));
    }
}

static void store_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    struct post post = {
        .tenant_id = p->tenant.id, .status = "published", .author_id = p->user.id, .content = ""};
    read_fields(&v, req, &post, true);
    if (validate_failed(&v)) {
        validate_reply(&surface_wncms, req, &v);
        return;
    }
    int rc = post_create(srv, http_arena(req), &post, http_client_ip(req));
    if (rc == 0)
        post.author_name = p->user.id != 0 ? p->user.name : NULL;
    saved(req, rc, &post, "Successfully created post");
}

static void update_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct post post;
    if (!find_post(srv, req, p, &post))
        return;
    struct validator v;
    validator_init(&v, req);
    read_fields(&v, req, &post, false);
    if (validate_failed(&v)) {
        validate_reply(&surface_wncms, req, &v);
        return;
    }
    int rc = post_update(srv, &post, http_client_ip(req));
    saved(req, rc, &post, "Successfully updated post");
}

static void delete_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct post post;
    if (!find_post(srv, req, p, &post))
        return;
    int rc = post_delete(srv, &post, p->user.id, http_client_ip(req));
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        surface_fail(&surface_wncms, req, rc);
        return;
    }
    reply_ok(req, "Successfully deleted post", NULL);
}

/* POST /user/api-token: the session's user, in the session's tenant. */
static void api_token_handler(struct server *srv, struct request *req, const struct principal *p)
{
    if (!p->has_tenant) {
        laravel_error(req, HERR_FORBIDDEN, refusal_message(REFUSE_NOT_MEMBER));
        return;
    }
    char *plaintext = NULL;
    int rc = apitoken_rotate(srv, http_arena(req), p->user.id, p->tenant.id, http_client_ip(req),
                             &plaintext);
    if (rc != 0) {
        surface_fail(&surface_wncms_dashboard, req, rc);
        return;
    }
    http_no_store(req);
    http_reply_json(req, 201,
                    json_pack("{s:s,s:s}", "api_token", plaintext, "tenant", p->tenant.slug));
}

#define G AUTH_GATED
static const struct route routes[] = {
    {HTTP_GET, "/api/v1/posts", index_handler, G, "wncms_api_posts_index", "wncms", 0},
    {HTTP_POST, "/api/v1/posts", index_handler, G, "wncms_api_posts_index", "wncms", 0},
    {HTTP_POST, "/api/v1/posts/store", store_handler, G, "wncms_api_posts_store", "wncms", 0},
    {HTTP_POST, "/api/v1/posts/update/{slug}", update_handler, G, "wncms_api_posts_update", "wncms",
     0},
    {HTTP_POST, "/api/v1/posts/delete/{slug}", delete_handler, G, "wncms_api_posts_delete", "wncms",
     0},
    {HTTP_GET, "/api/v1/posts/{slug}", show_handler, G, "wncms_api_posts_show", "wncms", 0},
    {HTTP_POST, "/api/v1/posts/{slug}", show_handler, G, "wncms_api_posts_show", "wncms", 0},
};
#undef G

static const struct route_gate gate = {.global = "wncms_api_enabled", .product = "wncms"};

const struct surface surface_wncms = {
    .name = "wncms",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = wncms_error,
    .validation = wncms_validation,
    .gate = &gate,
    .gate_refusal = wncms_gate_refusal,
};

/* The dashboard's route (Laravel's dialect, like the other session routes). */
static const struct route dashboard_routes[] = {
    {HTTP_POST, "/user/api-token", api_token_handler, AUTH_SESSION, NULL, NULL, 0},
};

const struct surface surface_wncms_dashboard = {
    .name = "wncms_dashboard",
    .routes = dashboard_routes,
    .n_routes = sizeof(dashboard_routes) / sizeof(dashboard_routes[0]),
    .error = laravel_error,
};
