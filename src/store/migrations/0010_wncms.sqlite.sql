-- 0010_wncms.sqlite.sql - WNCMS (seed 003, issue 14): per-tenant settings,
-- the settings version, posts, and the staff's settings permissions.
--
-- settings gains a scope: tenant_id 0 is the platform default, any other
-- value a tenant's own value (no foreign key, so 0 can mean "platform";
-- core deletes nothing here, a deleted tenant's rows are never read).
-- SQLite cannot change a primary key, so the table is rebuilt.
CREATE TABLE settings_scoped (
    tenant_id  INTEGER NOT NULL DEFAULT 0,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER,
    PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO settings_scoped (tenant_id, key, value, updated_at)
SELECT 0, key, value, updated_at FROM settings;
DROP TABLE settings;
ALTER TABLE settings_scoped RENAME TO settings;

-- One row: bumped in the transaction of every settings change, so each
-- instance's settings cache re-reads the table only when it changed.
CREATE TABLE settings_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO settings_version (id, version) VALUES (1, 1);

-- WNCMS posts (0001's table): an excerpt, and slugs unique per tenant (a
-- WNCMS site is a tenant). user_id is the author.
ALTER TABLE posts ADD COLUMN excerpt TEXT;
CREATE UNIQUE INDEX posts_tenant_slug ON posts (tenant_id, slug);

-- The staff permissions of GET|PATCH /admin/settings, for Owner and Manager.
UPDATE roles SET permissions = json_insert(json_insert(permissions, '$[#]', 'settings:list'),
                                           '$[#]', 'settings:manage')
 WHERE tenant_id IS NULL AND slug IN ('owner', 'manager');
