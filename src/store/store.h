/*
 * store.h - the only interface between core and the database.
 *
 * Two drivers implement it: SQLite (sqlite.c) and PostgreSQL (pg.c), under
 * one row layer (rows.c, the statements of sql.c) through the contract of
 * driver.h; store.c picks the driver and holds the per-thread connections
 * and the migration loop. No backend type or call leaks out of src/store/.
 *
 * Threading: a struct store is shared by every thread. Each thread gets its
 * own connection on first use (prepared statements cached on it); the
 * connections are closed by store_free(), which must run after every other
 * thread using the store has stopped.
 *
 * Ownership: strings and arrays in filled-in rows are allocated in the
 * arena passed to the call (borrowed by the caller until the arena dies).
 * Input rows are borrowed. Every function returns 0 or a negative enum err:
 * ERR_NOT_FOUND when a lookup has no row, ERR_CONFLICT on a unique-key
 * violation, ERR_UNAVAILABLE when the database cannot be reached right now
 * (PostgreSQL down, connection lost, statement timed out: retry later),
 * ERR_STORE on any other database failure (logged once, without bound
 * values).
 */
#pragma once
struct metrics_hist;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

struct arena;
struct store;

/*
 * Opens a store. url is a SQLite path, "sqlite:PATH", or a libpq URL
 * "postgres://..." / "postgresql://...". SQLite creates the file and its
 * directory if missing; PostgreSQL connects once to check the URL
 * (ERR_UNAVAILABLE if the server cannot be reached, ERR_INVALID if the URL
 * does not parse). Does not migrate. On success *out is owned by the caller.
 */
int store_open(const char *url, struct store **out) __attribute__((warn_unused_result));
/*
 * Like store_open, but never creates a database: ERR_NOT_FOUND if url names
 * a SQLite file that does not exist (for the CLI commands, which work on a
 * database `latchkey migrate` or `serve` made).
 */
int store_open_existing(const char *url, struct store **out) __attribute__((warn_unused_result));
/*
 * Opens another program's database to read it (the source of an import):
 * a SQLite file that must exist, opened read-only with its journal mode
 * untouched (ERR_NOT_FOUND if missing), or a PostgreSQL database whose
 * session is read-only. Only the calling thread may use it.
 */
int store_open_readonly(const char *url, struct store **out) __attribute__((warn_unused_result));
/* Closes every connection and frees the store. Accepts NULL. */
void store_free(struct store *s);
/* "sqlite" or "postgres". */
const char *store_backend(const struct store *s);
/* How long statements took, start to end (for /metrics); borrowed. */
const struct metrics_hist *store_latency(const struct store *s);
/* 0 if the database answers a trivial query now (for readiness checks);
 * ERR_UNAVAILABLE if it cannot be reached. */
int store_ping(struct store *s) __attribute__((warn_unused_result));

/* Applies every pending migration, each in its own transaction. *applied
 * receives how many ran (may be NULL). */
int store_migrate(struct store *s, int *applied) __attribute__((warn_unused_result));
/*
 * store_migrate, then then(ctx) on the calling thread with the migration
 * lock still held, so processes that start together on one database run
 * their first-start set-up one after the other (PostgreSQL: the advisory
 * lock; SQLite: no lock, each write transaction is serialised on its own,
 * so then must be idempotent). Returns the migration's error, else then's.
 */
int store_migrate_then(struct store *s, int *applied, int (*then)(void *ctx), void *ctx)
    __attribute__((warn_unused_result));
/* ERR_SCHEMA unless the database is at the latest migration. */
int store_schema_check(struct store *s) __attribute__((warn_unused_result));
/* The latest applied migration number, and the latest this binary knows. */
int store_schema_version(struct store *s, int *current, int *latest)
    __attribute__((warn_unused_result));

/* Transactions on the calling thread's connection. Not nestable. */
int store_tx_begin(struct store *s) __attribute__((warn_unused_result));
int store_tx_commit(struct store *s) __attribute__((warn_unused_result));
void store_tx_rollback(struct store *s);
/* Ends the transaction by the outcome of its work: rolls back and returns
 * rc when it failed, else commits (store_tx_commit's result). */
