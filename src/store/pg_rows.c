/*
 * pg_rows.c - the SQL the PostgreSQL backend runs, and the row functions of
 * store.h on top of it, collected into the backend's ops table. The
 * semantics are sqlite_rows.c's, statement for statement (the same unit
 * tests run on both).
 *
 * Every value is bound as a parameter ($1, $2, ... sent as text; the server
 * infers each type from its column). The *_COLS lists fix the column order
 * the read_* functions consume. Ids and timestamps of 0 are stored as NULL
 * and read back as 0. Inserts return the new id (RETURNING id). Strings of
 * filled-in rows are copied into the caller's arena. No state: each call
 * runs on the calling thread's connection (pg.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/columns.h"
#include "store/pg_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* The parameters are typed where they first appear, so that "$1 IS NULL"
 * never leaves a type to guess. ILIKE: case-insensitive as SQLite's LIKE. */
#define USER_WHERE                                                                                 \
    "($1::text IS NULL OR email ILIKE $1 ESCAPE '\\' OR name ILIKE $1 ESCAPE '\\'"                 \
    " OR first_name ILIKE $1 ESCAPE '\\' OR last_name ILIKE $1 ESCAPE '\\')"                       \
    " AND ($2::text IS NULL OR status = $2)"                                                       \
    " AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM memberships m"                              \
    " WHERE m.user_id = users.id AND m.tenant_id = $3))"
#define TENANT_WHERE                                                                               \
    "($1::text IS NULL OR slug ILIKE $1 ESCAPE '\\' OR name ILIKE $1 ESCAPE '\\')"                 \
    " AND ($2::text IS NULL OR status = $2)"
#define AUDIT_WHERE                                                                                \
    "($1::bigint IS NULL OR user_id = $1) AND ($2::bigint IS NULL OR tenant_id = $2)"              \
    " AND ($3::text IS NULL OR action = $3)"                                                       \
    " AND ($4::text IS NULL OR action LIKE $4 ESCAPE '\\')"                                        \
    " AND ($5::bigint IS NULL OR at >= $5) AND ($6::bigint IS NULL OR at <= $6)"

