-- 0016_change_notify.pg.sql - the read caches on PostgreSQL (issue 19).
--
-- Every transaction that changes what an authenticated request reads
-- (a token but for its last_used_at, a user, a tenant, a membership, a
-- role, a permission, a staff grant) sends NOTIFY latchkey_change. The
-- notification is delivered at commit, once per transaction, to every
-- instance's listener (src/store/pg_listen.c), which drops its cached
-- principals. A new token or a new user changes no cached read (misses are
-- never cached), so those inserts notify nobody: logins stay cheap.
CREATE FUNCTION latchkey_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('latchkey_change', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tokens_change AFTER DELETE OR UPDATE OF
    user_id, tenant_id, name, token_hash, abilities, kind, expires_at, revoked_at
    ON tokens FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER users_change AFTER UPDATE OR DELETE
    ON users FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER tenants_change AFTER INSERT OR UPDATE OR DELETE
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER memberships_change AFTER INSERT OR UPDATE OR DELETE
    ON memberships FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER roles_change AFTER INSERT OR UPDATE OR DELETE
    ON roles FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER permissions_change AFTER INSERT OR UPDATE OR DELETE
    ON permissions FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
CREATE TRIGGER staff_change AFTER INSERT OR UPDATE OR DELETE
    ON staff FOR EACH STATEMENT EXECUTE FUNCTION latchkey_notify_change();
