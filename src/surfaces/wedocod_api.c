/*
 * wedocod_api.c - WedoCOD's REST API (seed 000): leads and orders under
 * /api/web/1.0/, Sanctum bearer tokens with the seed's scopes, Laravel's
 * dialect ({"message"}, 422 {"message","errors"}, LengthAwarePaginator).
 *
 *   GET    /leads          VIEW LEADS     paginated; per_page, page, status, search, account
 *   GET    /leads/{id}     VIEW LEADS     the lead
 *   POST   /leads          CREATE LEADS   201 the lead
 *   PATCH  /leads/{id}     UPDATE LEADS   the lead (PUT is the same)
 *   DELETE /leads/{id}     DELETE LEADS   204
 *   ... the same five for /orders with the ORDERS scopes.
 *
 * The route's permission is the scope: principal_can() is the role's
 * grant and the token's tokenCan(). Platform staff with accounts:read (the
 * surface's platform_permission), through a token without a tenant, read
 * every account (dispatch sets p->platform on GET routes); nobody else
 * ever sees another account's rows: core passes the tenant to every
 * statement, and another account's id answers 404 like an unknown one.
 *
 * Money is exact: minor units in the store, written as a JSON number with
 * two decimals (150.00) straight into the reply (util/jsonw), never
 * through a double.
 */
#include <string.h>

#include "core/commerce.h"
#include "http/http.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/paginate.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/jsonw.h"
#include "util/numfmt.h"
#include "util/timeutil.h"

#define PREFIX "/api/web/1.0"

/* Field limits (characters), README "WedoCOD REST API". */
#define NAME_MAX_CHARS    255
#define PHONE_MAX_CHARS   32
#define ADDRESS_MAX_CHARS 500
#define CITY_MAX_CHARS    100
#define PRODUCT_MAX_CHARS 255
#define NOTES_MAX_CHARS   2000
#define SEARCH_MAX_CHARS  255

/* The two resources: their route, scope wording and 404 message. */
struct resource {
    const char *route; /* "/leads" */
    const char *not_found;
};
static const struct resource leads_res = {"/leads", "Lead not found."};
static const struct resource orders_res = {"/orders", "Order not found."};

/* ---- writing ---- */

/* Laravel's ISO-8601 with microseconds: "2026-12-05T22:33:13.000000Z". */
static void jw_time(struct jw *w, int64_t t)
{
    char out[40];
    if (t == 0 || !time_laravel(t, out))
        jw_null(w);
    else
        jw_str(w, out);
}

/* Minor units as a JSON number with two decimals (15000 -> 150.00). */
static void jw_money(struct jw *w, int64_t minor)
{
    char i[NUM_INT_SIZE], f[NUM_INT_SIZE], out[2 * NUM_INT_SIZE + 2];
    num_int(minor / 100, i);
    num_int(100 + minor % 100, f); /* "1xx": the two digits after the 1 */
    size_t n = strlen(i);
    memcpy(out, i, n + 1);
    out[n] = '.';
    memcpy(out + n + 1, f + 1, 3); /* the two digits and the NUL */
    jw_raw(w, out, n + 3);
}

static void jw_opt_id(struct jw *w, int64_t id)
{
    if (id != 0)
        jw_int(w, id);
    else
        jw_null(w);
}

static void write_lead(struct jw *w, const struct lead *l)
{
    jw_obj_begin(w);
    JW_KEY(w, "id");
    jw_int(w, l->id);
    JW_KEY(w, "account_id");
    jw_int(w, l->tenant_id);
    JW_KEY(w, "customer_name");
    jw_str(w, l->customer_name);
    JW_KEY(w, "phone");
    jw_str(w, l->phone);
    JW_KEY(w, "address");
    jw_str_or_null(w, l->address);
    JW_KEY(w, "city");
    jw_str_or_null(w, l->city);
    JW_KEY(w, "product");
    jw_str_or_null(w, l->product);
    JW_KEY(w, "quantity");
    jw_int(w, l->quantity);
    JW_KEY(w, "price");
    jw_money(w, l->price_minor);
    JW_KEY(w, "status");
    jw_str(w, l->status);
    JW_KEY(w, "notes");
    jw_str_or_null(w, l->notes);
    JW_KEY(w, "created_at");
    jw_time(w, l->created_at);
    JW_KEY(w, "updated_at");
    jw_time(w, l->updated_at);
    jw_obj_end(w);
}

