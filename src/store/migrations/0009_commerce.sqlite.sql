-- 0009_commerce.sqlite.sql - WedoCOD leads and orders (seed 000, issue 13).
--
-- The leads and orders tables of 0001 were placeholders that nothing ever
-- wrote: they are dropped and made again with the fields the REST API
-- serves (README "WedoCOD REST API"). Money is exact: integer minor units
-- (cents), the currency is the tenant's default_currency at creation.
-- Every row carries its tenant_id, order items too, so every statement
-- can name the tenant in its WHERE clause.
--
-- accounts:read is the staff permission of the "system-level role" that
-- sees every account's leads and orders; Owner, Manager and Support hold it.

DROP TABLE orders;
DROP TABLE leads;

CREATE TABLE leads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_name TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    address       TEXT,
    city          TEXT,
    product       TEXT,
    quantity      INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    price_minor   INTEGER NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
    status        TEXT    NOT NULL DEFAULT 'new',
    notes         TEXT,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX leads_tenant ON leads (tenant_id, id);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id       INTEGER REFERENCES leads (id) ON DELETE SET NULL,
    customer_name TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    address       TEXT,
    city          TEXT,
    status        TEXT    NOT NULL DEFAULT 'pending',
    total_minor   INTEGER NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
    currency      TEXT    NOT NULL,
    notes         TEXT,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_tenant ON orders (tenant_id, id);
CREATE INDEX orders_lead ON orders (lead_id);

CREATE TABLE order_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product          TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0)
) STRICT;
CREATE INDEX order_items_order ON order_items (order_id, id);

UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'accounts:read')
 WHERE tenant_id IS NULL AND slug IN ('owner', 'manager', 'support');
