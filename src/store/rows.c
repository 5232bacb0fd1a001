/*
 * rows.c - the row functions of store.h, written once over the driver
 * contract (driver.h) and the statements of sql.c.
 *
 * Ids and timestamps of 0 are stored as NULL and read back as 0. Strings
 * of filled-in rows are copied into the caller's arena. No state: each call
 * runs on the calling thread's connection. Where the dialects behave
 * differently (the batched last_used_at update) the function says so.
 *
 * Add a column: its name in columns.h (and the INSERT's list in sql.c),
 * one line in the table's read_* function and one bind in its insert.
 */
#include <stdio.h>
#include <string.h>

#include "store/columns.h"
#include "store/driver.h"
#include "store/rows_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* ---- tenants ---- */

static int read_tenant(struct q *q, struct arena *a, void *row)
{
    struct tenant *t = row;
    *t = (struct tenant){0};
    t->id = q_i64(q);
    t->slug = q_text(q, a);
    t->name = q_text(q, a);
    t->domain = q_text(q, a);
    t->default_currency = q_text(q, a);
    q_list(q, a, &t->enabled_products);
    if (!tenant_status_parse(q_peek(q, NULL), &t->status))
        return q_corrupt(q, "tenants.status");
    t->created_at = q_i64(q);
    t->product = q_text(q, a);
    return 0;
}

int store_tenant_insert(struct store *s, struct tenant *t)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    q_bind_text(&q, t->slug);
    q_bind_text(&q, t->name);
    q_bind_text(&q, t->domain);
    q_bind_text(&q, t->default_currency != NULL ? t->default_currency : "USD");
    q_bind_list(&q, &t->enabled_products);
    q_bind_text(&q, tenant_status_str(t->status));
    q_bind_i64(&q, now);
    q_bind_text(&q, t->product != NULL ? t->product : TENANT_PRODUCT_DEFAULT);
    rc = insert(&q, &t->id);
    if (rc == 0)
        t->created_at = now;
    return rc;
}

int store_tenant_by_id(struct store *s, struct arena *a, int64_t id, struct tenant *out)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_BY_ID, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return read_one(&q, a, read_tenant, out);
}

int store_tenant_by_slug(struct store *s, struct arena *a, const char *slug, struct tenant *out)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_BY_SLUG, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, slug);
    return read_one(&q, a, read_tenant, out);
}

int store_tenant_by_domain(struct store *s, struct arena *a, const char *host, struct tenant *out)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_BY_DOMAIN, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, host);
    return read_one(&q, a, read_tenant, out);
}

int store_tenant_list(struct store *s, struct arena *a, struct tenant **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_TENANT_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_tenant, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_tenant_count(struct store *s, int64_t *n)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_COUNT, &q);
    return rc != 0 ? rc : read_count(&q, n);
}

/* ---- users ---- */

static int read_user(struct q *q, struct arena *a, void *row)
{
    struct user *u = row;
    *u = (struct user){0};
    u->id = q_i64(q);
    u->name = q_text(q, a);
    u->first_name = q_text(q, a);
    u->last_name = q_text(q, a);
    u->email = q_text(q, a);
    u->phone = q_text(q, a);
    u->avatar = q_text(q, a);
    u->password_hash = q_text(q, a);
    if (!user_status_parse(q_peek(q, NULL), &u->status))
        return q_corrupt(q, "users.status");
    u->is_super_admin = q_bool(q);
    u->email_verified_at = q_i64(q);
    u->last_login_at = q_i64(q);
    u->preferences = q_text(q, a);
    u->attributes = q_text(q, a);
    u->created_at = q_i64(q);
    u->updated_at = q_i64(q);
    return 0;
}

int store_user_insert(struct store *s, struct user *u)
{
    struct q q;
    int rc = q_start(s, ST_USER_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    const char *prefs = u->preferences != NULL ? u->preferences : "{}";
    const char *attrs = u->attributes != NULL ? u->attributes : "{}";
    q_bind_text(&q, u->name);
    q_bind_text(&q, u->first_name);
    q_bind_text(&q, u->last_name);
    q_bind_text(&q, u->email);
    q_bind_text(&q, u->phone);
    q_bind_text(&q, u->avatar);
    q_bind_text(&q, u->password_hash);
    q_bind_text(&q, user_status_str(u->status));
    q_bind_bool(&q, u->is_super_admin);
    q_bind_opt(&q, u->email_verified_at);
    q_bind_opt(&q, u->last_login_at);
    q_bind_text(&q, prefs);
    q_bind_text(&q, attrs);
    q_bind_i64(&q, now);
    q_bind_i64(&q, now);
    rc = insert(&q, &u->id);
    if (rc == 0) {
        u->preferences = prefs;
        u->attributes = attrs;
        u->created_at = now;
        u->updated_at = now;
    }
    return rc;
}

int store_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *out)
{
    struct q q;
    int rc = q_start(s, ST_USER_BY_ID, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return read_one(&q, a, read_user, out);
}

int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user *out)
{
    struct q q;
    int rc = q_start(s, ST_USER_BY_EMAIL, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, email);
    return read_one(&q, a, read_user, out);
}

