-- 0004_staff.pg.sql - platform staff (seed 001, issue #6).
--
-- The five staff roles are platform roles (roles.tenant_id NULL) with
-- "resource:action" permissions; a user holds at most one of them through a
-- staff row. Only staff can use /admin. The matrix is documented in README
-- ("Staff roles"); a later migration changes it, never an edit of this one.

CREATE TABLE staff (
    user_id    BIGINT  NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role_id    BIGINT  NOT NULL REFERENCES roles (id),
    granted_by BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX staff_role ON staff (role_id);

INSERT INTO roles (tenant_id, name, slug, permissions, is_system, created_at) VALUES
    (NULL, 'Owner', 'owner',
     '["users:list","users:create","users:update","users:delete","tenants:list","tenants:update","roles:list","audit:list"]',
     TRUE, EXTRACT(EPOCH FROM now())::BIGINT),
    (NULL, 'Manager', 'manager',
     '["users:list","users:create","users:update","tenants:list","tenants:update","roles:list","audit:list"]',
     TRUE, EXTRACT(EPOCH FROM now())::BIGINT),
    (NULL, 'Developer', 'developer',
     '["users:list","tenants:list","roles:list","audit:list"]',
     TRUE, EXTRACT(EPOCH FROM now())::BIGINT),
    (NULL, 'Support', 'support',
     '["users:list","users:update","tenants:list","roles:list"]',
     TRUE, EXTRACT(EPOCH FROM now())::BIGINT),
    (NULL, 'Marketing', 'marketing',
     '["users:list","tenants:list"]',
     TRUE, EXTRACT(EPOCH FROM now())::BIGINT);

-- A database made before this migration has its first-start owner as a
-- super-admin: it becomes a staff Owner.
INSERT INTO staff (user_id, role_id, created_at)
SELECT u.id, r.id, EXTRACT(EPOCH FROM now())::BIGINT
  FROM users u JOIN roles r ON r.tenant_id IS NULL AND r.slug = 'owner'
 WHERE u.is_super_admin;