static void write_items(struct jw *w, const struct order *o)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < o->n_items; i++) {
        const struct order_item *it = &o->items[i];
        jw_obj_begin(w);
        JW_KEY(w, "id");
        jw_int(w, it->id);
        JW_KEY(w, "product");
        jw_str(w, it->product);
        JW_KEY(w, "quantity");
        jw_int(w, it->quantity);
        JW_KEY(w, "unit_price");
        jw_money(w, it->unit_price_minor);
        JW_KEY(w, "subtotal");
        jw_money(w, it->quantity * it->unit_price_minor);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_order(struct jw *w, const struct order *o)
{
    jw_obj_begin(w);
    JW_KEY(w, "id");
    jw_int(w, o->id);
    JW_KEY(w, "account_id");
    jw_int(w, o->tenant_id);
    JW_KEY(w, "lead_id");
    jw_opt_id(w, o->lead_id);
    JW_KEY(w, "customer_name");
    jw_str(w, o->customer_name);
    JW_KEY(w, "phone");
    jw_str(w, o->phone);
    JW_KEY(w, "address");
    jw_str_or_null(w, o->address);
    JW_KEY(w, "city");
    jw_str_or_null(w, o->city);
    JW_KEY(w, "items");
    write_items(w, o);
    JW_KEY(w, "total");
    jw_money(w, o->total_minor);
    JW_KEY(w, "currency");
    jw_str(w, o->currency);
    JW_KEY(w, "status");
    jw_str(w, o->status);
    JW_KEY(w, "notes");
    jw_str_or_null(w, o->notes);
    JW_KEY(w, "created_at");
    jw_time(w, o->created_at);
    JW_KEY(w, "updated_at");
    jw_time(w, o->updated_at);
    jw_obj_end(w);
}

typedef void (*row_writer)(struct jw *w, const void *row);

static void lead_writer(struct jw *w, const void *row)
{
    write_lead(w, row);
}

static void order_writer(struct jw *w, const void *row)
{
    write_order(w, row);
}

/* Replies status with one row written by write. */
static void reply_row(struct request *req, unsigned status, row_writer write, const void *row)
{
    struct buf b;
    struct jw w;
    buf_init(&b);
    jw_init(&w, &b);
    write(&w, row);
    size_t len = b.len;
    http_reply_json_text(req, status, buf_steal(&b), len);
}

/* ---- errors ---- */

/* A core failure: 404 in the resource's words, 422 for a broken rule. */
static void fail(struct request *req, const struct resource *res, int rc,
                 const struct commerce_why *why)
{
    if (rc == ERR_NOT_FOUND)
        laravel_error(req, HERR_NOT_FOUND, res->not_found);
    else if (rc == ERR_CONFLICT)
        http_reply_json(req, 409,
                        json_pack("{s:s}", "message",
                                  "The resource was changed by another request. Try again."));
    else if (rc == ERR_INVALID && why != NULL && why->field != NULL)
        validate_reply_field(&surface_wedocod_api, req, why->field, why->message);
    else
        surface_fail(&surface_wedocod_api, req, rc);
}

/* The request's scope; false after replying. */
static bool scope_of(struct server *srv, struct request *req, const struct principal *p, bool write,
                     struct commerce_scope *s)
{
    const char *account = write ? NULL : http_query(req, "account");
    int rc = commerce_scope(srv, http_arena(req), p, account, write, http_client_ip(req), s);
    if (rc == ERR_NOT_FOUND)
        validate_reply_field(&surface_wedocod_api, req, "account",
                             "The selected account is invalid.");
    else if (rc != 0)
        surface_fail(&surface_wedocod_api, req, rc);
    return rc == 0;
}

/* The {id} of a row route; false after replying 404 for a malformed one. */
static bool row_id(struct request *req, const struct resource *res, int64_t *id)
{
    *id = surface_path_id(req, "id");
    if (*id == 0)
        laravel_error(req, HERR_NOT_FOUND, res->not_found);
    return *id != 0;
}

/* ---- lists ---- */

/* The list's query (status, search, page, per_page); false after a 422. */
static bool read_query(struct server *srv, struct request *req, const struct resource *res,
                       const char *const *statuses, struct page *pg, struct commerce_query *q)
{
    if (!page_read(srv, &surface_wedocod_api, req,
                   arena_printf(http_arena(req), PREFIX "%s", res->route),
                   COMMERCE_PER_PAGE_DEFAULT, COMMERCE_PER_PAGE_MAX, pg))
        return false;
    *q = (struct commerce_query){.page = pg->current, .per_page = pg->per_page};
    const char *status = http_query(req, "status");
    if (status != NULL && status[0] != '\0') {
        for (size_t i = 0; statuses[i] != NULL && q->status == NULL; i++)
            if (strcmp(statuses[i], status) == 0)
                q->status = statuses[i];
        if (q->status == NULL) {
            validate_reply_field(&surface_wedocod_api, req, "status",
                                 "The selected status is invalid.");
            return false;
        }
    }
    const char *search = http_query(req, "search");
    size_t chars = 0;
    for (const char *c = search; c != NULL && *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (chars > SEARCH_MAX_CHARS) {
        validate_reply_field(&surface_wedocod_api, req, "search",
                             "The search field must not be greater than 255 characters.");
        return false;
    }
    q->search = search != NULL && search[0] != '\0' ? search : NULL;
    return true;
}

/* Replies the paginator of n rows of size bytes at rows. */
static void reply_page(struct request *req, struct page *pg, row_writer write, const void *rows,
                       size_t n, size_t size)
{
    struct buf b;
    struct jw w;
    buf_init(&b);
    jw_init(&w, &b);
    page_json_begin(&w, pg);
    jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        write(&w, (const char *)rows + i * size);
    jw_arr_end(&w);
    page_json_end(&w, req, pg, n);
    size_t len = b.len;
    http_reply_json_text(req, 200, buf_steal(&b), len);
}

static void leads_index(struct server *srv, struct request *req, const struct principal *p)
{
    struct page pg;
    struct commerce_query q;
    struct commerce_scope s;
    if (!read_query(srv, req, &leads_res, lead_statuses, &pg, &q) ||
        !scope_of(srv, req, p, false, &s))
        return;
    struct lead *rows = NULL;
    size_t n = 0;
    int rc = lead_list(srv, http_arena(req), &s, &q, &rows, &n, &pg.total);
    if (rc != 0) {
        fail(req, &leads_res, rc, NULL);
        return;
    }
    page_set_total(&pg, pg.total);
    reply_page(req, &pg, lead_writer, rows, n, sizeof(*rows));
}

static void orders_index(struct server *srv, struct request *req, const struct principal *p)
{
    struct page pg;
    struct commerce_query q;
    struct commerce_scope s;
    if (!read_query(srv, req, &orders_res, order_statuses, &pg, &q) ||
        !scope_of(srv, req, p, false, &s))
        return;
    struct order *rows = NULL;
    size_t n = 0;
    int rc = order_list(srv, http_arena(req), &s, &q, &rows, &n, &pg.total);
    if (rc != 0) {
        fail(req, &orders_res, rc, NULL);
        return;
    }
    page_set_total(&pg, pg.total);
    reply_page(req, &pg, order_writer, rows, n, sizeof(*rows));
}

/* ---- leads ---- */

/* True if the body has field (null included): PATCH changes only those. */
static bool given(const struct validator *v, const char *field)
{
    return validate_value(v, field) != NULL;
}

/* An optional text field: sets *out (NULL clears it) and bit in *set when
 * the field is given or when create. */
static void opt_text(struct validator *v, struct request *req, const char *field, size_t max,
                     bool create, unsigned bit, unsigned *set, const char **out)
{
    if (!create && !given(v, field))
        return;
    *out = validate_string(v, req, field, 0, max);
    *set |= bit;
}

/* A required text field (on PATCH: only when given, then not empty). */
static void req_text(struct validator *v, struct request *req, const char *field, size_t max,
                     bool create, unsigned bit, unsigned *set, const char **out)
{
    if (!create && !given(v, field))
        return;
    *out = validate_string(v, req, field, V_REQUIRED, max);
    *set |= bit;
}

/* quantity: an integer of 1..COMMERCE_QTY_MAX (default 1). */
static void quantity(struct validator *v, struct request *req, const char *field, unsigned flags,
                     int64_t *out)
{
    int64_t q = 1;
    if (validate_integer(v, req, field, flags, &q) &&
        validate_range(v, req, field, q, 1, COMMERCE_QTY_MAX))
        *out = q;
}

static void read_lead(struct validator *v, struct request *req, bool create, struct lead_patch *lp)
{
    struct lead *l = &lp->v;
    unsigned *set = &lp->set;
    req_text(v, req, "customer_name", NAME_MAX_CHARS, create, F_CUSTOMER_NAME, set,
             &l->customer_name);
    req_text(v, req, "phone", PHONE_MAX_CHARS, create, F_PHONE, set, &l->phone);
    opt_text(v, req, "address", ADDRESS_MAX_CHARS, create, F_ADDRESS, set, &l->address);
    opt_text(v, req, "city", CITY_MAX_CHARS, create, F_CITY, set, &l->city);
    opt_text(v, req, "product", PRODUCT_MAX_CHARS, create, F_PRODUCT, set, &l->product);
    l->quantity = 1;
    if (create || given(v, "quantity")) {
        quantity(v, req, "quantity", create ? 0 : V_REQUIRED, &l->quantity);
        *set |= F_QUANTITY;
    }
    if (create || given(v, "price")) {
        validate_money(v, req, "price", create ? 0 : V_REQUIRED, COMMERCE_PRICE_MAX,
                       &l->price_minor);
        *set |= F_PRICE;
    }
    if (create || given(v, "status")) {
        l->status = validate_in(v, req, "status", create ? 0 : V_REQUIRED, lead_statuses);
        *set |= F_STATUS;
    }
    opt_text(v, req, "notes", NOTES_MAX_CHARS, create, F_NOTES, set, &l->notes);
}

static void leads_show(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id;
    struct commerce_scope s;
    if (!row_id(req, &leads_res, &id) || !scope_of(srv, req, p, false, &s))
        return;
    struct lead l;
    int rc = lead_get(srv, http_arena(req), &s, id, &l);
    if (rc != 0)
        fail(req, &leads_res, rc, NULL);
    else
        reply_row(req, 200, lead_writer, &l);
}

static void leads_store(struct server *srv, struct request *req, const struct principal *p)
{
    struct commerce_scope s;
    if (!scope_of(srv, req, p, true, &s))
        return;
    struct validator v;
    validator_init(&v, req);
    struct lead_patch lp = {0};
    read_lead(&v, req, true, &lp);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_api, req, &v);
        return;
    }
    struct commerce_why why = {0};
    int rc = lead_create(srv, &s, &lp.v, &why);
    if (rc != 0)
        fail(req, &leads_res, rc, &why);
    else
        reply_row(req, 201, lead_writer, &lp.v);
}