int store_user_set_password(struct store *s, int64_t user_id, const char *hash)
{
    struct q q;
    int rc = q_start(s, ST_USER_SET_PASSWORD, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, hash);
    q_bind_i64(&q, time_now());
    q_bind_i64(&q, user_id);
    return update_one(&q);
}

int store_user_set_last_login(struct store *s, int64_t user_id, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_USER_SET_LAST_LOGIN, &q);
    if (rc != 0)
        return rc;
    q_bind_opt(&q, at);
    q_bind_i64(&q, user_id);
    return update_one(&q);
}

int store_user_set_status(struct store *s, int64_t user_id, enum user_status status)
{
    struct q q;
    int rc = q_start(s, ST_USER_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, user_status_str(status));
    q_bind_i64(&q, time_now());
    q_bind_i64(&q, user_id);
    return update_one(&q);
}

int store_user_count(struct store *s, int64_t *n)
{
    struct q q;
    int rc = q_start(s, ST_USER_COUNT, &q);
    return rc != 0 ? rc : read_count(&q, n);
}

/* ---- roles ---- */

static int read_role(struct q *q, struct arena *a, void *row)
{
    struct role *r = row;
    *r = (struct role){0};
    r->id = q_i64(q);
    r->tenant_id = q_i64(q);
    r->name = q_text(q, a);
    r->slug = q_text(q, a);
    q_list(q, a, &r->permissions);
    r->is_system = q_bool(q);
    r->created_at = q_i64(q);
    return 0;
}

int store_role_insert(struct store *s, struct role *r)
{
    struct q q;
    int rc = q_start(s, ST_ROLE_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    q_bind_opt(&q, r->tenant_id);
    q_bind_text(&q, r->name);
    q_bind_text(&q, r->slug);
    q_bind_list(&q, &r->permissions);
    q_bind_bool(&q, r->is_system);
    q_bind_i64(&q, now);
    rc = insert(&q, &r->id);
    if (rc == 0)
        r->created_at = now;
    return rc;
}

int store_role_by_id(struct store *s, struct arena *a, int64_t id, struct role *out)
{
    struct q q;
    int rc = q_start(s, ST_ROLE_BY_ID, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return read_one(&q, a, read_role, out);
}

int store_role_list(struct store *s, struct arena *a, int64_t tenant_id, struct role **out,
                    size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, tenant_id != 0 ? ST_ROLE_LIST_TENANT : ST_ROLE_LIST_PLATFORM, &q);
    if (rc != 0)
        return rc;
    if (tenant_id != 0)
        q_bind_i64(&q, tenant_id);
    void *rows;
    rc = read_all(&q, a, read_role, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- memberships ---- */

static int read_membership(struct q *q, struct arena *a, void *row)
{
    (void)a;
    struct membership *m = row;
    *m = (struct membership){0};
    m->user_id = q_i64(q);
    m->tenant_id = q_i64(q);
    m->role_id = q_i64(q);
    if (!member_status_parse(q_peek(q, NULL), &m->status))
        return q_corrupt(q, "memberships.status");
    m->joined_at = q_i64(q);
    return 0;
}

/* joined_at 0 means "now": the column is NOT NULL. */
int store_membership_insert(struct store *s, const struct membership *m)
{
    struct q q;
    int rc = q_start(s, ST_MEMBERSHIP_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, m->user_id);
    q_bind_i64(&q, m->tenant_id);
    q_bind_opt(&q, m->role_id);
    q_bind_text(&q, member_status_str(m->status));
    q_bind_i64(&q, m->joined_at != 0 ? m->joined_at : time_now());
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

int store_membership_get(struct store *s, int64_t user_id, int64_t tenant_id,
                         struct membership *out)
{
    struct q q;
    int rc = q_start(s, ST_MEMBERSHIP_GET, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return read_one(&q, NULL, read_membership, out);
}

int store_membership_set_status(struct store *s, int64_t user_id, int64_t tenant_id,
                                enum member_status status)
{
    struct q q;
    int rc = q_start(s, ST_MEMBERSHIP_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, member_status_str(status));
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return update_one(&q);
}

int store_membership_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                                  struct membership **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_MEMBERSHIP_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_membership, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- tokens ---- */

static int read_token(struct q *q, struct arena *a, void *row)
{
    struct token *t = row;
    *t = (struct token){0};
    t->id = q_i64(q);
    t->user_id = q_i64(q);
    t->tenant_id = q_i64(q);
    t->name = q_text(q, a);
    const char *hash = q_peek(q, NULL);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(t->token_hash, hash, len);
        t->token_hash[len] = '\0';
    }
    q_list(q, a, &t->abilities);
    if (!token_kind_parse(q_peek(q, NULL), &t->kind))
        return q_corrupt(q, "tokens.kind");
    t->last_used_at = q_i64(q);
    t->expires_at = q_i64(q);
    t->created_at = q_i64(q);
    t->revoked_at = q_i64(q);
    return 0;
}

/* An empty token_hash is stored as NULL: a row that only carries an id,
 * like a JWT's jti. */
int store_token_insert(struct store *s, struct token *t)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    q_bind_i64(&q, t->user_id);
    q_bind_opt(&q, t->tenant_id);
    q_bind_text(&q, t->name);
    q_bind_text(&q, t->token_hash[0] != '\0' ? t->token_hash : NULL);
    q_bind_list(&q, &t->abilities);
    q_bind_text(&q, token_kind_str(t->kind));
    q_bind_opt(&q, t->last_used_at);
    q_bind_opt(&q, t->expires_at);
    q_bind_i64(&q, now);
    q_bind_opt(&q, t->revoked_at);
    rc = insert(&q, &t->id);
    if (rc == 0)
        t->created_at = now;
    return rc;
}

int store_token_by_id(struct store *s, struct arena *a, int64_t id, struct token *out)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_BY_ID, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return read_one(&q, a, read_token, out);
}

int store_token_by_hash(struct store *s, struct arena *a, const char *hash_hex, struct token *out)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_BY_HASH, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, hash_hex);
    return read_one(&q, a, read_token, out);
}

