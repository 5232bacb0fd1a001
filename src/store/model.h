/*
 * model.h - the rows of the data model (DESIGN section 3) as C structs.
 *
 * These are plain values shared by store and core. Strings are borrowed:
 * when the store fills one, they live in the arena passed to the call.
 * Timestamps are Unix seconds; 0 means NULL. Ids are int64_t; 0 means none.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "util/strlist.h"

enum tenant_status { TENANT_ACTIVE = 0, TENANT_SUSPENDED = 1 };
enum user_status { USER_ACTIVE = 0, USER_INACTIVE = 1, USER_SUSPENDED = 2 };
enum member_status { MEMBER_ACTIVE = 0, MEMBER_SUSPENDED = 1 };
enum token_kind { TOKEN_PAT = 0, TOKEN_ADMIN = 1, TOKEN_JWT = 2, TOKEN_API_KEY = 3 };

/* Text forms as stored in the database ("active", "pat", ...). */
const char *tenant_status_str(enum tenant_status s);
const char *user_status_str(enum user_status s);
const char *member_status_str(enum member_status s);
const char *token_kind_str(enum token_kind k);
/* Parse the text forms; return false when unknown. */
bool tenant_status_parse(const char *s, enum tenant_status *out);
bool user_status_parse(const char *s, enum user_status *out);
bool member_status_parse(const char *s, enum member_status *out);
bool token_kind_parse(const char *s, enum token_kind *out);

/* The product of a tenant created without one, and of every tenant
 * created before products existed (migration 0006's column default). */
#define TENANT_PRODUCT_DEFAULT "travel"

struct tenant {
    int64_t id;
    const char *slug; /* the X-Tenant value, unique */
    const char *name;
    const char *domain;           /* may be NULL */
    const char *default_currency; /* ISO 4217, e.g. "USD" */
    struct strlist enabled_products;
    enum tenant_status status;
    int64_t created_at;
    const char *product; /* the product (surface) it belongs to: "travel", "autocom", "wedocod" */
};

struct user {
    int64_t id;
    const char *name;
    const char *first_name; /* may be NULL */
    const char *last_name;  /* may be NULL */
    const char *email;      /* stored lower-cased */
    const char *phone;      /* may be NULL */
    const char *avatar;     /* may be NULL */
    const char *password_hash;
    enum user_status status;
    bool is_super_admin;
    int64_t email_verified_at;
    int64_t last_login_at;
    const char *preferences; /* JSON object text, never NULL once stored ("{}") */
    const char *attributes;  /* JSON object text: product fields such as balances */
    int64_t created_at;
    int64_t updated_at;
};

struct role {
    int64_t id;
    int64_t tenant_id; /* 0: a platform staff role or a built-in template */
    const char *name;
    const char *slug;
    struct strlist permissions;
    bool is_system;
    int64_t created_at;
};

struct membership {
    int64_t user_id;
    int64_t tenant_id;
    int64_t role_id;
    enum member_status status;
    int64_t joined_at;
};

#define TOKEN_HASH_HEX 64

struct token {
    int64_t id;
    int64_t user_id;
    int64_t tenant_id;                   /* 0: no tenant */
    const char *name;                    /* device_name or key label */
    char token_hash[TOKEN_HASH_HEX + 1]; /* SHA-256 hex of the secret */
    struct strlist abilities;            /* "*" = all */
    enum token_kind kind;
    int64_t last_used_at;
    int64_t expires_at;
    int64_t created_at;
    int64_t revoked_at;
};

struct audit_entry {
    int64_t id;
    int64_t at;
    int64_t tenant_id;  /* 0: none */
    int64_t user_id;    /* 0: none (e.g. a failed login for an unknown email) */
    const char *action; /* "login.success", "login.failure", "token.create", ... */
    const char *ip;     /* may be NULL */
    const char *detail; /* JSON object text or NULL; never a secret */
};

/* One coalesced last_used_at update. */
struct token_touch {
    int64_t token_id;
    int64_t at;
};

/* A JWT signing key pair (RS256). The private key never leaves core and
 * crypto; the public JWK is what /.well-known/jwks.json publishes. */
struct signing_key {
    const char *kid;         /* RFC 7638 thumbprint, base64url */
    const char *alg;         /* "RS256" */
    const char *private_pem; /* PKCS#1 PEM: a secret, never logged */
    const char *public_jwk;  /* JSON object text {"kty","n","e",...} */
    int64_t created_at;
    int64_t retired_at; /* 0: the key is (one of) the signing keys */
    int64_t revoked_at; /* 0: not revoked; else it verifies nothing (kill switch) */
};

/* A platform staff member (seed 001): the user holds the platform role. */
struct staff {
    int64_t user_id;
    int64_t role_id;    /* a role with tenant_id 0 */
    int64_t granted_by; /* 0: the CLI, a migration or first start */
    int64_t created_at;
};

