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
#include "surfaces/travel.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/jsonw.h"
#include "util/numfmt.h"
#include "util/timeutil.h"

/* Room for a typical profile (about 650 bytes) in one allocation. */
#define PROFILE_SIZE_HINT 1000

/* The seed's money string for the decimal text v[0..n): exact, rounded
 * half away from zero to two decimals; "0.00" when it is not a decimal. */
static void money_text(const char *v, size_t n, char out[NUM_MONEY_SIZE])
{
    if (num_money2(v, n, out) == 0)
        memcpy(out, "0.00", 5);
}

/* A money amount as the seed shows it, from the member key of the user's
 * attributes (attrs, parsed from text): a string's value, or a number's
 * exact text in the stored JSON (jansson would give a double); else
 * "0.00". */
static json_t *money(json_t *attrs, const char *text, const char *key)
{
    char out[NUM_MONEY_SIZE] = "0.00";
    json_t *v = json_object_get(attrs, key);
    const char *raw;
    size_t n;
    if (json_is_string(v))
        money_text(json_string_value(v), json_string_length(v), out);
    else if (json_is_number(v) && json_member_text(text, strlen(text), key, &raw, &n))
        money_text(raw, n, out);
    return json_string(out);
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

json_t *travel_profile_json(const struct principal *p)
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
                        money(attrs, u->attributes, "vacation_pool_balance"));
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

/* ---- the profile without jansson (GET /auth/user, the hot path) ---- */

/* The two product fields of the attributes, as travel_profile_json reads them. */
struct product_fields {
    char balance[NUM_MONEY_SIZE];
    long long redeems;
};

/* A canonical integer (json_canonical_object: at most 18 digits, so no
 * overflow), as strtoll reads it. */
static long long parse_int(const char *v, size_t n)
{
    bool neg = v[0] == '-';
    long long r = 0;
    for (size_t i = neg ? 1 : 0; i < n; i++)
        r = r * 10 + (v[i] - '0');
    return neg ? -r : r;
}

static void product_member(const char *key, size_t klen, const char *v, size_t vlen, void *ctx)
{
    struct product_fields *pf = ctx;
    bool is_str = v[0] == '"';
    bool is_int = v[0] == '-' || (v[0] >= '0' && v[0] <= '9');
    if (klen == 21 && memcmp(key, "vacation_pool_balance", 21) == 0) {
        /* money(): a string's value or an integer's text (canonical
         * objects hold no reals), else 0. */
        if (is_str)
            money_text(v + 1, vlen - 2, pf->balance);
        else if (is_int)
            money_text(v, vlen, pf->balance);
        else
            memcpy(pf->balance, "0.00", 5);
    } else if (klen == 23 && memcmp(key, "hotel_card_redeems_left", 23) == 0) {
        pf->redeems = is_int ? parse_int(v, vlen) : 0;
    }
}

static void write_time(struct jw *w, int64_t t)
{
    if (t == 0) {
        jw_null(w);
        return;
    }
    char buf[32];
    time_iso8601(t, buf);
    jw_str(w, buf);
}

