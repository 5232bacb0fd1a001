/*
 * rows_commerce.c - the row functions of WedoCOD's leads, orders and order
 * items (store.h, issue 13), over the driver contract like rows.c.
 *
 * Tenant isolation is in the SQL: every statement takes the tenant id in
 * its WHERE clause (sql.c), so a row of another tenant is never read,
 * changed or deleted, whatever id a caller passes. Strings are copied
 * into the caller's arena.
 */
#include "store/columns.h"
#include "store/driver.h"
#include "store/rows_int.h"
#include "store/store.h"

/* ---- leads ---- */

static int read_lead(struct q *q, struct arena *a, void *row)
{
    struct lead *l = row;
    *l = (struct lead){0};
    l->id = q_i64(q);
    l->tenant_id = q_i64(q);
    l->customer_name = q_text(q, a);
    l->phone = q_text(q, a);
    l->address = q_text(q, a);
    l->city = q_text(q, a);
    l->product = q_text(q, a);
    l->quantity = q_i64(q);
    l->price_minor = q_i64(q);
    l->status = q_text(q, a);
    l->notes = q_text(q, a);
    l->created_by = q_i64(q);
    l->created_at = q_i64(q);
    l->updated_at = q_i64(q);
    return 0;
}

/* Binds the fields an insert and an update both write, in that order. */
static void bind_lead_fields(struct q *q, const struct lead *l)
{
    q_bind_text(q, l->customer_name);
    q_bind_text(q, l->phone);
    q_bind_text(q, l->address);
    q_bind_text(q, l->city);
    q_bind_text(q, l->product);
    q_bind_i64(q, l->quantity);
    q_bind_i64(q, l->price_minor);
    q_bind_text(q, l->status);
    q_bind_text(q, l->notes);
}

int store_lead_insert(struct store *s, struct lead *l)
{
    struct q q;
    int rc = q_start(s, ST_LEAD_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, l->tenant_id);
    bind_lead_fields(&q, l);
    q_bind_opt(&q, l->created_by);
    q_bind_i64(&q, l->created_at);
    q_bind_i64(&q, l->updated_at);
    return insert(&q, &l->id);
}

/* Reads one row of statement id by (id, tenant or every tenant). */
static int get_in_tenant(struct store *s, struct arena *a, enum stmt id, int64_t tenant_id,
                         int64_t row_id, row_reader read, void *out)
{
    struct q q;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, row_id);
    q_bind_opt(&q, tenant_id);
    return read_one(&q, a, read, out);
}

/* Runs statement id (a DELETE ... WHERE id = ? AND tenant_id = ?). */
static int delete_in_tenant(struct store *s, enum stmt id, int64_t tenant_id, int64_t row_id)
{
    struct q q;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, row_id);
    q_bind_i64(&q, tenant_id);
    return update_one(&q);
}

int store_lead_get(struct store *s, struct arena *a, int64_t tenant_id, int64_t id,
                   struct lead *out)
{
    return get_in_tenant(s, a, ST_LEAD_GET, tenant_id, id, read_lead, out);
}

int store_lead_update(struct store *s, const struct lead *l, const char *status_was)
{
    struct q q;
    int rc = q_start(s, ST_LEAD_UPDATE, &q);
    if (rc != 0)
        return rc;
    bind_lead_fields(&q, l);
    q_bind_i64(&q, l->updated_at);
    q_bind_i64(&q, l->id);
    q_bind_i64(&q, l->tenant_id);
    q_bind_text(&q, status_was);
    return update_one(&q);
}

int store_lead_delete(struct store *s, int64_t tenant_id, int64_t id)
{
    return delete_in_tenant(s, ST_LEAD_DELETE, tenant_id, id);
}

/* Binds the search filter's WHERE parameters ?1..?3. */
static void bind_filter(struct q *q, const char *pattern, const struct commerce_filter *f)
{
    q_bind_opt(q, f->tenant_id);
    q_bind_text(q, f->status);
    q_bind_text(q, pattern);
}

/* Counts the filter's rows with count_id, then reads its page with
 * page_id into an arena array of size-byte rows. */
static int search(struct store *s, struct arena *a, const struct commerce_filter *f,
                  enum stmt count_id, enum stmt page_id, row_reader read, size_t size, void **out,
                  size_t *n, int64_t *total)
{
    struct q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->search, false);
    int rc = q_start(s, count_id, &q);
    if (rc != 0)
        return rc;
    bind_filter(&q, pattern, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = q_start(s, page_id, &q);
    if (rc != 0)
        return rc;
    bind_filter(&q, pattern, f);
    q_bind_i64(&q, page_value(f->limit));
    q_bind_i64(&q, page_value(f->offset));
    return read_all(&q, a, read, size, out, n);
}

int store_lead_search(struct store *s, struct arena *a, const struct commerce_filter *f,
                      struct lead **out, size_t *n, int64_t *total)
{
    void *rows;
    int rc = search(s, a, f, ST_LEAD_SEARCH_COUNT, ST_LEAD_SEARCH, read_lead, sizeof(**out), &rows,
                    n, total);
    *out = rows;
    return rc;
}

