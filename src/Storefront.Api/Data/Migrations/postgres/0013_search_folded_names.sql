-- Name search reads names lower-cased once, when they are written: ?q= is a plain LIKE on name_folded instead of ILIKE
-- on name, which lower-cases every name it reads, on every search (the larger part of a search that walks the catalog
-- in its sort order; more so under a libc locale than under C). ILIKE lower-cases both sides too, so the matches are
-- the same. Adding the column rewrites the table once, holding its lock while it does.
ALTER TABLE items ADD COLUMN name_folded text GENERATED ALWAYS AS (lower(name)) STORED;

-- The trigram index for the folded names, the column searches now read. The one on name stays while a build that
-- searches name may still run beside this one (a rolling deployment); a later migration drops it.
CREATE INDEX ix_items_name_folded_trgm ON items USING gin (name_folded gin_trgm_ops);