int store_tx_end(struct store *s, int rc) __attribute__((warn_unused_result));

/* ---- tenants ---- */
/* Inserts t (id and created_at ignored); sets t->id and t->created_at. A
 * NULL product stores TENANT_PRODUCT_DEFAULT. */
int store_tenant_insert(struct store *s, struct tenant *t) __attribute__((warn_unused_result));
int store_tenant_by_id(struct store *s, struct arena *a, int64_t id, struct tenant *out)
    __attribute__((warn_unused_result));
/* slug compared exactly (slugs are stored lower-case). */
int store_tenant_by_slug(struct store *s, struct arena *a, const char *slug, struct tenant *out)
    __attribute__((warn_unused_result));
/* The tenant whose domain, lower-cased, is host (lower case, no port);
 * the lowest id if several share it. ERR_NOT_FOUND if none. */
int store_tenant_by_domain(struct store *s, struct arena *a, const char *host, struct tenant *out)
    __attribute__((warn_unused_result));
/* Every tenant, ordered by id. */
int store_tenant_list(struct store *s, struct arena *a, struct tenant **out, size_t *n)
    __attribute__((warn_unused_result));
int store_tenant_count(struct store *s, int64_t *n) __attribute__((warn_unused_result));

/* ---- users ---- */
/* Inserts u (id, created_at, updated_at ignored); sets them. NULL
 * preferences/attributes are stored as "{}". */
int store_user_insert(struct store *s, struct user *u) __attribute__((warn_unused_result));
int store_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *out)
    __attribute__((warn_unused_result));
/* email compared exactly (emails are stored lower-case). */
int store_user_by_email(struct store *s, struct arena *a, const char *email, struct user *out)
    __attribute__((warn_unused_result));
int store_user_set_password(struct store *s, int64_t user_id, const char *hash)
    __attribute__((warn_unused_result));
int store_user_set_last_login(struct store *s, int64_t user_id, int64_t at)
    __attribute__((warn_unused_result));
int store_user_set_status(struct store *s, int64_t user_id, enum user_status status)
    __attribute__((warn_unused_result));
int store_user_count(struct store *s, int64_t *n) __attribute__((warn_unused_result));

/* ---- roles ---- */
/* Inserts r (id, created_at ignored); sets them. */
int store_role_insert(struct store *s, struct role *r) __attribute__((warn_unused_result));
int store_role_by_id(struct store *s, struct arena *a, int64_t id, struct role *out)
    __attribute__((warn_unused_result));
/* Roles of a tenant (tenant_id 0: platform roles), ordered by id. *out is an
 * arena array of *n rows. */
int store_role_list(struct store *s, struct arena *a, int64_t tenant_id, struct role **out,
                    size_t *n) __attribute__((warn_unused_result));

/* ---- memberships ---- */
/* ERR_CONFLICT if the user already belongs to the tenant. */
int store_membership_insert(struct store *s, const struct membership *m)
    __attribute__((warn_unused_result));
int store_membership_get(struct store *s, int64_t user_id, int64_t tenant_id,
                         struct membership *out) __attribute__((warn_unused_result));
/* Sets a membership's status. ERR_NOT_FOUND if there is none. */
int store_membership_set_status(struct store *s, int64_t user_id, int64_t tenant_id,
                                enum member_status status) __attribute__((warn_unused_result));
/* Every membership of a user, oldest joined_at first (ties: tenant id). */
int store_membership_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                                  struct membership **out, size_t *n)
    __attribute__((warn_unused_result));

/* ---- tokens ---- */
/* Inserts t (id, created_at ignored); sets them. */
int store_token_insert(struct store *s, struct token *t) __attribute__((warn_unused_result));
int store_token_by_id(struct store *s, struct arena *a, int64_t id, struct token *out)
    __attribute__((warn_unused_result));
int store_token_by_hash(struct store *s, struct arena *a, const char *hash_hex, struct token *out)
    __attribute__((warn_unused_result));
/* A user's tokens, newest first. */
int store_token_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct token **out,
                             size_t *n) __attribute__((warn_unused_result));