/* The tokens a statement selects by one id (a user's, a tenant's). */
static int list_tokens(struct store *s, struct arena *a, enum stmt id, int64_t key,
                       struct token **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, key);
    void *rows;
    rc = read_all(&q, a, read_token, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_token_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct token **out,
                             size_t *n)
{
    return list_tokens(s, a, ST_TOKEN_LIST_BY_USER, user_id, out, n);
}

int store_token_list_tenant_pat(struct store *s, struct arena *a, int64_t tenant_id,
                                struct token **out, size_t *n)
{
    return list_tokens(s, a, ST_TOKEN_LIST_TENANT_PAT, tenant_id, out, n);
}

/* One UPDATE tokens ... WHERE id = ? of statement st; ERR_NOT_FOUND when
 * it changed no row. */
static int token_revoke_by(struct store *s, enum stmt st, int64_t id, int64_t at)
{
    struct q q;
    int rc = q_start(s, st, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, id);
    return update_one(&q);
}

int store_token_revoke(struct store *s, int64_t id, int64_t at)
{
    return token_revoke_by(s, ST_TOKEN_REVOKE, id, at);
}

int store_token_revoke_live(struct store *s, int64_t id, int64_t at)
{
    return token_revoke_by(s, ST_TOKEN_REVOKE_LIVE, id, at);
}

static int touch_one(struct store *s, const struct token_touch *t)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_TOUCH, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, t->at);
    q_bind_i64(&q, t->token_id);
    q_bind_i64(&q, t->at);
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

/* "{1,2,3}": the ids (or the times) of items as a bigint[] literal; owned. */
static char *int_array(const struct token_touch *items, size_t n, bool ids)
{
    char *text = xmalloc(n * 21 + 3);
    size_t len = 0;
    text[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        long long v = (long long)(ids ? items[i].token_id : items[i].at);
        len += (size_t)sprintf(text + len, i > 0 ? ",%lld" : "%lld", v);
    }
    text[len++] = '}';
    text[len] = '\0';
    return text;
}

/* PostgreSQL: one statement, so one transaction of its own (or part of the
 * caller's). */
static int touch_batch(struct store *s, const struct token_touch *items, size_t n)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_TOUCH_MANY, &q);
    if (rc != 0)
        return rc;
    q_bind_owned(&q, int_array(items, n, true));
    q_bind_owned(&q, int_array(items, n, false));
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

/* SQLite: one UPDATE per token, inside the caller's transaction if one is
 * open, else in its own. Unknown ids are skipped: the token may have been
 * deleted since its use. */
int store_token_touch_many(struct store *s, const struct token_touch *items, size_t n)
{
    if (n == 0)
        return 0;
    if (s->drv->kind == DRIVER_PG)
        return touch_batch(s, items, n);
    bool own = !s->drv->in_tx(s);
    int rc = own ? store_tx_begin(s) : 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = touch_one(s, &items[i]);
    if (!own)
        return rc;
    if (rc == 0)
        return store_tx_commit(s);
    store_tx_rollback(s);
    return rc;
}

