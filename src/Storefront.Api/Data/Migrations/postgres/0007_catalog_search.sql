-- The catalog at scale (issue 19): keyset pages for every sort and name search whose cost does not grow with the
-- catalog. pg_trgm ships with PostgreSQL (Debian: postgresql-contrib) and is a trusted extension, so the database's
-- owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ?q= is a case-insensitive substring match (ILIKE '%q%'): a trigram GIN index answers it without reading every name.
CREATE INDEX ix_items_name_trgm ON items USING gin (name gin_trgm_ops);

-- ?sort=price and -price (scanned backwards), id breaking ties: a page is one index range, however deep.
CREATE INDEX ix_items_price_id ON items (price, id);

-- ?sort=name in code-point order (COLLATE "C"), the order SQLite's BINARY collation gives, so both stores page alike
-- and the order does not depend on the server's locale.
CREATE INDEX ix_items_name_id ON items (name COLLATE "C", id);