/* A tenant's unrevoked personal access tokens (kind pat), newest first. */
int store_token_list_tenant_pat(struct store *s, struct arena *a, int64_t tenant_id,
                                struct token **out, size_t *n) __attribute__((warn_unused_result));
/* Sets revoked_at if not already set. ERR_NOT_FOUND if no such token. */
int store_token_revoke(struct store *s, int64_t id, int64_t at) __attribute__((warn_unused_result));
/* Sets revoked_at if the token is still live, as one conditional update:
 * of concurrent callers exactly one gets 0; the others (and a token that
 * is missing or already revoked) get ERR_NOT_FOUND. */
int store_token_revoke_live(struct store *s, int64_t id, int64_t at)
    __attribute__((warn_unused_result));
/* Writes last_used_at for many tokens in one transaction (never moves it
 * backwards). */
int store_token_touch_many(struct store *s, const struct token_touch *items, size_t n)
    __attribute__((warn_unused_result));

/* ---- the request hot path ---- */
/* The rows a bearer token stands for. The optional ones are valid only
 * when their has_ flag is set. */
/*
 * A change stamp for read caches (core/pcache): *out differs from the
 * previous call's whenever a change committed to the database since then
 * could change what a read returns. On SQLite: this process's commits are
 * counted once they are complete (exact); other processes' show in PRAGMA
 * data_version on the caller's connection, looked at no more than once a
 * millisecond per connection (seen within 1 ms). Read the stamp before
 * the read it validates. Returns false when the backend cannot tell
 * (PostgreSQL: other instances write without telling this one) or the
 * check failed: the caller must not use a cached read then.
 */
bool store_change_stamp(struct store *s, uint64_t *out) __attribute__((warn_unused_result));

struct principal_rows {
    struct token token;
    struct user user;
    bool has_tenant; /* the token's tenant (token.tenant_id != 0 and the row exists) */
    struct tenant tenant;
    bool has_membership; /* the user's membership in that tenant */
    struct membership membership;
    bool has_role; /* that membership's role */
    struct role role;
};
/*
 * One read for every authenticated request: the token (by id when
 * token_id > 0, else by hash_hex), its user, and the token's tenant with
 * the user's membership and role there. ERR_NOT_FOUND when there is no
 * such token or its user is gone. Checks nothing (revocation, expiry and
 * statuses are core's).
 */
int store_principal_by_token(struct store *s, struct arena *a, int64_t token_id,
                             const char *hash_hex, struct principal_rows *out)
    __attribute__((warn_unused_result));
/*
 * The same read for the token token_id in another tenant of its user (a JWT
 * whose X-Tenant names another organisation): the token and its user, and
 * the tenant whose slug is tenant_slug (has_tenant false if there is none)
 * with the user's membership and role there. ERR_NOT_FOUND as above.
 */
int store_principal_in_tenant(struct store *s, struct arena *a, int64_t token_id,
                              const char *tenant_slug, struct principal_rows *out)
    __attribute__((warn_unused_result));

/* ---- audit ---- */
/* Inserts e (id ignored); sets e->id. */
int store_audit_insert(struct store *s, struct audit_entry *e) __attribute__((warn_unused_result));
/* Newest first, at most limit rows. */
int store_audit_list(struct store *s, struct arena *a, size_t limit, struct audit_entry **out,
                     size_t *n) __attribute__((warn_unused_result));

/* ---- revocation in bulk (password change) ---- */
/* Sets revoked_at = at on every unrevoked token of user_id except the one
 * with id keep_id (0: none). *n (may be NULL) receives how many. */
int store_token_revoke_user_except(struct store *s, int64_t user_id, int64_t keep_id, int64_t at,
                                   int64_t *n) __attribute__((warn_unused_result));
/* Deletes every dashboard session of user_id. *n (may be NULL) receives
 * how many. */
int store_session_delete_by_user(struct store *s, int64_t user_id, int64_t *n)
    __attribute__((warn_unused_result));

/* ---- dashboard sessions (issue 13) ---- */
/* Inserts se as it is (the caller sets every time). ERR_CONFLICT if the
 * id hash exists. */
int store_session_insert(struct store *s, const struct session *se)
    __attribute__((warn_unused_result));
