/*
 * sql.c - every statement the store runs, written once in SQLite's
 * dialect with "?" placeholders. The PostgreSQL driver numbers the
 * placeholders ($1, $2, ...) when it prepares a statement; where the
 * dialects really differ, the third member is PostgreSQL's text.
 *
 * Every value is bound as a parameter. The *_COLS lists (columns.h) fix the
 * column order the row readers consume. Inserts return the new id with
 * RETURNING id (SQLite 3.35 and later, PostgreSQL).
 */
#include <stddef.h>

#include "store/columns.h"
#include "store/sql.h"

/*
 * The admin searches' filters. They number their parameters so one value
 * serves every place it appears; a NULL parameter disables its filter. The
 * CASTs type each parameter where it first appears, so that PostgreSQL never
 * has to guess the type of "$1 IS NULL". LIKE_CI is SQLite's LIKE (ASCII
 * case-insensitive already) or PostgreSQL's ILIKE.
 */
#define USER_WHERE(LIKE_CI)                                                                        \
    "(CAST(?1 AS TEXT) IS NULL OR email " LIKE_CI " ?1 ESCAPE '\\'"                                \
    " OR name " LIKE_CI " ?1 ESCAPE '\\' OR first_name " LIKE_CI " ?1 ESCAPE '\\'"                 \
    " OR last_name " LIKE_CI " ?1 ESCAPE '\\')"                                                    \
    " AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)"                                               \
    " AND (CAST(?3 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM memberships m"                      \
    " WHERE m.user_id = users.id AND m.tenant_id = ?3))"
#define TENANT_WHERE(LIKE_CI)                                                                      \
    "(CAST(?1 AS TEXT) IS NULL OR slug " LIKE_CI " ?1 ESCAPE '\\' OR name " LIKE_CI                \
    " ?1 ESCAPE '\\') AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)"
#define AUDIT_WHERE                                                                                \
    "(CAST(?1 AS BIGINT) IS NULL OR user_id = ?1) AND (CAST(?2 AS BIGINT) IS NULL"                 \
    " OR tenant_id = ?2) AND (CAST(?3 AS TEXT) IS NULL OR action = ?3)"                            \
    " AND (CAST(?4 AS TEXT) IS NULL OR action LIKE ?4 ESCAPE '\\')"                                \
    " AND (CAST(?5 AS BIGINT) IS NULL OR at >= ?5) AND (CAST(?6 AS BIGINT) IS NULL OR at <= ?6)"
/* What prune removes: tokens expired or revoked at or before ?1; password
 * resets expired (created at or before ?1) or used at or before ?2;
 * invitations accepted, cancelled or expired at or before ?1. */
#define PRUNE_TOKENS_WHERE      "(expires_at <= ?1 OR revoked_at <= ?1)"
#define PRUNE_RESETS_WHERE      "(created_at <= ?1 OR used_at <= ?2)"
#define PRUNE_INVITATIONS_WHERE "(accepted_at <= ?1 OR cancelled_at <= ?1 OR expires_at <= ?1)"
/* pg_try_advisory_lock key of prune: "lk-prune" in ASCII, as a bigint. */
#define PRUNE_LOCK_KEY "7812387939584142949"
#define USER_SEARCH(LIKE_CI)                                                                       \
    "SELECT " USER_COLS " FROM users WHERE " USER_WHERE(LIKE_CI) " ORDER BY id LIMIT ?4 OFFSET ?5"
#define USER_SEARCH_COUNT(LIKE_CI) "SELECT COUNT(*) FROM users WHERE " USER_WHERE(LIKE_CI)
#define TENANT_SEARCH(LIKE_CI)                                                                     \
    "SELECT " TENANT_COLS ", (SELECT COUNT(*) FROM memberships m"                                  \
    " WHERE m.tenant_id = tenants.id) FROM tenants WHERE " TENANT_WHERE(                           \
        LIKE_CI) " ORDER BY id LIMIT ?3 OFFSET ?4"
#define TENANT_SEARCH_COUNT(LIKE_CI) "SELECT COUNT(*) FROM tenants WHERE " TENANT_WHERE(LIKE_CI)

/*
 * The lead and order searches (issue 13): ?1 the tenant (NULL: every
 * tenant, for platform staff), ?2 the status, ?3 the LIKE pattern matched
 * against the customer's name, phone and city and the product (an order's:
 * any of its items').
 */
#define LEAD_WHERE(LIKE_CI)                                                                        \
    "(CAST(?1 AS BIGINT) IS NULL OR tenant_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)" \
    " AND (CAST(?3 AS TEXT) IS NULL OR customer_name " LIKE_CI " ?3 ESCAPE '\\'"                   \
    " OR phone " LIKE_CI " ?3 ESCAPE '\\' OR city " LIKE_CI " ?3 ESCAPE '\\'"                      \
    " OR product " LIKE_CI " ?3 ESCAPE '\\')"
