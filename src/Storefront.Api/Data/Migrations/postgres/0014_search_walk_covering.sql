-- A search's walk of the sort order reads a few thousand rows for one page of a term in 1 name of 100, and needs only
-- the sort key, the id and the folded name of each. With the folded name in the sort's index, the walk reads the index
-- alone (an index-only scan, for pages the visibility map marks all-visible) and the table only for the page's rows.

-- id order: the primary key stays as it is (foreign keys use it); this index serves the walk.
CREATE INDEX ix_items_id_walk ON items (id) INCLUDE (name_folded);

-- price and name order: the same indexes with the folded name added, rebuilt under their old names. The table is
-- locked against writes and reads while they are rebuilt, about a second per million items.
DROP INDEX ix_items_price_id;
CREATE INDEX ix_items_price_id ON items (price, id) INCLUDE (name_folded);
DROP INDEX ix_items_name_id;
CREATE INDEX ix_items_name_id ON items (name COLLATE "C", id) INCLUDE (name_folded);
