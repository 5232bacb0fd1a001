-- 0011_signing_key_revoked.sqlite.sql - the JWT key kill switch (issue 16):
-- a revoked key neither signs nor verifies and leaves the JWKS at once;
-- its private key is erased (private_pem = '') in the same update.
ALTER TABLE signing_keys ADD COLUMN revoked_at INTEGER;