#define ORDER_WHERE(LIKE_CI)                                                                       \
    "(CAST(?1 AS BIGINT) IS NULL OR tenant_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)" \
    " AND (CAST(?3 AS TEXT) IS NULL OR customer_name " LIKE_CI " ?3 ESCAPE '\\'"                   \
    " OR phone " LIKE_CI " ?3 ESCAPE '\\' OR city " LIKE_CI " ?3 ESCAPE '\\'"                      \
    " OR EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = orders.id"                         \
    " AND i.tenant_id = orders.tenant_id AND i.product " LIKE_CI " ?3 ESCAPE '\\'))"
#define LEAD_SEARCH(LIKE_CI)                                                                       \
    "SELECT " LEAD_COLS " FROM leads WHERE " LEAD_WHERE(LIKE_CI) " ORDER BY id DESC LIMIT ?4"      \
                                                                 " OFFSET ?5"
#define LEAD_SEARCH_COUNT(LIKE_CI) "SELECT COUNT(*) FROM leads WHERE " LEAD_WHERE(LIKE_CI)
#define ORDER_SEARCH(LIKE_CI)                                                                      \
    "SELECT " ORDER_COLS " FROM orders WHERE " ORDER_WHERE(LIKE_CI) " ORDER BY id DESC LIMIT ?4"   \
                                                                    " OFFSET ?5"
#define ORDER_SEARCH_COUNT(LIKE_CI) "SELECT COUNT(*) FROM orders WHERE " ORDER_WHERE(LIKE_CI)