const struct pg_stmt_def pg_stmts[PG_COUNT] = {
    [PG_PING] = {"ping", "SELECT 1", PG_READ},
    [PG_MIGRATIONS_EXIST] = {"schema_version",
                             "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL",
                             PG_READ},
    [PG_MIGRATION_CURRENT] = {"schema_version",
                              "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", PG_READ},
    [PG_MIGRATION_APPLIED] = {"migrate", "SELECT 1 FROM schema_migrations WHERE version = $1",
                              PG_READ},
    [PG_MIGRATION_RECORD] = {"migrate",
                             "INSERT INTO schema_migrations (version, name, applied_at)"
                             " VALUES ($1, $2, $3)",
                             PG_WRITE},

    [PG_TENANT_INSERT] = {"tenant_insert",
                          "INSERT INTO tenants (slug, name, domain, default_currency,"
                          " enabled_products, status, created_at, product)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                          PG_WRITE},
    [PG_TENANT_BY_ID] = {"tenant_by_id", "SELECT " TENANT_COLS " FROM tenants WHERE id = $1",
                         PG_READ},
    [PG_TENANT_BY_SLUG] = {"tenant_by_slug", "SELECT " TENANT_COLS " FROM tenants WHERE slug = $1",
                           PG_READ},
    [PG_TENANT_BY_DOMAIN] = {"tenant_by_domain",
                             "SELECT " TENANT_COLS
                             " FROM tenants WHERE lower(domain) = $1 ORDER BY id LIMIT 1",
                             PG_READ},
    [PG_TENANT_COUNT] = {"tenant_count", "SELECT COUNT(*) FROM tenants", PG_READ},
    [PG_TENANT_LIST] = {"tenant_list", "SELECT " TENANT_COLS " FROM tenants ORDER BY id", PG_READ},

    [PG_USER_INSERT] = {"user_insert",
                        "INSERT INTO users (name, first_name, last_name, email, phone, avatar,"
                        " password_hash, status, is_super_admin, email_verified_at, last_login_at,"
                        " preferences, attributes, created_at, updated_at)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                        " RETURNING id",
                        PG_WRITE},
    [PG_USER_BY_ID] = {"user_by_id", "SELECT " USER_COLS " FROM users WHERE id = $1", PG_READ},
    [PG_USER_BY_EMAIL] = {"user_by_email", "SELECT " USER_COLS " FROM users WHERE email = $1",
                          PG_READ},
    [PG_USER_SET_PASSWORD] = {"user_set_password",
                              "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                              PG_WRITE},
    [PG_USER_SET_LAST_LOGIN] = {"user_set_last_login",
                                "UPDATE users SET last_login_at = $1 WHERE id = $2", PG_WRITE},
    [PG_USER_SET_STATUS] = {"user_set_status",
                            "UPDATE users SET status = $1, updated_at = $2 WHERE id = $3",
                            PG_WRITE},
    [PG_USER_COUNT] = {"user_count", "SELECT COUNT(*) FROM users", PG_READ},

    [PG_ROLE_INSERT] = {"role_insert",
                        "INSERT INTO roles (tenant_id, name, slug, permissions, is_system,"
                        " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        PG_WRITE},
    [PG_ROLE_BY_ID] = {"role_by_id", "SELECT " ROLE_COLS " FROM roles WHERE id = $1", PG_READ},
    [PG_ROLE_LIST_TENANT] = {"role_list",
                             "SELECT " ROLE_COLS " FROM roles WHERE tenant_id = $1 ORDER BY id",
                             PG_READ},
    [PG_ROLE_LIST_PLATFORM] = {"role_list",
                               "SELECT " ROLE_COLS
                               " FROM roles WHERE tenant_id IS NULL ORDER BY id",
                               PG_READ},

    [PG_MEMBERSHIP_INSERT] = {"membership_insert",
                              "INSERT INTO memberships (user_id, tenant_id, role_id, status,"
                              " joined_at) VALUES ($1, $2, $3, $4, $5)",
                              PG_WRITE},
    [PG_MEMBERSHIP_GET] = {"membership_get",
                           "SELECT " MEMBER_COLS " FROM memberships"
                           " WHERE user_id = $1 AND tenant_id = $2",
                           PG_READ},
    [PG_MEMBERSHIP_SET_STATUS] = {"membership_set_status",
                                  "UPDATE memberships SET status = $1"
                                  " WHERE user_id = $2 AND tenant_id = $3",
                                  PG_WRITE},
    [PG_MEMBERSHIP_LIST_BY_USER] = {"membership_list_by_user",
                                    "SELECT " MEMBER_COLS " FROM memberships WHERE user_id = $1"
                                    " ORDER BY joined_at, tenant_id",
                                    PG_READ},

    [PG_TOKEN_INSERT] = {"token_insert",
                         "INSERT INTO tokens (user_id, tenant_id, name, token_hash, abilities,"
                         " kind, last_used_at, expires_at, created_at, revoked_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                         PG_WRITE},
    [PG_TOKEN_BY_ID] = {"token_by_id", "SELECT " TOKEN_COLS " FROM tokens WHERE id = $1", PG_READ},
    [PG_TOKEN_BY_HASH] = {"token_by_hash",
                          "SELECT " TOKEN_COLS " FROM tokens WHERE token_hash = $1", PG_READ},
    [PG_TOKEN_LIST_BY_USER] = {"token_list_by_user",
                               "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = $1"
                               " ORDER BY created_at DESC, id DESC",
                               PG_READ},
    /* COALESCE keeps the first revocation time; a matched row always counts
     * as changed, so 0 changed rows means "no such token". */
    [PG_TOKEN_REVOKE] = {"token_revoke",
                         "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                         PG_WRITE},
    /* Every (id, time) pair in one statement: $1 ids and $2 times are
     * parallel arrays. The latest time per id wins, and last_used_at never
     * moves backwards. */
    [PG_TOKEN_TOUCH_MANY] = {"token_touch",
                             "UPDATE tokens AS t SET last_used_at = v.at"
                             " FROM (SELECT id, MAX(at) AS at"
                             " FROM unnest($1::bigint[], $2::bigint[]) AS u (id, at) GROUP BY id)"
                             " AS v WHERE t.id = v.id"
                             " AND (t.last_used_at IS NULL OR t.last_used_at < v.at)",
                             PG_WRITE},

    [PG_AUDIT_INSERT] = {"audit_insert",
                         "INSERT INTO audit_log (at, tenant_id, user_id, action, ip, detail)"
                         " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                         PG_WRITE},
    [PG_AUDIT_LIST] = {"audit_list",
                       "SELECT " AUDIT_COLS " FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
                       PG_READ},
    [PG_PRINCIPAL_BY_TOKEN_ID] = {"principal_by_token", PRINCIPAL_SELECT " WHERE k.id = $1",
                                  PG_READ},
    [PG_PRINCIPAL_BY_TOKEN_HASH] = {"principal_by_token",
                                    PRINCIPAL_SELECT " WHERE k.token_hash = $1", PG_READ},
    [PG_PRINCIPAL_IN_TENANT] = {"principal_in_tenant",
                                PRINCIPAL_IN_TENANT_SELECT("$1") " WHERE k.id = $2", PG_READ},

    [PG_TOKEN_REVOKE_USER_EXCEPT] = {"token_revoke_user_except",
                                     "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2"
                                     " AND id <> $3 AND revoked_at IS NULL",
                                     PG_WRITE},
    [PG_SESSION_DELETE_BY_USER] = {"session_delete_by_user",
                                   "DELETE FROM sessions WHERE user_id = $1", PG_WRITE},
    [PG_SIGNING_KEY_INSERT] = {"signing_key_insert",
                               "INSERT INTO signing_keys (kid, alg, private_pem, public_jwk,"
                               " created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6)",
                               PG_WRITE},
    /* COLLATE "C": the same byte order as SQLite for ties on created_at. */
    [PG_SIGNING_KEY_LIST] = {"signing_key_list",
                             "SELECT " SIGNING_KEY_COLS " FROM signing_keys"
                             " ORDER BY created_at, kid COLLATE \"C\"",
                             PG_READ},
    [PG_SIGNING_KEY_RETIRE_OTHERS] = {"signing_key_retire_others",
                                      "UPDATE signing_keys SET retired_at = $1"
                                      " WHERE kid <> $2 AND retired_at IS NULL",
                                      PG_WRITE},

    /* seed 001: staff, admin searches, password resets. A
     * NULL search parameter disables its filter. */
    [PG_STAFF_GET] = {"staff_get", "SELECT " STAFF_COLS " FROM staff WHERE user_id = $1", PG_READ},
    [PG_STAFF_SET] = {"staff_set",
                      "INSERT INTO staff (user_id, role_id, granted_by, created_at)"
                      " VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET"
                      " role_id = excluded.role_id, granted_by = excluded.granted_by",
                      PG_WRITE},
    [PG_STAFF_DELETE] = {"staff_delete", "DELETE FROM staff WHERE user_id = $1", PG_WRITE},
    [PG_STAFF_LIST] = {"staff_list", "SELECT " STAFF_COLS " FROM staff ORDER BY user_id", PG_READ},
    [PG_STAFF_COUNT_ROLE] = {"staff_count_role", "SELECT COUNT(*) FROM staff WHERE role_id = $1",
                             PG_READ},
    [PG_USER_SEARCH] = {"user_search",
                        "SELECT " USER_COLS " FROM users WHERE " USER_WHERE
                        " ORDER BY id LIMIT $4 OFFSET $5",
                        PG_READ},
    [PG_USER_SEARCH_COUNT] = {"user_search", "SELECT COUNT(*) FROM users WHERE " USER_WHERE,
                              PG_READ},
    [PG_USER_SET_NAMES] = {"user_set_names",
                           "UPDATE users SET name = $1, first_name = $2, last_name = $3,"
                           " updated_at = $4 WHERE id = $5",
                           PG_WRITE},
    [PG_USER_DELETE] = {"user_delete", "DELETE FROM users WHERE id = $1", PG_WRITE},
    [PG_TENANT_SEARCH] = {"tenant_search",
                          "SELECT " TENANT_COLS ", (SELECT COUNT(*) FROM memberships m"
                          " WHERE m.tenant_id = tenants.id) FROM tenants WHERE " TENANT_WHERE
                          " ORDER BY id LIMIT $3 OFFSET $4",
                          PG_READ},
    [PG_TENANT_SEARCH_COUNT] = {"tenant_search", "SELECT COUNT(*) FROM tenants WHERE " TENANT_WHERE,
                                PG_READ},
    [PG_TENANT_MEMBER_COUNT] = {"tenant_member_count",
                                "SELECT COUNT(*) FROM memberships WHERE tenant_id = $1", PG_READ},
    [PG_TENANT_SET_STATUS] = {"tenant_set_status", "UPDATE tenants SET status = $1 WHERE id = $2",
                              PG_WRITE},
    [PG_AUDIT_SEARCH] = {"audit_search",
                         "SELECT " AUDIT_COLS " FROM audit_log WHERE " AUDIT_WHERE
                         " ORDER BY at DESC, id DESC LIMIT $7 OFFSET $8",
                         PG_READ},
    [PG_AUDIT_SEARCH_COUNT] = {"audit_search", "SELECT COUNT(*) FROM audit_log WHERE " AUDIT_WHERE,
                               PG_READ},
    [PG_RESET_INSERT] = {"reset_insert",
                         "INSERT INTO password_resets (token_hash, email, created_at)"
                         " VALUES ($1, $2, $3)",
                         PG_WRITE},
    [PG_RESET_BY_HASH] = {"reset_by_hash",
                          "SELECT " RESET_COLS " FROM password_resets WHERE token_hash = $1",
                          PG_READ},
    [PG_RESET_USE] = {"reset_use",
                      "UPDATE password_resets SET used_at = $1"
                      " WHERE token_hash = $2 AND used_at IS NULL",
                      PG_WRITE},
    [PG_RESET_USE_EMAIL] = {"reset_use_email",
                            "UPDATE password_resets SET used_at = $1"
                            " WHERE email = $2 AND used_at IS NULL",
                            PG_WRITE},
    /* Team management (issue #5). */
    [PG_MEMBER_LIST] = {"member_list",
                        MEMBER_ROW_SELECT " WHERE m.tenant_id = $1"
                                          " ORDER BY m.joined_at, m.user_id LIMIT $2 OFFSET $3",
                        PG_READ},
    [PG_MEMBER_COUNT] = {"member_count", "SELECT COUNT(*) FROM memberships WHERE tenant_id = $1",
                         PG_READ},
    [PG_MEMBER_COUNT_ACTIVE_SLUG] = {"member_count_active_slug",
                                     "SELECT COUNT(*) FROM memberships m"
                                     " JOIN roles r ON r.id = m.role_id WHERE m.tenant_id = $1"
                                     " AND m.status = 'active' AND r.slug = $2",
                                     PG_READ},
    [PG_MEMBERSHIP_SET_ROLE] = {"membership_set_role",
                                "UPDATE memberships SET role_id = $1"
                                " WHERE user_id = $2 AND tenant_id = $3",
                                PG_WRITE},
    [PG_MEMBERSHIP_DELETE] = {"membership_delete",
                              "DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2",
                              PG_WRITE},
    /* Held until the transaction ends: team changes of one tenant queue. */
    [PG_TENANT_LOCK] = {"tenant_lock", "SELECT id FROM tenants WHERE id = $1 FOR UPDATE", PG_WRITE},
    [PG_TOKEN_REVOKE_USER_TENANT] = {"token_revoke_user_tenant",
                                     "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2"
                                     " AND tenant_id = $3 AND revoked_at IS NULL",
                                     PG_WRITE},
    [PG_SESSION_DELETE_BY_USER_TENANT] = {"session_delete_by_user_tenant",
                                          "DELETE FROM sessions WHERE user_id = $1"
                                          " AND tenant_id = $2",
                                          PG_WRITE},
    [PG_INVITATION_INSERT] = {"invitation_insert",
                              "INSERT INTO invitations (tenant_id, email, role_id, token_hash,"
                              " invited_by, created_at, expires_at, accepted_at, cancelled_at)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                              PG_WRITE},
    [PG_INVITATION_BY_ID] = {"invitation_by_id",
                             "SELECT " INVITATION_COLS " FROM invitations WHERE id = $1", PG_READ},
    [PG_INVITATION_BY_HASH] = {"invitation_by_hash",
                               "SELECT " INVITATION_COLS " FROM invitations WHERE token_hash = $1",
                               PG_READ},
    [PG_INVITATION_LIST_OPEN] = {"invitation_list_open",
                                 "SELECT " INVITATION_COLS " FROM invitations WHERE tenant_id = $1"
                                 " AND accepted_at IS NULL AND cancelled_at IS NULL"
                                 " ORDER BY created_at DESC, id DESC",
                                 PG_READ},
    [PG_INVITATION_OPEN_BY_EMAIL] = {"invitation_open_by_email",
                                     "SELECT " INVITATION_COLS " FROM invitations"
                                     " WHERE tenant_id = $1 AND email = $2"
                                     " AND accepted_at IS NULL AND cancelled_at IS NULL",
                                     PG_READ},
    [PG_INVITATION_RENEW] = {"invitation_renew",
                             "UPDATE invitations SET token_hash = $1, expires_at = $2"
                             " WHERE id = $3 AND accepted_at IS NULL AND cancelled_at IS NULL",
                             PG_WRITE},
    [PG_INVITATION_CANCEL] = {"invitation_cancel",
                              "UPDATE invitations SET cancelled_at = $1 WHERE id = $2"
                              " AND accepted_at IS NULL AND cancelled_at IS NULL",
                              PG_WRITE},
    [PG_INVITATION_ACCEPT] = {"invitation_accept",
                              "UPDATE invitations SET accepted_at = $1 WHERE id = $2"
                              " AND token_hash = $3 AND expires_at > $4"
                              " AND accepted_at IS NULL AND cancelled_at IS NULL",
                              PG_WRITE},
    [PG_ORG_LIST_BY_USER] = {"org_list_by_user",
                             ORG_ROW_SELECT "$1 ORDER BY m.joined_at, m.tenant_id", PG_READ},
};

/* Reads the current row into *row (a struct tenant, user, ...). */
typedef int (*row_reader)(struct pg_q *q, struct arena *a, void *row);

/* Runs a bound query expecting one row: 0, ERR_NOT_FOUND or an error. */
static int read_one(struct pg_q *q, struct arena *a, row_reader read, void *row)
{
    int rc = pg_row(q);
    if (rc == 0)
        rc = read(q, a, row);
    pg_end(q);
    return rc;
}

/* Runs a bound query and reads every row into an arena array of size-byte
 * rows, grown by doubling (the abandoned copies stay in the arena). */
static int read_all(struct pg_q *q, struct arena *a, row_reader read, size_t size, void **out,
                    size_t *n)
{
    unsigned char *rows = NULL;
    size_t count = 0, cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    for (;;) {
        rc = pg_row(q);
        if (rc != 0)
            break;
        if (count == cap) {
            cap = cap > 0 ? cap * 2 : 8;
            unsigned char *bigger = arena_alloc(a, size * cap);
            if (count > 0)
                memcpy(bigger, rows, size * count);
            rows = bigger;
        }
        rc = read(q, a, rows + size * count);
        if (rc != 0)
            break;
        count++;
    }
    pg_end(q);
    if (rc != ERR_NOT_FOUND)
        return rc;
    *out = rows;
    *n = count;
    return 0;
}

/* Runs a bound query that returns one integer (a COUNT). */
static int read_count(struct pg_q *q, int64_t *n)
{
    int rc = pg_row(q);
    if (rc == 0)
        *n = pg_i64(q);
    pg_end(q);
    return rc;
}

/* Runs a bound UPDATE of one row by id: ERR_NOT_FOUND if there is none. */
static int update_one(struct pg_q *q)
{
    int rc = pg_run(q);
    if (rc == 0 && pg_changes(q) == 0)
        rc = ERR_NOT_FOUND;
    pg_end(q);
    return rc;
}

/* Runs a bound INSERT ... RETURNING id and returns the new row's id in *id. */
static int insert(struct pg_q *q, int64_t *id)
{
    int rc = pg_row(q);
    if (rc == 0)
        *id = pg_i64(q);
    else if (rc == ERR_NOT_FOUND)
        rc = ERR_STORE; /* RETURNING always gives the row */
    pg_end(q);
    return rc;
}

/* ---- tenants ---- */

static int read_tenant(struct pg_q *q, struct arena *a, void *row)
{
    struct tenant *t = row;
    *t = (struct tenant){0};
    t->id = pg_i64(q);
    t->slug = pg_text(q, a);
    t->name = pg_text(q, a);
    t->domain = pg_text(q, a);
    t->default_currency = pg_text(q, a);
    pg_list(q, a, &t->enabled_products);
    if (!tenant_status_parse(pg_peek(q), &t->status))
        return pg_corrupt(q, "tenants.status");
    t->created_at = pg_i64(q);
    t->product = pg_text(q, a);
    return 0;
}

static int tenant_insert(struct store *s, struct tenant *t)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    pg_bind_text(&q, t->slug);
    pg_bind_text(&q, t->name);
    pg_bind_text(&q, t->domain);
    pg_bind_text(&q, t->default_currency != NULL ? t->default_currency : "USD");
    pg_bind_list(&q, &t->enabled_products);
    pg_bind_text(&q, tenant_status_str(t->status));
    pg_bind_i64(&q, now);
    pg_bind_text(&q, t->product != NULL ? t->product : TENANT_PRODUCT_DEFAULT);
    rc = insert(&q, &t->id);
    if (rc == 0)
        t->created_at = now;
    return rc;
}

static int tenant_by_id(struct store *s, struct arena *a, int64_t id, struct tenant *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_BY_ID, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, id);
    return read_one(&q, a, read_tenant, out);
}

static int tenant_by_slug(struct store *s, struct arena *a, const char *slug, struct tenant *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_BY_SLUG, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, slug);
    return read_one(&q, a, read_tenant, out);
}

static int tenant_by_domain(struct store *s, struct arena *a, const char *host, struct tenant *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_BY_DOMAIN, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, host);
    return read_one(&q, a, read_tenant, out);
}

static int tenant_list(struct store *s, struct arena *a, struct tenant **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_TENANT_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_tenant, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int tenant_count(struct store *s, int64_t *n)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_COUNT, &q);
    return rc != 0 ? rc : read_count(&q, n);
}

/* ---- users ---- */

static int read_user(struct pg_q *q, struct arena *a, void *row)
{
    struct user *u = row;
    *u = (struct user){0};
    u->id = pg_i64(q);
    u->name = pg_text(q, a);
    u->first_name = pg_text(q, a);
    u->last_name = pg_text(q, a);
    u->email = pg_text(q, a);
    u->phone = pg_text(q, a);
    u->avatar = pg_text(q, a);
    u->password_hash = pg_text(q, a);
    if (!user_status_parse(pg_peek(q), &u->status))
        return pg_corrupt(q, "users.status");
    u->is_super_admin = pg_bool(q);
    u->email_verified_at = pg_i64(q);
    u->last_login_at = pg_i64(q);
    u->preferences = pg_text(q, a);
    u->attributes = pg_text(q, a);
    u->created_at = pg_i64(q);
    u->updated_at = pg_i64(q);
    return 0;
}

static int user_insert(struct store *s, struct user *u)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    const char *prefs = u->preferences != NULL ? u->preferences : "{}";
    const char *attrs = u->attributes != NULL ? u->attributes : "{}";
    pg_bind_text(&q, u->name);
    pg_bind_text(&q, u->first_name);
    pg_bind_text(&q, u->last_name);
    pg_bind_text(&q, u->email);
    pg_bind_text(&q, u->phone);
    pg_bind_text(&q, u->avatar);
    pg_bind_text(&q, u->password_hash);
    pg_bind_text(&q, user_status_str(u->status));
    pg_bind_bool(&q, u->is_super_admin);
    pg_bind_opt(&q, u->email_verified_at);
    pg_bind_opt(&q, u->last_login_at);
    pg_bind_text(&q, prefs);
    pg_bind_text(&q, attrs);
    pg_bind_i64(&q, now);
    pg_bind_i64(&q, now);
    rc = insert(&q, &u->id);
    if (rc == 0) {
        u->preferences = prefs;
        u->attributes = attrs;
        u->created_at = now;
        u->updated_at = now;
    }
    return rc;
}

static int user_by_id(struct store *s, struct arena *a, int64_t id, struct user *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_BY_ID, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, id);
    return read_one(&q, a, read_user, out);
}

