/*
 * travel.c - seed 004, the travel agency platform (Sanctum tokens).
 *
 *   POST /api/v1/auth/token     email, password, device_name -> token + profile
 *   GET  /api/v1/auth/user      the profile (alias: /api/v1/auth/profile)
 *   POST /api/v1/auth/revoke    revokes the presented token -> {"ok":true}
 *
 * Dialect: Laravel's {"message": ...}; 422 validation bodies. Wrong email
 * and wrong password give the same 422; refusals after a correct password
 * (inactive, suspended, foreign X-Tenant) are 403 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/login.h"
#include "core/token.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonutil.h"

/* A money amount as the seed shows it: a string with two decimals. */
static json_t *money(json_t *v)
{
    double d = 0;
    if (json_is_number(v))
        d = json_number_value(v);
    else if (json_is_string(v))
        d = strtod(json_string_value(v), NULL);
    char buf[64];
    snprintf(buf, sizeof(buf), "%.2f", d);
    return json_string(buf);
}

static json_t *object_or_empty(const char *text)
{
    json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

static json_t *tenant_json(const struct tenant *t)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o}", "id", (json_int_t)t->id, "name", t->name,
                     "slug", t->slug, "domain", json_str_or_null(t->domain), "default_currency",
                     t->default_currency, "enabled_products", json_strlist(&t->enabled_products));
}

/* The profile of seed 004's example, keys in the seed's order. */
static json_t *profile_json(const struct principal *p)
{
    const struct user *u = &p->user;
    json_t *attrs = object_or_empty(u->attributes);
    json_t *redeems = json_object_get(attrs, "hotel_card_redeems_left");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "email", json_string(u->email));
    json_object_set_new(o, "phone", json_str_or_null(u->phone));
    json_object_set_new(o, "avatar", json_str_or_null(u->avatar));
    json_object_set_new(o, "status", json_string(user_status_str(u->status)));
    json_object_set_new(o, "tenant_id", p->has_tenant ? json_integer(p->tenant.id) : json_null());
    json_object_set_new(o, "vacation_pool_balance",
                        money(json_object_get(attrs, "vacation_pool_balance")));
    json_object_set_new(o, "hotel_card_redeems_left",
                        json_integer(json_is_integer(redeems) ? json_integer_value(redeems) : 0));
    json_object_set_new(o, "preferences", object_or_empty(u->preferences));
    json_object_set_new(o, "email_verified_at", json_time(u->email_verified_at));
    json_object_set_new(o, "last_login_at", json_time(u->last_login_at));
    if (p->has_tenant) {
        json_object_set_new(o, "role",
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p->role.id, "name",
                                      p->role.name, "slug", p->role.slug));
        json_object_set_new(o, "permissions", json_strlist(&p->role.permissions));
        json_object_set_new(o, "tenant", tenant_json(&p->tenant));
    } else {
        json_object_set_new(o, "role", json_null());
        json_object_set_new(o, "permissions", json_array());
        json_object_set_new(o, "tenant", json_null());
    }
    json_decref(attrs);
    return o;
}

static void token_resume(struct request *req, void *arg)
{
    struct login *l = arg;
    struct principal p;
    char *plaintext = NULL;
    int rc = login_finish(l, http_arena(req), &p, &plaintext);
    login_fini(l);
    if (rc == ERR_UNAUTHENTICATED) {
        http_reply_json(req, 422,
                        validate_single("email", "The provided credentials are incorrect."));
        return;
    }
    if (rc == ERR_FORBIDDEN) {
        laravel_error(req, HERR_FORBIDDEN, refusal_message(p.refusal));
        return;
    }
    if (rc != 0) {
        surface_fail(&surface_travel, req, rc);
        return;
    }
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:o}", "access_token", plaintext, "token_type", "Bearer",
                              "user", profile_json(&p)));
}

static void token_issue_handler(struct server *srv, struct request *req,
                                const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, http_json(req));
    const char *email = validate_string(&v, req, "email", V_REQUIRED, 255);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX_BYTES);
    const char *device = validate_string(&v, req, "device_name", V_REQUIRED, 255);
    if (validate_failed(&v)) {
        http_reply_json(req, 422, validate_body(&v));
        validator_fini(&v);
        return;
    }
    validator_fini(&v);
    struct login *l = arena_alloc(http_arena(req), sizeof(*l));
    int rc = login_begin(srv, http_arena(req), l, email, password, device,
                         http_header(req, "X-Tenant"), http_client_ip(req));
    if (rc == 0)
        rc = http_defer(req, login_verify, token_resume, l);
    if (rc != 0) {
        login_fini(l);
        surface_fail(&surface_travel, req, rc);
    }
}

static void user_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    http_reply_json(req, 200, profile_json(p));
}

static void revoke_handler(struct server *srv, struct request *req, const struct principal *p)
{
    int rc = token_revoke(srv, p->token.id, p->user.id, http_client_ip(req));
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        surface_fail(&surface_travel, req, rc);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static const struct route routes[] = {
    {HTTP_POST, "/api/v1/auth/token", token_issue_handler, AUTH_PUBLIC, NULL, "token", 0},
    {HTTP_GET, "/api/v1/auth/user", user_handler, AUTH_BEARER_PAT, NULL, NULL, 0},
    {HTTP_GET, "/api/v1/auth/profile", user_handler, AUTH_BEARER_PAT, NULL, NULL, 0},
    {HTTP_POST, "/api/v1/auth/revoke", revoke_handler, AUTH_BEARER_PAT, NULL, NULL, 0},
};

const struct surface surface_travel = {
    .name = "travel",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