/* The session whose id hash is id_hash; ERR_NOT_FOUND. Checks nothing. */
int store_session_get(struct store *s, struct arena *a, const char *id_hash, struct session *out)
    __attribute__((warn_unused_result));
/* Sets last_seen_at = at unless it is already later than at - within_s
 * (so a busy session is written at most once per within_s). *written
 * (may be NULL) tells whether it was. */
int store_session_touch(struct store *s, const char *id_hash, int64_t at, int64_t within_s,
                        bool *written) __attribute__((warn_unused_result));
/*
 * Gives the session old_hash the id hash, user, tenant, client and times
 * of se (csrf_hash is kept): a login moves the guest session to a new id
 * (fixation). ERR_NOT_FOUND if old_hash is gone; ERR_CONFLICT if the new
 * hash exists.
 */
int store_session_move(struct store *s, const char *old_hash, const struct session *se)
    __attribute__((warn_unused_result));
/* Replaces the CSRF token hash. ERR_NOT_FOUND. */
int store_session_set_csrf(struct store *s, const char *id_hash, const char *csrf_hash)
    __attribute__((warn_unused_result));
/* Deletes one session. ERR_NOT_FOUND if there was none. */
int store_session_delete(struct store *s, const char *id_hash) __attribute__((warn_unused_result));
/* Deletes every session of user_id except keep_hash (NULL: none kept).
 * *n (may be NULL) receives how many. */
int store_session_delete_user_except(struct store *s, int64_t user_id, const char *keep_hash,
                                     int64_t *n) __attribute__((warn_unused_result));
/* A user's sessions, most recently seen first (arena array). */
int store_session_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                               struct session **out, size_t *n) __attribute__((warn_unused_result));
/* Deletes at most limit sessions that ended by now: expires_at <= now or
 * last_seen_at <= idle_before. *n (may be NULL) receives how many. */
int store_session_prune(struct store *s, int64_t now, int64_t idle_before, int64_t limit,
                        int64_t *n) __attribute__((warn_unused_result));

/* ---- signing keys (JWT) ---- */
/* Inserts k (created_at 0 = now, written back). ERR_CONFLICT if the kid
 * exists. */
int store_signing_key_insert(struct store *s, struct signing_key *k)
    __attribute__((warn_unused_result));
/* Every key, oldest first (created_at, then kid). *out is an arena array. */
int store_signing_key_list(struct store *s, struct arena *a, struct signing_key **out, size_t *n)
    __attribute__((warn_unused_result));
/* Sets retired_at = at on every key not yet retired except keep_kid.
 * *n (may be NULL) receives how many. */
int store_signing_key_retire_others(struct store *s, const char *keep_kid, int64_t at, int64_t *n)
    __attribute__((warn_unused_result));
/* Replaces the private key text of kid with new_text if it is still
 * old_text (sealing a clear key, rewrapping). ERR_CONFLICT if it is not
 * (another instance changed it, or the key is revoked). */
int store_signing_key_set_private(struct store *s, const char *kid, const char *old_text,
                                  const char *new_text) __attribute__((warn_unused_result));
/* Revokes kid: revoked_at = at, retired_at = at unless already set, and its
 * private key erased. ERR_NOT_FOUND if there is no such unrevoked key. */
int store_signing_key_revoke(struct store *s, const char *kid, int64_t at)
    __attribute__((warn_unused_result));

/* ---- staff (seed 001) ---- */
/* ERR_NOT_FOUND if the user holds no staff role. */
int store_staff_get(struct store *s, int64_t user_id, struct staff *out)
    __attribute__((warn_unused_result));
/* Grants st->role_id to st->user_id, or changes the role they hold
 * (created_at 0 = now, written back). */
int store_staff_set(struct store *s, struct staff *st) __attribute__((warn_unused_result));
/* ERR_NOT_FOUND if the user was not staff. */
int store_staff_delete(struct store *s, int64_t user_id) __attribute__((warn_unused_result));
/* Every staff row, ordered by user id. */
int store_staff_list(struct store *s, struct arena *a, struct staff **out, size_t *n)
    __attribute__((warn_unused_result));
