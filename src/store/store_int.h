/*
 * store_int.h - what the backends of store.h share, private to src/store/.
 *
 * struct store is only a vtable pointer: each backend allocates a larger
 * struct whose first member is a struct store, and store.c forwards every
 * call of store.h through s->ops. A backend is added by writing its ops table
 * and a line in store_open().
 *
 * Migrations: every backend applies the files of migrations.h that end in
 * its suffix, in name order; a file's version is its leading number.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/migrations.h"
#include "store/store.h"

struct store_ops {
    const char *name;             /* "sqlite", "postgres" */
    const char *migration_suffix; /* ".sqlite.sql", ".pg.sql" */
    void (*free)(struct store *s);
    /* Applies pending migrations, then runs then(ctx) (if not NULL) while
     * no other process can be migrating or running its own then. */
    int (*migrate)(struct store *s, int *applied, int (*then)(void *ctx), void *ctx);
    int (*schema_current)(struct store *s, int *current);
    int (*tx_begin)(struct store *s);
    int (*tx_commit)(struct store *s);
    void (*tx_rollback)(struct store *s);
    int (*ping)(struct store *s);

    int (*tenant_insert)(struct store *s, struct tenant *t);
    int (*tenant_by_id)(struct store *s, struct arena *a, int64_t id, struct tenant *out);
    int (*tenant_by_slug)(struct store *s, struct arena *a, const char *slug, struct tenant *out);
    int (*tenant_by_domain)(struct store *s, struct arena *a, const char *host, struct tenant *out);
    int (*tenant_list)(struct store *s, struct arena *a, struct tenant **out, size_t *n);
    int (*tenant_count)(struct store *s, int64_t *n);

    int (*user_insert)(struct store *s, struct user *u);
    int (*user_by_id)(struct store *s, struct arena *a, int64_t id, struct user *out);
    int (*user_by_email)(struct store *s, struct arena *a, const char *email, struct user *out);
    int (*user_set_password)(struct store *s, int64_t user_id, const char *hash);
    int (*user_set_last_login)(struct store *s, int64_t user_id, int64_t at);
    int (*user_set_status)(struct store *s, int64_t user_id, enum user_status status);
    int (*user_count)(struct store *s, int64_t *n);

    int (*role_insert)(struct store *s, struct role *r);
    int (*role_by_id)(struct store *s, struct arena *a, int64_t id, struct role *out);
    int (*role_list)(struct store *s, struct arena *a, int64_t tenant_id, struct role **out,
                     size_t *n);

    int (*membership_insert)(struct store *s, const struct membership *m);
    int (*membership_get)(struct store *s, int64_t user_id, int64_t tenant_id,
                          struct membership *out);
    int (*membership_set_status)(struct store *s, int64_t user_id, int64_t tenant_id,
                                 enum member_status status);
    int (*membership_list_by_user)(struct store *s, struct arena *a, int64_t user_id,
                                   struct membership **out, size_t *n);

    int (*token_insert)(struct store *s, struct token *t);
    int (*token_by_id)(struct store *s, struct arena *a, int64_t id, struct token *out);
    int (*token_by_hash)(struct store *s, struct arena *a, const char *hash_hex, struct token *out);
    int (*token_list_by_user)(struct store *s, struct arena *a, int64_t user_id, struct token **out,
                              size_t *n);
    int (*token_revoke)(struct store *s, int64_t id, int64_t at);
    int (*token_touch_many)(struct store *s, const struct token_touch *items, size_t n);

    /* NULL: the backend cannot tell (store_change_stamp returns false). */
    bool (*change_stamp)(struct store *s, uint64_t *out);
    int (*principal_by_token)(struct store *s, struct arena *a, int64_t token_id,
                              const char *hash_hex, struct principal_rows *out);
    int (*principal_in_tenant)(struct store *s, struct arena *a, int64_t token_id,
                               const char *tenant_slug, struct principal_rows *out);

    int (*audit_insert)(struct store *s, struct audit_entry *e);
    int (*audit_list)(struct store *s, struct arena *a, size_t limit, struct audit_entry **out,
                      size_t *n);

    int (*token_revoke_user_except)(struct store *s, int64_t user_id, int64_t keep_id, int64_t at,
                                    int64_t *n);
    int (*session_delete_by_user)(struct store *s, int64_t user_id, int64_t *n);
    int (*signing_key_insert)(struct store *s, struct signing_key *k);
    int (*signing_key_list)(struct store *s, struct arena *a, struct signing_key **out, size_t *n);
    int (*signing_key_retire_others)(struct store *s, const char *keep_kid, int64_t at, int64_t *n);

    /* seed 001: staff, admin searches, password resets */
    int (*staff_get)(struct store *s, int64_t user_id, struct staff *out);
    int (*staff_set)(struct store *s, struct staff *st);
    int (*staff_delete)(struct store *s, int64_t user_id);
    int (*staff_list)(struct store *s, struct arena *a, struct staff **out, size_t *n);
    int (*staff_count_role)(struct store *s, int64_t role_id, int64_t *n);
    int (*user_search)(struct store *s, struct arena *a, const struct user_filter *f,
                       struct user **out, size_t *n, int64_t *total);
    int (*user_set_names)(struct store *s, int64_t user_id, const char *name,
                          const char *first_name, const char *last_name);
    int (*user_delete)(struct store *s, int64_t user_id);
    int (*tenant_search)(struct store *s, struct arena *a, const struct tenant_filter *f,
                         struct tenant_summary **out, size_t *n, int64_t *total);
    int (*tenant_member_count)(struct store *s, int64_t tenant_id, int64_t *n);
    int (*tenant_set_status)(struct store *s, int64_t tenant_id, enum tenant_status status);
    int (*audit_search)(struct store *s, struct arena *a, const struct audit_filter *f,
                        struct audit_entry **out, size_t *n, int64_t *total);
    int (*reset_insert)(struct store *s, struct password_reset *r);
    int (*reset_by_hash)(struct store *s, struct arena *a, const char *hash_hex,
                         struct password_reset *out);
    int (*reset_use)(struct store *s, const char *hash_hex, int64_t at);
    int (*reset_use_email)(struct store *s, const char *email, int64_t at);

    /* team management (issue #5) */
    int (*member_list)(struct store *s, struct arena *a, int64_t tenant_id, int64_t offset,
                       int64_t limit, struct member_row **out, size_t *n);
    int (*member_count)(struct store *s, int64_t tenant_id, int64_t *n);
    int (*member_count_active_slug)(struct store *s, int64_t tenant_id, const char *role_slug,
                                    int64_t *n);
    int (*membership_set_role)(struct store *s, int64_t user_id, int64_t tenant_id,
                               int64_t role_id);
    int (*membership_delete)(struct store *s, int64_t user_id, int64_t tenant_id);
    int (*tenant_lock)(struct store *s, int64_t tenant_id);
    int (*token_revoke_user_tenant)(struct store *s, int64_t user_id, int64_t tenant_id, int64_t at,
                                    int64_t *n);
    int (*session_delete_by_user_tenant)(struct store *s, int64_t user_id, int64_t tenant_id,
                                         int64_t *n);
    int (*invitation_insert)(struct store *s, struct invitation *inv);
    int (*invitation_by_id)(struct store *s, struct arena *a, int64_t id, struct invitation *out);
    int (*invitation_by_hash)(struct store *s, struct arena *a, const char *hash_hex,
                              struct invitation *out);
    int (*invitation_list_open)(struct store *s, struct arena *a, int64_t tenant_id,
                                struct invitation **out, size_t *n);
    int (*invitation_open_by_email)(struct store *s, struct arena *a, int64_t tenant_id,
                                    const char *email, struct invitation *out);
    int (*invitation_renew)(struct store *s, int64_t id, const char *hash_hex, int64_t expires_at);
    int (*invitation_cancel)(struct store *s, int64_t id, int64_t at);
    int (*invitation_accept)(struct store *s, int64_t id, const char *hash_hex, int64_t at);

    /* organisations of a user (issue #7) */
    int (*org_list_by_user)(struct store *s, struct arena *a, int64_t user_id, struct org_row **out,
                            size_t *n);
};

struct store {
    const struct store_ops *ops; /* constant after open */
};

/* Opens the SQLite backend on a file path (sqlite.c). */
int sqlite_store_open(const char *path, struct store **out) __attribute__((warn_unused_result));
/* Opens the PostgreSQL backend on a postgres:// URL and connects (pg.c). */
int pg_store_open(const char *url, struct store **out) __attribute__((warn_unused_result));

/*
 * The version of a migration file name: its leading decimal number
 * ("0007_x.sqlite.sql" gives 7). -1 if the name has none or it is too big.
 */
int migration_version(const char *name);
/*
 * Iterates over the files ending in suffix, in order: pass *pos = 0 first.
 * Returns the next file and sets *version, or NULL at the end.
 */
const struct migration_file *migration_next(const char *suffix, size_t *pos, int *version);
/*
 * ERR_SCHEMA (logged) unless every file ending in suffix has a version and
 * the versions strictly increase in name order.
 */
int migration_check(const char *suffix) __attribute__((warn_unused_result));
/* The highest version among the files ending in suffix; 0 if none. */
int migration_latest(const char *suffix);