static int user_by_email(struct store *s, struct arena *a, const char *email, struct user *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_BY_EMAIL, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, email);
    return read_one(&q, a, read_user, out);
}

static int user_set_password(struct store *s, int64_t user_id, const char *hash)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_SET_PASSWORD, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, hash);
    pg_bind_i64(&q, time_now());
    pg_bind_i64(&q, user_id);
    return update_one(&q);
}

static int user_set_last_login(struct store *s, int64_t user_id, int64_t at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_SET_LAST_LOGIN, &q);
    if (rc != 0)
        return rc;
    pg_bind_opt(&q, at);
    pg_bind_i64(&q, user_id);
    return update_one(&q);
}

static int user_set_status(struct store *s, int64_t user_id, enum user_status status)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, user_status_str(status));
    pg_bind_i64(&q, time_now());
    pg_bind_i64(&q, user_id);
    return update_one(&q);
}

static int user_count(struct store *s, int64_t *n)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_COUNT, &q);
    return rc != 0 ? rc : read_count(&q, n);
}

/* ---- roles ---- */

static int read_role(struct pg_q *q, struct arena *a, void *row)
{
    struct role *r = row;
    *r = (struct role){0};
    r->id = pg_i64(q);
    r->tenant_id = pg_i64(q);
    r->name = pg_text(q, a);
    r->slug = pg_text(q, a);
    pg_list(q, a, &r->permissions);
    r->is_system = pg_bool(q);
    r->created_at = pg_i64(q);
    return 0;
}

