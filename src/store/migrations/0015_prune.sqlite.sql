-- 0015_prune.sqlite.sql - prune (issue 18) finds revoked tokens by
-- revoked_at (expired ones use tokens_expires), so each batch reads only
-- the rows it deletes instead of scanning the table.
CREATE INDEX tokens_revoked ON tokens (revoked_at) WHERE revoked_at IS NOT NULL;
