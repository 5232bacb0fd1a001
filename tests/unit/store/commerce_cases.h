/*
 * commerce_cases.h - the store.h cases of WedoCOD's leads, orders and
 * order items (issue 13) that every backend must pass: round trips,
 * tenant isolation in every statement (reads, updates, deletes of
 * another tenant's id find nothing), the every-tenant read of platform
 * staff, search with escaped wildcards, status filter, pages and totals,
 * items replaced and deleted with their order. Included after
 * store_cases.h, whose fixture and helpers it uses; the including file
 * lists COMMERCE_CASES in its test array.
 */
#pragma once

static int64_t put_lead(struct store *s, int64_t tenant_id, const char *name, const char *city,
                        const char *status)
{
    struct lead l = {.tenant_id = tenant_id,
                     .customer_name = name,
                     .phone = "0600",
                     .city = city,
                     .product = "Shoes",
                     .quantity = 2,
                     .price_minor = 14990,
                     .status = status,
                     .created_at = 1000,
                     .updated_at = 1000};
    assert_int_equal(store_lead_insert(s, &l), 0);
    assert_true(l.id > 0);
    return l.id;
}

static void test_lead_rows(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "acme"), u = make_tenant(f->s, "beta");
    int64_t a = put_lead(f->s, t, "Amina", "Casablanca", "new");
    int64_t b = put_lead(f->s, u, "Bob", "Rabat", "new");

    struct lead l;
    assert_int_equal(store_lead_get(f->s, f->a, t, a, &l), 0);
    assert_string_equal(l.customer_name, "Amina");
    assert_string_equal(l.city, "Casablanca");
    assert_null(l.address);
    assert_null(l.notes);
    assert_int_equal(l.quantity, 2);
    assert_int_equal(l.price_minor, 14990);
    assert_int_equal(l.tenant_id, t);
    /* Another tenant's id is not found; tenant 0 reads any tenant. */
    assert_int_equal(store_lead_get(f->s, f->a, t, b, &l), ERR_NOT_FOUND);
    assert_int_equal(store_lead_get(f->s, f->a, 0, b, &l), 0);
    assert_string_equal(l.customer_name, "Bob");

    /* An update or delete naming the wrong tenant changes nothing. */
    l.tenant_id = t;
    l.notes = "hijack";
    assert_int_equal(store_lead_update(f->s, &l, "new"), ERR_NOT_FOUND);
    assert_int_equal(store_lead_delete(f->s, t, b), ERR_NOT_FOUND);
    assert_int_equal(store_lead_get(f->s, f->a, u, b, &l), 0);
    assert_null(l.notes);

    l.notes = "call back";
    l.status = "contacted";
    l.updated_at = 2000;
    /* A status read before another change moved it writes nothing. */
    assert_int_equal(store_lead_update(f->s, &l, "confirmed"), ERR_NOT_FOUND);
    assert_int_equal(store_lead_update(f->s, &l, "new"), 0);
    assert_int_equal(store_lead_update(f->s, &l, "new"), ERR_NOT_FOUND);
    assert_int_equal(store_lead_get(f->s, f->a, u, b, &l), 0);
    assert_string_equal(l.notes, "call back");
    assert_string_equal(l.status, "contacted");
    assert_int_equal(l.updated_at, 2000);
    assert_int_equal(store_lead_delete(f->s, u, b), 0);
    assert_int_equal(store_lead_get(f->s, f->a, u, b, &l), ERR_NOT_FOUND);
}

static void test_lead_search(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "acme"), u = make_tenant(f->s, "beta");
    int64_t a = put_lead(f->s, t, "Karim 100%", "Tanger", "new");
    int64_t b = put_lead(f->s, t, "Salma_X", "Agadir", "contacted");
    int64_t c = put_lead(f->s, t, "Nour", "Fes", "new");
    int64_t d = put_lead(f->s, u, "Karim Other", "Tanger", "new");

    struct lead *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct commerce_filter fl = {.tenant_id = t, .limit = 10};
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, c); /* newest first */
    assert_int_equal(rows[2].id, a);

    fl.search = "KARIM";
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(rows[0].id, a);
    fl.search = "%";
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 1); /* the % of "100%", not every row */
    fl.search = "_";
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(rows[0].id, b);
    fl.search = "shoes"; /* the product */
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 3);

    fl.search = NULL;
    fl.status = "new";
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 2);

    /* Every tenant (platform staff), a page of one after the first. */
    fl = (struct commerce_filter){.search = "tanger", .limit = 1, .offset = 1};
    assert_int_equal(store_lead_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, a);
    (void)d;
}

