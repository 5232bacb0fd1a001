-- 0010_wncms.pg.sql - WNCMS (seed 003, issue 14): per-tenant settings,
-- the settings version, posts, and the staff's settings permissions.
--
-- settings gains a scope: tenant_id 0 is the platform default, any other
-- value a tenant's own value (no foreign key, so 0 can mean "platform";
-- core deletes nothing here, a deleted tenant's rows are never read).
ALTER TABLE settings ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settings DROP CONSTRAINT settings_pkey;
ALTER TABLE settings ADD PRIMARY KEY (tenant_id, key);

-- One row: bumped in the transaction of every settings change, so each
-- instance's settings cache re-reads the table only when it changed.
CREATE TABLE settings_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 1);

-- WNCMS posts (0001's table): an excerpt, and slugs unique per tenant (a
-- WNCMS site is a tenant). user_id is the author.
ALTER TABLE posts ADD COLUMN excerpt TEXT;
CREATE UNIQUE INDEX posts_tenant_slug ON posts (tenant_id, slug);

-- The staff permissions of GET|PATCH /admin/settings, for Owner and Manager.
UPDATE roles SET permissions = (permissions::jsonb || '["settings:list","settings:manage"]'::jsonb)::text
 WHERE tenant_id IS NULL AND slug IN ('owner', 'manager');
