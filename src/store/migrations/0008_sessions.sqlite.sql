-- 0008_sessions.sqlite.sql - dashboard sessions (WedoCOD, issue 13).
--
-- A guest session (GET /sanctum/csrf-cookie before login) has no user, so
-- user_id becomes nullable. SQLite cannot drop a NOT NULL constraint: the
-- table is rebuilt, which loses nothing (no release ever wrote a session).
-- Idle sessions are pruned by last_seen_at, hence its index.
DROP TABLE sessions;
CREATE TABLE sessions (
    id_hash      TEXT    NOT NULL PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
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
CREATE INDEX sessions_user_tenant ON sessions (user_id, tenant_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
