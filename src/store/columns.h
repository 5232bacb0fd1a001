/*
 * columns.h - the column lists every backend selects, in the order their
 * read_* functions consume them, and the principal join of the request hot
 * path. Plain SQL without placeholders, so SQLite and PostgreSQL share it.
 */
#pragma once

#define TENANT_COLS                                                                                \
    "id, slug, name, domain, default_currency, enabled_products, status, created_at, product"
#define USER_COLS                                                                                  \
    "id, name, first_name, last_name, email, phone, avatar, password_hash, status, "               \
    "is_super_admin, email_verified_at, last_login_at, preferences, attributes, created_at, "      \
    "updated_at"
#define ROLE_COLS   "id, tenant_id, name, slug, permissions, is_system, created_at"
#define MEMBER_COLS "user_id, tenant_id, role_id, status, joined_at"
#define TOKEN_COLS                                                                                 \
    "id, user_id, tenant_id, name, token_hash, abilities, kind, last_used_at, expires_at, "        \
    "created_at, revoked_at"
#define AUDIT_COLS       "id, at, tenant_id, user_id, action, ip, detail"
#define SIGNING_KEY_COLS "kid, alg, private_pem, public_jwk, created_at, retired_at, revoked_at"
#define STAFF_COLS       "user_id, role_id, granted_by, created_at"
#define RESET_COLS       "token_hash, email, created_at, used_at"
#define SESSION_COLS                                                                               \
    "id_hash, user_id, tenant_id, csrf_hash, ip, user_agent, created_at, last_seen_at, expires_at"

/* The principal join (the same lists, qualified), and how many columns each
 * block has, to skip the ones a LEFT JOIN left NULL. */
#define P_TOKEN_COLS                                                                               \
    "k.id, k.user_id, k.tenant_id, k.name, k.token_hash, k.abilities, k.kind, k.last_used_at, "    \
    "k.expires_at, k.created_at, k.revoked_at"
#define P_USER_COLS                                                                                \
    "u.id, u.name, u.first_name, u.last_name, u.email, u.phone, u.avatar, u.password_hash, "       \
    "u.status, u.is_super_admin, u.email_verified_at, u.last_login_at, u.preferences, "            \
    "u.attributes, u.created_at, u.updated_at"
#define P_TENANT_COLS                                                                              \
    "t.id, t.slug, t.name, t.domain, t.default_currency, t.enabled_products, t.status, "           \
    "t.created_at, t.product"
#define P_MEMBER_COLS "m.user_id, m.tenant_id, m.role_id, m.status, m.joined_at"
#define P_ROLE_COLS   "r.id, r.tenant_id, r.name, r.slug, r.permissions, r.is_system, r.created_at"
#define N_TENANT_COLS 9
#define N_MEMBER_COLS 5
#define N_ROLE_COLS   7
#define PRINCIPAL_SELECT                                                                           \
    "SELECT " P_TOKEN_COLS ", " P_USER_COLS ", " P_TENANT_COLS ", " P_MEMBER_COLS ", " P_ROLE_COLS \
    " FROM tokens k JOIN users u ON u.id = k.user_id"                                              \
    " LEFT JOIN tenants t ON t.id = k.tenant_id"                                                   \
    " LEFT JOIN memberships m ON m.user_id = k.user_id AND m.tenant_id = k.tenant_id"              \
    " LEFT JOIN roles r ON r.id = m.role_id"
/* The same join for a tenant the caller names by slug (the first
 * parameter) instead of the token's: a JWT used in another organisation of
 * its user. The caller appends WHERE k.id = ?. */
#define PRINCIPAL_IN_TENANT_SELECT                                                                 \
    "SELECT " P_TOKEN_COLS ", " P_USER_COLS ", " P_TENANT_COLS ", " P_MEMBER_COLS ", " P_ROLE_COLS \
    " FROM tokens k JOIN users u ON u.id = k.user_id"                                              \
    " LEFT JOIN tenants t ON t.slug = ?"                                                           \
    " LEFT JOIN memberships m ON m.user_id = k.user_id AND m.tenant_id = t.id"                     \
    " LEFT JOIN roles r ON r.id = m.role_id"

/* Team management (issue #5). */
#define INVITATION_COLS                                                                            \
    "id, tenant_id, email, role_id, token_hash, invited_by, created_at, expires_at, accepted_at, " \
    "cancelled_at"
/* A tenant's members with their users and roles; the caller appends its
 * WHERE m.tenant_id = ... and ORDER BY. */
#define MEMBER_ROW_SELECT                                                                          \
    "SELECT " P_MEMBER_COLS ", " P_USER_COLS ", " P_ROLE_COLS " FROM memberships m"                \
    " JOIN users u ON u.id = m.user_id LEFT JOIN roles r ON r.id = m.role_id"

/* A user's organisations (issue #7): active memberships of active tenants
 * with their roles; the caller appends its user id placeholder and the
 * ORDER BY. */
#define ORG_ROW_SELECT                                                                             \
    "SELECT " P_MEMBER_COLS ", " P_TENANT_COLS ", " P_ROLE_COLS " FROM memberships m"              \
    " JOIN tenants t ON t.id = m.tenant_id JOIN roles r ON r.id = m.role_id"                       \
    " WHERE m.status = 'active' AND t.status = 'active' AND m.user_id = "

/* WedoCOD leads and orders (issue 13). */
#define LEAD_COLS                                                                                  \
    "id, tenant_id, customer_name, phone, address, city, product, quantity, price_minor, status, " \
    "notes, created_by, created_at, updated_at"
#define ORDER_COLS                                                                                 \
    "id, tenant_id, lead_id, customer_name, phone, address, city, status, total_minor, currency, " \
    "notes, created_by, created_at, updated_at"
#define ORDER_ITEM_COLS "id, order_id, tenant_id, product, quantity, unit_price_minor"
/* WNCMS (issue 14). A post is read with its author's name. */
#define SETTING_COLS "tenant_id, key, value, updated_at"
#define ACCESS_RULE_COLS                                                                           \
    "id, method, pattern, auth, ability, role, tenant_from, enabled, created_at, updated_at"
#define POST_SELECT                                                                                \
    "SELECT p.id, p.tenant_id, p.slug, p.title, p.content, p.excerpt, p.status, p.user_id, "       \
    "u.name, p.created_at, p.updated_at FROM posts p LEFT JOIN users u ON u.id = p.user_id"
#define POST_WHERE(LIKE_CI)                                                                        \
    "p.tenant_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.title " LIKE_CI " ?2 ESCAPE '\\'"         \
    " OR p.content " LIKE_CI " ?2 ESCAPE '\\') AND (CAST(?3 AS TEXT) IS NULL OR p.status = ?3)"