/* ---- orders ---- */

static int read_order(struct q *q, struct arena *a, void *row)
{
    struct order *o = row;
    *o = (struct order){0};
    o->id = q_i64(q);
    o->tenant_id = q_i64(q);
    o->lead_id = q_i64(q);
    o->customer_name = q_text(q, a);
    o->phone = q_text(q, a);
    o->address = q_text(q, a);
    o->city = q_text(q, a);
    o->status = q_text(q, a);
    o->total_minor = q_i64(q);
    o->currency = q_text(q, a);
    o->notes = q_text(q, a);
    o->created_by = q_i64(q);
    o->created_at = q_i64(q);
    o->updated_at = q_i64(q);
    return 0;
}

static int read_item(struct q *q, struct arena *a, void *row)
{
    struct order_item *it = row;
    *it = (struct order_item){0};
    it->id = q_i64(q);
    it->order_id = q_i64(q);
    it->tenant_id = q_i64(q);
    it->product = q_text(q, a);
    it->quantity = q_i64(q);
    it->unit_price_minor = q_i64(q);
    return 0;
}

/* Inserts o's items under o's id and tenant. */
static int insert_items(struct store *s, struct order *o)
{
    for (size_t i = 0; i < o->n_items; i++) {
        struct order_item *it = &o->items[i];
        it->order_id = o->id;
        it->tenant_id = o->tenant_id;
        struct q q;
        int rc = q_start(s, ST_ORDER_ITEM_INSERT, &q);
        if (rc != 0)
            return rc;
        q_bind_i64(&q, it->order_id);
        q_bind_i64(&q, it->tenant_id);
        q_bind_text(&q, it->product);
        q_bind_i64(&q, it->quantity);
        q_bind_i64(&q, it->unit_price_minor);
        rc = insert(&q, &it->id);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Reads o's items (by its id and tenant). */
static int read_items(struct store *s, struct arena *a, struct order *o)
{
    struct q q;
    int rc = q_start(s, ST_ORDER_ITEM_LIST, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, o->id);
    q_bind_i64(&q, o->tenant_id);
    void *rows;
    rc = read_all(&q, a, read_item, sizeof(*o->items), &rows, &o->n_items);
    o->items = rows;
    return rc;
}

int store_order_insert(struct store *s, struct order *o)
{
    struct q q;
    int rc = q_start(s, ST_ORDER_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, o->tenant_id);
    q_bind_opt(&q, o->lead_id);
    q_bind_text(&q, o->customer_name);
    q_bind_text(&q, o->phone);
    q_bind_text(&q, o->address);
    q_bind_text(&q, o->city);
    q_bind_text(&q, o->status);
    q_bind_i64(&q, o->total_minor);
    q_bind_text(&q, o->currency);
    q_bind_text(&q, o->notes);
    q_bind_opt(&q, o->created_by);
    q_bind_i64(&q, o->created_at);
    q_bind_i64(&q, o->updated_at);
    rc = insert(&q, &o->id);
    return rc != 0 ? rc : insert_items(s, o);
}

int store_order_get(struct store *s, struct arena *a, int64_t tenant_id, int64_t id,
                    struct order *out)
{
    int rc = get_in_tenant(s, a, ST_ORDER_GET, tenant_id, id, read_order, out);
    return rc != 0 ? rc : read_items(s, a, out);
}

int store_order_update(struct store *s, struct order *o, const char *status_was, bool replace_items)
{
    struct q q;
    int rc = q_start(s, ST_ORDER_UPDATE, &q);
    if (rc != 0)
        return rc;
    q_bind_opt(&q, o->lead_id);
    q_bind_text(&q, o->customer_name);
    q_bind_text(&q, o->phone);
    q_bind_text(&q, o->address);
    q_bind_text(&q, o->city);
    q_bind_text(&q, o->status);
    q_bind_i64(&q, o->total_minor);
    q_bind_text(&q, o->notes);
    q_bind_i64(&q, o->updated_at);
    q_bind_i64(&q, o->id);
    q_bind_i64(&q, o->tenant_id);
    q_bind_text(&q, status_was);
    rc = update_one(&q);
    if (rc != 0 || !replace_items)
        return rc;
    rc = q_start(s, ST_ORDER_ITEM_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, o->id);
    q_bind_i64(&q, o->tenant_id);
    rc = q_run(&q);
    q_end(&q);
    return rc != 0 ? rc : insert_items(s, o);
}

int store_order_delete(struct store *s, int64_t tenant_id, int64_t id)
{
    return delete_in_tenant(s, ST_ORDER_DELETE, tenant_id, id);
}

int store_order_search(struct store *s, struct arena *a, const struct commerce_filter *f,
                       struct order **out, size_t *n, int64_t *total)
{
    void *rows;
    int rc = search(s, a, f, ST_ORDER_SEARCH_COUNT, ST_ORDER_SEARCH, read_order, sizeof(**out),
                    &rows, n, total);
    *out = rows;
    /* One read of items per order: a page holds at most 100. */
    for (size_t i = 0; rc == 0 && i < *n; i++)
        rc = read_items(s, a, &(*out)[i]);
    return rc;
}