static void leads_update(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id;
    struct commerce_scope s;
    if (!row_id(req, &leads_res, &id) || !scope_of(srv, req, p, true, &s))
        return;
    struct validator v;
    validator_init(&v, req);
    struct lead_patch lp = {0};
    read_lead(&v, req, false, &lp);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_api, req, &v);
        return;
    }
    struct commerce_why why = {0};
    struct lead l;
    int rc = lead_update(srv, http_arena(req), &s, id, &lp, &l, &why);
    if (rc != 0)
        fail(req, &leads_res, rc, &why);
    else
        reply_row(req, 200, lead_writer, &l);
}

/* DELETE of either resource: 204. */
static void destroy(struct server *srv, struct request *req, const struct principal *p,
                    const struct resource *res,
                    int (*del)(struct server *, const struct commerce_scope *, int64_t))
{
    int64_t id;
    struct commerce_scope s;
    if (!row_id(req, res, &id) || !scope_of(srv, req, p, true, &s))
        return;
    int rc = del(srv, &s, id);
    if (rc != 0)
        fail(req, res, rc, NULL);
    else
        http_reply_json(req, 204, NULL);
}

static void leads_destroy(struct server *srv, struct request *req, const struct principal *p)
{
    destroy(srv, req, p, &leads_res, lead_delete);
}

