-- 0012_access_rules.sqlite.sql - forward-auth (issue 17): the access rules
-- GET /auth/verify decides by, and the staff permissions that manage them.
--
-- A rule: method ("*" or one method) + path pattern (the router's: "{name}"
-- is one segment, a trailing "/*" a prefix) -> the credential kinds it
-- accepts (auth: "none" or a comma list of pat, jwt, session), an ability
-- and/or a role slug the principal must hold (NULL: authenticated only),
-- where the tenant comes from (tenant_from: header, host or credential),
-- and its switch. A change bumps settings_version in its transaction, so
-- every instance's settings poller reloads the rules within a second.
CREATE TABLE access_rules (
    id          INTEGER PRIMARY KEY,
    method      TEXT    NOT NULL,
    pattern     TEXT    NOT NULL,
    auth        TEXT    NOT NULL,
    ability     TEXT,
    role        TEXT,
    tenant_from TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (method, pattern)
) STRICT;

-- The staff permissions of /admin/rules, for Owner and Manager.
UPDATE roles SET permissions = json_insert(json_insert(permissions, '$[#]', 'rules:list'),
                                           '$[#]', 'rules:manage')
 WHERE tenant_id IS NULL AND slug IN ('owner', 'manager');
