-- 0001_init.sqlite.sql - the whole data model of DESIGN section 3 (SQLite).
--
-- Conventions, shared with 0001_init.pg.sql: timestamps are INTEGER Unix
-- seconds, NULL when unset; ids never get reused (AUTOINCREMENT), because a
-- token id is the JWT jti and the "id|" part of a PAT; enums are TEXT with a
-- CHECK; sets are TEXT holding a JSON array of strings, objects TEXT holding
-- a JSON object. Emails and slugs are stored lower-cased by core.

CREATE TABLE tenants (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    domain           TEXT,
    default_currency TEXT    NOT NULL DEFAULT 'USD',
    enabled_products TEXT    NOT NULL DEFAULT '[]'
        CHECK (json_valid(enabled_products) AND json_type(enabled_products) = 'array'),
    status           TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    first_name        TEXT,
    last_name         TEXT,
    email             TEXT    NOT NULL UNIQUE,
    phone             TEXT,
    avatar            TEXT,
    password_hash     TEXT,
    status            TEXT    NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'suspended')),
    is_super_admin    INTEGER NOT NULL DEFAULT 0 CHECK (is_super_admin IN (0, 1)),
    email_verified_at INTEGER,
    last_login_at     INTEGER,
    preferences       TEXT    NOT NULL DEFAULT '{}'
        CHECK (json_valid(preferences) AND json_type(preferences) = 'object'),
    attributes        TEXT    NOT NULL DEFAULT '{}'
        CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- tenant_id NULL: a platform staff role. Slugs are unique per tenant, and
-- among platform roles (a UNIQUE constraint treats NULLs as distinct).
CREATE TABLE roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    permissions TEXT    NOT NULL DEFAULT '[]'
        CHECK (json_valid(permissions) AND json_type(permissions) = 'array'),
    is_system   INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0, 1)),
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, slug)
) STRICT;
CREATE UNIQUE INDEX roles_platform_slug ON roles (slug) WHERE tenant_id IS NULL;

-- The permission catalogue: every name a role may grant.
CREATE TABLE permissions (
    name        TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    group_name  TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX permissions_group ON permissions (group_name);

-- A role still held by a member cannot be deleted (NO ACTION, checked at the
-- end of the statement, so deleting a whole tenant still cascades).
CREATE TABLE memberships (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role_id   INTEGER REFERENCES roles (id),
    status    TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
) STRICT;
CREATE INDEX memberships_tenant ON memberships (tenant_id);
CREATE INDEX memberships_role ON memberships (role_id);

-- Sanctum's personal_access_tokens. token_hash is the lower-case SHA-256
-- hex of the secret; NULL for rows that only carry an id (a JWT's jti).
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    UNIQUE
        CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    abilities    TEXT    NOT NULL DEFAULT '["*"]'
        CHECK (json_valid(abilities) AND json_type(abilities) = 'array'),
    kind         TEXT    NOT NULL DEFAULT 'pat' CHECK (kind IN ('pat', 'admin', 'jwt', 'api_key')),
    last_used_at INTEGER,
    expires_at   INTEGER,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX tokens_user ON tokens (user_id, created_at);
CREATE INDEX tokens_tenant ON tokens (tenant_id);
CREATE INDEX tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;

-- Dashboard sessions: the cookie value and the CSRF token are stored hashed.
CREATE TABLE sessions (
    id_hash      TEXT    NOT NULL PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    INTEGER REFERENCES tenants (id) ON DELETE CASCADE,
    csrf_hash    TEXT    NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER,
    expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE password_resets (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX password_resets_email ON password_resets (email);
CREATE INDEX password_resets_created ON password_resets (created_at);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    role_id      INTEGER REFERENCES roles (id) ON DELETE SET NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    invited_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    cancelled_at INTEGER
) STRICT;
CREATE INDEX invitations_tenant ON invitations (tenant_id, created_at);
CREATE INDEX invitations_email ON invitations (email);

-- No foreign keys on purpose: the trail keeps the ids of tenants and users
-- that were deleted later, and writing it never fails on a missing row.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    tenant_id INTEGER,
    user_id   INTEGER,
    action    TEXT    NOT NULL,
    ip        TEXT,
    detail    TEXT CHECK (detail IS NULL OR json_valid(detail))
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);

CREATE TABLE settings (
    key        TEXT NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    alg         TEXT    NOT NULL DEFAULT 'RS256',
    private_pem TEXT    NOT NULL,
    public_jwk  TEXT    NOT NULL CHECK (json_valid(public_jwk)),
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
) STRICT, WITHOUT ROWID;

-- The protected resources the seeds name. Statuses are product-defined text.
CREATE TABLE leads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    email      TEXT,
    phone      TEXT,
    status     TEXT    NOT NULL DEFAULT 'new',
    data       TEXT    NOT NULL DEFAULT '{}'
        CHECK (json_valid(data) AND json_type(data) = 'object'),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX leads_tenant ON leads (tenant_id, id);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id     INTEGER REFERENCES leads (id) ON DELETE SET NULL,
    reference   TEXT,
    status      TEXT    NOT NULL DEFAULT 'pending',
    total_minor INTEGER NOT NULL DEFAULT 0,
    currency    TEXT    NOT NULL DEFAULT 'USD',
    data        TEXT    NOT NULL DEFAULT '{}'
        CHECK (json_valid(data) AND json_type(data) = 'object'),
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_tenant ON orders (tenant_id, id);
CREATE INDEX orders_lead ON orders (lead_id);

CREATE TABLE posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title      TEXT    NOT NULL,
    slug       TEXT,
    content    TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'published',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX posts_tenant ON posts (tenant_id, id);
CREATE INDEX posts_user ON posts (user_id);