/* ---- orders ---- */

/* The items array: each {product, quantity, unit_price}; NULL if invalid. */
static struct order_item *read_items(struct validator *v, struct request *req, bool required,
                                     size_t *n)
{
    struct arena *a = http_arena(req);
    json_t *arr = validate_array(v, req, "items", required ? V_REQUIRED : 0, 1, COMMERCE_ITEMS_MAX);
    *n = 0;
    if (arr == NULL)
        return NULL;
    size_t count = json_array_size(arr);
    struct order_item *items = arena_alloc(a, sizeof(*items) * count);
    for (size_t i = 0; i < count; i++) {
        struct order_item *it = &items[i];
        *it = (struct order_item){0};
        it->product = validate_string(v, req, arena_printf(a, "items.%zu.product", i), V_REQUIRED,
                                      PRODUCT_MAX_CHARS);
        quantity(v, req, arena_printf(a, "items.%zu.quantity", i), V_REQUIRED, &it->quantity);
        validate_money(v, req, arena_printf(a, "items.%zu.unit_price", i), V_REQUIRED,
                       COMMERCE_PRICE_MAX, &it->unit_price_minor);
    }
    *n = count;
    return items;
}

/* lead_id: nullable, a positive integer (its account is core's check). */
static void read_lead_id(struct validator *v, struct request *req, int64_t *out)
{
    json_t *j = validate_value(v, "lead_id");
    if (j == NULL || json_is_null(j))
        return;
    if (validate_integer(v, req, "lead_id", 0, out) && *out < 1) {
        validate_add(v, "lead_id", "The selected lead id is invalid.");
        *out = 0;
    }
}

