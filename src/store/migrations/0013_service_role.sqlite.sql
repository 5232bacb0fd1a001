-- 0013_service_role.sqlite.sql - service accounts for token introspection
-- and revocation (issue 17; src/core/introspect.h).
--
-- A service account is a staff member whose platform role holds
-- tokens:introspect: it calls POST /oauth/introspect and /oauth/revoke with
-- HTTP Basic for every tenant. The Service role holds that permission and
-- nothing else (no admin API access); the Owner gets it too, so the Owner
-- still holds every permission of every staff role and may manage service
-- accounts (core/admin.h's guard).

INSERT INTO roles (tenant_id, name, slug, permissions, is_system, created_at) VALUES
    (NULL, 'Service', 'service', '["tokens:introspect"]', 1,
     CAST(strftime('%s', 'now') AS INTEGER));

UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'tokens:introspect')
 WHERE tenant_id IS NULL AND slug = 'owner';
