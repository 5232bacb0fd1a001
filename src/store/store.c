/*
 * store.c - picks the backend from the database URL and forwards every call
 * of store.h to it through the store's ops table (store_int.h).
 *
 * Holds no state of its own; locking and ownership are the backend's, as
 * store.h describes them.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"
#include "util/err.h"
#include "util/log.h"

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The SQLite file a URL names, or NULL for a PostgreSQL URL. */
static const char *sqlite_path(const char *url)
{
    if (starts_with(url, "postgres://") || starts_with(url, "postgresql://"))
        return NULL;
    return starts_with(url, "sqlite:") ? url + strlen("sqlite:") : url;
}

int store_open(const char *url, struct store **out)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        log_error("store event=open_failed reason=\"empty database url\"");
        return ERR_INVALID;
    }
    const char *path = sqlite_path(url);
    /* The URL is not logged: it may carry a password. */
    return path != NULL ? sqlite_store_open(path, out) : pg_store_open(url, out);
}

int store_open_existing(const char *url, struct store **out)
{
    *out = NULL;
    const char *path = url != NULL ? sqlite_path(url) : NULL;
    struct stat st;
    if (path != NULL && path[0] != '\0' && stat(path, &st) != 0 && errno == ENOENT)
        return ERR_NOT_FOUND;
    return store_open(url, out);
}

void store_free(struct store *s)
{
    if (s != NULL)
        s->ops->free(s);
}

const char *store_backend(const struct store *s)
{
    return s->ops->name;
}

int store_ping(struct store *s)
{
    return s->ops->ping(s);
}

int store_migrate(struct store *s, int *applied)
{
    return store_migrate_then(s, applied, NULL, NULL);
}

int store_migrate_then(struct store *s, int *applied, int (*then)(void *ctx), void *ctx)
{
    int dummy;
    return s->ops->migrate(s, applied != NULL ? applied : &dummy, then, ctx);
}

int store_schema_version(struct store *s, int *current, int *latest)
{
    *latest = migration_latest(s->ops->migration_suffix);
    return s->ops->schema_current(s, current);
}

int store_schema_check(struct store *s)
{
    int current, latest;
    int rc = store_schema_version(s, &current, &latest);
    if (rc != 0)
        return rc;
    if (current != latest) {
        log_error("store=%s event=schema_mismatch current=%d latest=%d hint=\"run latchkey "
                  "migrate\"",
                  s->ops->name, current, latest);
        return ERR_SCHEMA;
    }
    return 0;
}

int store_tx_begin(struct store *s)
{
    return s->ops->tx_begin(s);
}

int store_tx_commit(struct store *s)
{
    return s->ops->tx_commit(s);
}

void store_tx_rollback(struct store *s)
{
    s->ops->tx_rollback(s);
}

int store_tenant_insert(struct store *s, struct tenant *t)
{
    return s->ops->tenant_insert(s, t);
}

int store_tenant_by_id(struct store *s, struct arena *a, int64_t id, struct tenant *out)
{
    return s->ops->tenant_by_id(s, a, id, out);
}

int store_tenant_by_slug(struct store *s, struct arena *a, const char *slug, struct tenant *out)
{
    return s->ops->tenant_by_slug(s, a, slug, out);
}

int store_tenant_by_domain(struct store *s, struct arena *a, const char *host, struct tenant *out)
{
    return s->ops->tenant_by_domain(s, a, host, out);
}

int store_tenant_list(struct store *s, struct arena *a, struct tenant **out, size_t *n)
{
    return s->ops->tenant_list(s, a, out, n);
}

int store_tenant_count(struct store *s, int64_t *n)
{
    return s->ops->tenant_count(s, n);
}

int store_user_insert(struct store *s, struct user *u)
{
    return s->ops->user_insert(s, u);
}

int store_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *out)
{
    return s->ops->user_by_id(s, a, id, out);
}

int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user *out)
{
    return s->ops->user_by_email(s, a, email, out);
}

int store_user_set_password(struct store *s, int64_t user_id, const char *hash)
{
    return s->ops->user_set_password(s, user_id, hash);
}

int store_user_set_last_login(struct store *s, int64_t user_id, int64_t at)
{
    return s->ops->user_set_last_login(s, user_id, at);
}

int store_user_set_status(struct store *s, int64_t user_id, enum user_status status)
{
    return s->ops->user_set_status(s, user_id, status);
}

int store_user_count(struct store *s, int64_t *n)
{
    return s->ops->user_count(s, n);
}

int store_role_insert(struct store *s, struct role *r)
{
    return s->ops->role_insert(s, r);
}