static void test_order_rows(void **state)
{
    struct fixture *f = *state;
    int64_t t = make_tenant(f->s, "acme"), u = make_tenant(f->s, "beta");
    int64_t lead = put_lead(f->s, t, "Amina", "Casablanca", "new");
    struct order_item items[2] = {{.product = "Shoes", .quantity = 2, .unit_price_minor = 14990},
                                  {.product = "Socks", .quantity = 3, .unit_price_minor = 499}};
    struct order o = {.tenant_id = t,
                      .lead_id = lead,
                      .customer_name = "Amina",
                      .phone = "0600",
                      .status = "pending",
                      .total_minor = 31477,
                      .currency = "MAD",
                      .created_at = 1000,
                      .updated_at = 1000,
                      .items = items,
                      .n_items = 2};
    assert_int_equal(store_tx_begin(f->s), 0);
    assert_int_equal(store_order_insert(f->s, &o), 0);
    assert_int_equal(store_tx_commit(f->s), 0);
    assert_true(items[0].id > 0 && items[1].id > items[0].id);

    struct order got;
    assert_int_equal(store_order_get(f->s, f->a, t, o.id, &got), 0);
    assert_int_equal(got.lead_id, lead);
    assert_string_equal(got.currency, "MAD");
    assert_int_equal(got.total_minor, 31477);
    assert_int_equal(got.n_items, 2);
    assert_string_equal(got.items[1].product, "Socks");
    assert_int_equal(got.items[1].unit_price_minor, 499);
    assert_int_equal(got.items[1].tenant_id, t);
    assert_int_equal(store_order_get(f->s, f->a, u, o.id, &got), ERR_NOT_FOUND);

    /* Replace the items; the wrong tenant changes nothing. */
    struct order_item one = {.product = "Bag", .quantity = 1, .unit_price_minor = 1000};
    got.items = &one;
    got.n_items = 1;
    got.total_minor = 1000;
    got.status = "confirmed";
    got.tenant_id = u;
    assert_int_equal(store_order_update(f->s, &got, "pending", true), ERR_NOT_FOUND);
    got.tenant_id = t;
    assert_int_equal(store_order_update(f->s, &got, "shipped", false), ERR_NOT_FOUND);
    assert_int_equal(store_tx_begin(f->s), 0);
    assert_int_equal(store_order_update(f->s, &got, "pending", true), 0);
    assert_int_equal(store_tx_commit(f->s), 0);
    assert_int_equal(store_order_get(f->s, f->a, t, o.id, &got), 0);
    assert_int_equal(got.n_items, 1);
    assert_string_equal(got.items[0].product, "Bag");
    assert_string_equal(got.status, "confirmed");

    struct order *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    struct commerce_filter fl = {.tenant_id = t, .search = "bag", .limit = 10};
    assert_int_equal(store_order_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(rows[0].n_items, 1);
    fl.tenant_id = u;
    assert_int_equal(store_order_search(f->s, f->a, &fl, &rows, &n, &total), 0);
    assert_int_equal(total, 0);

    /* Deleting the lead keeps the order; deleting the order, its items. */
    assert_int_equal(store_lead_delete(f->s, t, lead), 0);
    assert_int_equal(store_order_get(f->s, f->a, t, o.id, &got), 0);
    assert_int_equal(got.lead_id, 0);
    assert_int_equal(store_order_delete(f->s, u, o.id), ERR_NOT_FOUND);
    assert_int_equal(store_order_delete(f->s, t, o.id), 0);
    assert_int_equal(store_order_get(f->s, f->a, 0, o.id, &got), ERR_NOT_FOUND);
}

#define COMMERCE_CASES                                                                             \
    cmocka_unit_test_setup_teardown(test_lead_rows, setup, teardown),                              \
        cmocka_unit_test_setup_teardown(test_lead_search, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_order_rows, setup, teardown)