/* How many staff hold role_id. */
int store_staff_count_role(struct store *s, int64_t role_id, int64_t *n)
    __attribute__((warn_unused_result));

/* ---- admin searches (seed 001) ---- */
/* Zero and NULL members mean "no filter". search is a substring matched
 * case-insensitively (ASCII); LIKE wildcards in it match themselves. */
struct user_filter {
    const char *search; /* email, name, first_name or last_name */
    const char *status; /* "active", "inactive", "suspended" */
    int64_t tenant_id;  /* members of this tenant */
    size_t limit;       /* rows per page (required, > 0) */
    size_t offset;
};
/* A page of users ordered by id, and *total, the rows of all pages. */
int store_user_search(struct store *s, struct arena *a, const struct user_filter *f,
                      struct user **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
/* Sets name, first_name and last_name (NULL stores NULL) and updated_at.
 * ERR_NOT_FOUND. */
int store_user_set_names(struct store *s, int64_t user_id, const char *name, const char *first_name,
                         const char *last_name) __attribute__((warn_unused_result));
/* Deletes a user; memberships, tokens, sessions and staff rows go with it
 * (foreign keys), the audit log keeps its ids. ERR_NOT_FOUND. */
int store_user_delete(struct store *s, int64_t user_id) __attribute__((warn_unused_result));

struct tenant_filter {
    const char *search; /* slug or name */
    const char *status; /* "active", "suspended" */
    size_t limit;
    size_t offset;
};
struct tenant_summary {
    struct tenant tenant;
    int64_t member_count;
};
/* A page of tenants ordered by id, each with its member count. */
int store_tenant_search(struct store *s, struct arena *a, const struct tenant_filter *f,
                        struct tenant_summary **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
int store_tenant_member_count(struct store *s, int64_t tenant_id, int64_t *n)
    __attribute__((warn_unused_result));
/* ERR_NOT_FOUND. */
int store_tenant_set_status(struct store *s, int64_t tenant_id, enum tenant_status status)
    __attribute__((warn_unused_result));
/* Sets name, domain, default_currency and enabled_products from t (by
 * t->id). ERR_NOT_FOUND. */
int store_tenant_update(struct store *s, const struct tenant *t)
    __attribute__((warn_unused_result));

/* action: exact, or a prefix when action_prefix is set. from/to: at >= from,
 * at <= to (0: unbounded). */
struct audit_filter {
    int64_t user_id;
    int64_t tenant_id;
    const char *action;
    bool action_prefix;
    int64_t from;
    int64_t to;
    size_t limit;
    size_t offset;
};
/* A page of entries, newest first, and *total. */
int store_audit_search(struct store *s, struct arena *a, const struct audit_filter *f,
                       struct audit_entry **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/* ---- password resets ---- */
/* Inserts r (created_at 0 = now, written back). ERR_CONFLICT on a hash
 * collision. */
int store_reset_insert(struct store *s, struct password_reset *r)
    __attribute__((warn_unused_result));
int store_reset_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                        struct password_reset *out) __attribute__((warn_unused_result));
/* Marks one reset used, only if it was not: ERR_NOT_FOUND if it does not
 * exist or was used already (so two concurrent uses cannot both succeed). */
int store_reset_use(struct store *s, const char *hash_hex, int64_t at)
    __attribute__((warn_unused_result));
/* Marks every unused reset of an email used (a new password makes them
 * pointless). */
int store_reset_use_email(struct store *s, const char *email, int64_t at)
    __attribute__((warn_unused_result));

/* ---- team management (AutoCom, issue #5) ---- */
/* One member of a tenant: the membership, its user, and its role. */
struct member_row {
    struct membership membership;
    struct user user;
    bool has_role; /* false if the membership has no role (role_id NULL) */
    struct role role;
};
/* A tenant's members (any status), oldest joined_at first (ties: user id),
 * skipping offset and returning at most limit. *out is an arena array. */
int store_member_list(struct store *s, struct arena *a, int64_t tenant_id, int64_t offset,
                      int64_t limit, struct member_row **out, size_t *n)
    __attribute__((warn_unused_result));
/* How many members (any status) a tenant has. */
int store_member_count(struct store *s, int64_t tenant_id, int64_t *n)
    __attribute__((warn_unused_result));
/* How many active members of tenant_id hold a role whose slug is
 * role_slug (the last-owner rule). */
int store_member_count_active_slug(struct store *s, int64_t tenant_id, const char *role_slug,
                                   int64_t *n) __attribute__((warn_unused_result));
/* Sets a membership's role. ERR_NOT_FOUND if there is no membership. */
int store_membership_set_role(struct store *s, int64_t user_id, int64_t tenant_id, int64_t role_id)
    __attribute__((warn_unused_result));
/* Deletes a membership. ERR_NOT_FOUND if there is none. */
int store_membership_delete(struct store *s, int64_t user_id, int64_t tenant_id)
    __attribute__((warn_unused_result));
/*
 * Inside a transaction: holds the tenant's row until commit or rollback,
 * so that concurrent team changes of one tenant run one after the other
 * and a rule checked inside (the last owner) still holds at commit.
 * PostgreSQL: SELECT ... FOR UPDATE; SQLite: its write transaction is
 * already exclusive, so this only checks the row. ERR_NOT_FOUND.
 */
int store_tenant_lock(struct store *s, int64_t tenant_id) __attribute__((warn_unused_result));
/* Sets revoked_at = at on every unrevoked token of user_id bound to
 * tenant_id. *n (may be NULL) receives how many. */
int store_token_revoke_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id, int64_t at,
                                   int64_t *n) __attribute__((warn_unused_result));
/* Deletes every dashboard session of user_id in tenant_id. *n (may be
 * NULL) receives how many. */
int store_session_delete_by_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id,
                                        int64_t *n) __attribute__((warn_unused_result));