int store_role_by_id(struct store *s, struct arena *a, int64_t id, struct role *out)
{
    return s->ops->role_by_id(s, a, id, out);
}

int store_role_list(struct store *s, struct arena *a, int64_t tenant_id, struct role **out,
                    size_t *n)
{
    return s->ops->role_list(s, a, tenant_id, out, n);
}

int store_membership_insert(struct store *s, const struct membership *m)
{
    return s->ops->membership_insert(s, m);
}

int store_membership_get(struct store *s, int64_t user_id, int64_t tenant_id,
                         struct membership *out)
{
    return s->ops->membership_get(s, user_id, tenant_id, out);
}

int store_membership_set_status(struct store *s, int64_t user_id, int64_t tenant_id,
                                enum member_status status)
{
    return s->ops->membership_set_status(s, user_id, tenant_id, status);
}

int store_membership_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                                  struct membership **out, size_t *n)
{
    return s->ops->membership_list_by_user(s, a, user_id, out, n);
}

int store_token_insert(struct store *s, struct token *t)
{
    return s->ops->token_insert(s, t);
}

int store_token_by_id(struct store *s, struct arena *a, int64_t id, struct token *out)
{
    return s->ops->token_by_id(s, a, id, out);
}

int store_token_by_hash(struct store *s, struct arena *a, const char *hash_hex, struct token *out)
{
    return s->ops->token_by_hash(s, a, hash_hex, out);
}

int store_token_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct token **out,
                             size_t *n)
{
    return s->ops->token_list_by_user(s, a, user_id, out, n);
}

int store_token_revoke(struct store *s, int64_t id, int64_t at)
{
    return s->ops->token_revoke(s, id, at);
}

int store_token_touch_many(struct store *s, const struct token_touch *items, size_t n)
{
    return s->ops->token_touch_many(s, items, n);
}

bool store_change_stamp(struct store *s, uint64_t *out)
{
    *out = 0;
    return s->ops->change_stamp != NULL && s->ops->change_stamp(s, out);
}

int store_principal_by_token(struct store *s, struct arena *a, int64_t token_id,
                             const char *hash_hex, struct principal_rows *out)
{
    return s->ops->principal_by_token(s, a, token_id, hash_hex, out);
}

int store_principal_in_tenant(struct store *s, struct arena *a, int64_t token_id,
                              const char *tenant_slug, struct principal_rows *out)
{
    return s->ops->principal_in_tenant(s, a, token_id, tenant_slug, out);
}

int store_audit_insert(struct store *s, struct audit_entry *e)
{
    return s->ops->audit_insert(s, e);
}

int store_audit_list(struct store *s, struct arena *a, size_t limit, struct audit_entry **out,
                     size_t *n)
{
    return s->ops->audit_list(s, a, limit, out, n);
}

int store_token_revoke_user_except(struct store *s, int64_t user_id, int64_t keep_id, int64_t at,
                                   int64_t *n)
{
    int64_t dummy;
    return s->ops->token_revoke_user_except(s, user_id, keep_id, at, n != NULL ? n : &dummy);
}

int store_session_delete_by_user(struct store *s, int64_t user_id, int64_t *n)
{
    int64_t dummy;
    return s->ops->session_delete_by_user(s, user_id, n != NULL ? n : &dummy);
}

int store_signing_key_insert(struct store *s, struct signing_key *k)
{
    return s->ops->signing_key_insert(s, k);
}

int store_signing_key_list(struct store *s, struct arena *a, struct signing_key **out, size_t *n)
{
    return s->ops->signing_key_list(s, a, out, n);
}

int store_signing_key_retire_others(struct store *s, const char *keep_kid, int64_t at, int64_t *n)
{
    int64_t dummy;
    return s->ops->signing_key_retire_others(s, keep_kid, at, n != NULL ? n : &dummy);
}

int store_staff_get(struct store *s, int64_t user_id, struct staff *out)
{
    return s->ops->staff_get(s, user_id, out);
}

int store_staff_set(struct store *s, struct staff *st)
{
    return s->ops->staff_set(s, st);
}

int store_staff_delete(struct store *s, int64_t user_id)
{
    return s->ops->staff_delete(s, user_id);
}

int store_staff_list(struct store *s, struct arena *a, struct staff **out, size_t *n)
{
    return s->ops->staff_list(s, a, out, n);
}

int store_staff_count_role(struct store *s, int64_t role_id, int64_t *n)
{
    return s->ops->staff_count_role(s, role_id, n);
}

int store_user_search(struct store *s, struct arena *a, const struct user_filter *f,
                      struct user **out, size_t *n, int64_t *total)
{
    return s->ops->user_search(s, a, f, out, n, total);
}

