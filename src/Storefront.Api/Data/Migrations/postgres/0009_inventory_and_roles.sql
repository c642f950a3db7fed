-- Issue 32. Stock gets one owner (Inventory/) and written rules (docs/api.md, "Stock"):
--   on_hand   the inventory system's count (POST /inventory/events) or staff's (PUT /items/{id}/stock);
--   reserved  the units confirmed orders hold (orders add, cancels take away);
--   available = on_hand - reserved, never below 0: what an order may take.
-- A new level replaces on_hand only, so units already sold are never offered again; a cancel lowers reserved only.
ALTER TABLE item_stock RENAME COLUMN in_stock TO on_hand;
ALTER TABLE item_stock ADD COLUMN reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0);
-- Until now in_stock was what was left: the units of confirmed orders are added back to on_hand and held as reserved.
UPDATE item_stock s SET reserved = r.units, on_hand = LEAST(s.on_hand::bigint + r.units, 1000000000)::integer
FROM (SELECT l.item_id, SUM(l.quantity) AS units FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE o.status = 'confirmed' GROUP BY l.item_id) r
WHERE r.item_id = s.item_id;
UPDATE item_stock SET on_hand = 1000000000 WHERE on_hand > 1000000000;
ALTER TABLE item_stock ADD CONSTRAINT item_stock_on_hand_bound CHECK (on_hand <= 1000000000);

-- What the catalog shows as in_stock: the only way other features read stock. PostgreSQL inlines it into the query.
CREATE VIEW stock_available AS SELECT item_id, GREATEST(on_hand - reserved, 0) AS available FROM item_stock;

-- Roles are granted by an operator (`users grant NAME ROLE`), never by registering a name.
CREATE TABLE user_roles (
    user_id    integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       varchar(20) NOT NULL CHECK (role IN ('admin', 'catalog')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);
