/*
 * sql.h - the statements of the store (their text is sql.c), private to
 * src/store/. A row function names a statement by its id; each driver
 * prepares it once per connection and caches it (SQLite: a statement
 * cache; PostgreSQL: a named prepared statement).
 *
 * Add a statement: an id here, its text in sql.c (and PostgreSQL's text
 * there only if the dialects differ), a row function in rows*.c.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum stmt {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_DATA_VERSION,
    ST_PING,
    ST_MIGRATIONS_TABLE,
    ST_MIGRATIONS_EXIST,
    ST_MIGRATION_CURRENT,
    ST_MIGRATION_APPLIED,
    ST_MIGRATION_RECORD,
    ST_TENANT_INSERT,
    ST_TENANT_BY_ID,
    ST_TENANT_BY_SLUG,
    ST_TENANT_BY_DOMAIN,
    ST_TENANT_COUNT,
    ST_TENANT_LIST,
    ST_USER_INSERT,
    ST_USER_BY_ID,
    ST_USER_BY_EMAIL,
    ST_USER_SET_PASSWORD,
    ST_USER_SET_LAST_LOGIN,
    ST_USER_SET_STATUS,
    ST_USER_COUNT,
    ST_ROLE_INSERT,
    ST_ROLE_BY_ID,
    ST_ROLE_LIST_TENANT,
    ST_ROLE_LIST_PLATFORM,
    ST_MEMBERSHIP_INSERT,
    ST_MEMBERSHIP_GET,
    ST_MEMBERSHIP_SET_STATUS,
    ST_MEMBERSHIP_LIST_BY_USER,
    ST_TOKEN_INSERT,
    ST_TOKEN_BY_ID,
    ST_TOKEN_BY_HASH,
    ST_TOKEN_LIST_BY_USER,
    ST_TOKEN_REVOKE,
    ST_TOKEN_TOUCH,
    ST_TOKEN_TOUCH_MANY,
    ST_AUDIT_INSERT,
    ST_AUDIT_LIST,
    ST_PRINCIPAL_BY_TOKEN_ID,
    ST_PRINCIPAL_BY_TOKEN_HASH,
    ST_PRINCIPAL_IN_TENANT,
    ST_TOKEN_REVOKE_USER_EXCEPT,
    ST_SESSION_DELETE_BY_USER,
    ST_SIGNING_KEY_INSERT,
    ST_SIGNING_KEY_LIST,
    ST_SIGNING_KEY_RETIRE_OTHERS,
    ST_SIGNING_KEY_SET_PRIVATE,
    ST_SIGNING_KEY_REVOKE,
    ST_STAFF_GET,
    ST_STAFF_SET,
    ST_STAFF_DELETE,
    ST_STAFF_LIST,
    ST_STAFF_COUNT_ROLE,
    ST_USER_SEARCH,
    ST_USER_SEARCH_COUNT,
    ST_USER_SET_NAMES,
    ST_USER_DELETE,
    ST_TENANT_SEARCH,
    ST_TENANT_SEARCH_COUNT,
    ST_TENANT_MEMBER_COUNT,
    ST_TENANT_SET_STATUS,
    ST_AUDIT_SEARCH,
    ST_AUDIT_SEARCH_COUNT,
    ST_RESET_INSERT,
    ST_RESET_BY_HASH,
    ST_RESET_USE,
    ST_RESET_USE_EMAIL,
    ST_MEMBER_LIST,
    ST_MEMBER_COUNT,
    ST_MEMBER_COUNT_ACTIVE_SLUG,
    ST_MEMBERSHIP_SET_ROLE,
    ST_MEMBERSHIP_DELETE,
    ST_TENANT_LOCK,
    ST_TOKEN_REVOKE_USER_TENANT,
    ST_SESSION_DELETE_BY_USER_TENANT,
    ST_INVITATION_INSERT,
    ST_INVITATION_BY_ID,
    ST_INVITATION_BY_HASH,
    ST_INVITATION_LIST_OPEN,
    ST_INVITATION_OPEN_BY_EMAIL,
    ST_INVITATION_RENEW,
    ST_INVITATION_CANCEL,
    ST_INVITATION_ACCEPT,
    ST_ORG_LIST_BY_USER,
    ST_SETTING_LIST,
    ST_SETTING_LIST_SCOPE,
    ST_SETTING_UPSERT,
    ST_SETTING_DELETE,
    ST_SETTINGS_VERSION,
    ST_SETTINGS_BUMP,
    ST_TOKEN_REVOKE_USER_NAME,
    ST_POST_INSERT,
    ST_POST_BY_SLUG,
    ST_POST_SEARCH,
    ST_POST_SEARCH_COUNT,
    ST_POST_UPDATE,
    ST_POST_DELETE,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_TOUCH,
    ST_SESSION_MOVE,
    ST_SESSION_SET_CSRF,
    ST_SESSION_DELETE,
    ST_SESSION_DELETE_USER_EXCEPT,
    ST_SESSION_LIST_BY_USER,
    ST_SESSION_PRUNE,
    ST_TOKEN_LIST_TENANT_PAT,
    ST_LEAD_INSERT,
    ST_LEAD_GET,
    ST_LEAD_UPDATE,
    ST_LEAD_DELETE,
    ST_LEAD_SEARCH,
    ST_LEAD_SEARCH_COUNT,
    ST_ORDER_INSERT,
    ST_ORDER_GET,
    ST_ORDER_UPDATE,
    ST_ORDER_DELETE,
    ST_ORDER_SEARCH,
    ST_ORDER_SEARCH_COUNT,
    ST_ORDER_ITEM_INSERT,
    ST_ORDER_ITEM_LIST,
    ST_ORDER_ITEM_DELETE,
    ST_COUNT
};

struct stmt_def {
    const char *op;  /* the name logged when the statement fails */
    const char *sql; /* SQLite's text; NULL: PostgreSQL only */
    const char *pg;  /* PostgreSQL's text where it differs; NULL: sql, renumbered */
};

extern const struct stmt_def stmts[ST_COUNT];

/* The text of statement id in a dialect (PostgreSQL's: before numbering). */
static inline const char *stmt_sql(enum stmt id, bool pg)
{
    return pg && stmts[id].pg != NULL ? stmts[id].pg : stmts[id].sql;
}
