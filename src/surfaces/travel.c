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

/* The two product fields of the user's attributes. */
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
        /* A string's value or an integer's text (canonical objects hold
         * no reals), else 0. */
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

/*
 * The product fields of attributes that are not in canonical form (spaces,
 * escapes, reals, a key twice), read as jansson reads them: the last of
 * duplicate keys; a balance from a string's value or from a number's exact
 * text in the stored JSON (jansson would give a double); the redeems only
 * from an integer. Anything that is not a JSON object reads as {}.
 */
static void product_fields_parsed(const char *text, struct product_fields *pf)
{
    json_t *attrs = json_loads(text, 0, NULL);
    json_t *v = json_object_get(attrs, "vacation_pool_balance");
    const char *raw;
    size_t n;
    if (json_is_string(v))
        money_text(json_string_value(v), json_string_length(v), pf->balance);
    else if (json_is_number(v) &&
             json_member_text(text, strlen(text), "vacation_pool_balance", &raw, &n))
        money_text(raw, n, pf->balance);
    json_t *redeems = json_object_get(attrs, "hotel_card_redeems_left");
    pf->redeems = json_is_integer(redeems) ? json_integer_value(redeems) : 0;
    json_decref(attrs);
}

/*
 * The preferences as the profile shows them, into w: the stored text when
 * it is already compact JSON as jansson writes it (the common case, copied
 * as it is); else what jansson reads from it, written back compact (a
 * stored document's own form, not the reply's: the same bytes either way);
 * {} when it is not a JSON object.
 */
static void write_preferences(struct jw *w, const char *text)
{
    if (text == NULL) {
        jw_raw(w, "{}", 2);
        return;
    }
    size_t n = strlen(text);
    if (json_canonical_object(text, n, NULL, NULL)) {
        jw_raw(w, text, n);
        return;
    }
    json_t *j = json_loads(text, 0, NULL);
    char *compact = json_is_object(j) ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (compact != NULL)
        jw_raw(w, compact, strlen(compact));
    else
        jw_raw(w, "{}", 2);
    free(compact);
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

static void write_tenant_part(struct jw *w, const struct principal *p)
{
    if (!p->has_tenant) {
        JW_KEY(w, "role");
        jw_null(w);
        JW_KEY(w, "permissions");
        jw_arr_begin(w);
        jw_arr_end(w);
        JW_KEY(w, "tenant");
        jw_null(w);
        return;
    }
    const struct tenant *t = &p->tenant;
    JW_KEY(w, "role");
    jw_obj_begin(w);
    JW_KEY(w, "id");
    jw_int(w, p->role.id);
    JW_KEY(w, "name");
    jw_str(w, p->role.name);
    JW_KEY(w, "slug");
    jw_str(w, p->role.slug);
    jw_obj_end(w);
    JW_KEY(w, "permissions");
    jw_strlist(w, &p->role.permissions);
    JW_KEY(w, "tenant");
    jw_obj_begin(w);
    JW_KEY(w, "id");
    jw_int(w, t->id);
    JW_KEY(w, "name");
    jw_str(w, t->name);
    JW_KEY(w, "slug");
    jw_str(w, t->slug);
    JW_KEY(w, "domain");
    jw_str_or_null(w, t->domain);
    JW_KEY(w, "default_currency");
    jw_str(w, t->default_currency);
    JW_KEY(w, "enabled_products");
    jw_strlist(w, &t->enabled_products);
    jw_obj_end(w);
}

/* The profile object, as travel.h describes it. */
static void write_profile(struct jw *w, const struct principal *p)
{
    const struct user *u = &p->user;
    struct product_fields pf = {.balance = "0.00"};
    if (u->attributes != NULL &&
        !json_canonical_object(u->attributes, strlen(u->attributes), product_member, &pf)) {
        pf = (struct product_fields){.balance = "0.00"};
        product_fields_parsed(u->attributes, &pf);
    }
    jw_obj_begin(w);
    JW_KEY(w, "id");
    jw_int(w, u->id);
    JW_KEY(w, "name");
    jw_str(w, u->name);
    JW_KEY(w, "email");
    jw_str(w, u->email);
    JW_KEY(w, "phone");
    jw_str_or_null(w, u->phone);
    JW_KEY(w, "avatar");
    jw_str_or_null(w, u->avatar);
    JW_KEY(w, "status");
    jw_str(w, user_status_str(u->status));
    JW_KEY(w, "tenant_id");
    if (p->has_tenant)
        jw_int(w, p->tenant.id);
    else
        jw_null(w);
    JW_KEY(w, "vacation_pool_balance");
    jw_str(w, pf.balance);
    JW_KEY(w, "hotel_card_redeems_left");
    jw_int(w, pf.redeems);
    JW_KEY(w, "preferences");
    write_preferences(w, u->preferences);
    JW_KEY(w, "email_verified_at");
    write_time(w, u->email_verified_at);
    JW_KEY(w, "last_login_at");
    write_time(w, u->last_login_at);
    write_tenant_part(w, p);
    jw_obj_end(w);
}

void travel_profile_write(const struct principal *p, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    write_profile(&w, p);
}

void travel_token_write(const char *token, const struct principal *p, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_obj_begin(&w);
    JW_KEY(&w, "access_token");
    jw_str(&w, token);
    JW_KEY(&w, "token_type");
    jw_str(&w, "Bearer");
    JW_KEY(&w, "user");
    write_profile(&w, p);
    jw_obj_end(&w);
}

/* 200 with the JSON text in b (stolen). */
static void reply_written(struct request *req, struct buf *b)
{
    size_t len = b->len;
    http_reply_json_text(req, 200, buf_steal(b), len);
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
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, PROFILE_SIZE_HINT);
    travel_token_write(plaintext, &p, &b);
    reply_written(req, &b);
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
        surface_login_fail(&surface_travel, req, rc, l->retry_after);
    }
}

static void user_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    struct buf b;
    buf_init(&b);
    buf_reserve(&b, PROFILE_SIZE_HINT);
    travel_profile_write(p, &b);
    reply_written(req, &b);
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