const struct stmt_def stmts[ST_COUNT] = {
    /* The SQLite driver's own (sqlite.c): PostgreSQL sends its transaction
     * commands unprepared and has no data_version. */
    [ST_BEGIN] = {"begin", "BEGIN IMMEDIATE"},
    [ST_COMMIT] = {"commit", "COMMIT"},
    [ST_ROLLBACK] = {"rollback", "ROLLBACK"},
    [ST_DATA_VERSION] = {"change_stamp", "PRAGMA data_version"},
    [ST_PING] = {"ping", "SELECT 1"},
    /* Run as a script (store.c), before the migrations. */
    [ST_MIGRATIONS_TABLE] = {"migrate",
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at INTEGER NOT NULL)",
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at BIGINT NOT NULL)"},
    [ST_MIGRATIONS_EXIST] = {"schema_version",
                             "SELECT 1 FROM sqlite_master"
                             " WHERE type = 'table' AND name = 'schema_migrations'",
                             "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL"},
    [ST_MIGRATION_CURRENT] = {"schema_version",
                              "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"},
    [ST_MIGRATION_APPLIED] = {"migrate", "SELECT 1 FROM schema_migrations WHERE version = ?"},
    [ST_MIGRATION_RECORD] = {"migrate", "INSERT INTO schema_migrations (version, name, applied_at)"
                                        " VALUES (?, ?, ?)"},

    [ST_TENANT_INSERT] = {"tenant_insert",
                          "INSERT INTO tenants (slug, name, domain, default_currency,"
                          " enabled_products, status, created_at, product)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_TENANT_BY_ID] = {"tenant_by_id", "SELECT " TENANT_COLS " FROM tenants WHERE id = ?"},
    [ST_TENANT_BY_SLUG] = {"tenant_by_slug", "SELECT " TENANT_COLS " FROM tenants WHERE slug = ?"},
    [ST_TENANT_BY_DOMAIN] = {"tenant_by_domain",
                             "SELECT " TENANT_COLS
                             " FROM tenants WHERE lower(domain) = ? ORDER BY id LIMIT 1"},
    [ST_TENANT_COUNT] = {"tenant_count", "SELECT COUNT(*) FROM tenants"},
    [ST_TENANT_LIST] = {"tenant_list", "SELECT " TENANT_COLS " FROM tenants ORDER BY id"},

    [ST_USER_INSERT] = {"user_insert",
                        "INSERT INTO users (name, first_name, last_name, email, phone, avatar,"
                        " password_hash, status, is_super_admin, email_verified_at, last_login_at,"
                        " preferences, attributes, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_USER_BY_ID] = {"user_by_id", "SELECT " USER_COLS " FROM users WHERE id = ?"},
    [ST_USER_BY_EMAIL] = {"user_by_email", "SELECT " USER_COLS " FROM users WHERE email = ?"},
    [ST_USER_SET_PASSWORD] = {"user_set_password",
                              "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?"},
    [ST_USER_SET_LAST_LOGIN] = {"user_set_last_login",
                                "UPDATE users SET last_login_at = ? WHERE id = ?"},
    [ST_USER_SET_STATUS] = {"user_set_status",
                            "UPDATE users SET status = ?, updated_at = ? WHERE id = ?"},
    [ST_USER_COUNT] = {"user_count", "SELECT COUNT(*) FROM users"},

    [ST_ROLE_INSERT] = {"role_insert",
                        "INSERT INTO roles (tenant_id, name, slug, permissions, is_system,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_ROLE_BY_ID] = {"role_by_id", "SELECT " ROLE_COLS " FROM roles WHERE id = ?"},
    [ST_ROLE_LIST_TENANT] = {"role_list",
                             "SELECT " ROLE_COLS " FROM roles WHERE tenant_id = ? ORDER BY id"},
    [ST_ROLE_LIST_PLATFORM] = {"role_list", "SELECT " ROLE_COLS
                                            " FROM roles WHERE tenant_id IS NULL ORDER BY id"},

    [ST_MEMBERSHIP_INSERT] = {"membership_insert",
                              "INSERT INTO memberships (user_id, tenant_id, role_id, status,"
                              " joined_at) VALUES (?, ?, ?, ?, ?)"},
    [ST_MEMBERSHIP_GET] = {"membership_get", "SELECT " MEMBER_COLS " FROM memberships"
                                             " WHERE user_id = ? AND tenant_id = ?"},
    [ST_MEMBERSHIP_SET_STATUS] = {"membership_set_status", "UPDATE memberships SET status = ?"
                                                           " WHERE user_id = ? AND tenant_id = ?"},
    [ST_MEMBERSHIP_LIST_BY_USER] = {"membership_list_by_user",
                                    "SELECT " MEMBER_COLS " FROM memberships WHERE user_id = ?"
                                    " ORDER BY joined_at, tenant_id"},

    [ST_TOKEN_INSERT] = {"token_insert",
                         "INSERT INTO tokens (user_id, tenant_id, name, token_hash, abilities,"
                         " kind, last_used_at, expires_at, created_at, revoked_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_TOKEN_BY_ID] = {"token_by_id", "SELECT " TOKEN_COLS " FROM tokens WHERE id = ?"},
    [ST_TOKEN_BY_HASH] = {"token_by_hash",
                          "SELECT " TOKEN_COLS " FROM tokens WHERE token_hash = ?"},
    [ST_TOKEN_LIST_BY_USER] = {"token_list_by_user",
                               "SELECT " TOKEN_COLS " FROM tokens WHERE user_id = ?"
                               " ORDER BY created_at DESC, id DESC"},
    /* COALESCE keeps the first revocation time; a matched row always counts
     * as changed, so changes() = 0 means "no such token". */
    [ST_TOKEN_REVOKE] = {"token_revoke",
                         "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"},
    /* A single-use transition (issue 16): only the caller that finds the
     * token live changes it; PostgreSQL re-reads the row after a concurrent
     * writer commits, so a second caller matches nothing. */
    [ST_TOKEN_REVOKE_LIVE] =
        {"token_revoke_live",
         "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"},
    /* last_used_at in batches: SQLite runs one UPDATE per token inside one
     * transaction; PostgreSQL sends every (id, time) pair in one statement,
     * as parallel arrays, the latest time per id winning. Neither moves
     * last_used_at backwards. */
    [ST_TOKEN_TOUCH] = {"token_touch", "UPDATE tokens SET last_used_at = ? WHERE id = ?"
                                       " AND (last_used_at IS NULL OR last_used_at < ?)"},
    [ST_TOKEN_TOUCH_MANY] = {"token_touch", NULL,
                             "UPDATE tokens AS t SET last_used_at = v.at"
                             " FROM (SELECT id, MAX(at) AS at"
                             " FROM unnest($1::bigint[], $2::bigint[]) AS u (id, at) GROUP BY id)"
                             " AS v WHERE t.id = v.id"
                             " AND (t.last_used_at IS NULL OR t.last_used_at < v.at)"},

    [ST_AUDIT_INSERT] = {"audit_insert",
                         "INSERT INTO audit_log (at, tenant_id, user_id, action, ip, detail)"
                         " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_AUDIT_LIST] = {"audit_list",
                       "SELECT " AUDIT_COLS " FROM audit_log ORDER BY at DESC, id DESC LIMIT ?"},

    [ST_PRINCIPAL_BY_TOKEN_ID] = {"principal_by_token", PRINCIPAL_SELECT " WHERE k.id = ?"},
    [ST_PRINCIPAL_BY_TOKEN_HASH] = {"principal_by_token",
                                    PRINCIPAL_SELECT " WHERE k.token_hash = ?"},
    [ST_PRINCIPAL_IN_TENANT] = {"principal_in_tenant",
                                PRINCIPAL_IN_TENANT_SELECT " WHERE k.id = ?"},
    [ST_TOKEN_REVOKE_USER_EXCEPT] = {"token_revoke_user_except",
                                     "UPDATE tokens SET revoked_at = ? WHERE user_id = ?"
                                     " AND id <> ? AND revoked_at IS NULL"},
    [ST_SESSION_DELETE_BY_USER] = {"session_delete_by_user",
                                   "DELETE FROM sessions WHERE user_id = ?"},
    [ST_SIGNING_KEY_INSERT] = {"signing_key_insert",
                               "INSERT INTO signing_keys (kid, alg, private_pem, public_jwk,"
                               " created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)"},
    [ST_SIGNING_KEY_LIST] = {"signing_key_list",
                             "SELECT " SIGNING_KEY_COLS
                             " FROM signing_keys ORDER BY created_at, kid",
                             /* COLLATE "C": SQLite's byte order for ties. */
                             "SELECT " SIGNING_KEY_COLS " FROM signing_keys"
                             " ORDER BY created_at, kid COLLATE \"C\""},
    [ST_SIGNING_KEY_RETIRE_OTHERS] = {"signing_key_retire_others",
                                      "UPDATE signing_keys SET retired_at = ?"
                                      " WHERE kid <> ? AND retired_at IS NULL"},
    /* Conditional on the text read, so two instances sealing the same
     * clear key at once write it once. */
    [ST_SIGNING_KEY_SET_PRIVATE] = {"signing_key_set_private",
                                    "UPDATE signing_keys SET private_pem = ?"
                                    " WHERE kid = ? AND private_pem = ? AND revoked_at IS NULL"},
    [ST_SIGNING_KEY_REVOKE] = {"signing_key_revoke",
                               "UPDATE signing_keys SET revoked_at = ?,"
                               " retired_at = COALESCE(retired_at, ?), private_pem = ''"
                               " WHERE kid = ? AND revoked_at IS NULL"},

    /* seed 001: staff, admin searches, password resets. */
    [ST_STAFF_GET] = {"staff_get", "SELECT " STAFF_COLS " FROM staff WHERE user_id = ?"},
    [ST_STAFF_SET] = {"staff_set", "INSERT INTO staff (user_id, role_id, granted_by, created_at)"
                                   " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                                   " role_id = excluded.role_id,"
                                   " granted_by = excluded.granted_by"},
    [ST_STAFF_DELETE] = {"staff_delete", "DELETE FROM staff WHERE user_id = ?"},
    [ST_STAFF_LIST] = {"staff_list", "SELECT " STAFF_COLS " FROM staff ORDER BY user_id"},
    [ST_STAFF_COUNT_ROLE] = {"staff_count_role", "SELECT COUNT(*) FROM staff WHERE role_id = ?"},
    [ST_USER_SEARCH] = {"user_search", USER_SEARCH("LIKE"), USER_SEARCH("ILIKE")},
    [ST_USER_SEARCH_COUNT] = {"user_search", USER_SEARCH_COUNT("LIKE"), USER_SEARCH_COUNT("ILIKE")},
    [ST_USER_SET_NAMES] = {"user_set_names", "UPDATE users SET name = ?, first_name = ?,"
                                             " last_name = ?, updated_at = ? WHERE id = ?"},
    [ST_USER_DELETE] = {"user_delete", "DELETE FROM users WHERE id = ?"},
    [ST_TENANT_SEARCH] = {"tenant_search", TENANT_SEARCH("LIKE"), TENANT_SEARCH("ILIKE")},
    [ST_TENANT_SEARCH_COUNT] = {"tenant_search", TENANT_SEARCH_COUNT("LIKE"),
                                TENANT_SEARCH_COUNT("ILIKE")},
    [ST_TENANT_MEMBER_COUNT] = {"tenant_member_count",
                                "SELECT COUNT(*) FROM memberships WHERE tenant_id = ?"},
    [ST_TENANT_SET_STATUS] = {"tenant_set_status", "UPDATE tenants SET status = ? WHERE id = ?"},
    [ST_TENANT_UPDATE] = {"tenant_update",
                          "UPDATE tenants SET name = ?, domain = ?, default_currency = ?,"
                          " enabled_products = ? WHERE id = ?"},
    [ST_AUDIT_SEARCH] = {"audit_search", "SELECT " AUDIT_COLS " FROM audit_log WHERE " AUDIT_WHERE
                                         " ORDER BY at DESC, id DESC LIMIT ?7 OFFSET ?8"},
    [ST_AUDIT_SEARCH_COUNT] = {"audit_search", "SELECT COUNT(*) FROM audit_log WHERE " AUDIT_WHERE},
    [ST_RESET_INSERT] = {"reset_insert", "INSERT INTO password_resets (token_hash, email,"
                                         " created_at) VALUES (?, ?, ?)"},
    [ST_RESET_BY_HASH] = {"reset_by_hash",
                          "SELECT " RESET_COLS " FROM password_resets WHERE token_hash = ?"},
    [ST_RESET_USE] = {"reset_use", "UPDATE password_resets SET used_at = ?"
                                   " WHERE token_hash = ? AND used_at IS NULL"},
    [ST_RESET_USE_EMAIL] = {"reset_use_email", "UPDATE password_resets SET used_at = ?"
                                               " WHERE email = ? AND used_at IS NULL"},
    /* Team management (issue #5). */
    [ST_MEMBER_LIST] = {"member_list",
                        MEMBER_ROW_SELECT " WHERE m.tenant_id = ?"
                                          " ORDER BY m.joined_at, m.user_id LIMIT ? OFFSET ?"},
    [ST_MEMBER_COUNT] = {"member_count", "SELECT COUNT(*) FROM memberships WHERE tenant_id = ?"},
    [ST_MEMBER_COUNT_ACTIVE_SLUG] = {"member_count_active_slug",
                                     "SELECT COUNT(*) FROM memberships m"
                                     " JOIN roles r ON r.id = m.role_id WHERE m.tenant_id = ?"
                                     " AND m.status = 'active' AND r.slug = ?"},
    [ST_MEMBERSHIP_SET_ROLE] = {"membership_set_role", "UPDATE memberships SET role_id = ?"
                                                       " WHERE user_id = ? AND tenant_id = ?"},
    [ST_MEMBERSHIP_DELETE] = {"membership_delete",
                              "DELETE FROM memberships WHERE user_id = ? AND tenant_id = ?"},
    /* SQLite's BEGIN IMMEDIATE already holds the write lock: only check the
     * row. PostgreSQL holds the row until the transaction ends, so team
     * changes of one tenant queue. */
    [ST_TENANT_LOCK] = {"tenant_lock", "SELECT id FROM tenants WHERE id = ?",
                        "SELECT id FROM tenants WHERE id = ? FOR UPDATE"},
    [ST_TOKEN_REVOKE_USER_TENANT] = {"token_revoke_user_tenant",
                                     "UPDATE tokens SET revoked_at = ? WHERE user_id = ?"
                                     " AND tenant_id = ? AND revoked_at IS NULL"},
    [ST_SESSION_DELETE_BY_USER_TENANT] =
        {"session_delete_by_user_tenant",
         "DELETE FROM sessions WHERE user_id = ? AND tenant_id = ?"},
    [ST_INVITATION_INSERT] = {"invitation_insert",
                              "INSERT INTO invitations (tenant_id, email, role_id, token_hash,"
                              " invited_by, created_at, expires_at, accepted_at, cancelled_at)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_INVITATION_BY_ID] = {"invitation_by_id",
                             "SELECT " INVITATION_COLS " FROM invitations WHERE id = ?"},
    [ST_INVITATION_BY_HASH] = {"invitation_by_hash",
                               "SELECT " INVITATION_COLS " FROM invitations WHERE token_hash = ?"},
    [ST_INVITATION_LIST_OPEN] = {"invitation_list_open",
                                 "SELECT " INVITATION_COLS " FROM invitations WHERE tenant_id = ?"
                                 " AND accepted_at IS NULL AND cancelled_at IS NULL"
                                 " ORDER BY created_at DESC, id DESC"},
    [ST_INVITATION_OPEN_BY_EMAIL] = {"invitation_open_by_email",
                                     "SELECT " INVITATION_COLS " FROM invitations"
                                     " WHERE tenant_id = ? AND email = ?"
                                     " AND accepted_at IS NULL AND cancelled_at IS NULL"},
    [ST_INVITATION_RENEW] = {"invitation_renew",
                             "UPDATE invitations SET token_hash = ?, expires_at = ? WHERE id = ?"
                             " AND accepted_at IS NULL AND cancelled_at IS NULL"},
    [ST_INVITATION_CANCEL] = {"invitation_cancel",
                              "UPDATE invitations SET cancelled_at = ? WHERE id = ?"
                              " AND accepted_at IS NULL AND cancelled_at IS NULL"},
    [ST_INVITATION_ACCEPT] = {"invitation_accept",
                              "UPDATE invitations SET accepted_at = ? WHERE id = ?"
                              " AND token_hash = ? AND expires_at > ?"
                              " AND accepted_at IS NULL AND cancelled_at IS NULL"},
    [ST_ORG_LIST_BY_USER] = {"org_list_by_user",
                             ORG_ROW_SELECT "? ORDER BY m.joined_at, m.tenant_id"},
    /* WNCMS (issue 14): settings, the API token, posts. */
    [ST_SETTING_LIST] = {"setting_list",
                         "SELECT " SETTING_COLS " FROM settings ORDER BY tenant_id, key"},
    [ST_SETTING_LIST_SCOPE] = {"setting_list", "SELECT " SETTING_COLS
                                               " FROM settings WHERE tenant_id = ? ORDER BY key"},
    [ST_SETTING_UPSERT] = {"setting_set",
                           "INSERT INTO settings (tenant_id, key, value, updated_at)"
                           " VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO UPDATE SET"
                           " value = excluded.value, updated_at = excluded.updated_at"},
    [ST_SETTING_DELETE] = {"setting_unset", "DELETE FROM settings WHERE tenant_id = ? AND key = ?"},
    [ST_SETTINGS_VERSION] = {"settings_version",
                             "SELECT version FROM settings_version WHERE id = 1"},
    [ST_SETTINGS_BUMP] = {"settings_version",
                          "UPDATE settings_version SET version = version + 1 WHERE id = 1"},
    /* Forward-auth (issue 17): the access rules. */
    [ST_ACCESS_RULE_LIST] = {"access_rule_list",
                             "SELECT " ACCESS_RULE_COLS " FROM access_rules ORDER BY id"},
    [ST_ACCESS_RULE_INSERT] = {"access_rule_insert",
                               "INSERT INTO access_rules (method, pattern, auth, ability, role,"
                               " tenant_from, enabled, created_at, updated_at)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_ACCESS_RULE_UPDATE] = {"access_rule_update",
                               "UPDATE access_rules SET method = ?, pattern = ?, auth = ?,"
                               " ability = ?, role = ?, tenant_from = ?, enabled = ?,"
                               " updated_at = ? WHERE id = ?"},
    [ST_ACCESS_RULE_DELETE] = {"access_rule_delete", "DELETE FROM access_rules WHERE id = ?"},
    [ST_TOKEN_REVOKE_USER_NAME] = {"token_revoke_user_name",
                                   "UPDATE tokens SET revoked_at = ? WHERE user_id = ?"
                                   " AND COALESCE(tenant_id, 0) = ? AND name = ?"
                                   " AND revoked_at IS NULL"},
    [ST_POST_INSERT] = {"post_insert",
                        "INSERT INTO posts (tenant_id, slug, title, content, excerpt, status,"
                        " user_id, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_POST_BY_SLUG] = {"post_by_slug", POST_SELECT " WHERE p.tenant_id = ? AND p.slug = ?"},
    [ST_POST_SEARCH] = {"post_search",
                        POST_SELECT
                        " WHERE " POST_WHERE("LIKE") " ORDER BY p.id DESC LIMIT ?4 OFFSET ?5",
                        POST_SELECT
                        " WHERE " POST_WHERE("ILIKE") " ORDER BY p.id DESC LIMIT ?4 OFFSET ?5"},
    [ST_POST_SEARCH_COUNT] = {"post_search",
                              "SELECT COUNT(*) FROM posts p WHERE " POST_WHERE("LIKE"),
                              "SELECT COUNT(*) FROM posts p WHERE " POST_WHERE("ILIKE")},
    [ST_POST_UPDATE] = {"post_update",
                        "UPDATE posts SET slug = ?, title = ?, content = ?, excerpt = ?,"
                        " status = ?, updated_at = ? WHERE id = ?"},
    [ST_POST_DELETE] = {"post_delete", "DELETE FROM posts WHERE id = ?"},
    /* Dashboard sessions (issue 13). */
    [ST_SESSION_INSERT] = {"session_insert",
                           "INSERT INTO sessions (id_hash, user_id, tenant_id, csrf_hash, ip,"
                           " user_agent, created_at, last_seen_at, expires_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    [ST_SESSION_GET] = {"session_get", "SELECT " SESSION_COLS " FROM sessions WHERE id_hash = ?"},
    [ST_SESSION_TOUCH] = {"session_touch", "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?"
                                           " AND (last_seen_at IS NULL OR last_seen_at <= ?)"},
    [ST_SESSION_MOVE] = {"session_move",
                         "UPDATE sessions SET id_hash = ?, user_id = ?, tenant_id = ?, ip = ?,"
                         " user_agent = ?, created_at = ?, last_seen_at = ?, expires_at = ?"
                         " WHERE id_hash = ?"},
    [ST_SESSION_SET_CSRF] = {"session_set_csrf",
                             "UPDATE sessions SET csrf_hash = ? WHERE id_hash = ?"},
    [ST_SESSION_DELETE] = {"session_delete", "DELETE FROM sessions WHERE id_hash = ?"},
    [ST_SESSION_DELETE_USER_EXCEPT] = {"session_delete_user_except",
                                       "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?"},
    [ST_SESSION_LIST_BY_USER] = {"session_list_by_user",
                                 "SELECT " SESSION_COLS " FROM sessions WHERE user_id = ?"
                                 " ORDER BY last_seen_at DESC, created_at DESC, id_hash"},
    [ST_TOKEN_LIST_TENANT_PAT] = {"token_list_tenant_pat",
                                  "SELECT " TOKEN_COLS " FROM tokens WHERE tenant_id = ?"
                                  " AND kind = 'pat' AND revoked_at IS NULL"
                                  " ORDER BY created_at DESC, id DESC"},
    [ST_SESSION_PRUNE] = {"session_prune",
                          "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions"
                          " WHERE expires_at <= ? OR last_seen_at <= ? LIMIT ?)"},
    /* WedoCOD leads and orders (issue 13): every statement names the
     * tenant; a NULL tenant in a read means every tenant (platform staff). */
    [ST_LEAD_INSERT] = {"lead_insert",
                        "INSERT INTO leads (tenant_id, customer_name, phone, address, city,"
                        " product, quantity, price_minor, status, notes, created_by, created_at,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_LEAD_GET] = {"lead_get", "SELECT " LEAD_COLS " FROM leads WHERE id = ?1"
                                 " AND (CAST(?2 AS BIGINT) IS NULL OR tenant_id = ?2)"},
    [ST_LEAD_UPDATE] = {"lead_update",
                        "UPDATE leads SET customer_name = ?, phone = ?, address = ?, city = ?,"
                        " product = ?, quantity = ?, price_minor = ?, status = ?, notes = ?,"
                        " updated_at = ? WHERE id = ? AND tenant_id = ? AND status = ?"},
    [ST_LEAD_DELETE] = {"lead_delete", "DELETE FROM leads WHERE id = ? AND tenant_id = ?"},
    [ST_LEAD_SEARCH] = {"lead_search", LEAD_SEARCH("LIKE"), LEAD_SEARCH("ILIKE")},
    [ST_LEAD_SEARCH_COUNT] = {"lead_search", LEAD_SEARCH_COUNT("LIKE"), LEAD_SEARCH_COUNT("ILIKE")},
    [ST_ORDER_INSERT] =
        {"order_insert",
         "INSERT INTO orders (tenant_id, lead_id, customer_name, phone, address,"
         " city, status, total_minor, currency, notes, created_by, created_at,"
         " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
    [ST_ORDER_GET] = {"order_get", "SELECT " ORDER_COLS " FROM orders WHERE id = ?1"
                                   " AND (CAST(?2 AS BIGINT) IS NULL OR tenant_id = ?2)"},
    [ST_ORDER_UPDATE] = {"order_update",
                         "UPDATE orders SET lead_id = ?, customer_name = ?, phone = ?, address = ?,"
                         " city = ?, status = ?, total_minor = ?, notes = ?, updated_at = ?"
                         " WHERE id = ? AND tenant_id = ? AND status = ?"},
    [ST_ORDER_DELETE] = {"order_delete", "DELETE FROM orders WHERE id = ? AND tenant_id = ?"},
    [ST_ORDER_SEARCH] = {"order_search", ORDER_SEARCH("LIKE"), ORDER_SEARCH("ILIKE")},
    [ST_ORDER_SEARCH_COUNT] = {"order_search", ORDER_SEARCH_COUNT("LIKE"),
                               ORDER_SEARCH_COUNT("ILIKE")},
    [ST_ORDER_ITEM_INSERT] = {"order_item_insert",
                              "INSERT INTO order_items (order_id, tenant_id, product, quantity,"
                              " unit_price_minor) VALUES (?, ?, ?, ?, ?) RETURNING id"},
    [ST_ORDER_ITEM_LIST] = {"order_item_list", "SELECT " ORDER_ITEM_COLS " FROM order_items"
                                               " WHERE order_id = ? AND tenant_id = ? ORDER BY id"},
    [ST_ORDER_ITEM_DELETE] = {"order_item_delete",
                              "DELETE FROM order_items WHERE order_id = ? AND tenant_id = ?"},
    /* Prune (issue 18): rows that ended before a cutoff, in batches of at
     * most ?2 (?3) rows; the COUNT twins answer --dry-run with the same
     * condition. Sessions are deleted by ST_SESSION_PRUNE. The lock keeps
     * instances sharing PostgreSQL from pruning at once (SQLite: nothing). */
    [ST_PRUNE_TOKENS] = {"prune_tokens", "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens"
                                         " WHERE " PRUNE_TOKENS_WHERE " LIMIT ?2)"},
    [ST_PRUNE_TOKENS_COUNT] = {"prune_tokens",
                               "SELECT COUNT(*) FROM tokens WHERE " PRUNE_TOKENS_WHERE},
    [ST_PRUNE_RESETS] = {"prune_resets",
                         "DELETE FROM password_resets WHERE token_hash IN (SELECT token_hash"
                         " FROM password_resets WHERE " PRUNE_RESETS_WHERE " LIMIT ?3)"},
    [ST_PRUNE_RESETS_COUNT] = {"prune_resets",
                               "SELECT COUNT(*) FROM password_resets WHERE " PRUNE_RESETS_WHERE},
    [ST_PRUNE_INVITATIONS] = {"prune_invitations",
                              "DELETE FROM invitations WHERE id IN (SELECT id FROM invitations"
                              " WHERE " PRUNE_INVITATIONS_WHERE " LIMIT ?2)"},
    [ST_PRUNE_INVITATIONS_COUNT] = {"prune_invitations", "SELECT COUNT(*) FROM invitations"
                                                         " WHERE " PRUNE_INVITATIONS_WHERE},
    [ST_PRUNE_SESSIONS_COUNT] = {"prune_sessions", "SELECT COUNT(*) FROM sessions"
                                                   " WHERE expires_at <= ?1 OR last_seen_at <= ?2"},
    [ST_PRUNE_AUDIT] = {"prune_audit", "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log"
                                       " WHERE at <= ?1 LIMIT ?2)"},
    [ST_PRUNE_AUDIT_COUNT] = {"prune_audit", "SELECT COUNT(*) FROM audit_log WHERE at <= ?1"},
    [ST_PRUNE_LOCK] = {"prune_lock", "SELECT 1", "SELECT pg_try_advisory_lock(" PRUNE_LOCK_KEY ")"},
    [ST_PRUNE_UNLOCK] = {"prune_unlock", "SELECT 1",
                         "SELECT pg_advisory_unlock(" PRUNE_LOCK_KEY ")"},
    /* Doctor (issue 18): SQLite's journal mode, the database server's clock. */
    [ST_OPS_JOURNAL_MODE] = {"journal_mode", "PRAGMA journal_mode", "SELECT 'server'"},
    [ST_OPS_DB_CLOCK] = {"db_clock", "SELECT CAST(strftime('%s', 'now') AS INTEGER)",
                         "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)"},
    /* The import's source: a Laravel database (import_laravel.c). Laravel
     * writes timestamps without a zone, in the app's zone (UTC by default);
     * both read them as UTC. */
    [ST_LARAVEL_USERS] = {"laravel_users",
                          "SELECT id, name, email, password,"
                          " CAST(strftime('%s', email_verified_at) AS INTEGER),"
                          " CAST(strftime('%s', created_at) AS INTEGER) FROM users ORDER BY id",
                          "SELECT id, name, email, password,"
                          " CAST(EXTRACT(EPOCH FROM email_verified_at) AS BIGINT),"
                          " CAST(EXTRACT(EPOCH FROM created_at) AS BIGINT) FROM users ORDER BY id"},
    [ST_LARAVEL_TOKENS] = {"laravel_tokens",
                           "SELECT id, tokenable_type, tokenable_id, name, token, abilities,"
                           " CAST(strftime('%s', last_used_at) AS INTEGER),"
                           " CAST(strftime('%s', expires_at) AS INTEGER),"
                           " CAST(strftime('%s', created_at) AS INTEGER)"
                           " FROM personal_access_tokens ORDER BY id",
                           "SELECT id, tokenable_type, tokenable_id, name, token, abilities,"
                           " CAST(EXTRACT(EPOCH FROM last_used_at) AS BIGINT),"
                           " CAST(EXTRACT(EPOCH FROM expires_at) AS BIGINT),"
                           " CAST(EXTRACT(EPOCH FROM created_at) AS BIGINT)"
                           " FROM personal_access_tokens ORDER BY id"},
    [ST_IMPORT_USER_STAMP] = {"import_user_stamp",
                              "UPDATE users SET created_at = ?, updated_at = ?,"
                              " email_verified_at = ? WHERE id = ?"},
    [ST_IMPORT_TOKEN_INSERT] = {"import_token_insert",
                                "INSERT INTO tokens (id, user_id, tenant_id, name, token_hash,"
                                " abilities, kind, last_used_at, expires_at, created_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, 'pat', ?, ?, ?)"},
    /* SQLite's AUTOINCREMENT follows explicit ids on its own; PostgreSQL's
     * identity must be moved past them. */
    [ST_IMPORT_TOKEN_SEQUENCE] = {"import_token_sequence", "SELECT 1",
                                  "SELECT setval(pg_get_serial_sequence('tokens', 'id'),"
                                  " (SELECT COALESCE(MAX(id), 0) + 1 FROM tokens), false)"},
    [ST_IMPORT_LINK_GET] = {"import_link_get", "SELECT laravel_id, password_hash"
                                               " FROM laravel_imports WHERE user_id = ?"},
    [ST_IMPORT_LINK_PUT] = {"import_link_put",
                            "INSERT INTO laravel_imports (user_id, laravel_id, password_hash,"
                            " imported_at) VALUES (?, ?, ?, ?)"},
    /* Jetstream's teams and team_user (`import laravel --teams jetstream`). */
    [ST_LARAVEL_TEAMS] = {"laravel_teams", "SELECT id, user_id, name FROM teams ORDER BY id"},
    [ST_LARAVEL_TEAM_USERS] = {"laravel_team_users",
                               "SELECT id, team_id, user_id, role FROM team_user ORDER BY id"},
    [ST_IMPORT_TEAM_LINK_GET] = {"import_team_link_get",
                                 "SELECT tenant_id FROM laravel_team_imports"
                                 " WHERE laravel_team_id = ?"},
    [ST_IMPORT_TEAM_LINK_PUT] = {"import_team_link_put",
                                 "INSERT INTO laravel_team_imports (tenant_id, laravel_team_id,"
                                 " imported_at) VALUES (?, ?, ?)"},
};
