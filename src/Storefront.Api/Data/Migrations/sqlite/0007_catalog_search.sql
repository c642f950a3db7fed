-- The catalog at scale (issue 19). Prices are TEXT here (EF Core's decimal), so price order and filters use
-- CAST(price AS REAL), exact for prices of up to 15 significant digits (the catalog allows 12); the index is on that
-- expression. Names sort in BINARY (code-point) order, as on PostgreSQL with COLLATE "C". Name search (?q=) has no
-- index on SQLite: it reads the names, which is the embedded store's fallback.
CREATE INDEX ix_items_price_id ON items (CAST(price AS REAL), id);
CREATE INDEX ix_items_name_id ON items (name, id);