/* A password reset request; the token itself is never stored. */
struct password_reset {
    char token_hash[TOKEN_HASH_HEX + 1]; /* SHA-256 hex of the emailed token */
    const char *email;                   /* folded */
    int64_t created_at;
    int64_t used_at; /* 0: still usable (if not expired) */
};

/* A dashboard session (WedoCOD, issue 13). The cookie value and the CSRF
 * token are never stored: id_hash and csrf_hash are their SHA-256. A
 * guest session (before login) has no user. */
struct session {
    char id_hash[TOKEN_HASH_HEX + 1];
    int64_t user_id;   /* 0: a guest session */
    int64_t tenant_id; /* 0: none (a guest, or staff without a membership) */
    char csrf_hash[TOKEN_HASH_HEX + 1];
    const char *ip;         /* may be NULL */
    const char *user_agent; /* may be NULL */
    int64_t created_at;
    int64_t last_seen_at;
    int64_t expires_at; /* the absolute end; idle expiry is core's, from last_seen_at */
};

/* An invitation to join a tenant (AutoCom team management). The token is
 * emailed and never stored: token_hash is its SHA-256. Open = neither
 * accepted nor cancelled; an open invitation past expires_at is expired. */
struct invitation {
    int64_t id;
    int64_t tenant_id;
    const char *email; /* folded */
    int64_t role_id;   /* 0: the role was deleted since */
    char token_hash[TOKEN_HASH_HEX + 1];
    int64_t invited_by; /* user id; 0: deleted since */
    int64_t created_at;
    int64_t expires_at;
    int64_t accepted_at;  /* 0: not accepted */
    int64_t cancelled_at; /* 0: not cancelled */
};

/* A WedoCOD lead (seed 000): a prospective cash-on-delivery customer.
 * Money is in minor units (cents). */
struct lead {
    int64_t id;
    int64_t tenant_id;
    const char *customer_name;
    const char *phone;
    const char *address; /* may be NULL */
    const char *city;    /* may be NULL */
    const char *product; /* may be NULL */
    int64_t quantity;    /* >= 1 */
    int64_t price_minor; /* >= 0 */
    const char *status;  /* "new", "contacted", ... (core/commerce.h) */
    const char *notes;   /* may be NULL */
    int64_t created_by;  /* 0: unknown or deleted */
    int64_t created_at;
    int64_t updated_at;
};

/* A setting (issue 14): tenant_id 0 is the platform default. */
struct setting {
    int64_t tenant_id;
    const char *key;
    const char *value;
    int64_t updated_at;
};

/* A forward-auth access rule (issue 17; core/access.h says what each
 * field means). Strings are in the caller's arena. */
struct access_rule {
    int64_t id;
    const char *method;      /* "*" or "GET", "POST", ... */
    const char *pattern;     /* "/api/orders/{id}", or a prefix ("/api/" "*") */
    const char *auth;        /* "none", or a comma list of pat, jwt, session */
    const char *ability;     /* NULL: none required */
    const char *role;        /* NULL: none required */
    const char *tenant_from; /* "header", "host" or "credential" */
    bool enabled;
    int64_t created_at;
    int64_t updated_at;
};

/* A WNCMS post (seed 003), in its tenant (the site). */
struct post {
    int64_t id;
    int64_t tenant_id;
    const char *slug; /* unique in the tenant */
    const char *title;
    const char *content;     /* may be NULL */
    const char *excerpt;     /* may be NULL */
    const char *status;      /* "published", "drafted", ... (product-defined text) */
    int64_t author_id;       /* 0: none, or deleted since */
    const char *author_name; /* read only: the author's name, or NULL */
    int64_t created_at;
    int64_t updated_at;
};

/* One line of an order: its tenant is the order's. */
struct order_item {
    int64_t id;
    int64_t order_id;
    int64_t tenant_id;
    const char *product;
    int64_t quantity;         /* >= 1 */
    int64_t unit_price_minor; /* >= 0 */
};

/* A WedoCOD order; total_minor is the sum of its items, computed by core. */
struct order {
    int64_t id;
    int64_t tenant_id;
    int64_t lead_id; /* 0: none */
    const char *customer_name;
    const char *phone;
    const char *address; /* may be NULL */
    const char *city;    /* may be NULL */
    const char *status;  /* "pending", "confirmed", ... (core/commerce.h) */
    int64_t total_minor;
    const char *currency; /* the tenant's default_currency at creation */
    const char *notes;    /* may be NULL */
    int64_t created_by;
    int64_t created_at;
    int64_t updated_at;
    struct order_item *items; /* arena; filled by the store's order reads */
    size_t n_items;
};

/* The filter and page of store_post_search. */
struct post_filter {
    int64_t tenant_id;
    const char *keyword; /* in title or content; NULL: any */
    const char *status;  /* exact; NULL: any */
    size_t limit, offset;
};
