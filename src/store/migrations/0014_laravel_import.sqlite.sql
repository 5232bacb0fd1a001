-- 0014_laravel_import.sqlite.sql - `latchkey import laravel` (issue 17):
-- which latchkey user each imported Laravel user became, and the Laravel
-- password hash it had then, so that a second import recognises its own
-- users (also after their first login rehashed the password to argon2id)
-- and tells them from an unrelated account with the same email; and which
-- tenant each imported Jetstream team became.
CREATE TABLE laravel_imports (
    user_id       INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    laravel_id    INTEGER NOT NULL,
    password_hash TEXT    NOT NULL,
    imported_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE laravel_team_imports (
    tenant_id       INTEGER NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    laravel_team_id INTEGER NOT NULL UNIQUE,
    imported_at     INTEGER NOT NULL
) STRICT;
