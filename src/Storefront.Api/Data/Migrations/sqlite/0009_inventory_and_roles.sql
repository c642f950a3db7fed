-- Issue 32. Stock gets one owner (Inventory/) and written rules (docs/api.md, "Stock"):
--   on_hand   the inventory system's count (POST /inventory/events) or staff's (PUT /items/{id}/stock);
--   reserved  the units confirmed orders hold (orders add, cancels take away);
--   available = on_hand - reserved, never below 0: what an order may take.
-- A new level replaces on_hand only, so units already sold are never offered again; a cancel lowers reserved only.
ALTER TABLE item_stock RENAME COLUMN in_stock TO on_hand;
ALTER TABLE item_stock ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0);
-- Until now in_stock was what was left: the units of confirmed orders are added back to on_hand and held as reserved.
UPDATE item_stock SET reserved = (
    SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.status = 'confirmed' AND l.item_id = item_stock.item_id);
UPDATE item_stock SET on_hand = MIN(on_hand + reserved, 1000000000);

-- What the catalog shows as in_stock: the only way other features read stock.
CREATE VIEW stock_available AS SELECT item_id, MAX(on_hand - reserved, 0) AS available FROM item_stock;

-- Roles are granted by an operator (`users grant NAME ROLE`), never by registering a name.
CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'catalog')),
    granted_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, role)
);
