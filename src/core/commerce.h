/*
 * commerce.h - WedoCOD's leads and orders (seed 000, issue 13): who sees
 * which account's rows, the rules of each field, the status transitions,
 * the totals, and the audit of every change.
 *
 * The surface checks the shape of a request (types, lengths, Laravel's
 * messages); core enforces the rules that need the rows: the account
 * scope, status transitions, a lead_id of the same account, items that
 * can no longer change, totals. A rule that fails returns ERR_INVALID and
 * names the field and the message in *why, for the surface's 422.
 *
 * Statuses (README "WedoCOD REST API"):
 *   lead:  new -> contacted | cancelled; contacted -> confirmed | cancelled;
 *          confirmed -> converted | cancelled; converted, cancelled final.
 *   order: pending -> confirmed | cancelled; confirmed -> shipped | cancelled;
 *          shipped -> delivered | returned; delivered, cancelled, returned final.
 * Keeping the current status is always allowed.
 *
 * Strings of rows returned live in the arena passed in.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

struct arena;
struct principal;
struct server;

/* Limits of the API's values, enforced by the surface and again here. */
#define COMMERCE_QTY_MAX          10000
#define COMMERCE_PRICE_MAX        9999999999LL /* minor units: 99,999,999.99 */
#define COMMERCE_ITEMS_MAX        100
#define COMMERCE_PER_PAGE_MAX     100
#define COMMERCE_PER_PAGE_DEFAULT 15

/* The statuses of a lead and of an order, in their documented order
 * (NULL-terminated): the "in:" lists of the validation messages. */
extern const char *const lead_statuses[];
extern const char *const order_statuses[];

bool lead_status_valid(const char *s);
bool order_status_valid(const char *s);
/* True if a lead (order) in status from may move to status to. */
bool lead_transition_ok(const char *from, const char *to);
bool order_transition_ok(const char *from, const char *to);

/* Which account's rows a request reads and writes. */
struct commerce_scope {
    int64_t tenant_id;    /* 0: every account (a platform read) */
    const char *currency; /* the tenant's default currency (writes) */
    int64_t user_id;      /* the actor, for created_by and the audit */
    const char *ip;       /* for the audit; may be NULL */
};

/*
 * The scope of principal p. A member reads and writes their own account;
 * account (a tenant slug or id; NULL for none) is ignored for them. A
 * platform principal (p->platform: staff with accounts:read or a
 * super-admin, through a token without a tenant) reads every account, or
 * only the one account names: ERR_NOT_FOUND if it names none. With write
 * set, a principal without a tenant of its own (staff) gets ERR_FORBIDDEN:
 * platform access is read-only.
 */
int commerce_scope(struct server *srv, struct arena *a, const struct principal *p,
                   const char *account, bool write, const char *ip, struct commerce_scope *out)
    __attribute__((warn_unused_result));

/* A rule that failed: the field and Laravel-style message for the 422. */
struct commerce_why {
    const char *field;
    const char *message;
};

/* A list request: status and search are NULL for none; page from 1. */
struct commerce_query {
    const char *status;
    const char *search;
    int64_t page;
    int64_t per_page;
};

/* The fields an update gives (bits of struct lead_patch / order_patch .set). */
enum {
    F_CUSTOMER_NAME = 1 << 0,
    F_PHONE = 1 << 1,
    F_ADDRESS = 1 << 2,
    F_CITY = 1 << 3,
    F_PRODUCT = 1 << 4,
    F_QUANTITY = 1 << 5,
    F_PRICE = 1 << 6,
    F_STATUS = 1 << 7,
    F_NOTES = 1 << 8,
    F_LEAD_ID = 1 << 9,
    F_ITEMS = 1 << 10,
};

struct lead_patch {
    unsigned set; /* F_* of the fields given */
    struct lead v;
};

struct order_patch {
    unsigned set;
    struct order v; /* items/n_items with F_ITEMS */
};

/*
 * Creates l in s's account: status defaults to "new" (NULL), quantity to
 * 1 (0). Audited as lead.create. ERR_INVALID (*why) for a broken rule.
 */
int lead_create(struct server *srv, const struct commerce_scope *s, struct lead *l,
                struct commerce_why *why) __attribute__((warn_unused_result));
/* ERR_NOT_FOUND for an unknown id or one of another account. */
int lead_get(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
             struct lead *out) __attribute__((warn_unused_result));
/*
 * Applies the patch; *out is the lead after it. Audited as lead.update.
 * The write happens only if the status is still the one the rules were
 * checked against; when another request moved it meanwhile the update is
 * read and checked again (a few times, then ERR_CONFLICT), so concurrent
 * changes never skip a transition.
 */
int lead_update(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
                const struct lead_patch *patch, struct lead *out, struct commerce_why *why)
    __attribute__((warn_unused_result));
/* Audited as lead.delete. */
int lead_delete(struct server *srv, const struct commerce_scope *s, int64_t id)
    __attribute__((warn_unused_result));
/* A page of the scope's leads, newest first, and *total. */
int lead_list(struct server *srv, struct arena *a, const struct commerce_scope *s,
              const struct commerce_query *q, struct lead **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/*
 * Creates o with its items in s's account: status defaults to "pending",
 * the currency is the account's, the total is the items' sum. A lead_id
 * must name a lead of the same account; the customer's fields that o
 * leaves NULL are then the lead's. Audited as order.create.
 */
int order_create(struct server *srv, struct arena *a, const struct commerce_scope *s,
                 struct order *o, struct commerce_why *why) __attribute__((warn_unused_result));
int order_get(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
              struct order *out) __attribute__((warn_unused_result));
/* Items change only while the order is pending or confirmed; the total
 * follows them. Concurrent changes as lead_update. Audited as
 * order.update. */
int order_update(struct server *srv, struct arena *a, const struct commerce_scope *s, int64_t id,
                 const struct order_patch *patch, struct order *out, struct commerce_why *why)
    __attribute__((warn_unused_result));
int order_delete(struct server *srv, const struct commerce_scope *s, int64_t id)
    __attribute__((warn_unused_result));
int order_list(struct server *srv, struct arena *a, const struct commerce_scope *s,
               const struct commerce_query *q, struct order **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