int store_user_set_names(struct store *s, int64_t user_id, const char *name, const char *first_name,
                         const char *last_name)
{
    return s->ops->user_set_names(s, user_id, name, first_name, last_name);
}

int store_user_delete(struct store *s, int64_t user_id)
{
    return s->ops->user_delete(s, user_id);
}

int store_tenant_search(struct store *s, struct arena *a, const struct tenant_filter *f,
                        struct tenant_summary **out, size_t *n, int64_t *total)
{
    return s->ops->tenant_search(s, a, f, out, n, total);
}

int store_tenant_member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    return s->ops->tenant_member_count(s, tenant_id, n);
}

int store_tenant_set_status(struct store *s, int64_t tenant_id, enum tenant_status status)
{
    return s->ops->tenant_set_status(s, tenant_id, status);
}

int store_audit_search(struct store *s, struct arena *a, const struct audit_filter *f,
                       struct audit_entry **out, size_t *n, int64_t *total)
{
    return s->ops->audit_search(s, a, f, out, n, total);
}

int store_reset_insert(struct store *s, struct password_reset *r)
{
    return s->ops->reset_insert(s, r);
}

int store_reset_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                        struct password_reset *out)
{
    return s->ops->reset_by_hash(s, a, hash_hex, out);
}

int store_reset_use(struct store *s, const char *hash_hex, int64_t at)
{
    return s->ops->reset_use(s, hash_hex, at);
}

int store_reset_use_email(struct store *s, const char *email, int64_t at)
{
    return s->ops->reset_use_email(s, email, at);
}

/* ---- team management ---- */

int store_member_list(struct store *s, struct arena *a, int64_t tenant_id, int64_t offset,
                      int64_t limit, struct member_row **out, size_t *n)
{
    return s->ops->member_list(s, a, tenant_id, offset, limit, out, n);
}

int store_member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    return s->ops->member_count(s, tenant_id, n);
}

int store_member_count_active_slug(struct store *s, int64_t tenant_id, const char *role_slug,
                                   int64_t *n)
{
    return s->ops->member_count_active_slug(s, tenant_id, role_slug, n);
}

int store_membership_set_role(struct store *s, int64_t user_id, int64_t tenant_id, int64_t role_id)
{
    return s->ops->membership_set_role(s, user_id, tenant_id, role_id);
}

int store_membership_delete(struct store *s, int64_t user_id, int64_t tenant_id)
{
    return s->ops->membership_delete(s, user_id, tenant_id);
}

int store_tenant_lock(struct store *s, int64_t tenant_id)
{
    return s->ops->tenant_lock(s, tenant_id);
}

int store_token_revoke_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id, int64_t at,
                                   int64_t *n)
{
    int64_t dummy;
    return s->ops->token_revoke_user_tenant(s, user_id, tenant_id, at, n != NULL ? n : &dummy);
}

int store_session_delete_by_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id,
                                        int64_t *n)
{
    int64_t dummy;
    return s->ops->session_delete_by_user_tenant(s, user_id, tenant_id, n != NULL ? n : &dummy);
}

int store_invitation_insert(struct store *s, struct invitation *inv)
{
    return s->ops->invitation_insert(s, inv);
}

int store_invitation_by_id(struct store *s, struct arena *a, int64_t id, struct invitation *out)
{
    return s->ops->invitation_by_id(s, a, id, out);
}

int store_invitation_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                             struct invitation *out)
{
    return s->ops->invitation_by_hash(s, a, hash_hex, out);
}

int store_invitation_list_open(struct store *s, struct arena *a, int64_t tenant_id,
                               struct invitation **out, size_t *n)
{
    return s->ops->invitation_list_open(s, a, tenant_id, out, n);
}

int store_invitation_open_by_email(struct store *s, struct arena *a, int64_t tenant_id,
                                   const char *email, struct invitation *out)
{
    return s->ops->invitation_open_by_email(s, a, tenant_id, email, out);
}

int store_invitation_renew(struct store *s, int64_t id, const char *hash_hex, int64_t expires_at)
{
    return s->ops->invitation_renew(s, id, hash_hex, expires_at);
}

int store_invitation_cancel(struct store *s, int64_t id, int64_t at)
{
    return s->ops->invitation_cancel(s, id, at);
}

int store_invitation_accept(struct store *s, int64_t id, const char *hash_hex, int64_t at)
{
    return s->ops->invitation_accept(s, id, hash_hex, at);
}

int store_org_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct org_row **out,
                           size_t *n)
{
    return s->ops->org_list_by_user(s, a, user_id, out, n);
}
