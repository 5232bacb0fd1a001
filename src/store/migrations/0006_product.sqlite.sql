-- 0006_product.sqlite.sql - the product a tenant belongs to (issue #11).
--
-- Each product (surface) declares its own permission catalogue and default
-- roles; a tenant gets those of the product it was created for. Tenants
-- created before products existed belong to the travel product (seed 004),
-- whose catalogue and roles they already hold.
ALTER TABLE tenants ADD COLUMN product TEXT NOT NULL DEFAULT 'travel';