static void read_order(struct validator *v, struct request *req, bool create,
                       struct order_patch *op)
{
    struct order *o = &op->v;
    unsigned *set = &op->set;
    if (create || given(v, "lead_id")) {
        read_lead_id(v, req, &o->lead_id);
        *set |= F_LEAD_ID;
    }
    /* required_without:lead_id on create; on PATCH not empty when given. */
    bool need = !create || o->lead_id == 0;
    if (need) {
        req_text(v, req, "customer_name", NAME_MAX_CHARS, create, F_CUSTOMER_NAME, set,
                 &o->customer_name);
        req_text(v, req, "phone", PHONE_MAX_CHARS, create, F_PHONE, set, &o->phone);
    } else {
        opt_text(v, req, "customer_name", NAME_MAX_CHARS, create, F_CUSTOMER_NAME, set,
                 &o->customer_name);
        opt_text(v, req, "phone", PHONE_MAX_CHARS, create, F_PHONE, set, &o->phone);
    }
    opt_text(v, req, "address", ADDRESS_MAX_CHARS, create, F_ADDRESS, set, &o->address);
    opt_text(v, req, "city", CITY_MAX_CHARS, create, F_CITY, set, &o->city);
    if (create || given(v, "status")) {
        o->status = validate_in(v, req, "status", create ? 0 : V_REQUIRED, order_statuses);
        *set |= F_STATUS;
    }
    opt_text(v, req, "notes", NOTES_MAX_CHARS, create, F_NOTES, set, &o->notes);
    if (create || given(v, "items")) {
        o->items = read_items(v, req, true, &o->n_items);
        *set |= F_ITEMS;
    }
}

