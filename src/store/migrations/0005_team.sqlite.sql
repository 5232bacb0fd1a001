-- 0005_team.sqlite.sql - team management (AutoCom, issue #5).
--
-- At most one open invitation (neither accepted nor cancelled) per email and
-- tenant, so two concurrent invites of the same address cannot both succeed:
-- the second insert is a unique violation. An expired open invitation is
-- cancelled by core in the same transaction that inserts its replacement.
CREATE UNIQUE INDEX invitations_open ON invitations (tenant_id, email)
    WHERE accepted_at IS NULL AND cancelled_at IS NULL;

-- Suspending or removing a member revokes their tokens and ends their
-- sessions in that tenant only.
CREATE INDEX tokens_user_tenant ON tokens (user_id, tenant_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_user_tenant ON sessions (user_id, tenant_id);

-- The team list: a tenant's members in the order they joined.
CREATE INDEX memberships_tenant_joined ON memberships (tenant_id, joined_at, user_id);