/* ---- the request hot path ---- */

/* Reads one optional block of the principal join: *has is false (and the
 * columns skipped) when the LEFT JOIN found no row. */
static int read_optional(struct q *q, struct arena *a, row_reader read, void *row, int ncols,
                         bool *has)
{
    *has = !q_null(q);
    if (!*has) {
        q_skip(q, ncols);
        return 0;
    }
    return read(q, a, row);
}

static int read_principal(struct q *q, struct arena *a, void *row)
{
    struct principal_rows *p = row;
    *p = (struct principal_rows){0};
    int rc = read_token(q, a, &p->token);
    if (rc == 0)
        rc = read_user(q, a, &p->user);
    if (rc == 0)
        rc = read_optional(q, a, read_tenant, &p->tenant, N_TENANT_COLS, &p->has_tenant);
    if (rc == 0)
        rc =
            read_optional(q, a, read_membership, &p->membership, N_MEMBER_COLS, &p->has_membership);
    if (rc == 0)
        rc = read_optional(q, a, read_role, &p->role, N_ROLE_COLS, &p->has_role);
    return rc;
}

/* One statement, so one read transaction: a request used to take five. */
int store_principal_by_token(struct store *s, struct arena *a, int64_t token_id,
                             const char *hash_hex, struct principal_rows *out)
{
    struct q q;
    int rc = q_start(s, token_id > 0 ? ST_PRINCIPAL_BY_TOKEN_ID : ST_PRINCIPAL_BY_TOKEN_HASH, &q);
    if (rc != 0)
        return rc;
    if (token_id > 0)
        q_bind_i64(&q, token_id);
    else
        q_bind_text(&q, hash_hex);
    return read_one(&q, a, read_principal, out);
}

int store_principal_in_tenant(struct store *s, struct arena *a, int64_t token_id,
                              const char *tenant_slug, struct principal_rows *out)
{
    struct q q;
    int rc = q_start(s, ST_PRINCIPAL_IN_TENANT, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, tenant_slug);
    q_bind_i64(&q, token_id);
    return read_one(&q, a, read_principal, out);
}

/* ---- audit ---- */

static int read_audit(struct q *q, struct arena *a, void *row)
{
    struct audit_entry *e = row;
    *e = (struct audit_entry){0};
    e->id = q_i64(q);
    e->at = q_i64(q);
    e->tenant_id = q_i64(q);
    e->user_id = q_i64(q);
    e->action = q_text(q, a);
    e->ip = q_text(q, a);
    e->detail = q_text(q, a);
    return 0;
}

