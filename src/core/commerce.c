/*
 * commerce.c - WedoCOD's leads and orders: scope, rules, transitions,
 * totals, audit (commerce.h).
 *
 * Every store call passes the scope's tenant id, so isolation is in the
 * SQL; a write first reads the row in the same tenant, so an id of another
 * account is ERR_NOT_FOUND before anything changes. Order writes (the
 * order and its items) run in one transaction.
 */
#include "core/commerce.h"

#include <string.h>

#include "core/audit.h"
#include "core/principal.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"

const char *const lead_statuses[] = {"new",       "contacted", "confirmed",
                                     "converted", "cancelled", NULL};
const char *const order_statuses[] = {"pending",   "confirmed", "shipped", "delivered",
                                      "cancelled", "returned",  NULL};

/* Allowed moves, "from>to" pairs; keeping a status is always allowed. */
static const char *const lead_moves[] = {
    "new>contacted",
    "new>cancelled",
    "contacted>confirmed",
    "contacted>cancelled",
    "confirmed>converted",
    "confirmed>cancelled",
    NULL,
};
static const char *const order_moves[] = {
    "pending>confirmed",
    "pending>cancelled",
    "confirmed>shipped",
    "confirmed>cancelled",
    "shipped>delivered",
    "shipped>returned",
    NULL,
};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s != NULL && list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool move_ok(const char *const *moves, const char *from, const char *to)
{
    if (strcmp(from, to) == 0)
        return true;
    size_t nf = strlen(from);
    for (size_t i = 0; moves[i] != NULL; i++)
        if (strncmp(moves[i], from, nf) == 0 && moves[i][nf] == '>' &&
            strcmp(moves[i] + nf + 1, to) == 0)
            return true;
    return false;
}

bool lead_status_valid(const char *s)
{
    return in_list(lead_statuses, s);
}

bool order_status_valid(const char *s)
{
    return in_list(order_statuses, s);
}

bool lead_transition_ok(const char *from, const char *to)
{
    return lead_status_valid(from) && lead_status_valid(to) && move_ok(lead_moves, from, to);
}

bool order_transition_ok(const char *from, const char *to)
{
    return order_status_valid(from) && order_status_valid(to) && move_ok(order_moves, from, to);
}

/* ---- scope ---- */

/* The tenant account names: its id (all digits) or its slug. */
static int find_account(struct server *srv, struct arena *a, const char *account, int64_t *id)
{
    struct tenant t;
    size_t n = strlen(account);
    int rc;
    if (n > 0 && n <= 18 && strspn(account, "0123456789") == n) {
        int64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (account[i] - '0');
        rc = store_tenant_by_id(srv->store, a, v, &t);
    } else {
        rc = store_tenant_by_slug(srv->store, a, account, &t);
    }
    if (rc == 0)
        *id = t.id;
    return rc;
}

int commerce_scope(struct server *srv, struct arena *a, const struct principal *p,
                   const char *account, bool write, const char *ip, struct commerce_scope *out)
{
    *out = (struct commerce_scope){.user_id = p->user.id, .ip = ip};
    if (p->platform && !write) {
        if (account == NULL || account[0] == '\0')
            return 0;
        return find_account(srv, a, account, &out->tenant_id);
    }
    if (!p->has_tenant)
        return ERR_FORBIDDEN;
    out->tenant_id = p->tenant.id;
    out->currency = p->tenant.default_currency;
    return 0;
}

/* ---- rules ---- */

static int invalid(struct commerce_why *why, const char *field, const char *message)
{
    why->field = field;
    why->message = message;
    return ERR_INVALID;
}

static int check_money_qty(int64_t qty, int64_t price, struct commerce_why *why,
                           const char *qty_field, const char *price_field)
{
    if (qty < 1 || qty > COMMERCE_QTY_MAX)
        return invalid(why, qty_field, "The quantity is out of range.");
    if (price < 0 || price > COMMERCE_PRICE_MAX)
        return invalid(why, price_field, "The price is out of range.");
    return 0;
}

/* A status move: 0, or ERR_INVALID on status when ok is false. */
static int check_move(struct arena *a, bool ok, const char *from, const char *to,
                      struct commerce_why *why)
{
    if (ok)
        return 0;
    return invalid(why, "status",
                   arena_printf(a, "The status cannot change from %s to %s.", from, to));
}

