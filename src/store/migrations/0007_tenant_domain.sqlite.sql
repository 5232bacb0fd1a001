-- 0007_tenant_domain.sqlite.sql - tenants found by the request's Host (issue 11).
--
-- store_tenant_by_domain compares lower(domain) with the lower-cased host,
-- on every request that names a host no cache holds: an index on the
-- same expression keeps it one lookup, however many tenants there are.
CREATE INDEX tenants_domain_lower ON tenants (lower(domain));
