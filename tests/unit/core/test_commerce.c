/*
 * test_commerce.c - the core rules of WedoCOD's leads and orders over a
 * real store (SQLite, then PostgreSQL): status transitions, the account
 * scope of a member and of a platform principal (read-only), totals in
 * exact cents, a lead of another account refused on an order, items
 * frozen once shipped, the audit of every change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "core/audit.h"
#include "core/commerce.h"
#include "core/principal.h"
#include "store/store.h"
#include "util/err.h"

static int setup(void **state)
{
    *state = test_server_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    test_server_free(*state);
    return 0;
}

static void transitions(void **state)
{
    (void)state;
    assert_true(lead_transition_ok("new", "contacted"));
    assert_true(lead_transition_ok("new", "new"));
    assert_true(lead_transition_ok("confirmed", "converted"));
    assert_false(lead_transition_ok("new", "converted"));
    assert_false(lead_transition_ok("converted", "cancelled"));
    assert_false(lead_transition_ok("cancelled", "new"));
    assert_false(lead_transition_ok("new", "bogus"));
    assert_true(order_transition_ok("pending", "confirmed"));
    assert_true(order_transition_ok("confirmed", "cancelled"));
    assert_true(order_transition_ok("shipped", "returned"));
    assert_false(order_transition_ok("pending", "shipped"));
    assert_false(order_transition_ok("shipped", "cancelled"));
    assert_false(order_transition_ok("delivered", "returned"));
    /* A prefix of a status is not that status. */
    assert_false(order_transition_ok("pend", "confirmed"));
    assert_false(lead_status_valid("NEW"));
    assert_true(order_status_valid("returned"));
}

/* A member principal of tenant t (only what commerce_scope reads). */
static struct principal member(int64_t user_id, int64_t t, const char *currency)
{
    struct principal p = {.has_tenant = true};
    p.user.id = user_id;
    p.tenant.id = t;
    p.tenant.default_currency = currency;
    return p;
}

static void scopes(void **state)
{
    struct test_server *ts = *state;
    int64_t t = test_tenant_new(ts, "acme"), u = test_tenant_new(ts, "beta");
    struct commerce_scope s;
    struct principal m = member(7, t, "MAD");
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &m, "beta", false, NULL, &s), 0);
    assert_int_equal(s.tenant_id, t); /* account is ignored for members */
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &m, NULL, true, NULL, &s), 0);
    assert_string_equal(s.currency, "MAD");

    struct principal staff = {.platform = true};
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &staff, NULL, false, NULL, &s), 0);
    assert_int_equal(s.tenant_id, 0);
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &staff, "beta", false, NULL, &s), 0);
    assert_int_equal(s.tenant_id, u);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)t);
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &staff, id, false, NULL, &s), 0);
    assert_int_equal(s.tenant_id, t);
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &staff, "nope", false, NULL, &s),
                     ERR_NOT_FOUND);
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &staff, NULL, true, NULL, &s), ERR_FORBIDDEN);
    struct principal nobody = {0};
    assert_int_equal(commerce_scope(&ts->srv, ts->a, &nobody, NULL, false, NULL, &s),
                     ERR_FORBIDDEN);

    /* Writes with an every-tenant scope are refused outright. */
    struct commerce_scope all = {0};
    struct lead l = {.customer_name = "x", .phone = "1"};
    struct commerce_why why = {0};
    assert_int_equal(lead_create(&ts->srv, &all, &l, &why), ERR_FORBIDDEN);
    assert_int_equal(lead_delete(&ts->srv, &all, 1), ERR_FORBIDDEN);
}

static int64_t audit_count(struct test_server *ts, const char *action)
{
    struct audit_filter f = {.action = action, .limit = 10};
    struct audit_entry *e = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(audit_search(&ts->srv, ts->a, &f, &e, &n, &total), 0);
    return total;
}

static void leads(void **state)
{
    struct test_server *ts = *state;
    int64_t t = test_tenant_new(ts, "acme"), u = test_tenant_new(ts, "beta");
    struct commerce_scope sa = {.tenant_id = t, .user_id = 0}, sb = {.tenant_id = u};
    struct commerce_why why = {0};
    struct lead l = {.customer_name = "Amina", .phone = "0600", .price_minor = 14990};
    assert_int_equal(lead_create(&ts->srv, &sa, &l, &why), 0);
    assert_string_equal(l.status, "new");
    assert_int_equal(l.quantity, 1);
    assert_int_equal(audit_count(ts, "lead.create"), 1);

    struct lead bad = {.customer_name = "x", .phone = "1", .status = "won"};
    assert_int_equal(lead_create(&ts->srv, &sa, &bad, &why), ERR_INVALID);
    assert_string_equal(why.field, "status");

    struct lead out;
    struct lead_patch p = {.set = F_STATUS, .v = {.status = "converted"}};
    assert_int_equal(lead_update(&ts->srv, ts->a, &sa, l.id, &p, &out, &why), ERR_INVALID);
    assert_string_equal(why.field, "status");
    assert_string_equal(why.message, "The status cannot change from new to converted.");
    p.v.status = "contacted";
    assert_int_equal(lead_update(&ts->srv, ts->a, &sb, l.id, &p, &out, &why), ERR_NOT_FOUND);
    assert_int_equal(lead_update(&ts->srv, ts->a, &sa, l.id, &p, &out, &why), 0);
    assert_string_equal(out.status, "contacted");
    assert_int_equal(out.price_minor, 14990); /* untouched */
    assert_int_equal(audit_count(ts, "lead.update"), 1);
    assert_int_equal(lead_delete(&ts->srv, &sb, l.id), ERR_NOT_FOUND);
    assert_int_equal(lead_delete(&ts->srv, &sa, l.id), 0);
    assert_int_equal(audit_count(ts, "lead.delete"), 1);
}