/* The customer's name and phone, which a row always has. */
static int check_customer(const char *name, const char *phone, struct commerce_why *why)
{
    if (name != NULL && phone != NULL)
        return 0;
    return invalid(why, name == NULL ? "customer_name" : "phone", "The field is required.");
}

static void audit_row(struct server *srv, const struct commerce_scope *s, int64_t tenant_id,
                      const char *action, const char *key, int64_t id, const char *from,
                      const char *to)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, key, id);
    if (from != NULL && to != NULL && strcmp(from, to) != 0) {
        audit_detail_str(&d, "from", from);
        audit_detail_str(&d, "to", to);
    }
    audit_record(srv, tenant_id, s->user_id, action, s->ip, &d);
}

/* ---- leads ---- */

static int lead_check(const struct lead *l, struct commerce_why *why)
{
    if (!lead_status_valid(l->status))
        return invalid(why, "status", "The selected status is invalid.");
    return check_money_qty(l->quantity, l->price_minor, why, "quantity", "price");
}

int lead_create(struct server *srv, const struct commerce_scope *s, struct lead *l,
                struct commerce_why *why)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    l->tenant_id = s->tenant_id;
    if (l->status == NULL)
        l->status = "new";
    if (l->quantity == 0)
        l->quantity = 1;
    int rc = lead_check(l, why);
    if (rc != 0)
        return rc;
    l->created_by = s->user_id;
    l->created_at = l->updated_at = time_now();
    rc = store_lead_insert(srv->store, l);
    if (rc == 0)
        audit_row(srv, s, l->tenant_id, "lead.create", "lead_id", l->id, NULL, NULL);
    return rc;
}

int lead_get(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
             struct lead *out)
{
    return store_lead_get(srv->store, a, s->tenant_id, id, out);
}

/* Copies the patch's fields onto l. */
static void lead_apply(struct lead *l, const struct lead_patch *p)
{
    unsigned f = p->set;
    l->customer_name = f & F_CUSTOMER_NAME ? p->v.customer_name : l->customer_name;
    l->phone = f & F_PHONE ? p->v.phone : l->phone;
    l->address = f & F_ADDRESS ? p->v.address : l->address;
    l->city = f & F_CITY ? p->v.city : l->city;
    l->product = f & F_PRODUCT ? p->v.product : l->product;
    l->quantity = f & F_QUANTITY ? p->v.quantity : l->quantity;
    l->price_minor = f & F_PRICE ? p->v.price_minor : l->price_minor;
    l->status = f & F_STATUS ? p->v.status : l->status;
    l->notes = f & F_NOTES ? p->v.notes : l->notes;
}

/* How often an update is tried when its row's status changes between the
 * read and the write (another request moved it). */
#define UPDATE_ATTEMPTS 3

/* One attempt of lead_update: ERR_CONFLICT if the status moved meanwhile. */
static int lead_update_once(struct server *srv, struct arena *a, const struct commerce_scope *s,
                            int64_t id, const struct lead_patch *patch, struct lead *out,
                            struct commerce_why *why)
{
    int rc = store_lead_get(srv->store, a, s->tenant_id, id, out);
    if (rc != 0)
        return rc;
    const char *from = out->status;
    lead_apply(out, patch);
    rc = lead_check(out, why);
    if (rc == 0)
        rc = check_move(a, lead_transition_ok(from, out->status), from, out->status, why);
    if (rc == 0)
        rc = check_customer(out->customer_name, out->phone, why);
    if (rc != 0)
        return rc;
    out->updated_at = time_now();
    rc = store_lead_update(srv->store, out, from);
    if (rc == 0)
        audit_row(srv, s, out->tenant_id, "lead.update", "lead_id", id, from, out->status);
    return rc == ERR_NOT_FOUND ? ERR_CONFLICT : rc;
}

int lead_update(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
                const struct lead_patch *patch, struct lead *out, struct commerce_why *why)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    int rc = ERR_CONFLICT;
    for (int i = 0; i < UPDATE_ATTEMPTS && rc == ERR_CONFLICT; i++)
        rc = lead_update_once(srv, a, s, id, patch, out, why);
    return rc;
}