/* Inserts inv (id ignored; created_at 0 = now); sets id and created_at.
 * ERR_CONFLICT if the token hash exists or the tenant already has an open
 * invitation for the email. */
int store_invitation_insert(struct store *s, struct invitation *inv)
    __attribute__((warn_unused_result));
int store_invitation_by_id(struct store *s, struct arena *a, int64_t id, struct invitation *out)
    __attribute__((warn_unused_result));
int store_invitation_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                             struct invitation *out) __attribute__((warn_unused_result));
/* A tenant's open invitations (expired ones included), newest first. */
int store_invitation_list_open(struct store *s, struct arena *a, int64_t tenant_id,
                               struct invitation **out, size_t *n)
    __attribute__((warn_unused_result));
/* The tenant's open invitation for a (folded) email. ERR_NOT_FOUND. */
int store_invitation_open_by_email(struct store *s, struct arena *a, int64_t tenant_id,
                                   const char *email, struct invitation *out)
    __attribute__((warn_unused_result));
/* Gives an open invitation a new token hash and expiry (the old token is
 * dead from then on). ERR_NOT_FOUND if it is not open; ERR_CONFLICT if the
 * hash exists. */
int store_invitation_renew(struct store *s, int64_t id, const char *hash_hex, int64_t expires_at)
    __attribute__((warn_unused_result));
/* Sets cancelled_at on an open invitation. ERR_NOT_FOUND if not open. */
int store_invitation_cancel(struct store *s, int64_t id, int64_t at)
    __attribute__((warn_unused_result));
/* Sets accepted_at = at on the invitation if it is open, still has the
 * token hash_hex and expires after at: the single use. ERR_NOT_FOUND
 * otherwise (used, cancelled, renewed or expired meanwhile). */
int store_invitation_accept(struct store *s, int64_t id, const char *hash_hex, int64_t at)
    __attribute__((warn_unused_result));

/* ---- organisations of a user (AutoCom /auth/me, /auth/tenants; issue #7) ---- */
/* One organisation a user works in: the membership with its tenant and
 * role. */
struct org_row {
    struct membership membership;
    struct tenant tenant;
    struct role role;
};
/*
 * The user's organisations in one read: every membership of user_id that
 * is active, whose tenant exists and is active and whose role exists, with
 * that tenant and role; oldest joined_at first (ties: tenant id), like
 * store_membership_list_by_user. *out is an arena array of *n rows.
 */
int store_org_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct org_row **out,
                           size_t *n) __attribute__((warn_unused_result));

