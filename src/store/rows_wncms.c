/*
 * rows_wncms.c - the row functions of WNCMS (issue 14): settings and
 * their version, the per-user API token's revocation, posts. Written once
 * over the driver contract, like rows.c.
 */
#include "store/columns.h"
#include "store/driver.h"
#include "store/rows_int.h"
#include "util/timeutil.h"

/* ---- settings ---- */

static int read_setting(struct q *q, struct arena *a, void *row)
{
    struct setting *st = row;
    st->tenant_id = q_i64(q);
    st->key = q_text(q, a);
    st->value = q_text(q, a);
    st->updated_at = q_i64(q);
    return 0;
}

int store_setting_list(struct store *s, struct arena *a, bool all, int64_t tenant_id,
                       struct setting **out, size_t *n)
{
    struct q q;
    int rc = q_start(s, all ? ST_SETTING_LIST : ST_SETTING_LIST_SCOPE, &q);
    if (rc != 0)
        return rc;
    if (!all)
        q_bind_i64(&q, tenant_id);
    void *rows;
    rc = read_all(&q, a, read_setting, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_settings_bump(struct store *s)
{
    struct q q;
    int rc = q_start(s, ST_SETTINGS_BUMP, &q);
    if (rc != 0)
        return rc;
    return update_one(&q);
}

int store_setting_set(struct store *s, int64_t tenant_id, const char *key, const char *value)
{
    struct q q;
    int rc = q_start(s, value != NULL ? ST_SETTING_UPSERT : ST_SETTING_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_text(&q, key);
    if (value != NULL) {
        q_bind_text(&q, value);
        q_bind_i64(&q, time_now());
    }
    rc = q_run(&q);
    q_end(&q);
    if (rc == 0)
        rc = store_settings_bump(s);
    return rc;
}

int store_settings_version(struct store *s, int64_t *version)
{
    struct q q;
    int rc = q_start(s, ST_SETTINGS_VERSION, &q);
    if (rc != 0)
        return rc;
    return read_count(&q, version);
}

/* ---- the API token ---- */

int store_token_revoke_user_name(struct store *s, int64_t user_id, int64_t tenant_id,
                                 const char *name, int64_t at, int64_t *n)
{
    struct q q;
    int rc = q_start(s, ST_TOKEN_REVOKE_USER_NAME, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, at);
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, tenant_id);
    q_bind_text(&q, name);
    rc = q_run(&q);
    if (rc == 0 && n != NULL)
        *n = q_changes(&q);
    q_end(&q);
    return rc;
}

/* ---- posts ---- */

static int read_post(struct q *q, struct arena *a, void *row)
{
    struct post *p = row;
    p->id = q_i64(q);
    p->tenant_id = q_i64(q);
    p->slug = q_text(q, a);
    p->title = q_text(q, a);
    p->content = q_text(q, a);
    p->excerpt = q_text(q, a);
    p->status = q_text(q, a);
    p->author_id = q_i64(q);
    p->author_name = q_text(q, a);
    p->created_at = q_i64(q);
    p->updated_at = q_i64(q);
    return 0;
}

int store_post_insert(struct store *s, struct post *p)
{
    struct q q;
    int rc = q_start(s, ST_POST_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    q_bind_i64(&q, p->tenant_id);
    q_bind_text(&q, p->slug);
    q_bind_text(&q, p->title);
    q_bind_text(&q, p->content);
    q_bind_text(&q, p->excerpt);
    q_bind_text(&q, p->status);
    q_bind_opt(&q, p->author_id);
    q_bind_i64(&q, now);
    q_bind_i64(&q, now);
    rc = insert(&q, &p->id);
    if (rc == 0)
        p->created_at = p->updated_at = now;
    return rc;
}

int store_post_by_slug(struct store *s, struct arena *a, int64_t tenant_id, const char *slug,
                       struct post *out)
{
    struct q q;
    int rc = q_start(s, ST_POST_BY_SLUG, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_text(&q, slug);
    return read_one(&q, a, read_post, out);
}

static void bind_post_where(struct q *q, const char *pattern, const struct post_filter *f)
{
    q_bind_i64(q, f->tenant_id);
    q_bind_text(q, pattern);
    q_bind_text(q, f->status);
}

int store_post_search(struct store *s, struct arena *a, const struct post_filter *f,
                      struct post **out, size_t *n, int64_t *total)
{
    struct q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->keyword, false);
    int rc = q_start(s, ST_POST_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    bind_post_where(&q, pattern, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = q_start(s, ST_POST_SEARCH, &q);
    if (rc != 0)
        return rc;
    bind_post_where(&q, pattern, f);
    q_bind_i64(&q, page_value(f->limit));
    q_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_post, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

int store_post_update(struct store *s, struct post *p)
{
    struct q q;
    int rc = q_start(s, ST_POST_UPDATE, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    q_bind_text(&q, p->slug);
    q_bind_text(&q, p->title);
    q_bind_text(&q, p->content);
    q_bind_text(&q, p->excerpt);
    q_bind_text(&q, p->status);
    q_bind_i64(&q, now);
    q_bind_i64(&q, p->id);
    rc = update_one(&q);
    if (rc == 0)
        p->updated_at = now;
    return rc;
}

int store_post_delete(struct store *s, int64_t id)
{
    struct q q;
    int rc = q_start(s, ST_POST_DELETE, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, id);
    return update_one(&q);
}