int lead_delete(struct server *srv, const struct commerce_scope *s, int64_t id)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    int rc = store_lead_delete(srv->store, s->tenant_id, id);
    if (rc == 0)
        audit_row(srv, s, s->tenant_id, "lead.delete", "lead_id", id, NULL, NULL);
    return rc;
}

/* The store filter of a list request. */
static struct commerce_filter filter_of(const struct commerce_scope *s,
                                        const struct commerce_query *q)
{
    int64_t per_page = q->per_page;
    if (per_page < 1 || per_page > COMMERCE_PER_PAGE_MAX)
        per_page = COMMERCE_PER_PAGE_DEFAULT;
    int64_t page = q->page < 1 ? 1 : q->page;
    return (struct commerce_filter){.tenant_id = s->tenant_id,
                                    .status = q->status,
                                    .search = q->search,
                                    .limit = (size_t)per_page,
                                    .offset = (size_t)((page - 1) * per_page)};
}

int lead_list(struct server *srv, struct arena *a, const struct commerce_scope *s,
              const struct commerce_query *q, struct lead **out, size_t *n, int64_t *total)
{
    struct commerce_filter f = filter_of(s, q);
    return store_lead_search(srv->store, a, &f, out, n, total);
}

/* ---- orders ---- */

/* Checks the items and sets o->total_minor to their sum. */
static int order_total(struct arena *a, struct order *o, struct commerce_why *why)
{
    if (o->n_items < 1 || o->n_items > COMMERCE_ITEMS_MAX)
        return invalid(why, "items", "The items field must have between 1 and 100 items.");
    int64_t total = 0;
    for (size_t i = 0; i < o->n_items; i++) {
        const struct order_item *it = &o->items[i];
        int rc = check_money_qty(it->quantity, it->unit_price_minor, why,
                                 arena_printf(a, "items.%zu.quantity", i),
                                 arena_printf(a, "items.%zu.unit_price", i));
        if (rc != 0)
            return rc;
        if (it->product == NULL)
            return invalid(why, arena_printf(a, "items.%zu.product", i), "The field is required.");
        /* At most 100 x 10^4 x 10^10: far below INT64_MAX. */
        total += it->quantity * it->unit_price_minor;
    }
    o->total_minor = total;
    return 0;
}

/* Checks lead_id (an order's lead must be of its account) and fills the
 * customer's fields o leaves NULL from that lead. */
static int order_lead(struct server *srv, struct arena *a, struct order *o,
                      struct commerce_why *why)
{
    if (o->lead_id == 0)
        return 0;
    struct lead l;
    int rc = store_lead_get(srv->store, a, o->tenant_id, o->lead_id, &l);
    if (rc == ERR_NOT_FOUND)
        return invalid(why, "lead_id", "The selected lead id is invalid.");
    if (rc != 0)
        return rc;
    o->customer_name = o->customer_name != NULL ? o->customer_name : l.customer_name;
    o->phone = o->phone != NULL ? o->phone : l.phone;
    o->address = o->address != NULL ? o->address : l.address;
    o->city = o->city != NULL ? o->city : l.city;
    return 0;
}

/* Inserts o (insert), or updates it while its status is status_was, in a
 * transaction. */
static int in_tx(struct server *srv, struct order *o, const char *status_was, bool replace_items,
                 bool insert)
{
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = insert ? store_order_insert(srv->store, o)
                : store_order_update(srv->store, o, status_was, replace_items);
    if (rc == 0)
        rc = store_tx_commit(srv->store);
    else
        store_tx_rollback(srv->store);
    return rc;
}

int order_create(struct server *srv, struct arena *a, const struct commerce_scope *s,
                 struct order *o, struct commerce_why *why)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    o->tenant_id = s->tenant_id;
    o->currency = s->currency != NULL ? s->currency : "USD";
    if (o->status == NULL)
        o->status = "pending";
    if (!order_status_valid(o->status))
        return invalid(why, "status", "The selected status is invalid.");
    int rc = order_lead(srv, a, o, why);
    if (rc == 0)
        rc = check_customer(o->customer_name, o->phone, why);
    if (rc == 0)
        rc = order_total(a, o, why);
    if (rc != 0)
        return rc;
    o->created_by = s->user_id;
    o->created_at = o->updated_at = time_now();
    rc = in_tx(srv, o, NULL, true, true);
    if (rc == 0)
        audit_row(srv, s, o->tenant_id, "order.create", "order_id", o->id, NULL, NULL);
    return rc;
}