/* ---- WedoCOD leads and orders (seed 000, issue 13) ---- */
/*
 * Every statement names the tenant in its WHERE clause. In the reads a
 * tenant_id of 0 means every tenant (platform staff with accounts:read);
 * writes always name one. A row of another tenant is ERR_NOT_FOUND, like
 * one that does not exist.
 */
struct commerce_filter {
    int64_t tenant_id;  /* 0: every tenant */
    const char *status; /* NULL: any */
    const char *search; /* substring of name, phone, city or product; NULL: none */
    size_t limit;       /* rows per page (> 0) */
    size_t offset;
};
/* Inserts l (id written back); created_at and updated_at are the caller's. */
int store_lead_insert(struct store *s, struct lead *l) __attribute__((warn_unused_result));
int store_lead_get(struct store *s, struct arena *a, int64_t tenant_id, int64_t id,
                   struct lead *out) __attribute__((warn_unused_result));
/* Writes every field but tenant_id, created_*, only while the row's status
 * is still status_was (what the caller read: two concurrent changes cannot
 * both pass the transition rules). ERR_NOT_FOUND: no such row in the
 * tenant, or its status changed meanwhile. */
int store_lead_update(struct store *s, const struct lead *l, const char *status_was)
    __attribute__((warn_unused_result));
int store_lead_delete(struct store *s, int64_t tenant_id, int64_t id)
    __attribute__((warn_unused_result));
