/*
 * rows_access.c - the row functions of forward-auth (issue 17): the access
 * rules. Every change bumps the settings version (rows_wncms.c), the one
 * version each instance polls, so the rules reload with the settings.
 */
#include "store/columns.h"
#include "store/driver.h"
#include "store/rows_int.h"
#include "util/timeutil.h"

static int read_rule(struct q *q, struct arena *a, void *row)
{
    struct access_rule *r = row;
    r->id = q_i64(q);
    r->method = q_text(q, a);
    r->pattern = q_text(q, a);
    r->auth = q_text(q, a);
    r->ability = q_text(q, a);
    r->role = q_text(q, a);
    r->tenant_from = q_text(q, a);
    r->enabled = q_bool(q);
    r->created_at = q_i64(q);
    r->updated_at = q_i64(q);
    return 0;
}

int store_access_rule_list(struct store *s, struct arena *a, struct access_rule **out, size_t *n)
{
    struct q q;
    int rc = q_start(s, ST_ACCESS_RULE_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_rule, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_access_rule_save(struct store *s, struct access_rule *r)
{
    struct q q;
    int64_t now = time_now();
    int rc = q_start(s, r->id != 0 ? ST_ACCESS_RULE_UPDATE : ST_ACCESS_RULE_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_text(&q, r->method);
    q_bind_text(&q, r->pattern);
    q_bind_text(&q, r->auth);
    q_bind_text(&q, r->ability);
    q_bind_text(&q, r->role);
    q_bind_text(&q, r->tenant_from);
    q_bind_bool(&q, r->enabled);
    if (r->id != 0) {
        q_bind_i64(&q, now);
        q_bind_i64(&q, r->id);
        rc = update_one(&q);
    } else {
        q_bind_i64(&q, now);
        q_bind_i64(&q, now);
        rc = insert(&q, &r->id);
        if (rc == 0)
            r->created_at = now;
    }
    if (rc != 0)
        return rc;
    r->updated_at = now;
    return store_settings_bump(s);
}

int store_access_rule_delete(struct store *s, int64_t id)
{
    struct q q;
    int rc = q_start(s, ST_ACCESS_RULE_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    rc = update_one(&q);
    return rc != 0 ? rc : store_settings_bump(s);
}