int order_get(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
              struct order *out)
{
    return store_order_get(srv->store, a, s->tenant_id, id, out);
}

/* Copies the patch's fields onto o (the customer's, lead, status, notes). */
static void order_apply(struct order *o, const struct order_patch *p)
{
    unsigned f = p->set;
    o->lead_id = f & F_LEAD_ID ? p->v.lead_id : o->lead_id;
    o->customer_name = f & F_CUSTOMER_NAME ? p->v.customer_name : o->customer_name;
    o->phone = f & F_PHONE ? p->v.phone : o->phone;
    o->address = f & F_ADDRESS ? p->v.address : o->address;
    o->city = f & F_CITY ? p->v.city : o->city;
    o->status = f & F_STATUS ? p->v.status : o->status;
    o->notes = f & F_NOTES ? p->v.notes : o->notes;
}

static bool items_editable(const char *status)
{
    return strcmp(status, "pending") == 0 || strcmp(status, "confirmed") == 0;
}

/* Applies patch to out, the order as stored, and checks the result: the
 * status move, a new lead, items only while editable, the total. */
static int order_patch_apply(struct server *srv, struct arena *a, const struct order_patch *patch,
                             struct order *out, struct commerce_why *why)
{
    const char *from = out->status;
    int64_t old_lead = out->lead_id;
    order_apply(out, patch);
    if (!order_status_valid(out->status))
        return invalid(why, "status", "The selected status is invalid.");
    int rc = check_move(a, order_transition_ok(from, out->status), from, out->status, why);
    if (rc == 0 && out->lead_id != old_lead)
        rc = order_lead(srv, a, out, why);
    if (rc != 0)
        return rc;
    if (patch->set & F_ITEMS) {
        if (!items_editable(from))
            return invalid(why, "items",
                           arena_printf(a, "The items cannot change once the order is %s.", from));
        out->items = patch->v.items;
        out->n_items = patch->v.n_items;
        rc = order_total(a, out, why);
    }
    return rc != 0 ? rc : check_customer(out->customer_name, out->phone, why);
}

/* One attempt of order_update: ERR_CONFLICT if the status moved meanwhile. */
static int order_update_once(struct server *srv, struct arena *a, const struct commerce_scope *s,
                             int64_t id, const struct order_patch *patch, struct order *out,
                             struct commerce_why *why)
{
    int rc = store_order_get(srv->store, a, s->tenant_id, id, out);
    if (rc != 0)
        return rc;
    const char *from = out->status;
    rc = order_patch_apply(srv, a, patch, out, why);
    if (rc != 0)
        return rc;
    out->updated_at = time_now();
    rc = in_tx(srv, out, from, (patch->set & F_ITEMS) != 0, false);
    if (rc == 0)
        audit_row(srv, s, out->tenant_id, "order.update", "order_id", id, from, out->status);
    return rc == ERR_NOT_FOUND ? ERR_CONFLICT : rc;
}

int order_update(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
                 const struct order_patch *patch, struct order *out, struct commerce_why *why)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    int rc = ERR_CONFLICT;
    for (int i = 0; i < UPDATE_ATTEMPTS && rc == ERR_CONFLICT; i++)
        rc = order_update_once(srv, a, s, id, patch, out, why);
    return rc;
}

int order_delete(struct server *srv, const struct commerce_scope *s, int64_t id)
{
    if (s->tenant_id == 0)
        return ERR_FORBIDDEN;
    int rc = store_order_delete(srv->store, s->tenant_id, id);
    if (rc == 0)
        audit_row(srv, s, s->tenant_id, "order.delete", "order_id", id, NULL, NULL);
    return rc;
}

int order_list(struct server *srv, struct arena *a, const struct commerce_scope *s,
               const struct commerce_query *q, struct order **out, size_t *n, int64_t *total)
{
    struct commerce_filter f = filter_of(s, q);
    return store_order_search(srv->store, a, &f, out, n, total);
}