/* Laravel's required_without wording for an order without a lead. */
static void required_without(struct validator *v)
{
    for (struct validate_field *f = v->fields; f != NULL; f = f->next) {
        bool customer = strcmp(f->name, "customer_name") == 0 || strcmp(f->name, "phone") == 0;
        for (size_t i = 0; customer && i < f->n; i++) {
            size_t len = strlen(f->messages[i]);
            if (len > 10 && strcmp(f->messages[i] + len - 10, " required.") == 0)
                f->messages[i] = arena_printf(v->arena, "%.*s when lead id is not present.",
                                              (int)(len - 1), f->messages[i]);
        }
    }
}

static void orders_show(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id;
    struct commerce_scope s;
    if (!row_id(req, &orders_res, &id) || !scope_of(srv, req, p, false, &s))
        return;
    struct order o;
    int rc = order_get(srv, http_arena(req), &s, id, &o);
    if (rc != 0)
        fail(req, &orders_res, rc, NULL);
    else
        reply_row(req, 200, order_writer, &o);
}

static void orders_store(struct server *srv, struct request *req, const struct principal *p)
{
    struct commerce_scope s;
    if (!scope_of(srv, req, p, true, &s))
        return;
    struct validator v;
    validator_init(&v, req);
    struct order_patch op = {0};
    read_order(&v, req, true, &op);
    if (validate_failed(&v)) {
        required_without(&v);
        validate_reply(&surface_wedocod_api, req, &v);
        return;
    }
    struct commerce_why why = {0};
    int rc = order_create(srv, http_arena(req), &s, &op.v, &why);
    if (rc != 0)
        fail(req, &orders_res, rc, &why);
    else
        reply_row(req, 201, order_writer, &op.v);
}

static void orders_update(struct server *srv, struct request *req, const struct principal *p)
{
    int64_t id;
    struct commerce_scope s;
    if (!row_id(req, &orders_res, &id) || !scope_of(srv, req, p, true, &s))
        return;
    struct validator v;
    validator_init(&v, req);
    struct order_patch op = {0};
    read_order(&v, req, false, &op);
    if (validate_failed(&v)) {
        validate_reply(&surface_wedocod_api, req, &v);
        return;
    }
    struct commerce_why why = {0};
    struct order o;
    int rc = order_update(srv, http_arena(req), &s, id, &op, &o, &why);
    if (rc != 0)
        fail(req, &orders_res, rc, &why);
    else
        reply_row(req, 200, order_writer, &o);
}

static void orders_destroy(struct server *srv, struct request *req, const struct principal *p)
{
    destroy(srv, req, p, &orders_res, order_delete);
}

#define PAT AUTH_BEARER_PAT

static const struct route routes[] = {
    {HTTP_GET, PREFIX "/leads", leads_index, PAT, "VIEW LEADS", "api", 0},
    {HTTP_GET, PREFIX "/leads/{id}", leads_show, PAT, "VIEW LEADS", "api", 0},
    {HTTP_POST, PREFIX "/leads", leads_store, PAT, "CREATE LEADS", "api", 0},
    {HTTP_PATCH, PREFIX "/leads/{id}", leads_update, PAT, "UPDATE LEADS", "api", 0},
    {HTTP_PUT, PREFIX "/leads/{id}", leads_update, PAT, "UPDATE LEADS", "api", 0},
    {HTTP_DELETE, PREFIX "/leads/{id}", leads_destroy, PAT, "DELETE LEADS", "api", 0},
    {HTTP_GET, PREFIX "/orders", orders_index, PAT, "VIEW ORDERS", "api", 0},
    {HTTP_GET, PREFIX "/orders/{id}", orders_show, PAT, "VIEW ORDERS", "api", 0},
    {HTTP_POST, PREFIX "/orders", orders_store, PAT, "CREATE ORDERS", "api", 0},
    {HTTP_PATCH, PREFIX "/orders/{id}", orders_update, PAT, "UPDATE ORDERS", "api", 0},
    {HTTP_PUT, PREFIX "/orders/{id}", orders_update, PAT, "UPDATE ORDERS", "api", 0},
    {HTTP_DELETE, PREFIX "/orders/{id}", orders_destroy, PAT, "DELETE ORDERS", "api", 0},
};

const struct surface surface_wedocod_api = {
    .name = "wedocod_api",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
    .prefix = PREFIX,
    .platform_permission = "accounts:read",
};
