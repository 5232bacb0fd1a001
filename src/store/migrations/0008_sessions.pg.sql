-- 0008_sessions.pg.sql - dashboard sessions (WedoCOD, issue 13).
--
-- A guest session (GET /sanctum/csrf-cookie before login) has no user, so
-- user_id becomes nullable. Idle sessions are pruned by last_seen_at,
-- hence its index.
ALTER TABLE sessions ALTER COLUMN user_id DROP NOT NULL;
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