static int role_insert(struct store *s, struct role *r)
{
    struct pg_q q;
    int rc = pg_query(s, PG_ROLE_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    pg_bind_opt(&q, r->tenant_id);
    pg_bind_text(&q, r->name);
    pg_bind_text(&q, r->slug);
    pg_bind_list(&q, &r->permissions);
    pg_bind_bool(&q, r->is_system);
    pg_bind_i64(&q, now);
    rc = insert(&q, &r->id);
    if (rc == 0)
        r->created_at = now;
    return rc;
}

static int role_by_id(struct store *s, struct arena *a, int64_t id, struct role *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_ROLE_BY_ID, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, id);
    return read_one(&q, a, read_role, out);
}

static int role_list(struct store *s, struct arena *a, int64_t tenant_id, struct role **out,
                     size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, tenant_id != 0 ? PG_ROLE_LIST_TENANT : PG_ROLE_LIST_PLATFORM, &q);
    if (rc != 0)
        return rc;
    if (tenant_id != 0)
        pg_bind_i64(&q, tenant_id);
    void *rows;
    rc = read_all(&q, a, read_role, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- memberships ---- */

static int read_membership(struct pg_q *q, struct arena *a, void *row)
{
    (void)a;
    struct membership *m = row;
    *m = (struct membership){0};
    m->user_id = pg_i64(q);
    m->tenant_id = pg_i64(q);
    m->role_id = pg_i64(q);
    if (!member_status_parse(pg_peek(q), &m->status))
        return pg_corrupt(q, "memberships.status");
    m->joined_at = pg_i64(q);
    return 0;
}

/* joined_at 0 means "now": the column is NOT NULL. */
static int membership_insert(struct store *s, const struct membership *m)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBERSHIP_INSERT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, m->user_id);
    pg_bind_i64(&q, m->tenant_id);
    pg_bind_opt(&q, m->role_id);
    pg_bind_text(&q, member_status_str(m->status));
    pg_bind_i64(&q, m->joined_at != 0 ? m->joined_at : time_now());
    rc = pg_run(&q);
    pg_end(&q);
    return rc;
}