static void orders(void **state)
{
    struct test_server *ts = *state;
    int64_t t = test_tenant_new(ts, "acme"), u = test_tenant_new(ts, "beta");
    struct commerce_scope sa = {.tenant_id = t, .currency = "MAD"}, sb = {.tenant_id = u};
    struct commerce_why why = {0};
    struct lead theirs = {.customer_name = "B", .phone = "2"};
    assert_int_equal(lead_create(&ts->srv, &sb, &theirs, &why), 0);
    struct lead mine = {.customer_name = "Amina", .phone = "0600", .city = "Fes"};
    assert_int_equal(lead_create(&ts->srv, &sa, &mine, &why), 0);

    struct order_item items[2] = {{.product = "P", .quantity = 3, .unit_price_minor = 10},
                                  {.product = "Q", .quantity = 2, .unit_price_minor = 14990}};
    struct order o = {.lead_id = theirs.id, .items = items, .n_items = 2};
    assert_int_equal(order_create(&ts->srv, ts->a, &sa, &o, &why), ERR_INVALID);
    assert_string_equal(why.field, "lead_id");
    o.lead_id = mine.id;
    assert_int_equal(order_create(&ts->srv, ts->a, &sa, &o, &why), 0);
    assert_int_equal(o.total_minor, 30 + 29980);
    assert_string_equal(o.currency, "MAD");
    assert_string_equal(o.customer_name, "Amina"); /* the lead's */
    assert_string_equal(o.city, "Fes");
    assert_string_equal(o.status, "pending");
    assert_int_equal(audit_count(ts, "order.create"), 1);

    struct order out;
    struct order_item one = {.product = "R", .quantity = 1, .unit_price_minor = 500};
    struct order_patch p = {.set = F_ITEMS | F_STATUS,
                            .v = {.status = "confirmed", .items = &one, .n_items = 1}};
    assert_int_equal(order_update(&ts->srv, ts->a, &sb, o.id, &p, &out, &why), ERR_NOT_FOUND);
    assert_int_equal(order_update(&ts->srv, ts->a, &sa, o.id, &p, &out, &why), 0);
    assert_int_equal(out.total_minor, 500);
    p = (struct order_patch){.set = F_STATUS, .v = {.status = "shipped"}};
    assert_int_equal(order_update(&ts->srv, ts->a, &sa, o.id, &p, &out, &why), 0);
    p = (struct order_patch){.set = F_ITEMS, .v = {.items = &one, .n_items = 1}};
    assert_int_equal(order_update(&ts->srv, ts->a, &sa, o.id, &p, &out, &why), ERR_INVALID);
    assert_string_equal(why.field, "items");
    p = (struct order_patch){.set = F_STATUS, .v = {.status = "cancelled"}};
    assert_int_equal(order_update(&ts->srv, ts->a, &sa, o.id, &p, &out, &why), ERR_INVALID);
    assert_int_equal(store_order_get(ts->srv.store, ts->a, t, o.id, &out), 0);
    assert_string_equal(out.status, "shipped");
    assert_int_equal(out.total_minor, 500);

    struct order none = {.customer_name = "x", .phone = "1", .n_items = 0};
    assert_int_equal(order_create(&ts->srv, ts->a, &sa, &none, &why), ERR_INVALID);
    assert_string_equal(why.field, "items");
    assert_int_equal(order_delete(&ts->srv, &sb, o.id), ERR_NOT_FOUND);
    assert_int_equal(order_delete(&ts->srv, &sa, o.id), 0);
    assert_int_equal(audit_count(ts, "order.delete"), 1);
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(transitions),
        cmocka_unit_test_setup_teardown(scopes, setup, teardown),
        cmocka_unit_test_setup_teardown(leads, setup, teardown),
        cmocka_unit_test_setup_teardown(orders, setup, teardown),
    };
    return test_run_on_both("commerce", tests, sizeof(tests) / sizeof(tests[0]));
}