/* A page of leads, newest first, and *total over every page. */
int store_lead_search(struct store *s, struct arena *a, const struct commerce_filter *f,
                      struct lead **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/* Inserts o and its items (ids written back); call inside a transaction. */
int store_order_insert(struct store *s, struct order *o) __attribute__((warn_unused_result));
/* An order with its items (arena). */
int store_order_get(struct store *s, struct arena *a, int64_t tenant_id, int64_t id,
                    struct order *out) __attribute__((warn_unused_result));
/* Writes the order's fields while its status is still status_was (as
 * store_lead_update); with replace_items, its items are deleted and o's
 * inserted (call inside a transaction). ERR_NOT_FOUND. */
int store_order_update(struct store *s, struct order *o, const char *status_was, bool replace_items)
    __attribute__((warn_unused_result));
/* Deletes an order; its items go with it. ERR_NOT_FOUND. */
int store_order_delete(struct store *s, int64_t tenant_id, int64_t id)
    __attribute__((warn_unused_result));
/* A page of orders with their items, newest first, and *total. */
int store_order_search(struct store *s, struct arena *a, const struct commerce_filter *f,
                       struct order **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
/* ---- WNCMS (issue 14): settings, the API token, posts (rows_wncms.c) ---- */

/*
 * Every setting (all: ordered by tenant_id, key), or those of one scope
 * (tenant_id; 0 = the platform defaults), ordered by key. Arena array.
 */
int store_setting_list(struct store *s, struct arena *a, bool all, int64_t tenant_id,
                       struct setting **out, size_t *n) __attribute__((warn_unused_result));
/*
 * Sets key in scope tenant_id to value, or removes it when value is NULL,
 * and bumps the settings version. Call inside a transaction so the version
 * moves with the value.
 */
int store_setting_set(struct store *s, int64_t tenant_id, const char *key, const char *value)
    __attribute__((warn_unused_result));
/* The settings version: it changes with every store_setting_set. */
int store_settings_version(struct store *s, int64_t *version) __attribute__((warn_unused_result));

/* ---- forward-auth (issue 17): access rules (rows_access.c) ---- */

/* Every access rule, by id (arena array). */
int store_access_rule_list(struct store *s, struct arena *a, struct access_rule **out, size_t *n)
    __attribute__((warn_unused_result));
/*
 * Inserts r (its id and times are set here) or, when r->id is non-zero,
 * updates that rule (ERR_NOT_FOUND if there is none); ERR_CONFLICT for a
 * second rule of the same method and pattern. Bumps the settings version:
 * call inside a transaction, like store_setting_set.
 */
int store_access_rule_save(struct store *s, struct access_rule *r)
    __attribute__((warn_unused_result));
/* Deletes rule id (ERR_NOT_FOUND if there is none); bumps the version. */
int store_access_rule_delete(struct store *s, int64_t id) __attribute__((warn_unused_result));
/* Revokes the user's live tokens called name in tenant_id (0: none); *n
 * (may be NULL) the number revoked. */
int store_token_revoke_user_name(struct store *s, int64_t user_id, int64_t tenant_id,
                                 const char *name, int64_t at, int64_t *n)
    __attribute__((warn_unused_result));
/* Inserts p (id and timestamps set on success); ERR_CONFLICT for a slug
 * taken in the tenant. */
int store_post_insert(struct store *s, struct post *p) __attribute__((warn_unused_result));
int store_post_by_slug(struct store *s, struct arena *a, int64_t tenant_id, const char *slug,
                       struct post *out) __attribute__((warn_unused_result));
/* A page of the filter's posts, newest first, and the total that match. */
int store_post_search(struct store *s, struct arena *a, const struct post_filter *f,
                      struct post **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));
/* Writes slug, title, content, excerpt and status of post p->id;
 * ERR_NOT_FOUND, ERR_CONFLICT. */
int store_post_update(struct store *s, struct post *p) __attribute__((warn_unused_result));
int store_post_delete(struct store *s, int64_t id) __attribute__((warn_unused_result));

/* ---- operations: prune and doctor (issue 18) ---- */
enum store_prune_kind {
    STORE_PRUNE_TOKENS,      /* expires_at or revoked_at <= before */
    STORE_PRUNE_RESETS,      /* created_at <= before, or used_at <= before2 */
    STORE_PRUNE_INVITATIONS, /* accepted_at, cancelled_at or expires_at <= before */
    STORE_PRUNE_SESSIONS,    /* expires_at <= before, or last_seen_at <= before2 */
    STORE_PRUNE_AUDIT,       /* at <= before */
    STORE_PRUNE_KINDS
};
struct store_prune_cutoff {
    int64_t before;
    int64_t before2; /* resets and sessions only */
};
/* Deletes at most limit rows of kind k matching c, as one statement (its
 * own transaction outside store_tx_begin). *n receives how many. */
int store_prune_batch(struct store *s, enum store_prune_kind k, const struct store_prune_cutoff *c,
                      int64_t limit, int64_t *n) __attribute__((warn_unused_result));
/* How many rows store_prune_batch would delete in all. */
int store_prune_count(struct store *s, enum store_prune_kind k, const struct store_prune_cutoff *c,
                      int64_t *n) __attribute__((warn_unused_result));
/* PostgreSQL: tries the session advisory lock of prune on this thread's
 * connection; *got tells whether it was taken (another instance holds it
 * otherwise). SQLite: always got. */
int store_prune_lock(struct store *s, bool *got) __attribute__((warn_unused_result));
/* Releases what store_prune_lock took (if the connection was lost, the
 * server released it already). */
void store_prune_unlock(struct store *s);
/* SQLite's PRAGMA journal_mode ("wal", "delete", ...), in the arena;
 * PostgreSQL: "server". */
int store_journal_mode(struct store *s, struct arena *a, const char **mode)
    __attribute__((warn_unused_result));
/* The database's clock, Unix seconds (SQLite: this machine's own clock). */
int store_db_clock(struct store *s, int64_t *unix_s) __attribute__((warn_unused_result));
/* The SQLite database file's path (borrowed), or NULL on PostgreSQL. */
const char *store_sqlite_path(const struct store *s);

struct store_backup_info {
    int64_t bytes; /* the copy's size */
    int pages;     /* database pages copied */
};
/*
 * SQLite only: copies the database to dest with SQLite's backup API, as of
 * one moment (one read transaction: in WAL mode writers go on meanwhile),
 * pages_per_step pages at a time, into a temporary file beside dest that
 * is synced and renamed over dest, mode 0600. ERR_INVALID on PostgreSQL or
 * when dest is the database itself; ERR_IO when dest's directory cannot be
 * written; ERR_STORE when SQLite fails. Nothing is left behind on failure.
 */
int store_backup(struct store *s, const char *dest, int pages_per_step,
                 struct store_backup_info *out) __attribute__((warn_unused_result));