bool travel_profile_write(const struct principal *p, struct buf *b)
{
    const struct user *u = &p->user;
    struct product_fields pf = {.balance = "0.00"};
    const char *prefs = u->preferences != NULL ? u->preferences : "{}";
    size_t prefs_len = strlen(prefs);
    if (u->attributes != NULL &&
        !json_canonical_object(u->attributes, strlen(u->attributes), product_member, &pf))
        return false;
    if (!json_canonical_object(prefs, prefs_len, NULL, NULL))
        return false;
    struct jw w;
    jw_init(&w, b);
    jw_obj_begin(&w);
    JW_KEY(&w, "id");
    jw_int(&w, u->id);
    JW_KEY(&w, "name");
    jw_str(&w, u->name);
    JW_KEY(&w, "email");
    jw_str(&w, u->email);
    JW_KEY(&w, "phone");
    jw_str_or_null(&w, u->phone);
    JW_KEY(&w, "avatar");
    jw_str_or_null(&w, u->avatar);
    JW_KEY(&w, "status");
    jw_str(&w, user_status_str(u->status));
    JW_KEY(&w, "tenant_id");
    if (p->has_tenant)
        jw_int(&w, p->tenant.id);
    else
        jw_null(&w);
    JW_KEY(&w, "vacation_pool_balance");
    jw_str(&w, pf.balance);
    JW_KEY(&w, "hotel_card_redeems_left");
    jw_int(&w, pf.redeems);
    JW_KEY(&w, "preferences");
    jw_raw(&w, prefs, prefs_len);
    JW_KEY(&w, "email_verified_at");
    write_time(&w, u->email_verified_at);
    JW_KEY(&w, "last_login_at");
    write_time(&w, u->last_login_at);
    if (p->has_tenant) {
        const struct tenant *t = &p->tenant;
        JW_KEY(&w, "role");
        jw_obj_begin(&w);
        JW_KEY(&w, "id");
        jw_int(&w, p->role.id);
        JW_KEY(&w, "name");
        jw_str(&w, p->role.name);
        JW_KEY(&w, "slug");
        jw_str(&w, p->role.slug);
        jw_obj_end(&w);
        JW_KEY(&w, "permissions");
        jw_strlist(&w, &p->role.permissions);
        JW_KEY(&w, "tenant");
        jw_obj_begin(&w);
        JW_KEY(&w, "id");
        jw_int(&w, t->id);
        JW_KEY(&w, "name");
        jw_str(&w, t->name);
        JW_KEY(&w, "slug");
        jw_str(&w, t->slug);
        JW_KEY(&w, "domain");
        jw_str_or_null(&w, t->domain);
        JW_KEY(&w, "default_currency");
        jw_str(&w, t->default_currency);
        JW_KEY(&w, "enabled_products");
        jw_strlist(&w, &t->enabled_products);
        jw_obj_end(&w);
    } else {
        JW_KEY(&w, "role");
        jw_null(&w);
        JW_KEY(&w, "permissions");
        jw_arr_begin(&w);
        jw_arr_end(&w);
        JW_KEY(&w, "tenant");
        jw_null(&w);
    }
    jw_obj_end(&w);
    return w.ok;
}

static void token_resume(struct request *req, void *arg)
{
    struct login *l = arg;
    struct principal p;
    char *plaintext = NULL;
    int rc = login_finish(l, http_arena(req), &p, &plaintext);
    login_fini(l);
    if (rc == ERR_UNAUTHENTICATED) {
        validate_reply_field(&surface_travel, req, "email",
                             "The provided credentials are incorrect.");
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
    http_no_store(req);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:o}", "access_token", plaintext, "token_type", "Bearer",
                              "user", travel_profile_json(&p)));
}

static void token_issue_handler(struct server *srv, struct request *req,
                                const struct principal *unused)
{
    (void)unused;
    struct validator v;
    validator_init(&v, req);
    /* Laravel: email required|string|email|max:255, password
     * required|string (with a hard byte limit), device_name
     * required|string|max:255 (Sanctum's name column). */
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, 255);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX_BYTES);
    const char *device = validate_string(&v, req, "device_name", V_REQUIRED, 255);
    if (validate_failed(&v)) {
        validate_reply(&surface_travel, req, &v);
        return;
    }
    struct login *l = arena_alloc(http_arena(req), sizeof(*l));
    const char *tenant;
    int rc = principal_tenant_hint(srv, http_arena(req), http_header(req, "X-Tenant"),
                                   http_host(req), &tenant);
    if (rc == 0)
        rc = login_begin(srv, http_arena(req), l, email, password, device, tenant,
                         http_client_ip(req));
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
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, PROFILE_SIZE_HINT);
    if (travel_profile_write(p, &b)) {
        size_t len = b.len;
        http_reply_json_text(req, 200, buf_steal(&b), len);
        return;
    }
    buf_fini(&b);
    http_reply_json(req, 200, travel_profile_json(p));
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
    /* Laravel's api group: throttle:api, 60 a minute per user. */
    {HTTP_GET, "/api/v1/auth/user", user_handler, AUTH_BEARER_PAT, NULL, "travel", 0},
    {HTTP_GET, "/api/v1/auth/profile", user_handler, AUTH_BEARER_PAT, NULL, "travel", 0},
    {HTTP_POST, "/api/v1/auth/revoke", revoke_handler, AUTH_BEARER_PAT, NULL, "travel", 0},
};

const struct surface surface_travel = {
    .name = "travel",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