static int membership_get(struct store *s, int64_t user_id, int64_t tenant_id,
                          struct membership *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBERSHIP_GET, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return read_one(&q, NULL, read_membership, out);
}

static int membership_set_status(struct store *s, int64_t user_id, int64_t tenant_id,
                                 enum member_status status)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBERSHIP_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, member_status_str(status));
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return update_one(&q);
}

static int membership_list_by_user(struct store *s, struct arena *a, int64_t user_id,
                                   struct membership **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_MEMBERSHIP_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_membership, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- tokens ---- */

static int read_token(struct pg_q *q, struct arena *a, void *row)
{
    struct token *t = row;
    *t = (struct token){0};
    t->id = pg_i64(q);
    t->user_id = pg_i64(q);
    t->tenant_id = pg_i64(q);
    t->name = pg_text(q, a);
    const char *hash = pg_peek(q);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(t->token_hash, hash, len);
        t->token_hash[len] = '\0';
    }
    pg_list(q, a, &t->abilities);
    if (!token_kind_parse(pg_peek(q), &t->kind))
        return pg_corrupt(q, "tokens.kind");
    t->last_used_at = pg_i64(q);
    t->expires_at = pg_i64(q);
    t->created_at = pg_i64(q);
    t->revoked_at = pg_i64(q);
    return 0;
}

/* An empty token_hash is stored as NULL: a row that only carries an id,
 * like a JWT's jti. */
static int token_insert(struct store *s, struct token *t)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TOKEN_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t now = time_now();
    pg_bind_i64(&q, t->user_id);
    pg_bind_opt(&q, t->tenant_id);
    pg_bind_text(&q, t->name);
    pg_bind_text(&q, t->token_hash[0] != '\0' ? t->token_hash : NULL);
    pg_bind_list(&q, &t->abilities);
    pg_bind_text(&q, token_kind_str(t->kind));
    pg_bind_opt(&q, t->last_used_at);
    pg_bind_opt(&q, t->expires_at);
    pg_bind_i64(&q, now);
    pg_bind_opt(&q, t->revoked_at);
    rc = insert(&q, &t->id);
    if (rc == 0)
        t->created_at = now;
    return rc;
}

static int token_by_id(struct store *s, struct arena *a, int64_t id, struct token *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TOKEN_BY_ID, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, id);
    return read_one(&q, a, read_token, out);
}

static int token_by_hash(struct store *s, struct arena *a, const char *hash_hex, struct token *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TOKEN_BY_HASH, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, hash_hex);
    return read_one(&q, a, read_token, out);
}

static int token_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct token **out,
                              size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_TOKEN_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_token, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int token_revoke(struct store *s, int64_t id, int64_t at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TOKEN_REVOKE, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, id);
    return update_one(&q);
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

/* One statement, so one transaction of its own (or part of the caller's).
 * Unknown ids are skipped: the token may have been deleted since its use. */
static int token_touch_many(struct store *s, const struct token_touch *items, size_t n)
{
    struct pg_q q;
    if (n == 0)
        return 0;
    int rc = pg_query(s, PG_TOKEN_TOUCH_MANY, &q);
    if (rc != 0)
        return rc;
    pg_bind_owned(&q, int_array(items, n, true));
    pg_bind_owned(&q, int_array(items, n, false));
    rc = pg_run(&q);
    pg_end(&q);
    return rc;
}

/* ---- audit ---- */

/* ---- the request hot path ---- */

/* Reads one optional block of the principal join: *has is false (and the
 * columns skipped) when the LEFT JOIN found no row. */
static int read_optional(struct pg_q *q, struct arena *a, row_reader read, void *row, int ncols,
                         bool *has)
{
    *has = !pg_null(q);
    if (!*has) {
        pg_skip(q, ncols);
        return 0;
    }
    return read(q, a, row);
}

static int read_principal(struct pg_q *q, struct arena *a, void *row)
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

static int principal_by_token(struct store *s, struct arena *a, int64_t token_id,
                              const char *hash_hex, struct principal_rows *out)
{
    struct pg_q q;
    int rc = pg_query(s, token_id > 0 ? PG_PRINCIPAL_BY_TOKEN_ID : PG_PRINCIPAL_BY_TOKEN_HASH, &q);
    if (rc != 0)
        return rc;
    if (token_id > 0)
        pg_bind_i64(&q, token_id);
    else
        pg_bind_text(&q, hash_hex);
    return read_one(&q, a, read_principal, out);
}

static int principal_in_tenant(struct store *s, struct arena *a, int64_t token_id,
                               const char *tenant_slug, struct principal_rows *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_PRINCIPAL_IN_TENANT, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, tenant_slug);
    pg_bind_i64(&q, token_id);
    return read_one(&q, a, read_principal, out);
}

static int read_audit(struct pg_q *q, struct arena *a, void *row)
{
    struct audit_entry *e = row;
    *e = (struct audit_entry){0};
    e->id = pg_i64(q);
    e->at = pg_i64(q);
    e->tenant_id = pg_i64(q);
    e->user_id = pg_i64(q);
    e->action = pg_text(q, a);
    e->ip = pg_text(q, a);
    e->detail = pg_text(q, a);
    return 0;
}