/* at 0 means "now" (and is written back). */
int store_audit_insert(struct store *s, struct audit_entry *e)
{
    struct q q;
    int rc = q_start(s, ST_AUDIT_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = e->at != 0 ? e->at : time_now();
    q_bind_i64(&q, at);
    q_bind_opt(&q, e->tenant_id);
    q_bind_opt(&q, e->user_id);
    q_bind_text(&q, e->action);
    q_bind_text(&q, e->ip);
    q_bind_text(&q, e->detail);
    rc = insert(&q, &e->id);
    if (rc == 0)
        e->at = at;
    return rc;
}

int store_audit_list(struct store *s, struct arena *a, size_t limit, struct audit_entry **out,
                     size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_AUDIT_LIST, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    void *rows;
    rc = read_all(&q, a, read_audit, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- revocation in bulk ---- */

/* n, or ignored where the caller passed NULL; either set to 0. */
static int64_t *count_out(int64_t *n, int64_t *ignored)
{
    int64_t *out = n != NULL ? n : ignored;
    *out = 0;
    return out;
}

/* Runs a bound UPDATE or DELETE of any number of rows; *n = how many. */
static int change_many(struct q *q, int64_t *n)
{
    int rc = q_run(q);
    if (rc == 0)
        *n = q_changes(q);
    q_end(q);
    return rc;
}

int store_token_revoke_user_except(struct store *s, int64_t user_id, int64_t keep_id, int64_t at,
                                   int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_TOKEN_REVOKE_USER_EXCEPT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, keep_id);
    return change_many(&q, n);
}

int store_session_delete_by_user(struct store *s, int64_t user_id, int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_SESSION_DELETE_BY_USER, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    return change_many(&q, n);
}

/* ---- dashboard sessions ---- */

/* Reads the hash column at the cursor into out (a SHA-256 hex; "" for NULL). */
static void read_hash(struct q *q, char out[TOKEN_HASH_HEX + 1])
{
    const char *h = q_peek(q, NULL);
    size_t len = h != NULL ? strnlen(h, TOKEN_HASH_HEX) : 0;
    if (len > 0)
        memcpy(out, h, len);
    out[len] = '\0';
}

static int read_session(struct q *q, struct arena *a, void *row)
{
    struct session *se = row;
    *se = (struct session){0};
    read_hash(q, se->id_hash);
    se->user_id = q_i64(q);
    se->tenant_id = q_i64(q);
    read_hash(q, se->csrf_hash);
    se->ip = q_text(q, a);
    se->user_agent = q_text(q, a);
    se->created_at = q_i64(q);
    se->last_seen_at = q_i64(q);
    se->expires_at = q_i64(q);
    return 0;
}

int store_session_insert(struct store *s, const struct session *se)
{
    struct q q;
    int rc = q_start(s, ST_SESSION_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, se->id_hash);
    q_bind_opt(&q, se->user_id);
    q_bind_opt(&q, se->tenant_id);
    q_bind_text(&q, se->csrf_hash);
    q_bind_text(&q, se->ip);
    q_bind_text(&q, se->user_agent);
    q_bind_i64(&q, se->created_at);
    q_bind_opt(&q, se->last_seen_at);
    q_bind_i64(&q, se->expires_at);
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

int store_session_get(struct store *s, struct arena *a, const char *id_hash, struct session *out)
{
    struct q q;
    int rc = q_start(s, ST_SESSION_GET, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, id_hash);
    return read_one(&q, a, read_session, out);
}

int store_session_touch(struct store *s, const char *id_hash, int64_t at, int64_t within_s,
                        bool *written)
{
    struct q q;
    int64_t n = 0;
    int rc = q_start(s, ST_SESSION_TOUCH, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_text(&q, id_hash);
    q_bind_i64(&q, at - within_s);
    rc = change_many(&q, &n);
    if (written != NULL)
        *written = rc == 0 && n > 0;
    return rc;
}

int store_session_move(struct store *s, const char *old_hash, const struct session *se)
{
    struct q q;
    int rc = q_start(s, ST_SESSION_MOVE, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, se->id_hash);
    q_bind_opt(&q, se->user_id);
    q_bind_opt(&q, se->tenant_id);
    q_bind_text(&q, se->ip);
    q_bind_text(&q, se->user_agent);
    q_bind_i64(&q, se->created_at);
    q_bind_opt(&q, se->last_seen_at);
    q_bind_i64(&q, se->expires_at);
    q_bind_text(&q, old_hash);
    return update_one(&q);
}

int store_session_set_csrf(struct store *s, const char *id_hash, const char *csrf_hash)
{
    struct q q;
    int rc = q_start(s, ST_SESSION_SET_CSRF, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, csrf_hash);
    q_bind_text(&q, id_hash);
    return update_one(&q);
}

int store_session_delete(struct store *s, const char *id_hash)
{
    struct q q;
    int rc = q_start(s, ST_SESSION_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, id_hash);
    return update_one(&q);
}

int store_session_delete_user_except(struct store *s, int64_t user_id, const char *keep_hash,
                                     int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_SESSION_DELETE_USER_EXCEPT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    q_bind_text(&q, keep_hash != NULL ? keep_hash : "");
    return change_many(&q, n);
}

int store_session_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                               struct session **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_SESSION_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_session, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_session_prune(struct store *s, int64_t now, int64_t idle_before, int64_t limit,
                        int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_SESSION_PRUNE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, now);
    q_bind_i64(&q, idle_before);
    q_bind_i64(&q, limit);
    return change_many(&q, n);
}

/* ---- signing keys ---- */

static int read_signing_key(struct q *q, struct arena *a, void *row)
{
    struct signing_key *k = row;
    *k = (struct signing_key){0};
    k->kid = q_text(q, a);
    k->alg = q_text(q, a);
    k->private_pem = q_text(q, a);
    k->public_jwk = q_text(q, a);
    k->created_at = q_i64(q);
    k->retired_at = q_i64(q);
    k->revoked_at = q_i64(q);
    return 0;
}

/* created_at 0 means "now" (and is written back). */
int store_signing_key_insert(struct store *s, struct signing_key *k)
{
    struct q q;
    int rc = q_start(s, ST_SIGNING_KEY_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = k->created_at != 0 ? k->created_at : time_now();
    q_bind_text(&q, k->kid);
    q_bind_text(&q, k->alg != NULL ? k->alg : "RS256");
    q_bind_text(&q, k->private_pem);
    q_bind_text(&q, k->public_jwk);
    q_bind_i64(&q, at);
    q_bind_opt(&q, k->retired_at);
    rc = q_run(&q);
    q_end(&q);
    if (rc == 0)
        k->created_at = at;
    return rc;
}

int store_signing_key_list(struct store *s, struct arena *a, struct signing_key **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_SIGNING_KEY_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_signing_key, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_signing_key_retire_others(struct store *s, const char *keep_kid, int64_t at, int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_SIGNING_KEY_RETIRE_OTHERS, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_text(&q, keep_kid);
    return change_many(&q, n);
}

int store_signing_key_set_private(struct store *s, const char *kid, const char *old_text,
                                  const char *new_text)
{
    struct q q;
    int rc = q_start(s, ST_SIGNING_KEY_SET_PRIVATE, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, new_text);
    q_bind_text(&q, kid);
    q_bind_text(&q, old_text);
    int64_t n = 0;
    rc = change_many(&q, &n);
    return rc == 0 && n == 0 ? ERR_CONFLICT : rc;
}

int store_signing_key_revoke(struct store *s, const char *kid, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_SIGNING_KEY_REVOKE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, at);
    q_bind_text(&q, kid);
    int64_t n = 0;
    rc = change_many(&q, &n);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

/* ---- seed 001: staff ---- */

static int read_staff(struct q *q, struct arena *a, void *row)
{
    (void)a;
    struct staff *st = row;
    st->user_id = q_i64(q);
    st->role_id = q_i64(q);
    st->granted_by = q_i64(q);
    st->created_at = q_i64(q);
    return 0;
}

int store_staff_get(struct store *s, int64_t user_id, struct staff *out)
{
    struct q q;
    int rc = q_start(s, ST_STAFF_GET, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    return read_one(&q, NULL, read_staff, out);
}

int store_staff_set(struct store *s, struct staff *st)
{
    struct q q;
    int rc = q_start(s, ST_STAFF_SET, &q);
    if (rc != 0)
        return rc;
    int64_t at = st->created_at != 0 ? st->created_at : time_now();
    q_bind_i64(&q, st->user_id);
    q_bind_i64(&q, st->role_id);
    q_bind_opt(&q, st->granted_by);
    q_bind_i64(&q, at);
    rc = q_run(&q);
    q_end(&q);
    if (rc == 0)
        st->created_at = at;
    return rc;
}

static int delete_by_id(struct store *s, enum stmt id, int64_t key)
{
    struct q q;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, key);
    return update_one(&q);
}

int store_staff_delete(struct store *s, int64_t user_id)
{
    return delete_by_id(s, ST_STAFF_DELETE, user_id);
}

int store_staff_list(struct store *s, struct arena *a, struct staff **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_STAFF_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_staff, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int count_by_id(struct store *s, enum stmt id, int64_t key, int64_t *n)
{
    struct q q;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, key);
    return read_count(&q, n);
}

int store_staff_count_role(struct store *s, int64_t role_id, int64_t *n)
{
    return count_by_id(s, ST_STAFF_COUNT_ROLE, role_id, n);
}

/* ---- seed 001: searches ---- */

/* Binds the user filter's WHERE parameters ?1..?3. */
static void bind_user_where(struct q *q, const char *pattern, const struct user_filter *f)
{
    q_bind_text(q, pattern);
    q_bind_text(q, f->status);
    q_bind_opt(q, f->tenant_id);
}

int store_user_search(struct store *s, struct arena *a, const struct user_filter *f,
                      struct user **out, size_t *n, int64_t *total)
{
    struct q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->search, false);
    int rc = q_start(s, ST_USER_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    bind_user_where(&q, pattern, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = q_start(s, ST_USER_SEARCH, &q);
    if (rc != 0)
        return rc;
    bind_user_where(&q, pattern, f);
    q_bind_i64(&q, page_value(f->limit));
    q_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_user, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_user_set_names(struct store *s, int64_t user_id, const char *name, const char *first_name,
                         const char *last_name)
{
    struct q q;
    int rc = q_start(s, ST_USER_SET_NAMES, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, name);
    q_bind_text(&q, first_name);
    q_bind_text(&q, last_name);
    q_bind_i64(&q, time_now());
    q_bind_i64(&q, user_id);
    return update_one(&q);
}

int store_user_delete(struct store *s, int64_t user_id)
{
    return delete_by_id(s, ST_USER_DELETE, user_id);
}

static int read_tenant_summary(struct q *q, struct arena *a, void *row)
{
    struct tenant_summary *t = row;
    int rc = read_tenant(q, a, &t->tenant);
    if (rc == 0)
        t->member_count = q_i64(q);
    return rc;
}

int store_tenant_search(struct store *s, struct arena *a, const struct tenant_filter *f,
                        struct tenant_summary **out, size_t *n, int64_t *total)
{
    struct q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->search, false);
    int rc = q_start(s, ST_TENANT_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, pattern);
    q_bind_text(&q, f->status);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = q_start(s, ST_TENANT_SEARCH, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, pattern);
    q_bind_text(&q, f->status);
    q_bind_i64(&q, page_value(f->limit));
    q_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_tenant_summary, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_tenant_member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    return count_by_id(s, ST_TENANT_MEMBER_COUNT, tenant_id, n);
}

int store_tenant_set_status(struct store *s, int64_t tenant_id, enum tenant_status status)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, tenant_status_str(status));
    q_bind_i64(&q, tenant_id);
    return update_one(&q);
}

int store_tenant_update(struct store *s, const struct tenant *t)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_UPDATE, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, t->name);
    q_bind_text(&q, t->domain);
    q_bind_text(&q, t->default_currency);
    q_bind_list(&q, &t->enabled_products);
    q_bind_i64(&q, t->id);
    return update_one(&q);
}

/* Binds the audit filter's WHERE parameters ?1..?6. */
static void bind_audit_where(struct q *q, struct arena *a, const struct audit_filter *f)
{
    q_bind_opt(q, f->user_id);
    q_bind_opt(q, f->tenant_id);
    q_bind_text(q, f->action_prefix ? NULL : f->action);
    q_bind_text(q, f->action_prefix ? like_pattern(a, f->action, true) : NULL);
    q_bind_opt(q, f->from);
    q_bind_opt(q, f->to);
}

int store_audit_search(struct store *s, struct arena *a, const struct audit_filter *f,
                       struct audit_entry **out, size_t *n, int64_t *total)
{
    struct q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = q_start(s, ST_AUDIT_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    bind_audit_where(&q, a, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = q_start(s, ST_AUDIT_SEARCH, &q);
    if (rc != 0)
        return rc;
    bind_audit_where(&q, a, f);
    q_bind_i64(&q, page_value(f->limit));
    q_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_audit, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- seed 001: password resets ---- */

static int read_reset(struct q *q, struct arena *a, void *row)
{
    struct password_reset *r = row;
    *r = (struct password_reset){0};
    const char *hash = q_peek(q, NULL);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(r->token_hash, hash, len);
        r->token_hash[len] = '\0';
    }
    r->email = q_text(q, a);
    r->created_at = q_i64(q);
    r->used_at = q_i64(q);
    return 0;
}

int store_reset_insert(struct store *s, struct password_reset *r)
{
    struct q q;
    int rc = q_start(s, ST_RESET_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = r->created_at != 0 ? r->created_at : time_now();
    q_bind_text(&q, r->token_hash);
    q_bind_text(&q, r->email);
    q_bind_i64(&q, at);
    rc = q_run(&q);
    q_end(&q);
    if (rc == 0)
        r->created_at = at;
    return rc;
}

int store_reset_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                        struct password_reset *out)
{
    struct q q;
    int rc = q_start(s, ST_RESET_BY_HASH, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, hash_hex);
    return read_one(&q, a, read_reset, out);
}

int store_reset_use(struct store *s, const char *hash_hex, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_RESET_USE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_text(&q, hash_hex);
    return update_one(&q);
}

int store_reset_use_email(struct store *s, const char *email, int64_t at)
{
    struct q q;
    int64_t n;
    int rc = q_start(s, ST_RESET_USE_EMAIL, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_text(&q, email);
    return change_many(&q, &n);
}

/* ---- team management ---- */

static int read_member_row(struct q *q, struct arena *a, void *row)
{
    struct member_row *m = row;
    *m = (struct member_row){0};
    int rc = read_membership(q, a, &m->membership);
    if (rc == 0)
        rc = read_user(q, a, &m->user);
    if (rc == 0)
        rc = read_optional(q, a, read_role, &m->role, N_ROLE_COLS, &m->has_role);
    return rc;
}

int store_member_list(struct store *s, struct arena *a, int64_t tenant_id, int64_t offset,
                      int64_t limit, struct member_row **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_MEMBER_LIST, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_i64(&q, limit);
    q_bind_i64(&q, offset);
    void *rows;
    rc = read_all(&q, a, read_member_row, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    struct q q;
    int rc = q_start(s, ST_MEMBER_COUNT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    return read_count(&q, n);
}

int store_member_count_active_slug(struct store *s, int64_t tenant_id, const char *role_slug,
                                   int64_t *n)
{
    struct q q;
    int rc = q_start(s, ST_MEMBER_COUNT_ACTIVE_SLUG, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_text(&q, role_slug);
    return read_count(&q, n);
}

int store_membership_set_role(struct store *s, int64_t user_id, int64_t tenant_id, int64_t role_id)
{
    struct q q;
    int rc = q_start(s, ST_MEMBERSHIP_SET_ROLE, &q);
    if (rc != 0)
        return rc;
    q_bind_opt(&q, role_id);
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return update_one(&q);
}

int store_membership_delete(struct store *s, int64_t user_id, int64_t tenant_id)
{
    struct q q;
    int rc = q_start(s, ST_MEMBERSHIP_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return update_one(&q);
}

/* BEGIN IMMEDIATE already holds SQLite's write lock: only check the row. */
int store_tenant_lock(struct store *s, int64_t tenant_id)
{
    struct q q;
    int rc = q_start(s, ST_TENANT_LOCK, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    rc = q_row(&q);
    q_end(&q);
    return rc;
}

int store_token_revoke_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id, int64_t at,
                                   int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_TOKEN_REVOKE_USER_TENANT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return change_many(&q, n);
}

int store_session_delete_by_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id,
                                        int64_t *n)
{
    struct q q;
    int64_t ignored;
    n = count_out(n, &ignored);
    int rc = q_start(s, ST_SESSION_DELETE_BY_USER_TENANT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    return change_many(&q, n);
}

static int read_invitation(struct q *q, struct arena *a, void *row)
{
    struct invitation *inv = row;
    *inv = (struct invitation){0};
    inv->id = q_i64(q);
    inv->tenant_id = q_i64(q);
    inv->email = q_text(q, a);
    inv->role_id = q_i64(q);
    const char *hash = q_peek(q, NULL);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(inv->token_hash, hash, len);
        inv->token_hash[len] = '\0';
    }
    inv->invited_by = q_i64(q);
    inv->created_at = q_i64(q);
    inv->expires_at = q_i64(q);
    inv->accepted_at = q_i64(q);
    inv->cancelled_at = q_i64(q);
    return 0;
}

int store_invitation_insert(struct store *s, struct invitation *inv)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = inv->created_at != 0 ? inv->created_at : time_now();
    q_bind_i64(&q, inv->tenant_id);
    q_bind_text(&q, inv->email);
    q_bind_opt(&q, inv->role_id);
    q_bind_text(&q, inv->token_hash);
    q_bind_opt(&q, inv->invited_by);
    q_bind_i64(&q, at);
    q_bind_i64(&q, inv->expires_at);
    q_bind_opt(&q, inv->accepted_at);
    q_bind_opt(&q, inv->cancelled_at);
    rc = insert(&q, &inv->id);
    if (rc == 0)
        inv->created_at = at;
    return rc;
}

int store_invitation_by_id(struct store *s, struct arena *a, int64_t id, struct invitation *out)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_BY_ID, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return read_one(&q, a, read_invitation, out);
}

int store_invitation_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                             struct invitation *out)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_BY_HASH, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, hash_hex);
    return read_one(&q, a, read_invitation, out);
}

int store_invitation_list_open(struct store *s, struct arena *a, int64_t tenant_id,
                               struct invitation **out, size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_INVITATION_LIST_OPEN, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    void *rows;
    rc = read_all(&q, a, read_invitation, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_invitation_open_by_email(struct store *s, struct arena *a, int64_t tenant_id,
                                   const char *email, struct invitation *out)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_OPEN_BY_EMAIL, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_text(&q, email);
    return read_one(&q, a, read_invitation, out);
}

int store_invitation_renew(struct store *s, int64_t id, const char *hash_hex, int64_t expires_at)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_RENEW, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, hash_hex);
    q_bind_i64(&q, expires_at);
    q_bind_i64(&q, id);
    return update_one(&q);
}

int store_invitation_cancel(struct store *s, int64_t id, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_CANCEL, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, id);
    return update_one(&q);
}

int store_invitation_accept(struct store *s, int64_t id, const char *hash_hex, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_INVITATION_ACCEPT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, id);
    q_bind_text(&q, hash_hex);
    q_bind_i64(&q, at);
    return update_one(&q);
}

/* ---- organisations of a user (issue #7) ---- */

static int read_org_row(struct q *q, struct arena *a, void *row)
{
    struct org_row *o = row;
    *o = (struct org_row){0};
    int rc = read_membership(q, a, &o->membership);
    if (rc == 0)
        rc = read_tenant(q, a, &o->tenant);
    if (rc == 0)
        rc = read_role(q, a, &o->role);
    return rc;
}

/* One statement for what took 1 + 2N (memberships, then tenant and role of
 * each). */
int store_org_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct org_row **out,
                           size_t *n)
{
    struct q q;
    *out = NULL;
    *n = 0;
    int rc = q_start(s, ST_ORG_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_org_row, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}