/* at 0 means "now" (and is written back). */
static int audit_insert(struct store *s, struct audit_entry *e)
{
    struct pg_q q;
    int rc = pg_query(s, PG_AUDIT_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = e->at != 0 ? e->at : time_now();
    pg_bind_i64(&q, at);
    pg_bind_opt(&q, e->tenant_id);
    pg_bind_opt(&q, e->user_id);
    pg_bind_text(&q, e->action);
    pg_bind_text(&q, e->ip);
    pg_bind_text(&q, e->detail);
    rc = insert(&q, &e->id);
    if (rc == 0)
        e->at = at;
    return rc;
}

static int audit_list(struct store *s, struct arena *a, size_t limit, struct audit_entry **out,
                      size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_AUDIT_LIST, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    void *rows;
    rc = read_all(&q, a, read_audit, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* ---- revocation in bulk ---- */

/* Runs a bound UPDATE or DELETE of any number of rows; *n = how many. */
static int change_many(struct pg_q *q, int64_t *n)
{
    int rc = pg_run(q);
    if (rc == 0)
        *n = pg_changes(q);
    pg_end(q);
    return rc;
}

static int token_revoke_user_except(struct store *s, int64_t user_id, int64_t keep_id, int64_t at,
                                    int64_t *n)
{
    struct pg_q q;
    *n = 0;
    int rc = pg_query(s, PG_TOKEN_REVOKE_USER_EXCEPT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, keep_id);
    return change_many(&q, n);
}

static int session_delete_by_user(struct store *s, int64_t user_id, int64_t *n)
{
    struct pg_q q;
    *n = 0;
    int rc = pg_query(s, PG_SESSION_DELETE_BY_USER, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    return change_many(&q, n);
}

/* ---- signing keys ---- */

static int read_signing_key(struct pg_q *q, struct arena *a, void *row)
{
    struct signing_key *k = row;
    *k = (struct signing_key){0};
    k->kid = pg_text(q, a);
    k->alg = pg_text(q, a);
    k->private_pem = pg_text(q, a);
    k->public_jwk = pg_text(q, a);
    k->created_at = pg_i64(q);
    k->retired_at = pg_i64(q);
    return 0;
}

/* created_at 0 means "now" (and is written back). */
static int signing_key_insert(struct store *s, struct signing_key *k)
{
    struct pg_q q;
    int rc = pg_query(s, PG_SIGNING_KEY_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = k->created_at != 0 ? k->created_at : time_now();
    pg_bind_text(&q, k->kid);
    pg_bind_text(&q, k->alg != NULL ? k->alg : "RS256");
    pg_bind_text(&q, k->private_pem);
    pg_bind_text(&q, k->public_jwk);
    pg_bind_i64(&q, at);
    pg_bind_opt(&q, k->retired_at);
    rc = pg_run(&q);
    pg_end(&q);
    if (rc == 0)
        k->created_at = at;
    return rc;
}

static int signing_key_list(struct store *s, struct arena *a, struct signing_key **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_SIGNING_KEY_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_signing_key, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int signing_key_retire_others(struct store *s, const char *keep_kid, int64_t at, int64_t *n)
{
    struct pg_q q;
    *n = 0;
    int rc = pg_query(s, PG_SIGNING_KEY_RETIRE_OTHERS, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_text(&q, keep_kid);
    return change_many(&q, n);
}

/* ---- seed 001: staff ---- */

static int read_staff(struct pg_q *q, struct arena *a, void *row)
{
    (void)a;
    struct staff *st = row;
    st->user_id = pg_i64(q);
    st->role_id = pg_i64(q);
    st->granted_by = pg_i64(q);
    st->created_at = pg_i64(q);
    return 0;
}

static int staff_get(struct store *s, int64_t user_id, struct staff *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_STAFF_GET, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    return read_one(&q, NULL, read_staff, out);
}

static int staff_set(struct store *s, struct staff *st)
{
    struct pg_q q;
    int rc = pg_query(s, PG_STAFF_SET, &q);
    if (rc != 0)
        return rc;
    int64_t at = st->created_at != 0 ? st->created_at : time_now();
    pg_bind_i64(&q, st->user_id);
    pg_bind_i64(&q, st->role_id);
    pg_bind_opt(&q, st->granted_by);
    pg_bind_i64(&q, at);
    rc = pg_run(&q);
    pg_end(&q);
    if (rc == 0)
        st->created_at = at;
    return rc;
}

static int delete_by_id(struct store *s, enum pg_stmt id, int64_t key)
{
    struct pg_q q;
    int rc = pg_query(s, id, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, key);
    return update_one(&q);
}

static int staff_delete(struct store *s, int64_t user_id)
{
    return delete_by_id(s, PG_STAFF_DELETE, user_id);
}

static int staff_list(struct store *s, struct arena *a, struct staff **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_STAFF_LIST, &q);
    if (rc != 0)
        return rc;
    void *rows;
    rc = read_all(&q, a, read_staff, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int count_by_id(struct store *s, enum pg_stmt id, int64_t key, int64_t *n)
{
    struct pg_q q;
    int rc = pg_query(s, id, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, key);
    return read_count(&q, n);
}

static int staff_count_role(struct store *s, int64_t role_id, int64_t *n)
{
    return count_by_id(s, PG_STAFF_COUNT_ROLE, role_id, n);
}

/* ---- seed 001: searches ---- */

/* "%search%" with LIKE's wildcards and the escape character escaped, or
 * NULL for no search. */
static const char *like_pattern(struct arena *a, const char *search, bool prefix_only)
{
    if (search == NULL || search[0] == '\0')
        return NULL;
    size_t n = strlen(search);
    char *p = arena_alloc(a, 2 * n + 3);
    size_t o = 0;
    if (!prefix_only)
        p[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (search[i] == '%' || search[i] == '_' || search[i] == '\\')
            p[o++] = '\\';
        p[o++] = search[i];
    }
    p[o++] = '%';
    p[o] = '\0';
    return p;
}

static int64_t page_value(size_t v)
{
    return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Binds the user filter's WHERE parameters ?1..?3. */
static void bind_user_where(struct pg_q *q, const char *pattern, const struct user_filter *f)
{
    pg_bind_text(q, pattern);
    pg_bind_text(q, f->status);
    pg_bind_opt(q, f->tenant_id);
}

static int user_search(struct store *s, struct arena *a, const struct user_filter *f,
                       struct user **out, size_t *n, int64_t *total)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->search, false);
    int rc = pg_query(s, PG_USER_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    bind_user_where(&q, pattern, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = pg_query(s, PG_USER_SEARCH, &q);
    if (rc != 0)
        return rc;
    bind_user_where(&q, pattern, f);
    pg_bind_i64(&q, page_value(f->limit));
    pg_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_user, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int user_set_names(struct store *s, int64_t user_id, const char *name,
                          const char *first_name, const char *last_name)
{
    struct pg_q q;
    int rc = pg_query(s, PG_USER_SET_NAMES, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, name);
    pg_bind_text(&q, first_name);
    pg_bind_text(&q, last_name);
    pg_bind_i64(&q, time_now());
    pg_bind_i64(&q, user_id);
    return update_one(&q);
}

static int user_delete(struct store *s, int64_t user_id)
{
    return delete_by_id(s, PG_USER_DELETE, user_id);
}

static int read_tenant_summary(struct pg_q *q, struct arena *a, void *row)
{
    struct tenant_summary *t = row;
    int rc = read_tenant(q, a, &t->tenant);
    if (rc == 0)
        t->member_count = pg_i64(q);
    return rc;
}

static int tenant_search(struct store *s, struct arena *a, const struct tenant_filter *f,
                         struct tenant_summary **out, size_t *n, int64_t *total)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *pattern = like_pattern(a, f->search, false);
    int rc = pg_query(s, PG_TENANT_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, pattern);
    pg_bind_text(&q, f->status);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = pg_query(s, PG_TENANT_SEARCH, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, pattern);
    pg_bind_text(&q, f->status);
    pg_bind_i64(&q, page_value(f->limit));
    pg_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_tenant_summary, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int tenant_member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    return count_by_id(s, PG_TENANT_MEMBER_COUNT, tenant_id, n);
}

static int tenant_set_status(struct store *s, int64_t tenant_id, enum tenant_status status)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_SET_STATUS, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, tenant_status_str(status));
    pg_bind_i64(&q, tenant_id);
    return update_one(&q);
}

/* Binds the audit filter's WHERE parameters ?1..?6. */
static void bind_audit_where(struct pg_q *q, struct arena *a, const struct audit_filter *f)
{
    pg_bind_opt(q, f->user_id);
    pg_bind_opt(q, f->tenant_id);
    pg_bind_text(q, f->action_prefix ? NULL : f->action);
    pg_bind_text(q, f->action_prefix ? like_pattern(a, f->action, true) : NULL);
    pg_bind_opt(q, f->from);
    pg_bind_opt(q, f->to);
}

static int audit_search(struct store *s, struct arena *a, const struct audit_filter *f,
                        struct audit_entry **out, size_t *n, int64_t *total)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = pg_query(s, PG_AUDIT_SEARCH_COUNT, &q);
    if (rc != 0)
        return rc;
    bind_audit_where(&q, a, f);
    rc = read_count(&q, total);
    if (rc == 0)
        rc = pg_query(s, PG_AUDIT_SEARCH, &q);
    if (rc != 0)
        return rc;
    bind_audit_where(&q, a, f);
    pg_bind_i64(&q, page_value(f->limit));
    pg_bind_i64(&q, page_value(f->offset));
    void *rows;
    rc = read_all(&q, a, read_audit, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

/* Runs a bound statement; *n receives the rows it changed. */
static int run_counted(struct pg_q *q, int64_t *n)
{
    int rc = pg_run(q);
    *n = rc == 0 ? pg_changes(q) : 0;
    pg_end(q);
    return rc;
}

/* ---- seed 001: password resets ---- */

static int read_reset(struct pg_q *q, struct arena *a, void *row)
{
    struct password_reset *r = row;
    *r = (struct password_reset){0};
    const char *hash = pg_peek(q);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(r->token_hash, hash, len);
        r->token_hash[len] = '\0';
    }
    r->email = pg_text(q, a);
    r->created_at = pg_i64(q);
    r->used_at = pg_i64(q);
    return 0;
}

static int reset_insert(struct store *s, struct password_reset *r)
{
    struct pg_q q;
    int rc = pg_query(s, PG_RESET_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = r->created_at != 0 ? r->created_at : time_now();
    pg_bind_text(&q, r->token_hash);
    pg_bind_text(&q, r->email);
    pg_bind_i64(&q, at);
    rc = pg_run(&q);
    pg_end(&q);
    if (rc == 0)
        r->created_at = at;
    return rc;
}

static int reset_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                         struct password_reset *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_RESET_BY_HASH, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, hash_hex);
    return read_one(&q, a, read_reset, out);
}

static int reset_use(struct store *s, const char *hash_hex, int64_t at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_RESET_USE, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_text(&q, hash_hex);
    return update_one(&q);
}

static int reset_use_email(struct store *s, const char *email, int64_t at)
{
    struct pg_q q;
    int64_t n;
    int rc = pg_query(s, PG_RESET_USE_EMAIL, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_text(&q, email);
    return run_counted(&q, &n);
}

/* ---- team management ---- */

static int read_member_row(struct pg_q *q, struct arena *a, void *row)
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

static int member_list(struct store *s, struct arena *a, int64_t tenant_id, int64_t offset,
                       int64_t limit, struct member_row **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_MEMBER_LIST, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    pg_bind_i64(&q, limit);
    pg_bind_i64(&q, offset);
    void *rows;
    rc = read_all(&q, a, read_member_row, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int member_count(struct store *s, int64_t tenant_id, int64_t *n)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBER_COUNT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    return read_count(&q, n);
}

static int member_count_active_slug(struct store *s, int64_t tenant_id, const char *role_slug,
                                    int64_t *n)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBER_COUNT_ACTIVE_SLUG, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    pg_bind_text(&q, role_slug);
    return read_count(&q, n);
}

static int membership_set_role(struct store *s, int64_t user_id, int64_t tenant_id, int64_t role_id)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBERSHIP_SET_ROLE, &q);
    if (rc != 0)
        return rc;
    pg_bind_opt(&q, role_id);
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return update_one(&q);
}

static int membership_delete(struct store *s, int64_t user_id, int64_t tenant_id)
{
    struct pg_q q;
    int rc = pg_query(s, PG_MEMBERSHIP_DELETE, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return update_one(&q);
}

/* SELECT ... FOR UPDATE: the row stays locked until the transaction ends. */
static int tenant_lock(struct store *s, int64_t tenant_id)
{
    struct pg_q q;
    int rc = pg_query(s, PG_TENANT_LOCK, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    rc = pg_row(&q);
    pg_end(&q);
    return rc;
}

static int token_revoke_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id, int64_t at,
                                    int64_t *n)
{
    struct pg_q q;
    *n = 0;
    int rc = pg_query(s, PG_TOKEN_REVOKE_USER_TENANT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return change_many(&q, n);
}

static int session_delete_by_user_tenant(struct store *s, int64_t user_id, int64_t tenant_id,
                                         int64_t *n)
{
    struct pg_q q;
    *n = 0;
    int rc = pg_query(s, PG_SESSION_DELETE_BY_USER_TENANT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    pg_bind_i64(&q, tenant_id);
    return change_many(&q, n);
}

static int read_invitation(struct pg_q *q, struct arena *a, void *row)
{
    struct invitation *inv = row;
    *inv = (struct invitation){0};
    inv->id = pg_i64(q);
    inv->tenant_id = pg_i64(q);
    inv->email = pg_text(q, a);
    inv->role_id = pg_i64(q);
    const char *hash = pg_peek(q);
    if (hash != NULL) {
        size_t len = strnlen(hash, TOKEN_HASH_HEX);
        memcpy(inv->token_hash, hash, len);
        inv->token_hash[len] = '\0';
    }
    inv->invited_by = pg_i64(q);
    inv->created_at = pg_i64(q);
    inv->expires_at = pg_i64(q);
    inv->accepted_at = pg_i64(q);
    inv->cancelled_at = pg_i64(q);
    return 0;
}

static int invitation_insert(struct store *s, struct invitation *inv)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_INSERT, &q);
    if (rc != 0)
        return rc;
    int64_t at = inv->created_at != 0 ? inv->created_at : time_now();
    pg_bind_i64(&q, inv->tenant_id);
    pg_bind_text(&q, inv->email);
    pg_bind_opt(&q, inv->role_id);
    pg_bind_text(&q, inv->token_hash);
    pg_bind_opt(&q, inv->invited_by);
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, inv->expires_at);
    pg_bind_opt(&q, inv->accepted_at);
    pg_bind_opt(&q, inv->cancelled_at);
    rc = insert(&q, &inv->id);
    if (rc == 0)
        inv->created_at = at;
    return rc;
}

static int invitation_by_id(struct store *s, struct arena *a, int64_t id, struct invitation *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_BY_ID, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, id);
    return read_one(&q, a, read_invitation, out);
}

static int invitation_by_hash(struct store *s, struct arena *a, const char *hash_hex,
                              struct invitation *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_BY_HASH, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, hash_hex);
    return read_one(&q, a, read_invitation, out);
}

static int invitation_list_open(struct store *s, struct arena *a, int64_t tenant_id,
                                struct invitation **out, size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_INVITATION_LIST_OPEN, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    void *rows;
    rc = read_all(&q, a, read_invitation, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

static int invitation_open_by_email(struct store *s, struct arena *a, int64_t tenant_id,
                                    const char *email, struct invitation *out)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_OPEN_BY_EMAIL, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, tenant_id);
    pg_bind_text(&q, email);
    return read_one(&q, a, read_invitation, out);
}

static int invitation_renew(struct store *s, int64_t id, const char *hash_hex, int64_t expires_at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_RENEW, &q);
    if (rc != 0)
        return rc;
    pg_bind_text(&q, hash_hex);
    pg_bind_i64(&q, expires_at);
    pg_bind_i64(&q, id);
    return update_one(&q);
}

static int invitation_cancel(struct store *s, int64_t id, int64_t at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_CANCEL, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, id);
    return update_one(&q);
}

static int invitation_accept(struct store *s, int64_t id, const char *hash_hex, int64_t at)
{
    struct pg_q q;
    int rc = pg_query(s, PG_INVITATION_ACCEPT, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, at);
    pg_bind_i64(&q, id);
    pg_bind_text(&q, hash_hex);
    pg_bind_i64(&q, at);
    return update_one(&q);
}

/* ---- organisations of a user (issue #7) ---- */

static int read_org_row(struct pg_q *q, struct arena *a, void *row)
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
static int org_list_by_user(struct store *s, struct arena *a, int64_t user_id, struct org_row **out,
                            size_t *n)
{
    struct pg_q q;
    *out = NULL;
    *n = 0;
    int rc = pg_query(s, PG_ORG_LIST_BY_USER, &q);
    if (rc != 0)
        return rc;
    pg_bind_i64(&q, user_id);
    void *rows;
    rc = read_all(&q, a, read_org_row, sizeof(**out), &rows, n);
    *out = rows;
    return rc;
}

const struct store_ops pg_ops = {
    .name = "postgres",
    .migration_suffix = PG_SUFFIX,
    .free = pg_free,
    .migrate = pg_migrate,
    .schema_current = pg_schema_current,
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    .ping = pg_ping,
    .tenant_insert = tenant_insert,
    .tenant_by_id = tenant_by_id,
    .tenant_by_slug = tenant_by_slug,
    .tenant_by_domain = tenant_by_domain,
    .tenant_list = tenant_list,
    .tenant_count = tenant_count,
    .user_insert = user_insert,
    .user_by_id = user_by_id,
    .user_by_email = user_by_email,
    .user_set_password = user_set_password,
    .user_set_last_login = user_set_last_login,
    .user_set_status = user_set_status,
    .user_count = user_count,
    .role_insert = role_insert,
    .role_by_id = role_by_id,
    .role_list = role_list,
    .membership_insert = membership_insert,
    .membership_get = membership_get,
    .membership_set_status = membership_set_status,
    .membership_list_by_user = membership_list_by_user,
    .token_insert = token_insert,
    .token_by_id = token_by_id,
    .token_by_hash = token_by_hash,
    .token_list_by_user = token_list_by_user,
    .token_revoke = token_revoke,
    .token_touch_many = token_touch_many,
    .audit_insert = audit_insert,
    .audit_list = audit_list,
    .principal_by_token = principal_by_token,
    .principal_in_tenant = principal_in_tenant,
    .token_revoke_user_except = token_revoke_user_except,
    .session_delete_by_user = session_delete_by_user,
    .signing_key_insert = signing_key_insert,
    .signing_key_list = signing_key_list,
    .signing_key_retire_others = signing_key_retire_others,
    .staff_get = staff_get,
    .staff_set = staff_set,
    .staff_delete = staff_delete,
    .staff_list = staff_list,
    .staff_count_role = staff_count_role,
    .user_search = user_search,
    .user_set_names = user_set_names,
    .user_delete = user_delete,
    .tenant_search = tenant_search,
    .tenant_member_count = tenant_member_count,
    .tenant_set_status = tenant_set_status,
    .audit_search = audit_search,
    .reset_insert = reset_insert,
    .reset_by_hash = reset_by_hash,
    .reset_use = reset_use,
    .reset_use_email = reset_use_email,
    .member_list = member_list,
    .member_count = member_count,
    .member_count_active_slug = member_count_active_slug,
    .membership_set_role = membership_set_role,
    .membership_delete = membership_delete,
    .tenant_lock = tenant_lock,
    .token_revoke_user_tenant = token_revoke_user_tenant,
    .session_delete_by_user_tenant = session_delete_by_user_tenant,
    .invitation_insert = invitation_insert,
    .invitation_by_id = invitation_by_id,
    .invitation_by_hash = invitation_by_hash,
    .invitation_list_open = invitation_list_open,
    .invitation_open_by_email = invitation_open_by_email,
    .invitation_renew = invitation_renew,
    .invitation_cancel = invitation_cancel,
    .invitation_accept = invitation_accept,
    .org_list_by_user = org_list_by_user,
};
